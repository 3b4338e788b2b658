import { agentRows } from './agent.ts';
import { formatBytes, humanBytes } from '../config/units.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { bestChunks } from '../stats.ts';
import { endingsText, showsEndings } from './endings.ts';
import { showsStacks, stacksText } from './stacks.ts';
import { faultsText } from './faults.ts';
import { fixed, leadCells, OPTIONAL_AXES, outcomesText } from './columns.ts';
import { table } from './terminal-table.ts';
import { ceilingColumns, ceilingsText } from './references.ts';
import { recommendationText } from './tuning.ts';
import { RUNTIME_TABLE_NOTE, runtimeComparison, runtimesSentence, runtimeTable } from './runtimes.ts';
import { throughputScenarios } from './throughput-scenarios.ts';

export { table };


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
      fixed(t?.rmePercent, 1),
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
  out.push('MB/s = 10^6 bytes per second, first byte written -> last byte received and verified; ±% = 95% margin of error of the mean; CPU per transfer.');
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

  const best = bestChunks(run.scenarios).filter((b) => b.compared > 1);
  if (best.length > 0) {
    out.push('');
    out.push('Best chunk size (highest mean MB/s) per suite and size:');
    const byNode = best.some((b) => b.runtime !== undefined);
    out.push(
      table(
        ['size', 'tls', 'suite', ...(byNode ? ['node'] : []), 'best chunk', 'MB/s', 'of'],
        best.map((b) => [humanBytes(b.sizeBytes), b.tlsVersion, b.suite, ...(byNode ? [b.runtime ?? ''] : []), formatBytes(b.chunkBytes), b.meanMbPerSec.toFixed(1), `${b.compared} chunks`]),
        [false, false, false, ...(byNode ? [false] : []), false, true, false],
      ),
    );
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
