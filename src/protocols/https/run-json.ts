import type { RunResult } from '../../results.ts';
import { HTTPS_RESULTS_VERSION, type HttpsResult } from './results.ts';
import type { HttpsRun } from './run.ts';

/** results.json of an https run: a run's common shape plus the HTTPS sections. */
export type HttpsRunJson = RunResult & Pick<HttpsResult, 'https' | 'verified' | 'rawStream'> & { readonly httpsVersion: typeof HTTPS_RESULTS_VERSION };

/**
 * Pure: results.json of an https run. The raw-stream comparison fills the
 * common `scenarios` and `records` (transfers, as any run's); the HTTPS cells
 * are the protocol's own load records in `https` (with their per-interval
 * samples, which compare reads), beside `verified` and `rawStream`.
 */
export function httpsRunResult(run: Pick<HttpsRun, 'result' | 'rawRun'>): HttpsRunJson {
  return {
    context: run.result.context,
    scenarios: run.rawRun?.scenarios ?? [],
    records: run.rawRun?.records ?? [],
    httpsVersion: HTTPS_RESULTS_VERSION,
    https: run.result.https,
    verified: run.result.verified,
    rawStream: run.result.rawStream,
  };
}
