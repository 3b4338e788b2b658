import { formatBytes, humanBytes } from './config/units.ts';
import { protocolOf } from './protocols/registry.ts';
import { DEFAULT_READ_PATH } from './transfer/read-path.ts';

/**
 * The scenario axes, each described once: the Scenario field it is, the flag
 * that sets it, its `key=value` token in the scenario id, its results.csv
 * column, its chart label, and whether it is optional (in the id only when not
 * its default; a table column only when it varies). Ids (matrix.ts), chart
 * labels, table and CSV columns, and grouping by structured keys (tuning,
 * interleaving) all read this table, so adding an axis is one entry here.
 * matrix.ts builds ids from it, so it reads scenarios by shape; which protocols
 * split their size into files, it asks the registry.
 */

/** What the axes read of a scenario: matrix.ts's Scenario (without its id) has every one of these fields. */
export interface AxisScenario {
  readonly sizeBytes: number;
  readonly chunkBytes: number;
  readonly tlsVersion: string;
  readonly suite: string;
  readonly keyType: string;
  readonly maxFragment: number;
  readonly shutdown: string;
  readonly writePath: string;
  /** Absent in records written before the read-path axis (they read by 'data' events). */
  readonly readPath?: string;
  readonly receiverMode: string;
  readonly receiverPeer: string;
  readonly senderPeer: string;
  readonly protocol: string;
  readonly streams: number;
  readonly fileBytes: number;
  readonly runtime?: string;
}

export type AxisField = keyof AxisScenario;

export interface ScenarioAxis {
  /** The id token's key, the table column's header and the name in chart labels and groups. */
  readonly name: string;
  readonly field: AxisField;
  /** Other fields that change when this knob does (a suite brings its TLS version); grouping keeps them together. */
  readonly moves?: readonly AxisField[];
  /** The `run` flag that sets it. */
  readonly flag: string;
  /** Its value in the id, as the flag spells it. */
  readonly idValue: (s: AxisScenario) => string;
  /** Optional in the id: named only when this holds, so ids from before the axis stay as they were. Absent: always. */
  readonly inId?: (s: AxisScenario) => boolean;
  /** Its results.csv column and cell (the columns' order is fixed in csv.ts); null: the CSV has none. */
  readonly csv: { readonly column: string; readonly cell: (s: AxisScenario) => string | number } | null;
  /** Its part of a chart label, when it varies among the labelled cells ('' says nothing). */
  readonly label: (s: AxisScenario) => string;
  /** In the throughput tables: a lead column always shown, one shown only when it varies among the rows, or none. */
  readonly column: { readonly kind: 'lead' | 'varying'; readonly cell: (s: AxisScenario) => string } | null;
}

const readPathOf = (s: AxisScenario): string => s.readPath ?? DEFAULT_READ_PATH;
const filesAxis = (s: AxisScenario): boolean => protocolOf(s)?.filesAxis === true;

