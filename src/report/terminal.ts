import { formatBytes, humanBytes } from '../config/units.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { bestChunks } from '../stats.ts';
import { endingsText, showsEndings } from './endings.ts';
import { table } from './terminal-table.ts';

export { table };

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined ? '-' : v.toFixed(digits);
}

function outcomesText(s: ScenarioSummary): string {
  return Object.entries(s.outcomes)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** Scenario axes shown as a column only when they vary within the run. */
const OPTIONAL_AXES: readonly { readonly header: string; readonly value: (s: ScenarioSummary) => string }[] = [
  { header: 'key', value: (s) => s.scenario.keyType },
  { header: 'frag', value: (s) => String(s.scenario.maxFragment) },
  { header: 'shutdown', value: (s) => s.scenario.shutdown },
  { header: 'write', value: (s) => s.scenario.writePath },
  { header: 'receiver', value: (s) => s.scenario.receiverMode },
  { header: 'peer', value: (s) => s.scenario.receiverPeer },
];

function varyingAxes(run: RunResult): typeof OPTIONAL_AXES {
  return OPTIONAL_AXES.filter((a) => new Set(run.scenarios.map(a.value)).size > 1);
}

/** The end-of-run summary: per-scenario table, then the tuning answer. Pure. */
export function terminalSummary(run: RunResult): string {
  const ctx = run.context;
  const env = ctx.environment;
  const axes = varyingAxes(run);
  const header = ['size', 'tls', 'suite', ...axes.map((a) => a.header), 'chunk', 'MB/s', '±%', 'p50 MB/s', 'Gbit/s', 'hs ms', 'snd CPU ms', 'rcv CPU ms', 'outcomes'];
  const numeric = header.map((h) => /MB\/s|±|Gbit|ms$/.test(h));
  const rows = run.scenarios.map((s) => {
    const t = s.throughput;
    return [
      humanBytes(s.scenario.sizeBytes),
      s.scenario.tlsVersion,
      s.scenario.suite,
      ...axes.map((a) => a.value(s)),
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
  if (showsEndings(run)) {
    out.push('');
    out.push(endingsText(run));
  }
  const failed = run.scenarios.filter((s) => s.throughput === null);
  if (failed.length > 0) {
    out.push('');
    out.push(`Not every byte arrived in ${failed.length} scenario(s) (no throughput shown for them):`);
    for (const s of failed) out.push(`  ${s.scenarioId}: ${outcomesText(s)}`);
  }
  return out.join('\n');
}
