import autocannon from 'autocannon';
import { formatBytes } from '../../config/units.ts';
import type { KeyType } from '../../tls/suites.ts';
import { SERVER_NAME } from '../../tls/certs.ts';
import type { TlsParams } from '../../transfer/messages.ts';
import { pinnedTlsOptions } from '../../transfer/tls-options.ts';
import type { HttpsMode } from './config.ts';
import { randomRanges, rangeHeader } from './range.ts';
import type { HttpsLoadRecord, HttpsSample, LoadNegotiated } from './results.ts';
import { intervalStats, LoadTally, loadEnding, SAMPLE_INTERVAL_MS } from './samples.ts';
import { FIXTURES_PATH, type ServerStats } from './server.ts';

export interface CellSpec {
  readonly fixture: string;
  readonly sizeBytes: number;
  readonly mode: HttpsMode;
  readonly rangeChunkBytes: number;
  readonly connections: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly tls: TlsParams;
  readonly keyType: KeyType;
  /** Seeds the range offsets: the same seed asks for the same ranges in the same order. */
  readonly seed: number;
}

export function cellId(
  s: Pick<CellSpec, 'sizeBytes' | 'mode' | 'rangeChunkBytes' | 'connections' | 'tls' | 'keyType'>,
): string {
  return [
    `size=${formatBytes(s.sizeBytes)}`,
    `mode=${s.mode}`,
    ...(s.mode === 'range' ? [`range=${formatBytes(s.rangeChunkBytes)}`] : []),
    `connections=${s.connections}`,
    `tls=${s.tls.tlsVersion}`,
    `suite=${s.tls.suite}`,
    `key=${s.keyType}`,
  ].join(' ');
}

/**
 * autocannon keeps every response body as a JS string (utf-8 decoding it) for
 * expectBody/verifyBody/onResponse, none of which we use. For 64 MB binary
 * bodies that string building would be the load generator's bottleneck and
 * cost gigabytes at 16 connections, so each client's queue drops bodies.
 * (setupClient runs after the client made its queue; if a future autocannon
 * moves it, this does nothing and only costs speed.)
 */
function dropBodies(client: autocannon.Client): void {
  const queue = (client as unknown as { pipelinedRequests?: { addBody?: (data: unknown) => void } }).pipelinedRequests;
  if (queue && typeof queue.addBody === 'function') queue.addBody = () => undefined;
}

/** autocannon's options for one cell: the URL of the fixture, pinned TLS, and in range mode a Range per request. */
export function autocannonOptions(spec: CellSpec, host: string, port: number): autocannon.Options {
  const url = `https://${host}:${port}${FIXTURES_PATH}${spec.fixture}`;
  const next = spec.mode === 'range' ? randomRanges(spec.seed, spec.sizeBytes, spec.rangeChunkBytes) : null;
  return {
    url,
    connections: spec.connections,
    duration: spec.durationMs / 1000,
    timeout: spec.timeoutMs / 1000,
    servername: SERVER_NAME,
    // autocannon connects with rejectUnauthorized: false whatever we pass; the pinning still holds.
    tlsOptions: pinnedTlsOptions(spec.tls),
    setupClient: dropBodies,
    ...(next
      ? {
          requests: [
            {
              method: 'GET' as const,
              setupRequest: (req: autocannon.Request) => ({
                ...req,
                headers: { ...req.headers, range: rangeHeader(next()) },
              }),
            },
          ],
        }
      : {}),
  };
}

/**
 * Runs autocannon, feeding `tally` every response and error as it happens (its
 * clock starts here, as autocannon's does); `signal` stops it early (the result
 * covers the time run).
 */
