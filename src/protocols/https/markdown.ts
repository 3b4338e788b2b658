import { markdownTable } from '../../report/markdown.ts';
import { httpsReportModel, type HttpsReportModel } from './report-model.ts';
import { HTTPS_RESULTS_VERSION } from './results.ts';
import type { HttpsRunJson } from './run-json.ts';

/** The https run's section of summary.md (pure): the same model as the terminal's, as Markdown. */
export function httpsMarkdown(model: HttpsReportModel): string {
  const out = ['## HTTPS load', '', model.heading, ''];
  out.push(model.cells ? markdownTable(model.cells) : '(no cells measured)', '');
  for (const note of model.notes) out.push(note, '');
  if (model.comparison) out.push(`### ${model.comparison.title}`, '', markdownTable(model.comparison.table), '');
  if (model.interrupted) out.push('**Interrupted: partial results.**', '');
  return out.join('\n');
}

/**
 * summary.md's HTTPS section of a results.json, or null when it holds no
 * HTTPS load records of this version (a `run`'s, or an https run's from before
 * the samples): written with the run, and again by `report` when it
 * re-renders the folder. The file is our own, read back as written.
 */
export function httpsSummarySection(json: object): string | null {
  const j = json as Partial<HttpsRunJson>;
  if (j.httpsVersion !== HTTPS_RESULTS_VERSION || !Array.isArray(j.https) || !j.context) return null;
  return httpsMarkdown(httpsReportModel({ schemaVersion: HTTPS_RESULTS_VERSION, context: j.context, https: j.https, verified: j.verified ?? [], rawStream: j.rawStream ?? [] }));
}
