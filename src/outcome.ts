/**
 * How one transfer ended, as a tagged union on `kind`. Every kind carries the
 * byte counts and the error text, so a reader never has to guess what was lost.
 */
export const OUTCOME_KINDS = [
  'complete', // all bytes, checksum ok, close_notify seen
  'complete-unclean', // all bytes, checksum ok, no close_notify (observed: it did not come)
  'complete-close-unknown', // all bytes, checksum ok, whether close_notify came could not be observed
  'truncated', // fewer bytes and the stream ended as if normal: silent data loss
  'reset', // TCP RST (ECONNRESET / EPIPE)
  'tls-error', // an error from the TLS layer after the handshake
  'corrupt', // byte count right (or too many) but checksum wrong
  'stalled', // no progress for the stall timeout
  'handshake-failed', // never got to application data
  'worker-crashed', // a worker process died or broke the IPC contract
  'fixture-error', // the sender's fixture changed under the run: nothing about TLS is learned
] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export interface OutcomeBase {
  readonly bytesExpected: number;
  readonly bytesReceived: number;
  /** OpenSSL/Node error code (ERR_SSL_..., ECONNRESET, 0A000126) when there was one. */
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export type Outcome =
  | (OutcomeBase & { readonly kind: 'complete' })
  | (OutcomeBase & { readonly kind: 'complete-unclean' })
  | (OutcomeBase & { readonly kind: 'complete-close-unknown' })
  | (OutcomeBase & { readonly kind: 'truncated'; readonly bytesLost: number })
  | (OutcomeBase & { readonly kind: 'reset' })
  | (OutcomeBase & { readonly kind: 'tls-error' })
  | (OutcomeBase & { readonly kind: 'corrupt' })
  | (OutcomeBase & { readonly kind: 'stalled'; readonly stalledForMs: number })
  | (OutcomeBase & { readonly kind: 'handshake-failed' })
  | (OutcomeBase & { readonly kind: 'worker-crashed'; readonly role: 'sender' | 'receiver' })
  /**
   * The file the sender serves from no longer matches its manifest entry (removed, truncated, changed): the run's
   * input, not the stream, failed.
   */
  | (OutcomeBase & { readonly kind: 'fixture-error' });

/** true / false when observed, null when Node could not tell on this path (never a guess). */
export type Observed = boolean | null;

export interface StreamError {
  readonly code: string | null;
  readonly message: string;
  /** 'handshake' if the error came before secureConnect. */
  readonly phase: 'handshake' | 'transfer';
}

/** What the receiver saw, enough to classify the transfer without the sender's word. */
export interface ReceiveObservation {
  readonly bytesExpected: number;
  readonly crc32cExpected: number;
  readonly bytesReceived: number;
  readonly crc32c: number;
  readonly closeNotify: Observed;
  readonly error: StreamError | null;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** Pure: the outcome of a transfer from what the receiver observed. */
export function classify(o: ReceiveObservation): Outcome {
  const base = {
    bytesExpected: o.bytesExpected,
    bytesReceived: o.bytesReceived,
    errorCode: o.error?.code ?? null,
    errorMessage: o.error?.message ?? null,
  };
  if (o.error) return errorOutcome(base, o.error);
  if (o.bytesReceived < o.bytesExpected) {
    return { ...base, kind: 'truncated', bytesLost: o.bytesExpected - o.bytesReceived };
  }
  if (o.bytesReceived > o.bytesExpected || o.crc32c !== o.crc32cExpected) {
    return {
      ...base,
      kind: 'corrupt',
      errorCode: base.errorCode ?? 'CRC_MISMATCH',
      errorMessage:
        base.errorMessage ??
        (o.bytesReceived > o.bytesExpected
          ? `received ${o.bytesReceived - o.bytesExpected} bytes more than expected`
          : `crc32c ${hex(o.crc32c)} != expected ${hex(o.crc32cExpected)}`),
    };
  }
  return { ...base, kind: completeKind(o.closeNotify) };
}

/** A stream that ended in an error: before application data, a reset, or any other error of the TLS layer. */
export function errorOutcome(base: OutcomeBase, error: StreamError): Outcome {
  if (error.phase === 'handshake') return { ...base, kind: 'handshake-failed' };
  if (error.code !== null && RESET_CODES.has(error.code)) return { ...base, kind: 'reset' };
  return { ...base, kind: 'tls-error' };
}

/** Every byte arrived intact: which `complete` it is depends on close_notify, and unknown is said, never guessed. */
export function completeKind(closeNotify: Observed): 'complete' | 'complete-unclean' | 'complete-close-unknown' {
  return closeNotify === true ? 'complete' : closeNotify === false ? 'complete-unclean' : 'complete-close-unknown';
}

/** An outcome in which every byte arrived intact (throughput of such a transfer is meaningful). */
export function isDelivered(outcome: Outcome): boolean {
  return (
    outcome.kind === 'complete' || outcome.kind === 'complete-unclean' || outcome.kind === 'complete-close-unknown'
  );
}

export function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
