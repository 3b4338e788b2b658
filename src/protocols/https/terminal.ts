import { formatBytes } from '../../config/units.ts';
import { table } from '../../report/terminal-table.ts';
import { NODE_PROTOCOL } from '../../tls/suites.ts';
import type { HttpsConfig } from './config.ts';
import { rawFor, serverMbPerSec } from './csv.ts';
import type { HttpsCell, HttpsResult, VerifiedFetch } from './results.ts';

/** Below this many completed responses per connection, the in-flight ones at the end matter. */
export const FEW_RESPONSES = 10;

function fixed(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

const modeText = (c: HttpsCell): string => (c.mode === 'range' ? `range ${formatBytes(c.rangeChunkBytes ?? 0)} random` : 'whole');

/** The one line every summary carries: what autocannon did not check, and what did. */
export function verificationLine(verified: readonly VerifiedFetch[]): string {
  const ok = verified.filter((v) => v.problem === null);
  const proven = ok.map((v) => `${v.fixture}${v.range ? ` bytes ${v.range.start}-${v.range.end}` : ''} ${v.crc32cReceived}`).join(', ');
  const suite = ok[0] ? `${ok[0].protocolNegotiated} ${ok[0].suiteNegotiated}` : '-';
  return `autocannon does not verify the server certificate (it connects with rejectUnauthorized: false); a verified fetch per fixture did (run CA, servername localhost, ${suite} negotiated, CRC32C equal): ${proven || 'none'}`;
}

/** The cells table (pure). */
export function cellsTable(cells: readonly HttpsCell[]): string {
  const header = ['size', 'mode', 'conns', 'req/s', 'MB/s', 'srv MB/s', 'p50 ms', 'p99 ms', 'errors', 'timeouts', 'non2xx', 'srv CPU %', 'load CPU %'];
  const numeric = header.map((h) => h !== 'mode');
  const rows = cells.map((c) => [
    formatBytes(c.sizeBytes),
    modeText(c),
    String(c.connections),
    fixed(c.requestsPerSec, 1),
    fixed(c.mbPerSec, 1),
    fixed(serverMbPerSec(c), 1),
    fixed(c.latencyP50Ms, 0),
    fixed(c.latencyP99Ms, 0),
    String(c.errors),
    String(c.timeouts),
    String(c.non2xx),
    fixed(c.serverCpuMs === null ? null : (100 * c.serverCpuMs) / c.elapsedMs, 0),
    fixed((100 * c.clientCpuMs) / c.elapsedMs, 0),
  ]);
  return table(header, rows, numeric);
}

/** Raw TLS stream vs HTTPS for the same suite and size: one row per size and mode, a column per connection count. */
export function comparisonTable(result: HttpsResult): string {
  const connections = [...new Set(result.https.map((c) => c.connections))].sort((a, b) => a - b);
  const groups = new Map<string, HttpsCell[]>();
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
      ...connections.map((n) => fixed(cells.find((c) => c.connections === n)?.mbPerSec, 1)),
    ];
  });
  return table(header, rows, header.map((_, i) => i === 0 || i >= 3));
}

/** The end-of-run summary of an https run (pure). */
export function httpsSummary(result: HttpsResult): string {
  const config = result.context.config as HttpsConfig;
  const cells = result.https;
  const lines: string[] = [];
  lines.push(
    `HTTPS (node:https server process, autocannon, keep-alive): ${NODE_PROTOCOL[config.tlsVersion]} ${config.suite}, ${config.keyType}, ${fixed(config.durationMs / 1000, 1)} s per cell; MB = 10^6 bytes`,
  );
  lines.push(cells.length > 0 ? cellsTable(cells) : '(no cells measured)');
  lines.push(verificationLine(result.verified));
  const few = cells.filter((c) => c.responsesPerConnection < FEW_RESPONSES);
  if (few.length > 0) {
    lines.push(
      `note: ${few.length} cell(s) completed fewer than ${FEW_RESPONSES} responses per connection; autocannon counts a response's bytes only when it completes, so their MB/s under-counts (srv MB/s counts every byte sent): use a longer --duration`,
    );
  }
  const failing = cells.filter((c) => c.errors > 0 || c.non2xx > 0);
  if (failing.length > 0) lines.push(`WARNING: errors or non-2xx responses in ${failing.map((c) => c.cellId).join('; ')}`);
  if (result.rawStream.length > 0) {
    lines.push('');
    lines.push('Raw TLS stream vs HTTPS, same suite and size (MB/s; raw: one stream, 64 KiB writes, mean of 3; HTTPS: all connections together)');
    lines.push(comparisonTable(result));
  }
  if (result.context.interrupted) lines.push('INTERRUPTED: partial results');
  return lines.join('\n');
}
