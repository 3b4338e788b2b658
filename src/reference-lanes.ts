import type { TlsVersion } from './tls/suites.ts';
import type { ReadPath } from './transfer/read-path.ts';

// The reference lanes' vocabulary, a leaf: results.ts and config/schema.ts need it, and references.ts (which reads
// results) must not be on their import path.

/**
 * The reference lanes: this machine's ceilings, measured in the same run
 * beside the cells (README "How close to this machine's limits").
 * - tcp: the suite's own sender and receiver over node:net without TLS;
 * - openssl: peers/openssl-native.c, sender and receiver, same suite and version;
 * - cipher: `openssl speed -evp CIPHER -bytes 16384 -seconds 1`, one core.
 */
export const REFERENCE_LANES = ['tcp', 'openssl', 'cipher'] as const;
export type ReferenceLane = (typeof REFERENCE_LANES)[number];

/**
 * One measured ceiling; the keys a lane does not depend on are null (tcp has
 * no suite, cipher no size). For the cipher lane `suite` is the cipher's
 * `openssl speed` name (aes-128-gcm), which every suite on that cipher shares.
 */
export interface ReferenceMeasurement {
  readonly lane: ReferenceLane;
  readonly sizeBytes: number | null;
  readonly chunkBytes: number | null;
  readonly tlsVersion: TlsVersion | null;
  readonly suite: string | null;
  /** The tcp lane reads as its cells do (--read-path); null for the lanes that read their own way. */
  readonly readPath: ReadPath | null;
  /** Mean MB/s (10^6 bytes) of the measured transfers, or openssl speed's one figure. */
  readonly mbPerSec: number;
  /** 95% margin of error of the mean, percent; null for one sample. */
  readonly rmePercent: number | null;
  readonly samples: number;
  /** Where the figure came from, in words (program and how it was run). */
  readonly source: string;
}

/** A lane (or one of its measurements) that could not run, and why, in one line. */
export interface ReferenceSkip {
  readonly lane: ReferenceLane;
  readonly reason: string;
}

export interface References {
  readonly lanes: readonly ReferenceLane[];
  readonly measurements: readonly ReferenceMeasurement[];
  readonly skipped: readonly ReferenceSkip[];
}

/** A cell's throughput as a percentage of each ceiling; null where that ceiling was not measured. */
export interface Ceilings {
  readonly pctOfTcp: number | null;
  readonly pctOfOpenssl: number | null;
  readonly pctOfCipher: number | null;
}
