import { table } from '../../report/terminal-table.ts';
import { httpsReportModel, type HttpsReportModel } from './report-model.ts';
import type { HttpsResult } from './results.ts';

/** The https run's report for the terminal (pure): each finding as its title, its sentences and its table. */
export function httpsTerminal(model: HttpsReportModel): string {
  const parts = model.findings.map((f) =>
    [f.title, ...f.before, ...(f.table ? [table(f.table.header, f.table.rows, f.table.numeric)] : []), ...f.after].join(
      '\n',
    ),
  );
  if (model.interrupted) parts.push('INTERRUPTED: partial results');
  return parts.join('\n\n');
}

/** The end-of-run summary of an https run (pure). */
export function httpsSummary(result: HttpsResult): string {
  return httpsTerminal(httpsReportModel(result));
}
