import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { crc32c } from '@node-rs/crc32';
import { classify } from '../../src/outcome.ts';
import { SERVER_NAME, type RunCertificates, type CertPems } from '../../src/tls/certs.ts';
import type { ReceiverReport } from '../../src/transfer/messages.ts';
import { WorkerProcess } from '../../src/runner/workers.ts';
import { tempDir, testCerts, tlsServer } from '../support/helpers.ts';
import type { ReadPath } from '../../src/transfer/read-path.ts';
import type { ReceiverModeName } from '../../src/transfer/strategies.ts';
import { sizeLine } from '../../src/transfer/receiver-modes.ts';
import { VERIFIER_ENV, type VerifierName } from '../../src/transfer/verified-reader.ts';

// A real receiver worker against a hand-made TLS sender over loopback: the
// receiver must catch a short stream by its count and a damaged one by CRC32C.
const payload = randomBytes(3 * 1024 * 1024);
const expectedCrc = crc32c(payload);
// One receiver per verifier: CRC32C inline on the read loop, and the checker thread behind the ring.
const VERIFIER_NAMES: readonly VerifierName[] = ['inline', 'thread'];
const receivers = new Map<VerifierName, WorkerProcess>();
let certs: RunCertificates;
let files: CertPems;
let tmp: { dir: string; remove: () => Promise<void> };
let id = 0;

before(async () => {
  tmp = await tempDir('receiver');
  ({ certs, files } = await testCerts());
  for (const [i, verifier] of VERIFIER_NAMES.entries()) {
    process.env[VERIFIER_ENV] = verifier;
    receivers.set(verifier, await WorkerProcess.start('receiver', tmp.dir, i));
  }
  delete process.env[VERIFIER_ENV];
});
after(async () => {
  for (const r of receivers.values()) await r.stop();
  await certs.dispose();
  await tmp.remove();
});

async function receive(
  verifier: VerifierName,
  send: (s: TLSSocket) => void,
  readPath: ReadPath,
  mode: ReceiverModeName = 'until-eof',
): Promise<ReceiverReport> {
  const receiver = receivers.get(verifier)!;
  const server = await tlsServer(files, send);
  id += 1;
  const reply = receiver.next((m): m is ReceiverReport => m.type === 'received' && m.id === id, 20_000);
  receiver.post({
    type: 'receive',
    id,
    tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
    host: '127.0.0.1',
    port: server.port,
    servername: SERVER_NAME,
    ca: files.caCert,
    mode,
    readPath,
    bytesExpected: payload.length,
    crc32cExpected: expectedCrc,
    progressIntervalMs: 100,
    closeGraceMs: 1000,
  });
  try {
    return await reply;
  } finally {
    server.close();
  }
}

const observe = (r: ReceiverReport) =>
  classify({
    bytesExpected: payload.length,
    crc32cExpected: expectedCrc,
    bytesReceived: r.bytesReceived,
    crc32c: r.crc32c,
    closeNotify: r.closeNotify,
    error: r.error,
  });

// Every read path and both verifiers must see exactly the same outcomes.
for (const verifier of VERIFIER_NAMES)
  for (const readPath of ['data', 'onread:64KiB', 'onread:16KiB', 'onread:1MiB'] as const) {
    test(`${verifier}, ${readPath}: the whole payload and end(): complete, close_notify seen`, async () => {
      const r = await receive(verifier, (s) => s.end(payload), readPath);
      assert.equal(r.bytesReceived, payload.length);
      assert.equal(r.closeNotify, true);
      assert.equal(observe(r).kind, 'complete');
    });

    test(`${verifier}, ${readPath}: a short stream that ends cleanly is truncated, found by the count`, async () => {
      const r = await receive(verifier, (s) => s.end(payload.subarray(0, payload.length - 12345)), readPath);
      const o = observe(r);
      assert.equal(o.kind, 'truncated');
      assert.equal(o.kind === 'truncated' && o.bytesLost, 12345);
      assert.equal(r.error, null); // the receiver saw a normal end: the silent case
    });

    test(`${verifier}, ${readPath}: the right count with one byte changed is corrupt, found by CRC32C`, async () => {
      const bad = Buffer.from(payload);
      bad[1_000_000] = bad[1_000_000]! ^ 0x01;
      const r = await receive(verifier, (s) => s.end(bad), readPath);
      assert.equal(r.bytesReceived, payload.length);
      const o = observe(r);
      assert.equal(o.kind, 'corrupt');
      assert.equal(o.errorCode, 'CRC_MISMATCH');
    });

    test(`${verifier}, ${readPath}: extra bytes are corrupt too`, async () => {
      const r = await receive(verifier, (s) => s.end(Buffer.concat([payload, Buffer.from('tail')])), readPath);
      assert.equal(observe(r).kind, 'corrupt');
    });

    test(`${verifier}, ${readPath}: TCP FIN without close_notify: every byte, but close_notify false`, async () => {
      // Ending the raw TCP socket under TLS once the data is flushed: FIN, no alert.
      const r = await receive(
        verifier,
        (s) =>
          s.write(payload, () => setTimeout(() => (s as TLSSocket & { _parent: { end(): void } })._parent.end(), 50)),
        readPath,
      );
      assert.equal(r.bytesReceived, payload.length);
      assert.equal(r.closeNotify, false);
      assert.equal(observe(r).kind, 'complete-unclean');
    });

    test(`${verifier}, ${readPath}: a TCP RST in the middle is a reset, never complete`, async () => {
      const raw = (s: TLSSocket) => (s as TLSSocket & { _parent: { resetAndDestroy(): void } })._parent;
      const r = await receive(
        verifier,
        (s) => s.write(payload.subarray(0, 1_500_000), () => setTimeout(() => raw(s).resetAndDestroy(), 50)),
        readPath,
      );
      assert.ok(r.bytesReceived <= 1_500_000, String(r.bytesReceived));
      // As with the fault proxy's rst (faults-classified): a reset, or, when the RST overtakes what the kernel still
      // held and Node reports an end, a truncation found by the count. Never complete, never unnoticed.
      const o = observe(r);
      assert.ok(o.kind === 'reset' || o.kind === 'truncated', o.kind);
      if (o.kind === 'reset') assert.equal(r.error?.code, 'ECONNRESET');
      if (o.kind === 'truncated') assert.equal(o.bytesLost, payload.length - r.bytesReceived);
    });

    test(`${verifier}, ${readPath}: framed: the size line is not payload; a short framed stream is truncated`, async () => {
      const whole = await receive(
        verifier,
        (s) => s.end(Buffer.concat([sizeLine(payload.length), payload])),
        readPath,
        'framed',
      );
      assert.equal(whole.declaredBytes, payload.length);
      assert.equal(whole.bytesReceived, payload.length);
      assert.equal(observe(whole).kind, 'complete');
      const short = await receive(
        verifier,
        (s) => s.end(Buffer.concat([sizeLine(payload.length), payload.subarray(0, 777_777)])),
        readPath,
        'framed',
      );
      assert.equal(short.bytesReceived, 777_777);
      assert.equal(observe(short).kind, 'truncated');
    });
  }
