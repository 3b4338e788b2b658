import type { RunContext } from '../../results.ts';
import type { TlsVersion, KeyType } from '../../tls/suites.ts';
import type { HttpsMode } from './config.ts';

export const HTTPS_RESULTS_VERSION = 1;

/** How range offsets are chosen: random chunk-aligned slots from a seeded PRNG (see range.ts). */
export type RangeOrder = 'random';

/**
 * One (size, mode, connections) cell as autocannon measured it. MB is 10^6
 * bytes. autocannon counts a response's bytes (HTTP head + body, as decrypted)
 * when the response completes, so a response still in flight when the duration
 * ends is not counted: `responsesPerConnection` says how much that can matter.
 */
export interface HttpsCell {
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
  readonly https: readonly HttpsCell[];
  readonly verified: readonly VerifiedFetch[];
  /** Empty if the run was interrupted before it. The full raw run is in raw-stream/. */
  readonly rawStream: readonly RawStreamCell[];
}
