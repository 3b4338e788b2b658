import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureCache } from '../src/fixtures/cache.ts';
import { buildCheckpoint, type Checkpoint } from '../src/kvrocks/checkpoint.ts';
import { runKvrocksSync, type KvrocksSyncRequest } from '../src/kvrocks/sync.ts';
import { removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { WorkerPair } from '../src/runner/workers.ts';
import type { CertFiles, RunCertificates } from '../src/tls/certs.ts';
import { alive, tempDir, testCerts } from './helpers.ts';

// A master that stops answering (its process frozen with SIGSTOP once it
// listens): the watchdog calls the sync stalled, the pair is replaced, and
// the next sync runs on the new workers.
let tmp: { dir: string; remove: () => Promise<void> };
let certs: RunCertificates;
let files: CertFiles;
let checkpoint: Checkpoint;
let pair: WorkerPair;

before(async () => {
  tmp = await tempDir('kvrocks-stall');
  ({ certs, files } = await testCerts());
  checkpoint = await buildCheckpoint(new FixtureCache(join(tmp.dir, 'fixtures')), { totalBytes: 2e6, fileBytes: 1e6, seed: 1, profile: 'kv' });
  pair = await WorkerPair.start(tmp.dir);
});
after(async () => {
  await pair.stop();
  for (const pid of pair.allPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
  await removeWorkerBundle();
  await certs.dispose();
  await tmp.remove();
});

const request = (): KvrocksSyncRequest => ({
  runId: 'test-kvrocks-stall',
  checkpoint,
  certs: files,
  tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
  chunkBytes: 16384,
  shutdown: 'end',
  writePath: 'backpressure',
  streams: 1,
  maxAttempts: 3,
  retryDelayMs: 100,
  stallTimeoutMs: 1000,
});

test('a frozen master -> stalled, workers replaced; the next sync completes', async () => {
  const frozen = pair.sender.pid;
  const off = pair.sender.on((m) => {
    if (m.type === 'listening') process.kill(frozen, 'SIGSTOP');
  });
  const t0 = Date.now();
  const r = await runKvrocksSync(pair, request());
  off();
  assert.equal(r.kind, 'stalled');
  assert.equal(r.errorCode, 'STALLED');
  assert.ok(r.kind === 'stalled' && r.stalledForMs >= 1000);
  assert.equal(r.attempts, 1);
  assert.deepEqual(r.attemptsDetail, []);
  assert.equal(r.bytesReceived, 0);
  assert.ok(Date.now() - t0 < 10_000);
  assert.equal(alive(frozen), false);
  assert.notEqual(pair.sender.pid, frozen);

  const next = await runKvrocksSync(pair, request());
  assert.equal(next.kind, 'synced', next.errorMessage ?? '');
  assert.equal(next.bytesReceived, checkpoint.totalBytes);
});
