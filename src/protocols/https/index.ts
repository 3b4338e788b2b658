import type { LoadProtocol } from '../load-protocol.ts';
import { httpsComparableSamples } from './compare.ts';
import { HTTPS_OPTIONS, resolveHttpsConfig, type HttpsConfig, type HttpsRawConfig } from './config.ts';
import { httpsCsv, httpsSamplesCsv } from './csv.ts';
import { httpsMarkdown, httpsSummarySection } from './markdown.ts';
import { runHttpsBench, type HttpsRun, type HttpsRunOptions } from './run.ts';
import { httpsResultOfJson, httpsRunResult, type HttpsRunJson } from './run-json.ts';
import { httpsReportModel } from './report-model.ts';
import type { Finding } from '../../report/finding.ts';
import { httpsTerminal } from './terminal.ts';

/**
 * The HTTPS findings of any results.json ([] without load records): what a report model can list beside a run's own.
 */
function httpsFindings(json: object): readonly Finding[] {
  const result = httpsResultOfJson(json);
  return result ? httpsReportModel(result).findings : [];
}

/**
 * The https protocol, as one object: what the rest of the suite needs of it,
 * so nothing outside this folder but a registry line (and, until the registry
 * lists load protocols, the commands that read their results) names it.
 *
 * It is a LoadProtocol, not a worker-pair Protocol: its "worker" is the fixture
 * server process (server-main.ts, on its own IPC, server-messages.ts) and the
 * load generator is autocannon in the CLI process. Where a transfer protocol
 * runs one transfer per iteration, it measures one cell (autocannon for
 * --duration) into one HttpsLoadRecord whose per-second samples play the part
 * of the iterations: compare reads them as it reads transfers' MB/s.
 */
export const https = {
  name: 'https',
  description:
    'fixtures served by node:https in a process of its own, N concurrent autocannon connections fetching whole ' +
    'files or ranges',
  command: 'https',
  options: HTTPS_OPTIONS,
  resolveConfig: (layers, preset) =>
    resolveHttpsConfig(layers as readonly { where: string; raw: HttpsRawConfig }[], preset),
  run: runHttpsBench,
  resultsOf: httpsRunResult,
  comparableSamples: httpsComparableSamples,
  report: {
    summarySection: httpsSummarySection,
    findings: httpsFindings,
    exporters: { terminal: httpsTerminal, markdown: httpsMarkdown },
    files: { 'https.csv': httpsCsv, 'https-samples.csv': httpsSamplesCsv },
  },
} as const satisfies LoadProtocol<HttpsConfig, HttpsRunOptions, HttpsRun, HttpsRunJson>;
