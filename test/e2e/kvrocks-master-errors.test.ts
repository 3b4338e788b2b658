import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from 'node:tls';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import { buildCheckpoint, type Checkpoint } from '../../src/protocols/kvrocks/checkpoint.ts';
import type { KvrocksServeReport } from '../../src/protocols/kvrocks/messages.ts';
import { removeWorkerBundle } from '../../src/runner/worker-bundle.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import { SERVER_NAME, type CertPems, type RunCertificates } from '../../src/tls/certs.ts';
import type { WorkerMessage } from '../../src/transfer/messages.ts';
import { tempDir, testCerts } from '../support/helpers.ts';

// The master (in the real sender worker) answers a command it does not know,
// or a file it does not have, with one `-` line and a clean end.
const TLS = { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' } as const;
const ID = 7;
let tmp: { dir: string; remove: () => Promise<void> };
let certs: RunCertificates;
let files: CertPems;
let checkpoint: Checkpoint;
let pair: WorkerPair;
let port: number;

before(async () => {
  tmp = await tempDir('kvrocks-errors');
  ({ certs, files } = await testCerts());
  checkpoint = await buildCheckpoint(new FixtureCache(join(tmp.dir, 'fixtures')), {
    totalBytes: 64 * 1024,
    fileBytes: 32 * 1024,
    seed: 3,
    profile: 'kv',
  });
  pair = await WorkerPair.start(tmp.dir);
  const listening = pair.sender.next(
    (m): m is Extract<WorkerMessage, { type: 'listening' }> => m.type === 'listening' && m.id === ID,
    10_000,
  );
  pair.sender.post({
    type: 'kvrocks-serve',
    id: ID,
    tls: TLS,
    cert: files.cert,
    key: files.key,
    host: '127.0.0.1',
    files: checkpoint.files.map((f) => ({ name: f.name, path: f.path, sizeBytes: f.sizeBytes })),
    chunkBytes: 16384,
    shutdown: 'end',
    writePath: 'backpressure',
    expectConnections: 100,
  });
  port = (await listening).port;
});
after(async () => {
  await pair.stop();
  await removeWorkerBundle();
  await certs.dispose();
  await tmp.remove();
});

/** Sends one line, returns everything the master sent until its end, and whether that end came. */
function ask(line: string): Promise<{ text: string; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: SERVER_NAME,
      ca: files.caCert,
      minVersion: 'TLSv1.3',
      ciphers: TLS.suite,
    });
    let text = '';
    let ended = false;
    socket.once('secureConnect', () => socket.write(line));
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('end', () => (ended = true));
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ended }));
  });
}

test('an unknown command gets a - line, then a clean end', async () => {
  const r = await ask('HELLO world\r\n');
  assert.equal(r.text, "-ERR unknown command 'HELLO'\r\n");
  assert.equal(r.ended, true);
});

test('malformed _fetch_meta / _fetch_file get a - line', async () => {
  for (const line of ['_fetch_meta extra\r\n', '_fetch_file\r\n', '_fetch_file a,,b\r\n', '\r\n']) {
    const r = await ask(line);
    assert.match(r.text, /^-ERR [^\r\n]+\r\n$/, JSON.stringify(line));
    assert.equal(r.ended, true);
  }
});

test('an unknown file gets a - line and no file bytes, even after a known one', async () => {
  const r = await ask('_fetch_file 000101.sst,nosuch.sst\r\n');
  assert.equal(r.text, "-ERR no such file 'nosuch.sst'\r\n");
});

test('_fetch_meta lists the checkpoint; _fetch_file sends size line + exact bytes', async () => {
  const meta = await ask('_fetch_meta\r\n');
  assert.equal(meta.text, `${checkpoint.files.map((f) => f.name).join(',')}\r\n`);
  const current = checkpoint.files.at(-1)!;
  const r = await ask(`_fetch_file ${current.name}\r\n`);
  assert.equal(r.text, `${current.sizeBytes}\r\n${readFileSync(current.path, 'latin1')}`);
});

test('on stop, the master reports every connection with what it answered', async () => {
  const report = pair.sender.next((m): m is KvrocksServeReport => m.type === 'kvrocks-served' && m.id === ID, 10_000);
  pair.sender.post({ type: 'kvrocks-stop', id: ID });
  const r = await report;
  assert.equal(r.endedBy, 'stop');
  assert.deepEqual(
    r.connections.map((c) => c.command),
    ['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'fetch-file', 'fetch-meta', 'fetch-file'],
  );
  assert.equal(r.connections[0]!.errorLine, "-ERR unknown command 'HELLO'");
  assert.equal(r.connections[5]!.errorLine, "-ERR no such file 'nosuch.sst'");
  assert.equal(r.connections[5]!.fileBytesWritten, 0);
  assert.equal(r.connections[7]!.fileBytesWritten, checkpoint.files.at(-1)!.sizeBytes);
  assert.ok(r.connections.every((c) => c.error === null));
});
