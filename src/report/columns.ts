import { formatBytes, humanBytes } from '../config/units.ts';
import type { ScenarioSummary } from '../results.ts';

/** Cells shared by the terminal and Markdown tables. */

/** A number with `digits` decimals; '-' for none (or not finite). */
export function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

export function outcomesText(s: ScenarioSummary): string {
  return Object.entries(s.outcomes)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** Scenario axes shown as a column only when they vary among the rows. */
export const OPTIONAL_AXES: readonly { readonly header: string; readonly value: (s: ScenarioSummary) => string }[] = [
  { header: 'key', value: (s) => s.scenario.keyType },
  { header: 'frag', value: (s) => String(s.scenario.maxFragment) },
  { header: 'shutdown', value: (s) => s.scenario.shutdown },
  { header: 'write', value: (s) => s.scenario.writePath },
  { header: 'read', value: (s) => s.scenario.readPath ?? 'data' },
  { header: 'receiver', value: (s) => s.scenario.receiverMode },
  { header: 'peer', value: (s) => s.scenario.receiverPeer },
  { header: 'sender', value: (s) => s.scenario.senderPeer },
  { header: 'protocol', value: (s) => s.scenario.protocol },
  { header: 'streams', value: (s) => String(s.scenario.streams) },
  { header: 'node', value: (s) => s.scenario.runtime ?? '' },
];

/** The cells that name a scenario in a table: size, TLS, suite, the varying axes, chunk. */
export function leadCells(s: ScenarioSummary, axes: typeof OPTIONAL_AXES): string[] {
  return [humanBytes(s.scenario.sizeBytes), s.scenario.tlsVersion, s.scenario.suite, ...axes.map((a) => a.value(s)), formatBytes(s.scenario.chunkBytes)];
}

/** The ±% cell: the 95% margin of error, with `!` when the scenario missed its --target-rme (netperf's "desired confidence was not achieved"). */
export function rmeCell(s: ScenarioSummary): string {
  return `${fixed(s.throughput?.rmePercent, 1)}${s.throughput && s.sampling?.targetMet === false ? '!' : ''}`;
}
