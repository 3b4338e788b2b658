import type { TlsVersion } from '../tls/suites.ts';

/**
 * The endpoint shapes shared by every protocol's IPC messages (transfer/messages.ts,
 * kvrocks/messages.ts): a leaf module, so the message modules need not import each other.
 */

export interface TlsParams {
  readonly tlsVersion: TlsVersion;
  readonly suite: string;
}

/** A test-only way to make the sender misbehave: stop writing at a byte and hang. */
export type SenderFault = { readonly kind: 'stall'; readonly atByte: number };

/** What a TLS server of the suite needs: the pinned TLS, its certificate, where to listen. */
export interface ServerParams {
  readonly id: number;
  readonly tls: TlsParams;
  readonly cert: string;
  readonly key: string;
  readonly host: string;
  /** `tcp`: the same stream over node:net without TLS (the tcp reference lane); absent: TLS. */
  readonly transport?: Transport;
}

/** What carries the stream: TLS (every cell), or plain TCP for the tcp reference lane. */
export type Transport = 'tls' | 'tcp';

/** What a TLS client of the suite needs: the pinned TLS, where to connect, whom to trust. */
export interface ClientParams {
  readonly id: number;
  readonly tls: TlsParams;
  readonly host: string;
  readonly port: number;
  readonly servername: string;
  readonly ca: string;
  /** `tcp`: connect with node:net, no TLS (the tcp reference lane); absent: TLS. */
  readonly transport?: Transport;
}

export interface Negotiated {
  readonly protocol: string | null;
  readonly suite: string | null;
}

export interface ProcessUsage {
  readonly cpuMs: number;
  readonly rssPeakBytes: number;
}
