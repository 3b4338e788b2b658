import type { RunResult } from '../results.ts';
import { reportModel, type ReportModel } from '../analysis/report-model.ts';
import type { FindingsTable } from './finding.ts';
import { findings } from './sections.ts';

export { environmentRows } from './sections.ts';

const mdCell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(t: FindingsTable): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(t.header), `|${t.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...t.rows.map(line)].join(
    '\n',
  );
}

/** summary.md: the run's findings as Markdown tables. Pure. */
export function markdownSummary(run: RunResult): string {
  return markdownDocument(reportModel(run));
}

/** The Markdown exporter: summary.md from the report model. */
export function markdownDocument(model: ReportModel): string {
  const ctx = model.run.context;
  const out: string[] = [`# tls-sst-bench run ${ctx.runId}`, ''];
  if (ctx.interrupted) out.push('**Interrupted: partial results.**', '');
  out.push(
    `Node ${ctx.environment.node}, OpenSSL ${ctx.environment.openssl}, ${ctx.environment.cpuModel} x` +
      `${ctx.environment.cores}, kernel ${ctx.environment.kernel}. Charts: [report.html](report.html).`,
    '',
  );
  out.push('## Recommended settings on this machine', '', model.recommendation.text, '');
  for (const f of findings(model)) {
    out.push(`## ${f.title}`, '');
    for (const p of f.before) out.push(p, '');
    if (f.table) out.push(markdownTable(f.table), '');
    for (const p of f.after) out.push(p, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
