import { usageError } from '../errors.ts';
import type { RawValue } from './layers.ts';

/**
 * The option helper every command uses: an option is one entry (config key,
 * flag, help, parser, default), a command's options are an array of entries
 * (a protocol can contribute its own array, concatenated into the command's),
 * and the config type, the defaults, the flags and their --help all come from
 * that array, so none of them can drift from it.
 */

/** A default as a user would type it (parsed by the entry's parser, shown by --help as given). */
type DefaultText = string;
/** A default without a spelling (nothing given, this Node's path), and what --help says of it (null: nothing). */
interface DefaultValue<T> {
  readonly value: T;
  readonly help: string | null;
}

export interface OptionEntry<Key extends string = string, Target extends string = string, T = unknown> {
  /** The config-file and preset key; commander's camelCase of the flag. */
  readonly key: Key;
  /** The config field it sets; two keys may set one field (an alias: another flag for the same axis). */
  readonly target: Target;
  readonly flag: string;
  readonly valueName?: string;
  readonly description: string;
  readonly parse: (text: string, flag: string) => T;
  /** Absent only where another entry of the same target has it. */
  readonly default?: DefaultText | DefaultValue<T>;
  /** --smoke keeps the first value of this axis (a list value). */
  readonly smoke?: 'first';
  /** Config keys that are booleans take no value on the command line. */
  readonly boolean?: true;
  /** The flag may be given several times; the values are joined as a list. */
  readonly repeatable?: true;
}

/** Any entry, whatever its value type (the value type is covariant: it is only returned). */
export type AnyOptionEntry = OptionEntry;

/**
 * One entry, typed: its value type is inferred from the parser and the default
 * value together, so a default of `null` or `undefined` ("not given") widens it
 * as it should. test/unit/option-table.test.ts pins the configs derived this way.
 */
export function option<Key extends string, Target extends string, T>(
  entry: OptionEntry<Key, Target, T>,
): OptionEntry<Key, Target, T> {
  return entry;
}

/** The value an entry gives its target. */
export type ValueOf<E> = E extends OptionEntry<string, string, infer T> ? Frozen<T> : never;
/** Lists in a config are read-only, whatever the parser returns. */
type Frozen<T> = T extends readonly (infer U)[] ? readonly U[] : T;

/** The config a list of entries describes: one read-only field per target. */
export type OptionValues<L extends readonly AnyOptionEntry[]> = {
  readonly [E in L[number] as E['target']]: ValueOf<E>;
};

/** The entries by config key. */
export type OptionTable<L extends readonly AnyOptionEntry[]> = { readonly [E in L[number] as E['key']]: E };

/** The keys a config file, a preset or the flags may give, as given (before parsing). */
export type RawOptions<L extends readonly AnyOptionEntry[]> = Partial<Record<L[number]['key'], RawValue>>;

/** The table of a command's entries, by key; a key given twice is a mistake in the code, caught at load. */
export function optionTable<const L extends readonly AnyOptionEntry[]>(entries: L): OptionTable<L> {
  const table: Record<string, AnyOptionEntry> = {};
  for (const e of entries) {
    if (table[e.key]) throw new Error(`option key "${e.key}" is given twice`);
    table[e.key] = e;
  }
  return table as OptionTable<L>;
}

/** What --help says of an entry's default; null: nothing (a boolean flag is off unless given). */
export function defaultHelp(entry: AnyOptionEntry): string | null {
  if (entry.boolean === true || entry.default === undefined) return null;
  return typeof entry.default === 'string' ? entry.default : entry.default.help;
}

/** The defaults of a list of entries: each default text parsed by its own entry's parser. */
export function defaultsOf<const L extends readonly AnyOptionEntry[]>(entries: L): OptionValues<L> {
  const defaults: Record<string, unknown> = {};
  for (const e of entries) {
    if (e.default === undefined) continue;
    defaults[e.target] = typeof e.default === 'string' ? e.parse(e.default, e.flag) : e.default.value;
  }
  const missing = entries.map((e) => e.target).filter((t) => !(t in defaults));
  if (missing.length > 0) throw new Error(`options without a default: ${[...new Set(missing)].join(', ')}`);
  return defaults as OptionValues<L>;
}

/** The first value of each axis marked `smoke: 'first'` (Node's benchmark `--test`: one of each). */
export function firstOfEachAxis<C extends object>(entries: readonly AnyOptionEntry[], config: C): Partial<C> {
  const first: Record<string, unknown> = {};
  const values = config as Readonly<Record<string, unknown>>;
  for (const e of entries) {
    const list = values[e.target];
    if (e.smoke === 'first' && Array.isArray(list)) first[e.target] = list.slice(0, 1);
  }
  return first as Partial<C>;
}

/** A list option's parser for a command that takes one value (`who`: the command, for the message). */
export function single<T>(
  parse: (text: string, flag: string) => readonly T[],
  who: string,
): (text: string, flag: string) => T {
  return (text, flag) => {
    const list = parse(text, flag);
    if (list.length !== 1) throw usageError(`${flag} "${text}" is not accepted: ${who} takes exactly one value`);
    return list[0]!;
  };
}
