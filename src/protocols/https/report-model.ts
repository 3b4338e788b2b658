import { formatBytes } from '../../config/units.ts';
import type { Finding, FindingsTable } from '../../report/finding.ts';
import { NODE_PROTOCOL } from '../../tls/suites.ts';
import type { HttpsConfig } from './config.ts';
import { rawFor, serverMbPerSec } from './csv.ts';
import type { HttpsLoadRecord, HttpsResult, VerifiedFetch } from './results.ts';

/** Below this many completed responses per connection, the in-flight ones at the end matter. */
export const FEW_RESPONSES = 10;

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

const modeText = (c: HttpsLoadRecord): string =>
  c.mode === 'range' ? `range ${formatBytes(c.rangeChunkBytes ?? 0)} random` : 'whole';

/** How to read the MB/s, ±95% and n columns. */
export const SAMPLES_LINE =
  "MB/s, req/s: mean over the n measured 1 s intervals of the load, each response's bytes spread over the time " +
  'it took (warm-up: the first interval, and any before every connection completed a response; cool-down: the ' +
  'last, and as many as the longest response took; an interval with an error or non-2xx is not counted ' +
  "either); ±95%: half-width of the mean's confidence interval (Student t); n 0: the cell's total over its run " +
  'instead. compare judges a change on these intervals.';

/** The one line every summary carries: what autocannon did not check, and what did. */
export function verificationLine(verified: readonly VerifiedFetch[]): string {
  const ok = verified.filter((v) => v.problem === null);
  const proven = ok
    .map((v) => `${v.fixture}${v.range ? ` bytes ${v.range.start}-${v.range.end}` : ''} ${v.crc32cReceived}`)
    .join(', ');
  const suite = ok[0] ? `${ok[0].protocolNegotiated} ${ok[0].suiteNegotiated}` : '-';
  return (
    `autocannon does not verify the server certificate (it connects with rejectUnauthorized: false); a verified ` +
    `fetch per fixture did (run CA, servername localhost, ${suite} negotiated, CRC32C equal): ${proven || 'none'}`
  );
}

/** A cell's MB/s as the tables show it: the mean of its measured intervals, or without one its total over the run. */
export function cellMbPerSec(c: HttpsLoadRecord): number {
  return c.intervalMbPerSec?.meanMbPerSec ?? c.mbPerSec;
}

/** The cells table (pure). */
export function cellsTable(cells: readonly HttpsLoadRecord[]): FindingsTable {
  const header = [
    'size',
    'mode',
    'conns',
    'req/s',
    'MB/s',
    '±95%',
    'n',
    'srv MB/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'timeouts',
    'non2xx',
    'ending',
    'srv CPU %',
    'load CPU %',
  ];
  const numeric = header.map((h) => h !== 'mode' && h !== 'ending');
  const rows = cells.map((c) => [
    formatBytes(c.sizeBytes),
    modeText(c),
    String(c.connections),
    fixed(c.intervalRequestsPerSec ?? c.requestsPerSec, 1),
    fixed(cellMbPerSec(c), 1),
    fixed(c.intervalMbPerSec?.ciHalfWidthMbPerSec, 1),
    String(c.intervalMbPerSec?.samples ?? 0),
    fixed(serverMbPerSec(c), 1),
    fixed(c.latencyP50Ms, 0),
    fixed(c.latencyP99Ms, 0),
    String(c.errors),
    String(c.timeouts),
    String(c.non2xx),
    c.ending.kind,
    fixed(c.serverCpuMs === null ? null : (100 * c.serverCpuMs) / c.elapsedMs, 0),
    fixed((100 * c.clientCpuMs) / c.elapsedMs, 0),
  ]);
  return { header, rows, numeric };
}

/** Raw TLS stream vs HTTPS for the same suite and size: one row per size and mode, a column per connection count. */
export function comparisonTable(result: HttpsResult): FindingsTable {
  const connections = [...new Set(result.https.map((c) => c.connections))].sort((a, b) => a - b);
  const groups = new Map<string, HttpsLoadRecord[]>();
  for (const c of result.https) {
    const key = `${c.sizeBytes} ${modeText(c)}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const header = ['size', 'suite', 'mode', 'raw MB/s (1 stream)', ...connections.map((n) => `HTTPS MB/s x${n}`)];
  const rows = [...groups.values()].map((cells) => {
    const first = cells[0]!;
    return [
      formatBytes(first.sizeBytes),
      first.suite,
      modeText(first),
      fixed(rawFor(result, first)?.meanMbPerSec, 1),
      ...connections.map((n) => {
        const cell = cells.find((c) => c.connections === n);
        return fixed(cell && cellMbPerSec(cell), 1);
      }),
    ];
  });
  return { header, rows, numeric: header.map((_, i) => i === 0 || i >= 3) };
}

/**
 * An https run's report as findings, the shape summary.md and report.html
 * render every part of a run's report in (report/finding.ts): the cells with
 * the lines that read them, and the raw-stream comparison. The terminal and
 * summary.md exporters render the same findings.
 */
export interface HttpsReportModel {
  readonly findings: readonly Finding[];
  readonly interrupted: boolean;
}

/** Pure: the report model of an https run. */
export function httpsReportModel(result: HttpsResult): HttpsReportModel {
  const config = result.context.config as HttpsConfig;
  const cells = result.https;
  const notes: string[] = cells.length > 0 ? [SAMPLES_LINE] : ['(no cells measured)'];
  notes.push(verificationLine(result.verified));
  const few = cells.filter((c) => c.responsesPerConnection < FEW_RESPONSES);
  if (few.length > 0) {
    notes.push(
      `note: ${few.length} cell(s) completed fewer than ${FEW_RESPONSES} responses per connection; autocannon ` +
        `counts a response's bytes only when it completes, so their MB/s under-counts (srv MB/s counts every ` +
        `byte sent): use a longer --duration`,
    );
  }
  const failing = cells.filter((c) => c.errors > 0 || c.non2xx > 0);
  if (failing.length > 0)
    notes.push(`WARNING: errors or non-2xx responses in ${failing.map((c) => c.cellId).join('; ')}`);
  const load: Finding = {
    id: 'https-load',
    title: 'HTTPS load',
    before: [
      `node:https server process, autocannon, keep-alive: ${NODE_PROTOCOL[config.tlsVersion]} ${config.suite}, ` +
        `${config.keyType}, ${fixed(config.durationMs / 1000, 1)} s per cell; MB = 10^6 bytes`,
    ],
    table: cells.length > 0 ? cellsTable(cells) : null,
    after: notes,
  };
  const raw: Finding | null =
    result.rawStream.length > 0
      ? {
          id: 'https-vs-raw',
          title: 'Raw TLS stream vs HTTPS, same suite and size',
          before: [
            'MB/s; raw: one stream, 64 KiB writes, mean of 3; HTTPS: all connections together, mean of the ' +
              'measured intervals',
          ],
          table: comparisonTable(result),
          after: [],
        }
      : null;
  return { findings: raw ? [load, raw] : [load], interrupted: result.context.interrupted };
}
