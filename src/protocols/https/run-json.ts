import type { RunResult } from '../../results.ts';
import { HTTPS_RESULTS_VERSION, type HttpsResult } from './results.ts';
import type { HttpsRun } from './run.ts';

/** results.json of an https run: a run's common shape plus the HTTPS sections. */
export type HttpsRunJson = RunResult &
  Pick<HttpsResult, 'https' | 'verified' | 'rawStream'> & { readonly httpsVersion: typeof HTTPS_RESULTS_VERSION };

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

/**
 * The https result inside a results.json, or null when it holds no HTTPS load
 * records of this version (a `run`'s, or an https run's from before the
 * samples). The file is our own, read back as written (as the reporters read
 * a run's records).
 */
export function httpsResultOfJson(json: object): HttpsResult | null {
  const j = json as Partial<HttpsRunJson>;
  if (j.httpsVersion !== HTTPS_RESULTS_VERSION || !Array.isArray(j.https) || !j.context) return null;
  return {
    schemaVersion: HTTPS_RESULTS_VERSION,
    context: j.context,
    https: j.https,
    verified: j.verified ?? [],
    rawStream: j.rawStream ?? [],
  };
}
