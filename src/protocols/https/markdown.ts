import { markdownTable } from '../../report/markdown.ts';
import { httpsReportModel, type HttpsReportModel } from './report-model.ts';
import { httpsResultOfJson } from './run-json.ts';

/** The https run's sections of summary.md (pure): the same findings as the terminal's, as Markdown. */
export function httpsMarkdown(model: HttpsReportModel): string {
  const out: string[] = [];
  if (model.interrupted) out.push('**Interrupted: partial HTTPS results.**', '');
  for (const f of model.findings) {
    out.push(`## ${f.title}`, '');
    for (const p of f.before) out.push(p, '');
    if (f.table) out.push(markdownTable(f.table), '');
    for (const p of f.after) out.push(p, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * summary.md's HTTPS sections of a results.json (written with the run, and again by `report`); null when it holds no
 * HTTPS load records.
 */
export function httpsSummarySection(json: object): string | null {
  const result = httpsResultOfJson(json);
  return result ? httpsMarkdown(httpsReportModel(result)) : null;
}
