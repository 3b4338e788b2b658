import type { ScenarioSummary } from './results.ts';
import { DEFAULT_READ_PATH } from './transfer/read-path.ts';
import type { Ceilings, ReferenceLane, ReferenceMeasurement, References } from './reference-lanes.ts';

export { REFERENCE_LANES } from './reference-lanes.ts';
export type { Ceilings, ReferenceLane, ReferenceMeasurement, References, ReferenceSkip } from './reference-lanes.ts';

/** What a cell needs of its scenario to find its ceilings. */
type CellKey = Pick<ScenarioSummary['scenario'], 'sizeBytes' | 'chunkBytes' | 'tlsVersion' | 'suite' | 'readPath'>;

/**
 * The measurement of `lane` that stands beside this cell, if any (the cipher lane's `suite` is the cipher's openssl
 * speed name).
 */
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
