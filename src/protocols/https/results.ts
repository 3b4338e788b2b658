import type { RunContext, ThroughputStats } from '../../results.ts';
import type { TlsVersion, KeyType } from '../../tls/suites.ts';
import type { HttpsMode } from './config.ts';

/** 2: cells became load records with per-interval samples (1: one aggregate per cell). */
export const HTTPS_RESULTS_VERSION = 2;

/** How range offsets are chosen: random chunk-aligned slots from a seeded PRNG (see range.ts). */
export type RangeOrder = 'random';

/** One interval (SAMPLE_INTERVAL_MS, from autocannon's start) of a cell's load: what completed in it. */
export interface HttpsSample {
  /** 0-based: interval i covers [i, i + 1) x the interval length of the cell's time. */
  readonly index: number;
  /** Before every connection completed a response, and always the first interval: not compared, not in the mean. */
  readonly warmup: boolean;
  /**
   * The last interval, and as many before it as the longest response took (responses cut off at the end are missing):
   * not compared either.
   */
  readonly cooldown: boolean;
  /** Responses completed in the interval, any status. */
  readonly requests: number;
  /**
   * Bytes (HTTP head + body, as decrypted) of completed responses, each spread evenly over the time it took: the part
   * that fell in this interval.
   */
  readonly bytes: number;
  readonly mbPerSec: number;
  readonly requestsPerSec: number;
  /** Connection errors in the interval, timeouts included. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

/**
 * How a cell's load ended, in its own terms (not a transfer's Outcome): every
 * response 2xx and no error (`served`); connection errors or timeouts, which
 * win over non-2xx answers; non-2xx answers; or no response completed at all
 * (a cell shorter than one response).
 */
export type LoadEnding =
  | { readonly kind: 'served' }
  | { readonly kind: 'errors'; readonly errors: number; readonly timeouts: number }
  | { readonly kind: 'non-2xx'; readonly non2xx: number }
  | { readonly kind: 'nothing-served' };
export type LoadEndingKind = LoadEnding['kind'];

/** What the load's own connections negotiated (autocannon's sockets, read at their first response). */
export interface LoadNegotiated {
  readonly protocol: string | null;
  readonly suite: string | null;
  /** How many of the load's TLS connections negotiated this. */
  readonly connections: number;
}

/**
 * One (size, mode, connections) cell as autocannon measured it: the https
 * protocol's record. MB is 10^6 bytes. autocannon counts a response's bytes
 * when the response completes, so a response still in flight when the duration
 * ends is not counted: `responsesPerConnection` says how much that can matter.
 * The per-interval `samples` (warm-up marked) are what the statistics and
 * `compare` read; the cell totals are over autocannon's whole run.
 */
export interface HttpsLoadRecord {
  /** The tag among the suite's records: an HTTPS load cell, not a transfer. */
  readonly protocol: 'https';
  readonly cellId: string;
  readonly fixture: string;
  readonly sizeBytes: number;
  readonly mode: HttpsMode;
  /** Bytes per range request; null in whole mode. */
  readonly rangeChunkBytes: number | null;
  readonly rangeOrder: RangeOrder | null;
  readonly connections: number;
  readonly tlsVersion: TlsVersion;
  readonly suite: string;
  readonly keyType: KeyType;
  /** As asked (--duration). */
  readonly durationMs: number;
  /** As autocannon measured its run. */
  readonly elapsedMs: number;
  /** Completed responses. */
  readonly requests: number;
  readonly requestsPerSec: number;
  /** autocannon's throughput total: bytes of completed responses. */
  readonly bytes: number;
  /** bytes over elapsedMs, warm-up included. */
  readonly mbPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMeanMs: number;
  readonly latencyMaxMs: number;
  /** Connection errors, timeouts included (autocannon's `errors`). */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  readonly responsesPerConnection: number;
  /** CPU of the server process and of the load generator (this process) during the cell. */
  readonly serverCpuMs: number | null;
  readonly clientCpuMs: number;
  /** Body bytes the server handed to TLS during the cell, responses cut short at the end included. */
  readonly serverBodyBytes: number | null;
  readonly negotiated: readonly LoadNegotiated[];
  readonly sampleIntervalMs: number;
  readonly samples: readonly HttpsSample[];
  /** MB/s over the measured (not warm-up) samples, by the statistics module; null without one. */
  readonly intervalMbPerSec: ThroughputStats | null;
  /** Mean req/s over the same samples; null without one. */
  readonly intervalRequestsPerSec: number | null;
  readonly ending: LoadEnding;
}

/**
 * The fetch that proves what autocannon cannot: certificate verified by the run
 * CA for servername localhost, the suite negotiated as asked, and the content's
 * CRC32C equal to the fixture's.
 */
export interface VerifiedFetch {
  readonly fixture: string;
  readonly kind: 'whole' | 'range';
  /** Inclusive byte range asked for; null for the whole file. */
  readonly range: { readonly start: number; readonly end: number } | null;
  readonly status: number | null;
  readonly bytesExpected: number;
  readonly bytesReceived: number;
  readonly crc32cExpected: string;
  readonly crc32cReceived: string | null;
  readonly authorized: boolean;
  readonly protocolNegotiated: string | null;
  readonly suiteNegotiated: string | null;
  readonly durationMs: number | null;
  readonly mbPerSec: number | null;
  readonly errorCode: string | null;
  /** null when every check passed; else what failed, in words. */
  readonly problem: string | null;
}

/** The raw TLS stream measured for the same suite and size (one connection, 64 KiB writes). */
export interface RawStreamCell {
  readonly sizeBytes: number;
  readonly scenarioId: string;
  readonly suite: string;
  readonly chunkBytes: number;
  readonly iterations: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** null unless every measured transfer delivered every byte. */
  readonly meanMbPerSec: number | null;
  readonly p50MbPerSec: number | null;
  readonly rmePercent: number | null;
}

/** results.json of an https run. */
export interface HttpsResult {
  readonly schemaVersion: typeof HTTPS_RESULTS_VERSION;
  readonly context: RunContext;
  readonly https: readonly HttpsLoadRecord[];
  readonly verified: readonly VerifiedFetch[];
  /** Empty if the run was interrupted before it. The full raw run is in raw-stream/. */
  readonly rawStream: readonly RawStreamCell[];
}