/** In id order. */
export const SCENARIO_AXES: readonly ScenarioAxis[] = [
  {
    name: 'size',
    field: 'sizeBytes',
    moves: ['fileBytes'],
    flag: '--sizes',
    idValue: (s) => formatBytes(s.sizeBytes),
    csv: { column: 'size_bytes', cell: (s) => s.sizeBytes },
    label: (s) => formatBytes(s.sizeBytes),
    column: { kind: 'lead', cell: (s) => humanBytes(s.sizeBytes) },
  },
  {
    name: 'chunk',
    field: 'chunkBytes',
    flag: '--chunks',
    idValue: (s) => formatBytes(s.chunkBytes),
    csv: { column: 'chunk_bytes', cell: (s) => s.chunkBytes },
    label: (s) => formatBytes(s.chunkBytes),
    column: { kind: 'lead', cell: (s) => formatBytes(s.chunkBytes) },
  },
  {
    name: 'tls',
    field: 'tlsVersion',
    flag: '--tls',
    idValue: (s) => s.tlsVersion,
    csv: { column: 'tls_version', cell: (s) => s.tlsVersion },
    label: (s) => `TLS ${s.tlsVersion}`,
    column: { kind: 'lead', cell: (s) => s.tlsVersion },
  },
  {
    name: 'suite',
    field: 'suite',
    moves: ['tlsVersion'],
    flag: '--suites',
    idValue: (s) => s.suite,
    csv: { column: 'suite_requested', cell: (s) => s.suite },
    label: (s) => s.suite,
    column: { kind: 'lead', cell: (s) => s.suite },
  },
  {
    name: 'key',
    field: 'keyType',
    flag: '--key',
    idValue: (s) => s.keyType,
    csv: { column: 'key_type', cell: (s) => s.keyType },
    label: (s) => s.keyType,
    column: { kind: 'varying', cell: (s) => s.keyType },
  },
  {
    name: 'frag',
    field: 'maxFragment',
    flag: '--max-fragment',
    idValue: (s) => String(s.maxFragment),
    csv: { column: 'max_fragment', cell: (s) => s.maxFragment },
    label: (s) => `frag ${s.maxFragment}`,
    column: { kind: 'varying', cell: (s) => String(s.maxFragment) },
  },
  {
    name: 'shutdown',
    field: 'shutdown',
    flag: '--shutdown',
    idValue: (s) => s.shutdown,
    csv: { column: 'shutdown', cell: (s) => s.shutdown },
    label: (s) => s.shutdown,
    column: { kind: 'varying', cell: (s) => s.shutdown },
  },
  {
    name: 'write',
    field: 'writePath',
    flag: '--write-path',
    idValue: (s) => s.writePath,
    csv: { column: 'write_path', cell: (s) => s.writePath },
    label: (s) => `write ${s.writePath}`,
    column: { kind: 'varying', cell: (s) => s.writePath },
  },
  {
    name: 'read',
    field: 'readPath',
    flag: '--read-path',
    idValue: (s) => `${s.readPath}`,
    inId: (s) => s.readPath !== DEFAULT_READ_PATH,
    csv: { column: 'read_path', cell: readPathOf },
    label: (s) => `read ${readPathOf(s)}`,
    column: { kind: 'varying', cell: readPathOf },
  },
  {
    name: 'receiver',
    field: 'receiverMode',
    flag: '--receiver',
    idValue: (s) => s.receiverMode,
    csv: { column: 'receiver_mode', cell: (s) => s.receiverMode },
    label: (s) => `receiver ${s.receiverMode}`,
    column: { kind: 'varying', cell: (s) => s.receiverMode },
  },
  {
    name: 'peer',
    field: 'receiverPeer',
    flag: '--receiver-peer',
    idValue: (s) => s.receiverPeer,
    csv: { column: 'receiver_peer', cell: (s) => s.receiverPeer },
    label: (s) => `peer ${s.receiverPeer}`,
    column: { kind: 'varying', cell: (s) => s.receiverPeer },
  },
  {
    name: 'sender',
    field: 'senderPeer',
    flag: '--sender-peer',
    idValue: (s) => s.senderPeer,
    // only when not the Node worker, so ids from before the axis stay as they were
    inId: (s) => s.senderPeer !== 'node',
    csv: { column: 'sender_peer', cell: (s) => s.senderPeer },
    label: (s) => `sender ${s.senderPeer}`,
    column: { kind: 'varying', cell: (s) => s.senderPeer },
  },
  {
    name: 'protocol',
    field: 'protocol',
    moves: ['fileBytes'],
    flag: '--protocol',
    idValue: (s) => s.protocol,
    csv: { column: 'protocol', cell: (s) => s.protocol },
    label: (s) => s.protocol,
    column: { kind: 'varying', cell: (s) => s.protocol },
  },
  {
    name: 'streams',
    field: 'streams',
    flag: '--streams',
    idValue: (s) => String(s.streams),
    csv: { column: 'streams', cell: (s) => s.streams },
    label: (s) => `x${s.streams}`,
    column: { kind: 'varying', cell: (s) => String(s.streams) },
  },
  {
    name: 'files',
    field: 'fileBytes',
    flag: '--file-size',
    idValue: (s) => formatBytes(s.fileBytes),
    // only where it is a choice of its own (the protocol says so): for raw streams it is the size again
    inId: filesAxis,
    csv: { column: 'file_bytes', cell: (s) => s.fileBytes },
    label: (s) => (filesAxis(s) ? `files ${formatBytes(s.fileBytes)}` : ''),
    column: null,
  },
  {
    name: 'node',
    field: 'runtime',
    flag: '--node',
    idValue: (s) => `${s.runtime}`,
    // only a run of several runtimes names them
    inId: (s) => s.runtime !== undefined,
    // the workers' versions are in node_version; the label is in the scenario id
    csv: null,
    label: (s) => (s.runtime !== undefined ? `node ${s.runtime}` : ''),
    column: { kind: 'varying', cell: (s) => s.runtime ?? '' },
  },
];

