import type { ScenarioSummary } from './results.ts';
import type { TlsVersion } from './tls/suites.ts';
import { DEFAULT_READ_PATH, type ReadPath } from './transfer/read-path.ts';

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

/** What a cell needs of its scenario to find its ceilings. */
type CellKey = Pick<ScenarioSummary['scenario'], 'sizeBytes' | 'chunkBytes' | 'tlsVersion' | 'suite' | 'readPath'>;

/** The measurement of `lane` that stands beside this cell, if any (the cipher lane's `suite` is the cipher's openssl speed name). */
export function referenceFor(refs: References, lane: ReferenceLane, cell: CellKey): ReferenceMeasurement | undefined {
  return refs.measurements.find(
    (m) =>
      m.lane === lane &&
      (m.sizeBytes === null || m.sizeBytes === cell.sizeBytes) &&
      (m.chunkBytes === null || m.chunkBytes === cell.chunkBytes) &&
      (m.tlsVersion === null || m.tlsVersion === cell.tlsVersion) &&
      (m.readPath == null || m.readPath === (cell.readPath ?? DEFAULT_READ_PATH)) &&
      (m.suite === null || m.suite === (lane === 'cipher' ? evpCipherOf(cell.suite) : cell.suite)),
  );
}

/** The cell's mean MB/s against each ceiling, percent. */
export function ceilingsOf(summary: ScenarioSummary, refs: References | undefined): Ceilings {
  const mean = summary.throughput?.meanMbPerSec;
  const pct = (lane: ReferenceLane): number | null => {
    const ref = refs && mean !== undefined ? referenceFor(refs, lane, summary.scenario) : undefined;
    return ref && mean !== undefined && ref.mbPerSec > 0 ? (100 * mean) / ref.mbPerSec : null;
  };
  return { pctOfTcp: pct('tcp'), pctOfOpenssl: pct('openssl'), pctOfCipher: pct('cipher') };
}

/**
 * The `openssl speed -evp` name of a suite's bulk cipher (TLS 1.3 or 1.2
 * spelling), or null when it has none we measure. CBC suites map to
 * OpenSSL's stitched cipher+HMAC, which is what their records cost.
 */
export function evpCipherOf(suite: string): string | null {
  if (/CHACHA20/.test(suite)) return 'chacha20-poly1305';
  const gcm = /AES_?(128|256)_?-?GCM/.exec(suite);
  if (gcm) return `aes-${gcm[1]}-gcm`;
  const cbc = /^(?:ECDHE-(?:ECDSA|RSA)-)?AES(128|256)-(SHA256|SHA)$/.exec(suite);
  if (cbc) return `aes-${cbc[1]}-cbc-hmac-${cbc[2] === 'SHA' ? 'sha1' : 'sha256'}`;
  return null;
}
