import { humanBytes } from '../config/units.ts';
import type { Scenario } from '../matrix.ts';
import type { ThresholdRun } from '../runner/threshold-run.ts';
import { table } from './terminal-table.ts';

/** The answer of `tls-sst-bench threshold`, with every probe and the socket buffer settings. Pure. */
export function thresholdText(run: ThresholdRun, scenario: Scenario, tolerance: number): string {
  const r = run.result;
  const what =
    `shutdown=${scenario.shutdown} write=${scenario.writePath} receiver=${scenario.receiverMode} peer=` +
    `${scenario.receiverPeer} suite=${scenario.suite} chunk=${scenario.chunkBytes}B`;
  const answer =
    r.kind === 'found'
      ? `Smallest failing size: ${humanBytes(r.failingBytes)} (${r.failingBytes} bytes); ` +
        `${humanBytes(r.passingBytes)} passed (within ${(tolerance * 100).toFixed(0)}%).`
      : r.kind === 'none'
        ? `No failure up to the maximum, ${humanBytes(r.maxBytes)}: no threshold.`
        : `Fails already at the minimum, ${humanBytes(r.minBytes)}: the threshold is below it (try a smaller --min).`;
  const probes = table(
    ['size', 'bytes', 'failed', 'outcomes'],
    [...r.probes]
      .sort((a, b) => a.sizeBytes - b.sizeBytes)
      .map((p) => [
        humanBytes(p.sizeBytes),
        String(p.sizeBytes),
        `${p.failures}/${p.trials}`,
        Object.entries(p.outcomes)
          .map(([k, n]) => `${k} ${n}`)
          .join(', '),
      ]),
    [true, true, true, false],
  );
  const sysctls = Object.entries(run.tcpSysctls)
    .map(([k, v]) => `  ${k} = ${v ?? 'unknown'}`)
    .join('\n');
  return [
    `Failure threshold for ${what}`,
    '',
    answer,
    '',
    'Probes (a size fails if any trial did not deliver every byte):',
    probes,
    '',
    'TCP buffer settings of this machine:',
    sysctls,
  ].join('\n');
}
