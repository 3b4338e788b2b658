import { markdownTable } from '../../report/markdown.ts';
import type { HttpsReportModel } from './report-model.ts';

/** The https run's section of summary.md (pure): the same model as the terminal's, as Markdown. */
export function httpsMarkdown(model: HttpsReportModel): string {
  const out = ['## HTTPS load', '', model.heading, ''];
  out.push(model.cells ? markdownTable(model.cells) : '(no cells measured)', '');
  for (const note of model.notes) out.push(note, '');
  if (model.comparison) out.push(`### ${model.comparison.title}`, '', markdownTable(model.comparison.table), '');
  if (model.interrupted) out.push('**Interrupted: partial results.**', '');
  return out.join('\n');
}
