import { usageError } from '../errors.ts';

/** A value as a preset, a config file or a flag gives it, before validation. */
export type RawValue = string | number | boolean | readonly (string | number)[];

/** What merging needs of an option-table entry. */
export interface LayerOption {
  readonly target: string;
  readonly flag: string;
  readonly parse: (text: string, flag: string) => unknown;
}

function rawToText(value: RawValue, where: string, key: string): string {
  if (Array.isArray(value)) {
    if (value.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
      throw usageError(`${where}: key "${key}" has a list item that is not a string or number`);
    }
    return value.join(',');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw usageError(
    `${where}: key "${key}" has a value of type ${typeof value}: expected a string, number, boolean or list`,
  );
}

/**
 * Parses the layers' values over `base` with an option table, later layers
 * winning (preset, config file, flags). An error names the flag for the
 * `flags` layer, else the layer and key. Unknown keys are errors. Each entry's
 * parser returns its target's type (the config type is derived from the
 * entries), so the merged object is a `C`.
 */
export function applyLayers<C extends object>(
  options: Readonly<Record<string, LayerOption>>,
  base: C,
  layers: readonly { where: string; raw: Readonly<Record<string, RawValue | undefined>> }[],
): C {
  const keys = Object.keys(options);
  const merged: Record<string, unknown> = { ...(base as Readonly<Record<string, unknown>>) };
  for (const { where, raw } of layers) {
    for (const [key, value] of Object.entries(raw)) {
      const spec = options[key];
      if (!spec) throw usageError(`${where}: unknown key "${key}": expected one of ${keys.join(', ')}`);
      if (value === undefined) continue;
      merged[spec.target] = spec.parse(
        rawToText(value, where, key),
        where === 'flags' ? spec.flag : `${where}: ${key}`,
      );
    }
  }
  return merged as C;
}
