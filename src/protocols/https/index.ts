import { httpsComparableSamples, HTTPS_SAMPLE_UNIT } from './compare.ts';
import { HTTPS_OPTIONS, resolveHttpsConfig } from './config.ts';
import { httpsCsv, httpsSamplesCsv } from './csv.ts';
import { measureCell } from './load.ts';
import { httpsMarkdown, httpsSummarySection } from './markdown.ts';
import { httpsReportModel } from './report-model.ts';
import { HTTPS_RESULTS_VERSION } from './results.ts';
import { planCells, runHttpsBench } from './run.ts';
import { httpsRunResult } from './run-json.ts';
import { loadEnding } from './samples.ts';
import { httpsTerminal } from './terminal.ts';

/**
 * The https protocol, as one object: everything the rest of the suite needs of
 * it, so nothing outside this folder but a registry line names it.
 *
 * It does not run on a sender/receiver worker pair: its "worker" is the
 * fixture server process (server-main.ts, driven over its own IPC,
 * server-messages.ts), and the load generator is autocannon in the CLI
 * process. So where a transfer protocol runs one transfer per iteration, this
 * one measures one cell (autocannon for --duration) and records one
 * HttpsLoadRecord whose per-second samples play the part of iterations.
 */
export const httpsProtocol = {
  name: 'https',
  description: 'fixtures served by node:https in a process of its own, N concurrent autocannon connections fetching whole files or ranges',
  /** Its own option table (flags, config keys, parsers) and how layers of it resolve. */
  options: HTTPS_OPTIONS,
  resolveConfig: resolveHttpsConfig,
  /** Config -> the cells in run order (size x mode x connections). */
  expand: planCells,
  /** Prepare (fixtures, certificate, server, verified fetches), every cell, the raw comparison: one run. */
  run: runHttpsBench,
  /** One cell against a running server. */
  measure: measureCell,
  record: {
    version: HTTPS_RESULTS_VERSION,
    ending: loadEnding,
    /** results.json of a run: the common shape plus the load records. */
    resultsOf: httpsRunResult,
    /** compare's reader of the load records' samples. */
    sampleUnit: HTTPS_SAMPLE_UNIT,
  },
  comparableSamples: httpsComparableSamples,
  /** The report model and its exporters, each pure. */
  report: {
    model: httpsReportModel,
    exporters: { terminal: httpsTerminal, markdown: httpsMarkdown },
    /** summary.md's HTTPS section of a results.json (null if it has no load records). */
    summarySection: httpsSummarySection,
    /** Files of the run folder beside the common ones. */
    files: { 'https.csv': httpsCsv, 'https-samples.csv': httpsSamplesCsv },
  },
} as const;

export type HttpsProtocol = typeof httpsProtocol;
