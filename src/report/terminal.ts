import { agentRows } from './agent.ts';
import type { RunResult } from '../results.ts';
import { reportModel, type ReportModel } from '../analysis/report-model.ts';
import { endingsTextOf } from './endings.ts';
import { stacksTextOf } from './stacks.ts';
import { faultsTextOf } from './faults.ts';
import { outcomesText } from './columns.ts';
import { table } from './terminal-table.ts';
import { ceilingsText } from './references.ts';
import { tuningTable } from './tuning.ts';
import { RUNTIME_TABLE_NOTE, runtimesSentence, runtimeTable } from './runtimes.ts';
import { throughputTable } from './throughput-table.ts';

export { table };

/** The terminal shows the first warnings; summary.md and report.html have them all. */
export const MAX_TERMINAL_WARNINGS = 12;

/** The end-of-run summary: per-scenario table, then the tuning answer. Pure. */
export function terminalSummary(run: RunResult): string {
  return terminalReport(reportModel(run));
}

/** The terminal exporter: the summary printed at the end of a run, from the report model. */
export function terminalReport(model: ReportModel): string {
  const { run, main: shown } = model;
  const ctx = run.context;
  const env = ctx.environment;
  const t = throughputTable(model, 'terminal');
  const out: string[] = [];
  out.push(`tls-sst-bench run ${ctx.runId}${ctx.interrupted ? '  (INTERRUPTED: partial results)' : ''}`);
  out.push(
    `Node ${env.node}, OpenSSL ${env.openssl}, ${env.cpuModel} x${env.cores} (aes ` +
      `${env.cpuFlags.aes ? 'yes' : 'no'}, vaes ${env.cpuFlags.vaes ? 'yes' : 'no'}, avx2 ` +
      `${env.cpuFlags.avx2 ? 'yes' : 'no'}), kernel ${env.kernel}`,
  );
  for (const [what, value] of agentRows(run)) out.push(`${what}: ${value}`);
  out.push(
    'MB/s = 10^6 bytes per second, first byte written -> last byte received and verified; ±% = 95% margin of ' +
      'error of the mean (! = missed --target-rme); CPU per transfer.',
  );
  out.push('');
  out.push(table(t.header, t.rows, t.numeric));
  if (shown.length < run.scenarios.length) {
    out.push(
      `(${run.scenarios.length - shown.length} more scenarios, with other ways of ending the stream: see the ` +
        `table below and scenarios.csv)`,
    );
  }

  const limits = ceilingsText(run);
  if (limits) out.push('', limits);

  const runtimes = model.runtimes;
  if (runtimes) {
    const r = runtimeTable(runtimes);
    out.push(
      '',
      'Throughput per suite by Node runtime:',
      runtimesSentence(runtimes),
      RUNTIME_TABLE_NOTE,
      table(r.header, r.rows, r.numeric),
    );
  }

  if (model.tuning.length > 0) {
    const u = tuningTable(model.tuning);
    out.push(
      '',
      'Tuning answers (values that cannot be told apart from the best, and the one to use):',
      table(u.header, u.rows, u.numeric),
    );
  }
  const warnings = model.warnings;
  if (warnings.length > 0) {
    out.push('', `Warnings (${warnings.length}):`);
    for (const w of warnings.slice(0, MAX_TERMINAL_WARNINGS)) out.push(`  ! ${w.text}`);
    if (warnings.length > MAX_TERMINAL_WARNINGS)
      out.push(`  (${warnings.length - MAX_TERMINAL_WARNINGS} more in summary.md and report.html)`);
  }
  if (run.records.some((r) => r.fault)) {
    out.push('');
    out.push(faultsTextOf(model.faults));
  }
  if (model.showsEndings) {
    out.push('');
    out.push(endingsTextOf(model.endings, run));
  }
  if (model.stacks) {
    out.push('');
    out.push(stacksTextOf(model.stacks));
  }
  const failed = shown.filter((s) => s.throughput === null);
  if (failed.length > 0) {
    out.push('');
    out.push(`No throughput for ${failed.length} scenario(s) whose transfers did not all end complete:`);
    for (const s of failed) out.push(`  ${s.scenarioId}: ${outcomesText(s)}`);
  }
  out.push('', `Recommended settings on this machine:\n${model.recommendation.text}`);
  return out.join('\n');
}