export function runAutocannon(
  opts: autocannon.Options,
  tally?: LoadTally,
  signal?: AbortSignal,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err: unknown, result: autocannon.Result) => {
      signal?.removeEventListener('abort', stop);
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(result);
    });
    const startedAt = performance.now();
    if (tally) {
      instance.on(
        'response',
        (client: autocannon.Client, statusCode: number, resBytes: number, responseTime: number) => {
          tally.response(performance.now() - startedAt, client, statusCode, resBytes, responseTime);
          tally.socket((client as unknown as { conn?: object }).conn);
        },
      );
      // autocannon emits a timeout as an error whose message says so (lib/run.js onTimeout).
      instance.on('reqError', (error: Error) =>
        tally.error(performance.now() - startedAt, error.message === 'request timed out'),
      );
    }
    const stop = (): void => instance.stop();
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}

/** What a cell adds to autocannon's result: CPU and the server's count around it, and the tally's samples. */
export interface CellExtra {
  readonly serverCpuMs: number | null;
  readonly clientCpuMs: number;
  readonly serverBodyBytes: number | null;
  readonly negotiated?: readonly LoadNegotiated[];
  readonly samples?: readonly HttpsSample[];
}

/** The cell's record from autocannon's result (pure). MB/s: 10^6 bytes per second of autocannon's elapsed time. */
export function cellFromResult(
  spec: CellSpec,
  result: Pick<
    autocannon.Result,
    'duration' | 'requests' | 'throughput' | 'latency' | 'errors' | 'timeouts' | 'non2xx' | 'statusCodeStats'
  >,
  extra: CellExtra,
): HttpsLoadRecord {
  const elapsedMs = result.duration * 1000;
  const seconds = result.duration > 0 ? result.duration : Number.NaN;
  const requests = result.requests.total;
  const bytes = result.throughput.total;
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  const samples = extra.samples ?? [];
  return {
    protocol: 'https',
    cellId: cellId(spec),
    fixture: spec.fixture,
    sizeBytes: spec.sizeBytes,
    mode: spec.mode,
    rangeChunkBytes: spec.mode === 'range' ? spec.rangeChunkBytes : null,
    rangeOrder: spec.mode === 'range' ? 'random' : null,
    connections: spec.connections,
    tlsVersion: spec.tls.tlsVersion,
    suite: spec.tls.suite,
    keyType: spec.keyType,
    durationMs: spec.durationMs,
    elapsedMs,
    requests,
    requestsPerSec: Number.isFinite(requests / seconds) ? requests / seconds : 0,
    bytes,
    mbPerSec: Number.isFinite(bytes / seconds) ? bytes / (seconds * 1e6) : 0,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.mean,
    latencyMaxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    responsesPerConnection: requests / spec.connections,
    serverCpuMs: extra.serverCpuMs,
    clientCpuMs: extra.clientCpuMs,
    serverBodyBytes: extra.serverBodyBytes,
    negotiated: extra.negotiated ?? [],
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    samples,
    ...intervalStats(samples),
    ending: loadEnding({ requests, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }),
  };
}

/**
 * One cell: autocannon against the server for the duration, with the server's
 * and this process's CPU around it, and one sample per interval.
 */
export async function measureCell(
  spec: CellSpec,
  target: { readonly host: string; readonly port: number; readonly stats?: () => Promise<ServerStats> },
  signal?: AbortSignal,
): Promise<HttpsLoadRecord> {
  const before = await target.stats?.();
  const tally = new LoadTally(spec.connections);
  const cpu0 = process.cpuUsage();
  const result = await runAutocannon(autocannonOptions(spec, target.host, target.port), tally, signal);
  const cpu = process.cpuUsage(cpu0);
  const after = await target.stats?.();
  const serverCpuMs =
    before && after
      ? (after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros) / 1000
      : null;
  const serverBodyBytes = before && after ? after.bodyBytesSent - before.bodyBytesSent : null;
  // An interrupted cell ran for less than asked: only its whole intervals are samples.
  const ranMs = Math.min(spec.durationMs, result.duration * 1000);
  return cellFromResult(spec, result, {
    serverCpuMs,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    serverBodyBytes,
    negotiated: tally.negotiated(),
    samples: tally.samples(ranMs),
  });
}
