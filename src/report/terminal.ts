import { formatBytes, humanBytes } from '../config/units.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { bestChunks } from '../stats.ts';

/** Left-aligned text columns, right-aligned numbers. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

function outcomesText(s: ScenarioSummary): string {
  return Object.entries(s.outcomes)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** The columns that vary in this run, so the table shows only what differs. */
function varyingAxes(run: RunResult): { shutdown: boolean; key: boolean; frag: boolean; receiver: boolean } {
  const distinct = (f: (s: ScenarioSummary) => string | number): boolean => new Set(run.scenarios.map(f)).size > 1;
  return {
    shutdown: distinct((s) => s.scenario.shutdown),
    key: distinct((s) => s.scenario.keyType),
    frag: distinct((s) => s.scenario.maxFragment),
    receiver: distinct((s) => s.scenario.receiverMode),
  };
}

/** The end-of-run summary: per-scenario table, then the tuning answer. Pure. */
export function terminalSummary(run: RunResult): string {
  const ctx = run.context;
  const env = ctx.environment;
  const axes = varyingAxes(run);
  const header = ['size', 'tls', 'suite', ...(axes.key ? ['key'] : []), ...(axes.frag ? ['frag'] : []), ...(axes.shutdown ? ['shutdown'] : []), ...(axes.receiver ? ['receiver'] : []), 'chunk', 'MB/s', '±%', 'p50 MB/s', 'Gbit/s', 'hs ms', 'snd CPU ms', 'rcv CPU ms', 'outcomes'];
  const numeric = header.map((h) => /MB\/s|±|Gbit|ms$/.test(h));
  const rows = run.scenarios.map((s) => {
    const t = s.throughput;
    return [
      humanBytes(s.scenario.sizeBytes),
      s.scenario.tlsVersion,
      s.scenario.suite,
      ...(axes.key ? [s.scenario.keyType] : []),
      ...(axes.frag ? [String(s.scenario.maxFragment)] : []),
      ...(axes.shutdown ? [s.scenario.shutdown] : []),
      ...(axes.receiver ? [s.scenario.receiverMode] : []),
      formatBytes(s.scenario.chunkBytes),
      fixed(t?.meanMbPerSec, 1),
      fixed(t?.rmePercent, 1),
      fixed(t?.p50MbPerSec, 1),
      fixed(t ? (t.meanMbPerSec * 8) / 1000 : null, 2),
      fixed(s.meanHandshakeMs, 2),
      fixed(s.meanSenderCpuMs, 0),
      fixed(s.meanReceiverCpuMs, 0),
      outcomesText(s),
    ];
  });
  const out: string[] = [];
  out.push(`tls-sst-bench run ${ctx.runId}${ctx.interrupted ? '  (INTERRUPTED: partial results)' : ''}`);
  out.push(`Node ${env.node}, OpenSSL ${env.openssl}, ${env.cpuModel} x${env.cores} (aes ${env.cpuFlags.aes ? 'yes' : 'no'}, vaes ${env.cpuFlags.vaes ? 'yes' : 'no'}, avx2 ${env.cpuFlags.avx2 ? 'yes' : 'no'}), kernel ${env.kernel}`);
  out.push('MB/s = 10^6 bytes per second, first byte written -> last byte received and verified; ±% = 95% margin of error of the mean; CPU per transfer.');
  out.push('');
  out.push(table(header, rows, numeric));

  const best = bestChunks(run.scenarios).filter((b) => b.compared > 1);
  if (best.length > 0) {
    out.push('');
    out.push('Best chunk size (highest mean MB/s) per suite and size:');
    out.push(
      table(
        ['size', 'tls', 'suite', 'best chunk', 'MB/s', 'of'],
        best.map((b) => [humanBytes(b.sizeBytes), b.tlsVersion, b.suite, formatBytes(b.chunkBytes), b.meanMbPerSec.toFixed(1), `${b.compared} chunks`]),
        [false, false, false, false, true, false],
      ),
    );
  }
  const failed = run.scenarios.filter((s) => s.throughput === null);
  if (failed.length > 0) {
    out.push('');
    out.push(`Not every byte arrived in ${failed.length} scenario(s) (no throughput shown for them):`);
    for (const s of failed) out.push(`  ${s.scenarioId}: ${outcomesText(s)}`);
  }
  return out.join('\n');
}
