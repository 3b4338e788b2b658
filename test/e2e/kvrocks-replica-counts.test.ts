import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createServer, type TLSSocket } from 'node:tls';
import { crc32c } from '@node-rs/crc32';
import type { Checkpoint } from '../../src/protocols/kvrocks/checkpoint.ts';
import type { KvrocksExpectedFile, KvrocksFetchReport } from '../../src/protocols/kvrocks/messages.ts';
import { toKvrocksSyncRecord } from '../../src/protocols/kvrocks/sync.ts';
import { removeWorkerBundle } from '../../src/runner/worker-bundle.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import { SERVER_NAME, type CertPems, type RunCertificates } from '../../src/tls/certs.ts';
import { tempDir, testCerts } from '../support/helpers.ts';

// The replica (in the real receiver worker) against hand-made masters: it
// reads a `-` line as an error, counts bytes instead of waiting for EOF, and
// accepts a file of the right length whatever its content (the oracle says so).
const TLS = { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' } as const;
let tmp: { dir: string; remove: () => Promise<void> };
let certs: RunCertificates;
let files: CertPems;
let pair: WorkerPair;
let nextId = 1;

before(async () => {
  tmp = await tempDir('kvrocks-replica');
  ({ certs, files } = await testCerts());
  pair = await WorkerPair.start(tmp.dir);
});
after(async () => {
  await pair.stop();
  await removeWorkerBundle();
  await certs.dispose();
  await tmp.remove();
});

/** A TLS server that hands each connection's first line to `answer`. */
async function fakeMaster(
  answer: (line: string, socket: TLSSocket) => void,
): Promise<{ port: number; close: () => void }> {
  const srv = createServer({ key: files.key, cert: files.cert, minVersion: 'TLSv1.3', ciphers: TLS.suite }, (s) => {
    s.on('error', () => undefined);
    let got = '';
    const onData = (d: Buffer): void => {
      got += d.toString('latin1');
      const eol = got.indexOf('\n');
      if (eol < 0) return;
      s.off('data', onData);
      answer(got.slice(0, eol).replace(/\r$/, ''), s);
    };
    s.on('data', onData);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, close: () => srv.close() };
}

function fetch(port: number, expected: KvrocksExpectedFile[], maxAttempts: number): Promise<KvrocksFetchReport> {
  const id = nextId++;
  const report = pair.receiver.next(
    (m): m is KvrocksFetchReport => m.type === 'kvrocks-fetched' && m.id === id,
    20_000,
  );
  pair.receiver.post({
    type: 'kvrocks-fetch',
    id,
    tls: TLS,
    host: '127.0.0.1',
    port,
    servername: SERVER_NAME,
    ca: files.caCert,
    files: expected,
    streams: 1,
    maxAttempts,
    retryDelayMs: 50,
    progressIntervalMs: 100,
    closeGraceMs: 300,
  });
  return report;
}

test('a - line for _fetch_meta fails the attempt (MASTER_ERROR); every attempt is made', async () => {
  const master = await fakeMaster((_line, s) => s.end('-ERR full sync not possible now\r\n'));
  const r = await fetch(master.port, [], 2);
  master.close();
  assert.equal(r.attempts.length, 2);
  for (const a of r.attempts) {
    assert.equal(a.ok, false);
    assert.equal(a.metaFiles, null);
    assert.equal(a.error?.code, 'MASTER_ERROR');
    assert.match(a.error?.message ?? '', /-ERR full sync not possible now/);
  }
});

test('counts, not EOF: two files in one write, no end from the master -> ok, no read past a file', async () => {
  const one = randomBytes(10_000);
  const two = randomBytes(5_000);
  const master = await fakeMaster((line, s) => {
    if (line === '_fetch_meta') return s.end('one.sst,two.sst\r\n');
    assert.equal(line, '_fetch_file one.sst,two.sst');
    s.write(Buffer.concat([Buffer.from(`${one.length}\r\n`), one, Buffer.from(`${two.length}\r\n`), two])); // and never ends
  });
  const expected = [
    { name: 'one.sst', sizeBytes: one.length, crc32c: crc32c(one) },
    { name: 'two.sst', sizeBytes: two.length, crc32c: crc32c(two) },
  ];
  const r = await fetch(master.port, expected, 1);
  master.close();
  const a = r.attempts[0]!;
  assert.equal(a.ok, true, a.error?.message);
  assert.deepEqual(
    a.files.map((f) => [f.name, f.declaredBytes, f.bytesReceived, f.complete, f.crcMatch]),
    [
      ['one.sst', 10_000, 10_000, true, true],
      ['two.sst', 5_000, 5_000, true, true],
    ],
  );
  // The master never ended the stream: the replica cut it after the grace, so how it ends is unknown.
  assert.equal(a.connections[0]!.closeNotify, null);
});

test('a corrupted file of the right length is accepted: the sync is silent', async () => {
  const good = randomBytes(50_000);
  const bad = Buffer.from(good);
  bad[12_345] = bad[12_345]! ^ 0xff;
  const master = await fakeMaster((line, s) => {
    if (line === '_fetch_meta') return s.end('000101.sst\r\n');
    s.end(Buffer.concat([Buffer.from(`${bad.length}\r\n`), bad]));
  });
  const r = await fetch(master.port, [{ name: '000101.sst', sizeBytes: good.length, crc32c: crc32c(good) }], 3);
  master.close();
  assert.equal(r.attempts.length, 1);
  const a = r.attempts[0]!;
  assert.equal(a.ok, true);
  assert.equal(a.files[0]!.complete, true);
  assert.equal(a.files[0]!.crcMatch, false);

  const checkpoint: Checkpoint = {
    spec: { totalBytes: good.length, fileBytes: good.length, seed: 1, profile: 'kv' },
    dir: tmp.dir,
    files: [{ name: '000101.sst', path: '/nonexistent', sizeBytes: good.length, crc32c: crc32c(good) }],
    totalBytes: good.length,
  };
  const record = toKvrocksSyncRecord(
    {
      runId: 'test',
      checkpoint,
      certs: files,
      tls: TLS,
      chunkBytes: 16384,
      shutdown: 'end',
      writePath: 'backpressure',
      streams: 1,
      maxAttempts: 3,
      retryDelayMs: 50,
      stallTimeoutMs: 5000,
    },
    { kind: 'report', report: r },
    { kind: 'exited', role: 'sender', detail: 'no master worker in this test' },
    { wallMs: 1, lastProgressBytes: good.length, attemptsBegun: 1 },
  );
  assert.equal(record.kind, 'synced');
  assert.equal(record.silent, true);
  assert.equal(record.attemptsDetail[0]!.files[0]!.crcMatch, false);
  assert.equal(record.bytesReceived, good.length);
});
