import { axisNamed, VARYING_COLUMN_AXES } from '../scenario-axes.ts';
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

/** Scenario axes shown as a column only when they vary among the rows: the axis table's `varying` ones. */
export const OPTIONAL_AXES: readonly { readonly header: string; readonly value: (s: ScenarioSummary) => string }[] =
  VARYING_COLUMN_AXES.map((a) => ({
    header: a.name,
    value: (s: ScenarioSummary) => a.column!.cell(s.scenario),
  }));

const LEAD = ['size', 'tls', 'suite'].map(axisNamed);
const CHUNK = axisNamed('chunk');

/** The cells that name a scenario in a table: size, TLS, suite, the varying axes, chunk. */
export function leadCells(s: ScenarioSummary, axes: typeof OPTIONAL_AXES): string[] {
  return [
    ...LEAD.map((a) => a.column!.cell(s.scenario)),
    ...axes.map((a) => a.value(s)),
    CHUNK.column!.cell(s.scenario),
  ];
}

/**
 * The ±% cell: the 95% margin of error, with `!` when the scenario missed its --target-rme (netperf's "desired
 * confidence was not achieved").
 */
export function rmeCell(s: ScenarioSummary): string {
  return `${fixed(s.throughput?.rmePercent, 1)}${s.throughput && s.sampling?.targetMet === false ? '!' : ''}`;
}
