import { table } from '../../report/terminal-table.ts';
import type { FindingsTable } from '../../report/finding.ts';
import { httpsReportModel, type HttpsReportModel } from './report-model.ts';
import type { HttpsResult } from './results.ts';

const render = (t: FindingsTable): string => table(t.header, t.rows, t.numeric);

/** The https run's report for the terminal (pure). */
export function httpsTerminal(model: HttpsReportModel): string {
  const lines = [model.heading, model.cells ? render(model.cells) : '(no cells measured)', ...model.notes];
  if (model.comparison) lines.push('', model.comparison.title, render(model.comparison.table));
  if (model.interrupted) lines.push('INTERRUPTED: partial results');
  return lines.join('\n');
}

/** The end-of-run summary of an https run (pure). */
export function httpsSummary(result: HttpsResult): string {
  return httpsTerminal(httpsReportModel(result));
}
