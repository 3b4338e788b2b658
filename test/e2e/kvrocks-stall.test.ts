import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runKvrocksSync, type KvrocksSyncRequest } from '../../src/protocols/kvrocks/sync.ts';
import { alive } from '../support/helpers.ts';
import { kvrocksRig, type KvrocksRig } from '../support/kvrocks-rig.ts';

// A master that stops answering (its process frozen with SIGSTOP once it
// listens): the watchdog calls the sync stalled, the pair is replaced, and
// the next sync runs on the new workers.
let rig: KvrocksRig;

before(async () => {
  rig = await kvrocksRig('kvrocks-stall', { totalBytes: 2e6, fileBytes: 1e6 });
});
after(() => rig.dispose());

const request = (): KvrocksSyncRequest => ({
  runId: 'test-kvrocks-stall',
  checkpoint: rig.checkpoint,
  certs: rig.files,
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
  const frozen = rig.pair.sender.pid;
  const off = rig.pair.sender.on((m) => {
    if (m.type === 'listening') process.kill(frozen, 'SIGSTOP');
  });
  const t0 = Date.now();
  const r = await runKvrocksSync(rig.pair, request());
  off();
  assert.equal(r.kind, 'stalled');
  assert.equal(r.errorCode, 'STALLED');
  assert.ok(r.kind === 'stalled' && r.stalledForMs >= 1000);
  assert.equal(r.attempts, 1);
  assert.deepEqual(r.attemptsDetail, []);
  assert.equal(r.bytesReceived, 0);
  assert.ok(Date.now() - t0 < 10_000);
  assert.equal(alive(frozen), false);
  assert.notEqual(rig.pair.sender.pid, frozen);

  const next = await runKvrocksSync(rig.pair, request());
  assert.equal(next.kind, 'synced', next.errorMessage ?? '');
  assert.equal(next.bytesReceived, rig.checkpoint.totalBytes);
});
