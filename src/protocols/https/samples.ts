import { throughputOf } from '../../stats.ts';
import { mean } from '../../analysis/statistics.ts';
import type { HttpsLoadRecord, HttpsSample, LoadEnding, LoadNegotiated } from './results.ts';

/** autocannon's own sample interval (its `sampleInt` default): one sample per second of load. */
export const SAMPLE_INTERVAL_MS = 1000;

/** Enough of a TLS socket to read what it negotiated (autocannon's client keeps one as `conn`). */
interface NegotiatedSocket {
  getProtocol?: () => string | null;
  getCipher?: () => { name: string } | undefined;
}

/**
 * Counts a cell's load as autocannon reports it, event by event, into
 * intervals from the start: responses (status, bytes, how long each took) and
 * errors. A response's bytes are spread evenly over the time it took (request
 * written to last byte), not dropped into the interval it completed in: a
 * 64 MB response that takes a second would otherwise make one interval read
 * 64 MB and the next none, or (16 connections in lockstep) every interval the
 * same, with no spread at all. Only whole intervals within the duration become
 * samples. Warm-up: the first interval, and every one before each connection
 * completed a response (TLS handshakes, the first response of a large file in
 * flight). Cool-down: the last interval, and as many more as the longest
 * response took, since a response still in flight at the end never completes
 * and its bytes would be missing from them.
 */
export class LoadTally {
  readonly #intervalMs: number;
  readonly #bins: { requests: number; bytes: number; errors: number; timeouts: number; non2xx: number }[] = [];
  readonly #clients = new Set<unknown>();
  readonly #sockets = new WeakSet<object>();
  readonly #negotiated = new Map<string, LoadNegotiated>();
  #allConnectedAtMs: number | null = null;
  #longestMs = 0;

  constructor(
    readonly connections: number,
    intervalMs = SAMPLE_INTERVAL_MS,
  ) {
    this.#intervalMs = intervalMs;
  }

  #bin(atMs: number): { requests: number; bytes: number; errors: number; timeouts: number; non2xx: number } {
    const i = Math.max(0, Math.floor(atMs / this.#intervalMs));
    while (this.#bins.length <= i) this.#bins.push({ requests: 0, bytes: 0, errors: 0, timeouts: 0, non2xx: 0 });
    return this.#bins[i]!;
  }

  /**
   * A response completed `atMs` after the start, on `client` (any object that
   * stands for one connection), after `responseTimeMs` (autocannon's latency:
   * request written to response complete).
   */
  response(atMs: number, client: unknown, statusCode: number, bytes: number, responseTimeMs = 0): void {
    const bin = this.#bin(atMs);
    bin.requests += 1;
    if (statusCode < 200 || statusCode > 299) bin.non2xx += 1;
    this.#spread(Math.max(0, atMs - responseTimeMs), atMs, bytes);
    this.#longestMs = Math.max(this.#longestMs, responseTimeMs);
    if (!this.#clients.has(client)) {
      this.#clients.add(client);
      if (this.#clients.size === this.connections) this.#allConnectedAtMs = atMs;
    }
  }

  #spread(fromMs: number, toMs: number, bytes: number): void {
    if (!(toMs > fromMs)) {
      this.#bin(toMs).bytes += bytes;
      return;
    }
    const first = Math.floor(fromMs / this.#intervalMs);
    const last = Math.floor(toMs / this.#intervalMs);
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(toMs, (i + 1) * this.#intervalMs) - Math.max(fromMs, i * this.#intervalMs);
      if (overlap > 0) this.#bin(i * this.#intervalMs).bytes += (bytes * overlap) / (toMs - fromMs);
    }
  }

  error(atMs: number, timeout: boolean): void {
    const bin = this.#bin(atMs);
    bin.errors += 1;
    if (timeout) bin.timeouts += 1;
  }

  /** Reads what `socket` negotiated, once per socket (a reconnect is a new socket, counted again). */
  socket(socket: NegotiatedSocket | undefined): void {
    if (!socket || typeof socket !== 'object' || this.#sockets.has(socket)) return;
    this.#sockets.add(socket);
    const protocol = socket.getProtocol?.() ?? null;
    const suite = socket.getCipher?.()?.name ?? null;
    const key = `${protocol} ${suite}`;
    const seen = this.#negotiated.get(key);
    this.#negotiated.set(key, { protocol, suite, connections: (seen?.connections ?? 0) + 1 });
  }

  negotiated(): LoadNegotiated[] {
    return [...this.#negotiated.values()];
  }

  /** The whole intervals of a load of `durationMs` (a partial last one is no sample: it would read low). */
  samples(durationMs: number): HttpsSample[] {
    const whole = Math.floor(durationMs / this.#intervalMs);
    const warmupIntervals = Math.max(
      1,
      this.#allConnectedAtMs === null ? whole : Math.floor(this.#allConnectedAtMs / this.#intervalMs) + 1,
    );
    const cooldownFrom = whole - Math.max(1, Math.ceil(this.#longestMs / this.#intervalMs));
    const seconds = this.#intervalMs / 1000;
    return Array.from({ length: whole }, (_, index) => {
      const b = this.#bins[index] ?? { requests: 0, bytes: 0, errors: 0, timeouts: 0, non2xx: 0 };
      return {
        index,
        warmup: index < warmupIntervals,
        cooldown: index >= cooldownFrom,
        requests: b.requests,
        // bytes spread from responses that overlap the interval: a fraction of one is rounded away
        bytes: Math.round(b.bytes),
        mbPerSec: b.bytes / 1e6 / seconds,
        requestsPerSec: b.requests / seconds,
        errors: b.errors,
        timeouts: b.timeouts,
        non2xx: b.non2xx,
      };
    });
  }
}

/** Pure: how a cell ended (see LoadEnding). */
export function loadEnding(c: Pick<HttpsLoadRecord, 'requests' | 'errors' | 'timeouts' | 'non2xx'>): LoadEnding {
  if (c.errors > 0 || c.timeouts > 0) return { kind: 'errors', errors: c.errors, timeouts: c.timeouts };
  if (c.non2xx > 0) return { kind: 'non-2xx', non2xx: c.non2xx };
  if (c.requests === 0) return { kind: 'nothing-served' };
  return { kind: 'served' };
}

/**
 * A sample counts for the statistics when its interval saw neither an error nor a non-2xx answer, as a transfer counts
 * when it delivered.
 */
export function isCleanSample(s: Pick<HttpsSample, 'errors' | 'non2xx'>): boolean {
  return s.errors === 0 && s.non2xx === 0;
}

/** In the statistics and compare: neither warm-up nor cool-down, and clean. */
export function isMeasuredSample(s: Pick<HttpsSample, 'warmup' | 'cooldown' | 'errors' | 'non2xx'>): boolean {
  return !s.warmup && !s.cooldown && isCleanSample(s);
}

/** The measured samples' MB/s and req/s (pure): what the terminal, https.csv and compare read. */
export function intervalStats(
  samples: readonly HttpsSample[],
): Pick<HttpsLoadRecord, 'intervalMbPerSec' | 'intervalRequestsPerSec'> {
  const measured = samples.filter(isMeasuredSample);
  if (measured.length === 0) return { intervalMbPerSec: null, intervalRequestsPerSec: null };
  return {
    intervalMbPerSec: throughputOf(measured.map((s) => s.mbPerSec)),
    intervalRequestsPerSec: mean(measured.map((s) => s.requestsPerSec)),
  };
}
