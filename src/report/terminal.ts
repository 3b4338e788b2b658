import { agentRows } from './agent.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { noiseWarnings } from '../analysis/warnings.ts';
import { endingsText, showsEndings } from './endings.ts';
import { showsStacks, stacksText } from './stacks.ts';
import { faultsText } from './faults.ts';
import { fixed, leadCells, OPTIONAL_AXES, outcomesText, rmeCell } from './columns.ts';
import { table } from './terminal-table.ts';
import { ceilingColumns, ceilingsText } from './references.ts';
import { recommendationText, runTuning, tuningTable } from './tuning.ts';
import { RUNTIME_TABLE_NOTE, runtimeComparison, runtimesSentence, runtimeTable } from './runtimes.ts';
import { throughputScenarios } from '../analysis/throughput-scenarios.ts';

export { table };

/** The terminal shows the first warnings; summary.md and report.html have them all. */
export const MAX_TERMINAL_WARNINGS = 12;


function varyingAxes(scenarios: readonly ScenarioSummary[]): typeof OPTIONAL_AXES {
  return OPTIONAL_AXES.filter((a) => new Set(scenarios.map(a.value)).size > 1);
}

/** The end-of-run summary: per-scenario table, then the tuning answer. Pure. */
export function terminalSummary(run: RunResult): string {
  const ctx = run.context;
  const env = ctx.environment;
  const shown = throughputScenarios(run.scenarios);
  const axes = varyingAxes(shown);
  const ceilings = ceilingColumns(run);
  const header = ['size', 'tls', 'suite', ...axes.map((a) => a.header), 'chunk', 'MB/s', '±%', 'p50 MB/s', 'Gbit/s', ...ceilings.header, 'hs ms', 'snd CPU ms', 'rcv CPU ms', 'outcomes'];
  const numeric = header.map((h) => /MB\/s|±|Gbit|ms$|^%/.test(h));
  const rows = shown.map((s) => {
    const t = s.throughput;
    return [
      ...leadCells(s, axes),
      fixed(t?.meanMbPerSec, 1),
      rmeCell(s),
      fixed(t?.p50MbPerSec, 1),
      fixed(t ? (t.meanMbPerSec * 8) / 1000 : null, 2),
      ...ceilings.cells(s),
      fixed(s.meanHandshakeMs, 2),
      fixed(s.meanSenderCpuMs, 0),
      fixed(s.meanReceiverCpuMs, 0),
      outcomesText(s),
    ];
  });
  const out: string[] = [];
  out.push(`tls-sst-bench run ${ctx.runId}${ctx.interrupted ? '  (INTERRUPTED: partial results)' : ''}`);
  out.push(`Node ${env.node}, OpenSSL ${env.openssl}, ${env.cpuModel} x${env.cores} (aes ${env.cpuFlags.aes ? 'yes' : 'no'}, vaes ${env.cpuFlags.vaes ? 'yes' : 'no'}, avx2 ${env.cpuFlags.avx2 ? 'yes' : 'no'}), kernel ${env.kernel}`);
  for (const [what, value] of agentRows(run)) out.push(`${what}: ${value}`);
  out.push('MB/s = 10^6 bytes per second, first byte written -> last byte received and verified; ±% = 95% margin of error of the mean (! = missed --target-rme); CPU per transfer.');
  out.push('');
  out.push(table(header, rows, numeric));
  if (shown.length < run.scenarios.length) {
    out.push(`(${run.scenarios.length - shown.length} more scenarios, with other ways of ending the stream: see the table below and scenarios.csv)`);
  }

  const limits = ceilingsText(run);
  if (limits) out.push('', limits);

  const runtimes = runtimeComparison(run);
  if (runtimes) {
    const t = runtimeTable(runtimes);
    out.push('', 'Throughput per suite by Node runtime:', runtimesSentence(runtimes), RUNTIME_TABLE_NOTE, table(t.header, t.rows, t.numeric));
  }

  const tuning = runTuning(run, shown);
  if (tuning.length > 0) {
    const t = tuningTable(tuning);
    out.push('', 'Tuning answers (values that cannot be told apart from the best, and the one to use):', table(t.header, t.rows, t.numeric));
  }
  const warnings = noiseWarnings(run);
  if (warnings.length > 0) {
    out.push('', `Warnings (${warnings.length}):`);
    for (const w of warnings.slice(0, MAX_TERMINAL_WARNINGS)) out.push(`  ! ${w.text}`);
    if (warnings.length > MAX_TERMINAL_WARNINGS) out.push(`  (${warnings.length - MAX_TERMINAL_WARNINGS} more in summary.md and report.html)`);
  }
  if (run.records.some((r) => r.fault)) {
    out.push('');
    out.push(faultsText(run));
  }
  if (showsEndings(run)) {
    out.push('');
    out.push(endingsText(run));
  }
  if (showsStacks(run)) {
    out.push('');
    out.push(stacksText(run));
  }
  const failed = shown.filter((s) => s.throughput === null);
  if (failed.length > 0) {
    out.push('');
    out.push(`No throughput for ${failed.length} scenario(s) whose transfers did not all end complete:`);
    for (const s of failed) out.push(`  ${s.scenarioId}: ${outcomesText(s)}`);
  }
  out.push('', recommendationText(run, shown));
  return out.join('\n');
}
