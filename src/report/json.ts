import type { RunResult } from '../results.ts';
import { noiseWarnings } from '../analysis/warnings.ts';
import { throughputScenarios } from '../analysis/throughput-scenarios.ts';
import { runTuning } from './tuning.ts';

export const RESULTS_JSON_VERSION = 1;

/**
 * results.json: `{ schemaVersion, context, scenarios, records, tuning, warnings }`,
 * every sample included (warm-ups too, and each worker pair's warm-up curve in
 * context.processWarmups). `tuning` and `warnings` are derived from the rest
 * (the reports render the same answers); readers of older files recompute them.
 */
export function resultsJson(run: RunResult): string {
  const tuning = runTuning(run, throughputScenarios(run.scenarios));
  return `${JSON.stringify({ schemaVersion: RESULTS_JSON_VERSION, ...run, tuning, warnings: noiseWarnings(run) }, null, 2)}\n`;
}
