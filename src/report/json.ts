import type { RunResult } from '../results.ts';

export const RESULTS_JSON_VERSION = 1;

/** results.json: `{ schemaVersion, context, scenarios, records }`, every sample included. */
export function resultsJson(run: RunResult): string {
  return `${JSON.stringify({ schemaVersion: RESULTS_JSON_VERSION, ...run }, null, 2)}\n`;
}
