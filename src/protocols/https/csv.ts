import { stringify } from 'csv-stringify/sync';
import type { HttpsLoadRecord, HttpsResult, RawStreamCell } from './results.ts';
import { isMeasuredSample } from './samples.ts';

/**
 * https.csv, version 2: one row per (size, mode, connections) cell. The header
 * is fixed in this order; new columns go at the end (version 2 added the
 * columns from `samples` on). MB is 10^6 bytes.
 *
 * - run_id, cell_id: the run; `size=64MB mode=whole connections=4 tls=1.3 suite=... key=...`
 * - size_bytes, fixture: the fixture served
 * - mode: whole (GET the file) | range (GET one chunk per request)
 * - range_chunk_bytes, range_order: bytes per range request and how offsets
 *   are chosen (`random`: chunk-aligned, seeded); empty in whole mode
 * - connections: concurrent keep-alive HTTPS connections (autocannon clients)
 * - tls_version, suite, key_type: what the server accepts (pinned); suite_verified
 *   is what the verified fetch of this fixture negotiated
 * - duration_ms: asked for; elapsed_ms: autocannon's run time
 * - requests, requests_per_sec: completed responses, and per second of elapsed_ms
 * - bytes, mb_per_sec, gbit_per_sec: autocannon's throughput total (HTTP head +
 *   body of completed responses) and its rate over elapsed_ms, all connections together
 * - latency_p50_ms, latency_p99_ms, latency_mean_ms, latency_max_ms: request
 *   written to last byte of the response, autocannon's histogram (whole ms)
 * - errors (timeouts included), timeouts, non2xx
 * - responses_per_connection: requests / connections; a response still in flight
 *   when the duration ends is not counted, so below ~10 mb_per_sec under-counts
 * - server_mb_per_sec: body bytes the server handed to TLS during the cell over
 *   elapsed_ms (counts the cut-off responses too: the cross-check for the above)
 * - server_cpu_ms, client_cpu_ms: CPU of the server process and of the load
 *   generator (the CLI process) during the cell
 * - raw_stream_mb_per_sec: mean of one raw TLS stream of the same size and suite
 *   (64 KiB writes), from the same run; empty if not measured or not delivered
 * - certificate_verified_by_load: always false (autocannon connects with
 *   rejectUnauthorized: false); content_verified: the verified fetch of the
 *   fixture passed (CA, servername, suite, CRC32C)
 * - samples, warmup_samples, cooldown_samples: measured, warm-up and cool-down
 *   intervals (1 s each) of the load; a measured one saw no error and no
 *   non-2xx (see https-samples.csv)
 * - sample_mb_per_sec_mean, _sd, _ci95, _rme_percent: MB/s over the measured
 *   intervals, its standard deviation, 95% CI half-width (Student t) and that
 *   in % of the mean; empty below 2 samples (the CI) or without one
 * - sample_requests_per_sec_mean: req/s over the same intervals
 * - ending: served | errors | non-2xx | nothing-served (the load record's ending)
 * - tls_negotiated: what the load's own connections negotiated, e.g.
 *   `TLSv1.3 TLS_AES_128_GCM_SHA256 x4` (x: connections; `;` between kinds)
 */
export const HTTPS_COLUMNS = [
  'run_id',
  'cell_id',
  'size_bytes',
  'fixture',
  'mode',
  'range_chunk_bytes',
  'range_order',
  'connections',
  'tls_version',
  'suite',
  'suite_verified',
  'key_type',
  'duration_ms',
  'elapsed_ms',
  'requests',
  'requests_per_sec',
  'bytes',
  'mb_per_sec',
  'gbit_per_sec',
  'latency_p50_ms',
  'latency_p99_ms',
  'latency_mean_ms',
  'latency_max_ms',
  'errors',
  'timeouts',
  'non2xx',
  'responses_per_connection',
  'server_mb_per_sec',
  'server_cpu_ms',
  'client_cpu_ms',
  'raw_stream_mb_per_sec',
  'certificate_verified_by_load',
  'content_verified',
  'samples',
  'warmup_samples',
  'cooldown_samples',
  'sample_mb_per_sec_mean',
  'sample_mb_per_sec_sd',
  'sample_mb_per_sec_ci95',
  'sample_mb_per_sec_rme_percent',
  'sample_requests_per_sec_mean',
  'ending',
  'tls_negotiated',
] as const;

type Cell = string | number;

function num(v: number | null | undefined, digits: number): Cell {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : Number(v.toFixed(digits));
}

export function serverMbPerSec(c: HttpsLoadRecord): number | null {
  return c.serverBodyBytes === null || c.elapsedMs <= 0 ? null : c.serverBodyBytes / 1e3 / c.elapsedMs;
}

export function rawFor(
  result: Pick<HttpsResult, 'rawStream'>,
  c: Pick<HttpsLoadRecord, 'sizeBytes' | 'suite'>,
): RawStreamCell | undefined {
  return result.rawStream.find((r) => r.sizeBytes === c.sizeBytes && r.suite === c.suite);
}

