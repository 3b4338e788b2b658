import type { ScenarioSummary } from '../results.ts';
import { axesKey } from '../scenario-axes.ts';

// A leaf of the analysis: the report model, the charts and the runtime comparison all pick the throughput table's
// scenarios, so none imports another for it.

/** The way of ending, by the axes that make it (a structured key, not a reading of the id). */
const endingOf = (s: ScenarioSummary): string => axesKey(s.scenario, ['shutdown', 'write', 'receiver', 'peer']);

/**
 * The scenarios the throughput table shows: those of the most common way of
 * ending (a preset's throughput sweep); the others are what the endings table
 * is for. With a single ending, that is every scenario.
 */
export function throughputScenarios(scenarios: readonly ScenarioSummary[]): ScenarioSummary[] {
  const counts = new Map<string, number>();
  for (const s of scenarios) counts.set(endingOf(s), (counts.get(endingOf(s)) ?? 0) + 1);
  const main = [...counts.entries()].reduce<[string, number] | null>(
    (best, e) => (best === null || e[1] > best[1] ? e : best),
    null,
  )?.[0];
  return scenarios.filter((s) => endingOf(s) === main);
}
