import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { crc32c } from '@node-rs/crc32';
import { hex } from '../../outcome.ts';
import { SERVER_NAME } from '../../tls/certs.ts';
import type { TlsParams } from '../../transfer/messages.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from '../../transfer/tls-options.ts';
import { rangeHeader } from './range.ts';
import type { VerifiedFetch } from './results.ts';
import { FIXTURES_PATH } from './server.ts';

export interface VerifiedFetchOptions {
  readonly host: string;
  readonly port: number;
  /** The run CA's certificate (PEM): the only issuer trusted. */
  readonly ca: string;
  readonly tls: TlsParams;
  readonly fixture: string;
  /** Inclusive range to ask for; whole file if absent. */
  readonly range?: { readonly start: number; readonly end: number };
  readonly bytesExpected: number;
  readonly crc32cExpected: number;
  /** No byte for this long -> the fetch fails. */
  readonly idleTimeoutMs?: number;
}

/**
 * GETs a fixture (or one range of it) over `node:https` with the run's CA,
 * servername localhost and rejectUnauthorized on, and checks status, length,
 * CRC32C and the negotiated protocol and suite. Never throws: what failed is
 * in `problem`.
 */
export function verifiedFetch(o: VerifiedFetchOptions): Promise<VerifiedFetch> {
  const base = {
    fixture: o.fixture,
    kind: o.range ? ('range' as const) : ('whole' as const),
    range: o.range ? { start: o.range.start, end: o.range.end } : null,
    bytesExpected: o.bytesExpected,
    crc32cExpected: hex(o.crc32cExpected >>> 0),
  };
  const expectedStatus = o.range ? 206 : 200;
  return new Promise((resolve) => {
    let status: number | null = null;
    let bytes = 0;
    let crc = 0;
    let authorized = false;
    let protocol: string | null = null;
    let suite: string | null = null;
    let startedAt = 0;
    let settled = false;
    const finish = (problem: string | null, code: string | null, durationMs: number | null): void => {
      if (settled) return;
      settled = true;
      resolve({
        ...base,
        status,
        bytesReceived: bytes,
        crc32cReceived: status === null ? null : hex(crc),
        authorized,
        protocolNegotiated: protocol,
        suiteNegotiated: suite,
        durationMs,
        mbPerSec: durationMs !== null && durationMs > 0 ? bytes / 1e3 / durationMs : null,
        errorCode: code,
        problem,
      });
    };
    const req = request({
      host: o.host,
      port: o.port,
      path: `${FIXTURES_PATH}${o.fixture}`,
      method: 'GET',
      servername: SERVER_NAME,
      ca: o.ca,
      rejectUnauthorized: true,
      // A connection of its own: nothing pooled, nothing resumed from another request.
      agent: false,
      ...pinnedTlsOptions(o.tls),
      headers: o.range ? { range: rangeHeader(o.range) } : {},
    });
    req.setTimeout(o.idleTimeoutMs ?? 30_000, () =>
      req.destroy(Object.assign(new Error(`no data for ${o.idleTimeoutMs ?? 30_000} ms`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (err) => finish(`TLS/HTTP error: ${err.message}`, errorCode(err), null));
    req.on('response', (res) => {
      status = res.statusCode ?? null;
      const tls = res.socket as TLSSocket;
      authorized = tls.authorized;
      protocol = tls.getProtocol();
      suite = tls.getCipher()?.name ?? null;
      startedAt = performance.now();
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        crc = crc32c(chunk, crc);
      });
      res.on('error', (err) => finish(`response cut: ${err.message}`, errorCode(err), null));
      res.on('end', () => {
        const durationMs = performance.now() - startedAt;
        const mismatch = negotiationMismatch(o.tls, protocol, suite);
        const problem = !authorized
          ? 'the server certificate was not verified by the run CA'
          : mismatch
            ? mismatch
            : status !== expectedStatus
              ? `status ${status}, expected ${expectedStatus}`
              : bytes !== o.bytesExpected
                ? `${bytes} bytes received, expected ${o.bytesExpected}`
                : crc >>> 0 !== o.crc32cExpected >>> 0
                  ? `CRC32C ${hex(crc)} of the content received, the fixture's is ${hex(o.crc32cExpected >>> 0)}`
                  : null;
        finish(problem, null, durationMs);
      });
    });
    req.end();
  });
}