export function httpsRow(result: HttpsResult, c: HttpsLoadRecord): Record<(typeof HTTPS_COLUMNS)[number], Cell> {
  const whole = result.verified.filter((v) => v.fixture === c.fixture);
  return {
    run_id: result.context.runId,
    cell_id: c.cellId,
    size_bytes: c.sizeBytes,
    fixture: c.fixture,
    mode: c.mode,
    range_chunk_bytes: c.rangeChunkBytes ?? '',
    range_order: c.rangeOrder ?? '',
    connections: c.connections,
    tls_version: c.tlsVersion,
    suite: c.suite,
    suite_verified: whole[0]?.suiteNegotiated ?? '',
    key_type: c.keyType,
    duration_ms: c.durationMs,
    elapsed_ms: num(c.elapsedMs, 0),
    requests: c.requests,
    requests_per_sec: num(c.requestsPerSec, 2),
    bytes: c.bytes,
    mb_per_sec: num(c.mbPerSec, 2),
    gbit_per_sec: num((c.mbPerSec * 8) / 1000, 3),
    latency_p50_ms: num(c.latencyP50Ms, 3),
    latency_p99_ms: num(c.latencyP99Ms, 3),
    latency_mean_ms: num(c.latencyMeanMs, 3),
    latency_max_ms: num(c.latencyMaxMs, 3),
    errors: c.errors,
    timeouts: c.timeouts,
    non2xx: c.non2xx,
    responses_per_connection: num(c.responsesPerConnection, 2),
    server_mb_per_sec: num(serverMbPerSec(c), 2),
    server_cpu_ms: num(c.serverCpuMs, 1),
    client_cpu_ms: num(c.clientCpuMs, 1),
    raw_stream_mb_per_sec: num(rawFor(result, c)?.meanMbPerSec, 2),
    certificate_verified_by_load: 'false',
    content_verified: String(whole.length > 0 && whole.every((v) => v.problem === null)),
    samples: c.intervalMbPerSec?.samples ?? 0,
    warmup_samples: c.samples.filter((x) => x.warmup).length,
    cooldown_samples: c.samples.filter((x) => x.cooldown && !x.warmup).length,
    sample_mb_per_sec_mean: num(c.intervalMbPerSec?.meanMbPerSec, 2),
    sample_mb_per_sec_sd: num(c.intervalMbPerSec?.sdMbPerSec, 2),
    sample_mb_per_sec_ci95: num(c.intervalMbPerSec?.ciHalfWidthMbPerSec, 2),
    sample_mb_per_sec_rme_percent: num(c.intervalMbPerSec?.rmePercent, 2),
    sample_requests_per_sec_mean: num(c.intervalRequestsPerSec, 2),
    ending: c.ending.kind,
    tls_negotiated: negotiatedText(c),
  };
}

/** `TLSv1.3 TLS_AES_128_GCM_SHA256 x4`: what the load's connections negotiated, `;` between kinds. */
export function negotiatedText(c: Pick<HttpsLoadRecord, 'negotiated'>): string {
  return c.negotiated.map((n) => `${n.protocol ?? '-'} ${n.suite ?? '-'} x${n.connections}`).join('; ');
}

/**
 * https-samples.csv, version 1: one row per interval of every cell, in time
 * order: run_id, cell_id, interval (0-based), start_ms (of the cell's load),
 * warmup, cooldown (true: not in the statistics), measured (counted: neither,
 * no error, no non-2xx), requests (completed in it), bytes (of responses, each
 * spread over the time it took), mb_per_sec, requests_per_sec, errors,
 * timeouts, non2xx.
 */
export const HTTPS_SAMPLE_COLUMNS = [
  'run_id',
  'cell_id',
  'interval',
  'start_ms',
  'warmup',
  'cooldown',
  'measured',
  'requests',
  'bytes',
  'mb_per_sec',
  'requests_per_sec',
  'errors',
  'timeouts',
  'non2xx',
] as const;

/** https-samples.csv (pure). */
export function httpsSamplesCsv(result: HttpsResult): string {
  const rows = result.https.flatMap((c) =>
    c.samples.map((x) => ({
      run_id: result.context.runId,
      cell_id: c.cellId,
      interval: x.index,
      start_ms: x.index * c.sampleIntervalMs,
      warmup: String(x.warmup),
      cooldown: String(x.cooldown),
      measured: String(isMeasuredSample(x)),
      requests: x.requests,
      bytes: x.bytes,
      mb_per_sec: num(x.mbPerSec, 2),
      requests_per_sec: num(x.requestsPerSec, 2),
      errors: x.errors,
      timeouts: x.timeouts,
      non2xx: x.non2xx,
    })),
  );
  return stringify(rows, { header: true, columns: [...HTTPS_SAMPLE_COLUMNS] });
}

/** https.csv (pure). */
export function httpsCsv(result: HttpsResult): string {
  return stringify(
    result.https.map((c) => httpsRow(result, c)),
    { header: true, columns: [...HTTPS_COLUMNS] },
  );
}