const BY_NAME = new Map(SCENARIO_AXES.map((a) => [a.name, a]));

/** The axis of a name (a programming error if there is none). */
export function axisNamed(name: string): ScenarioAxis {
  const a = BY_NAME.get(name);
  if (!a) throw new Error(`no scenario axis "${name}": expected one of ${SCENARIO_AXES.map((x) => x.name).join(', ')}`);
  return a;
}

/** The axis whose field this is. */
export function axisOfField(field: AxisField): ScenarioAxis {
  return SCENARIO_AXES.find((a) => a.field === field)!;
}

/** The id: every axis's `name=value`, the optional ones only where they apply. */
export function axesId(s: AxisScenario): string {
  return SCENARIO_AXES.filter((a) => a.inId?.(s) ?? true)
    .map((a) => `${a.name}=${a.idValue(s)}`)
    .join(' ');
}

/** The fields an axis changes: its own and those that move with it. */
export function axisFields(name: string): readonly AxisField[] {
  const a = axisNamed(name);
  return [a.field, ...(a.moves ?? [])];
}

/**
 * A structured grouping key: every axis field but those of `except` (and the
 * ones absent from an older scenario), by field name in a stable order. Two
 * scenarios are in one group when their keys are equal.
 */
export function groupKey(
  s: AxisScenario,
  except: readonly string[] = [],
): { key: string; group: Record<string, string | number> } {
  const skip = new Set(except.flatMap(axisFields));
  const entries = SCENARIO_AXES.filter((a) => !skip.has(a.field))
    .map((a): [string, string | number | undefined] => [a.field, s[a.field]])
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return { key: JSON.stringify(entries), group: Object.fromEntries(entries) };
}

/**
 * The axes (by name) in which two scenarios differ; a field two axes move (fileBytes) belongs to the one whose own
 * field differs too.
 */
export function differingAxes(a: AxisScenario, b: AxisScenario): string[] {
  const fields = SCENARIO_AXES.map((x) => x.field).filter((f) => a[f] !== b[f]);
  const out = new Set<string>();
  for (const f of fields) {
    const movers = SCENARIO_AXES.filter((x) => x.field !== f && x.moves?.includes(f) && fields.includes(x.field));
    out.add(movers[0]?.name ?? axisOfField(f).name);
  }
  return [...out];
}

/** The axes shown as table columns only when they vary among the rows, in id order. */
export const VARYING_COLUMN_AXES: readonly ScenarioAxis[] = SCENARIO_AXES.filter((a) => a.column?.kind === 'varying');

/** A structured key of just these axes' values (grouping by some axes, as groupKey groups by all but some). */
export function axesKey(s: AxisScenario, names: readonly string[]): string {
  return JSON.stringify(names.map((n) => s[axisNamed(n).field] ?? null));
}
