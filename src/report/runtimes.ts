import type { RuntimeComparison } from '../analysis/runtimes.ts';
import { fixed } from './columns.ts';

// The comparison is analysis (analysis/runtimes.ts); kept importable from here for its callers.
export { runtimeComparison, type RuntimeCell, type RuntimeComparison, type RuntimeRow } from '../analysis/runtimes.ts';

/** The runtimes as one sentence: label = path (Node, OpenSSL). */
export function runtimesSentence(c: RuntimeComparison): string {
  return (
    `Runtimes (the workers' Node binary, --node): ` +
    `${c.runtimes.map((r) => `${r.label} = ${r.path} (Node ${r.node}, OpenSSL ${r.openssl})`).join('; ')}.`
  );
}

/** Header and rows shared by the terminal, summary.md and report.html. */
export function runtimeTable(c: RuntimeComparison): { header: string[]; rows: string[][]; numeric: boolean[] } {
  const first = c.runtimes[0]!.label;
  const header = [
    'tls',
    'suite',
    ...c.runtimes.flatMap((r, i) => (i === 0 ? [`${r.label} MB/s`] : [`${r.label} MB/s`, `vs ${first}`])),
  ];
  const rows = c.rows.map((row) => [
    row.tlsVersion,
    row.suite,
    ...row.cells.flatMap((cell, i) => {
      const rate = cell ? `${fixed(cell.meanMbPerSec, 1)} ± ${fixed(cell.sdMbPerSec, 1)}` : '-';
      return i === 0 ? [rate] : [rate, cell?.ratioToFirst != null ? `${cell.ratioToFirst.toFixed(2)}x` : '-'];
    }),
  ]);
  return { header, rows, numeric: header.map((_, i) => i >= 2) };
}

export const RUNTIME_TABLE_NOTE =
  'Mean ± sd of per-transfer MB/s (10^6 bytes per second) over every delivered measured transfer of the suite ' +
  "on that runtime (all sizes and chunks of the throughput table); vs = mean / the first runtime's mean (above " +
  '1.00x: faster).';
