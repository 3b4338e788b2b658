import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { RunCertificates, SERVER_NAME, type CertPems } from '../../src/tls/certs.ts';

const made: RunCertificates[] = [];
after(async () => {
  for (const c of made) await c.dispose();
});

/** Connects a verifying client to a server with `server` certs, trusting `trust`'s CA. */
async function handshake(server: CertPems, trust: CertPems): Promise<{ ok: boolean; code?: string }> {
  const srv = createServer({ key: server.key, cert: server.cert }, (s) => s.end('x'));
  srv.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    return await new Promise((resolve) => {
      const c = connect({
        host: '127.0.0.1',
        port: (srv.address() as AddressInfo).port,
        servername: SERVER_NAME,
        ca: trust.caCert,
      });
      c.once('secureConnect', () => {
        c.destroy();
        resolve({ ok: true });
      });
      c.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, code: err.code }));
    });
  } finally {
    srv.close();
  }
}

for (const keyType of ['ecdsa-p256', 'rsa-2048'] as const) {
  test(`${keyType}: PEM in memory only, verified by the run CA, refused by another CA`, async () => {
    const a = await RunCertificates.create();
    const b = await RunCertificates.create();
    made.push(a, b);
    const fa = await a.get(keyType);
    const fb = await b.get(keyType);
    assert.match(fa.key, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(fa.cert, /^-----BEGIN CERTIFICATE-----/);
    assert.notEqual(fa.caCert, fb.caCert);
    assert.deepEqual(await handshake(fa, fa), { ok: true });
    assert.deepEqual(await handshake(fa, fb), { ok: false, code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
}
