import type { RunResult } from '../results.ts';
import { reportModel, type ReportModel } from '../analysis/report-model.ts';

export const RESULTS_JSON_VERSION = 1;

/**
 * results.json: `{ schemaVersion, context, scenarios, records, tuning, warnings }`,
 * every sample included (warm-ups too, and each worker pair's warm-up curve in
 * context.processWarmups). `tuning` and `warnings` are derived from the rest
 * (the reports render the same answers); readers of older files recompute them.
 */
export function resultsJson(run: RunResult): string {
  return resultsJsonOf(reportModel(run));
}

/** The JSON exporter: the run and the model's tuning answers and warnings. */
export function resultsJsonOf(model: ReportModel): string {
  return (
    JSON.stringify(
      { schemaVersion: RESULTS_JSON_VERSION, ...model.run, tuning: model.tuning, warnings: model.warnings },
      null,
      2,
    ) + '\n'
  );
}
