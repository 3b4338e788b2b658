import { NODE_PROTOCOL } from '../tls/suites.ts';
import type { StreamError } from '../outcome.ts';
import type { TlsParams } from './messages.ts';

/**
 * Pins both ends to one protocol version and one suite. TLS 1.3 suite names go
 * in `ciphers` too: Node has no `ciphersuites` option (it is silently ignored)
 * and routes `TLS_...` names to OpenSSL's ciphersuites itself.
 */
export function pinnedTlsOptions(p: TlsParams): {
  ciphers: string;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
} {
  const version = NODE_PROTOCOL[p.tlsVersion];
  return { ciphers: p.suite, minVersion: version, maxVersion: version };
}

/** The mismatch, in words, when what was negotiated is not what was asked for. */
export function negotiationMismatch(p: TlsParams, protocol: string | null, suite: string | null): string | null {
  if (protocol !== NODE_PROTOCOL[p.tlsVersion] || suite !== p.suite) {
    return (
      `asked for ${NODE_PROTOCOL[p.tlsVersion]} ${p.suite}, negotiated ${protocol ?? 'nothing'} ` +
      `${suite ?? 'nothing'}`
    );
  }
  return null;
}

export function errorCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** A socket's error as a stream error of the given phase. */
export function streamError(err: unknown, phase: StreamError['phase']): StreamError {
  return { code: errorCode(err), message: err instanceof Error ? err.message : String(err), phase };
}
