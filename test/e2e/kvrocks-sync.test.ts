import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KvrocksStreams } from '../../src/protocols/kvrocks/messages.ts';
import { runKvrocksSync, type KvrocksSyncRecord } from '../../src/protocols/kvrocks/sync.ts';
import type { ShutdownStrategyName, WritePathName } from '../../src/transfer/strategies.ts';
import { kvrocksRig, type KvrocksRig } from '../support/kvrocks-rig.ts';

// A Kvrocks full sync of a 24 MB checkpoint (three 8 MB SST files, MANIFEST,
// CURRENT) between the real worker processes.
let rig: KvrocksRig;

before(async () => {
  rig = await kvrocksRig('kvrocks-sync', { totalBytes: 24e6, fileBytes: 8e6 });
});
after(() => rig.dispose());

function sync(
  shutdown: ShutdownStrategyName,
  writePath: WritePathName,
  streams: KvrocksStreams,
): Promise<KvrocksSyncRecord> {
  return runKvrocksSync(rig.pair, {
    runId: 'test-kvrocks',
    checkpoint: rig.checkpoint,
    certs: rig.files,
    tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
    chunkBytes: 16384,
    shutdown,
    writePath,
    streams,
    maxAttempts: 3,
    retryDelayMs: 100,
    stallTimeoutMs: 10_000,
  });
}

test('the checkpoint: three 8 MB SST files, then MANIFEST and CURRENT', () => {
  assert.deepEqual(
    rig.checkpoint.files.map((f) => f.name),
    ['000101.sst', '000102.sst', '000103.sst', 'MANIFEST-000100', 'CURRENT'],
  );
  assert.deepEqual(
    rig.checkpoint.files.slice(0, 3).map((f) => f.sizeBytes),
    [8e6, 8e6, 8e6],
  );
});

for (const streams of [1, 4] as const) {
  test(`end + backpressure over ${streams} connection(s): synced in one attempt, every file's CRC right`, async () => {
    const r = await sync('end', 'backpressure', streams);
    assert.equal(r.kind, 'synced', r.errorMessage ?? '');
    assert.equal(r.attempts, 1);
    assert.equal(r.attemptsDetail.length, 1);
    assert.equal(r.bytesReceived, rig.checkpoint.totalBytes);
    assert.equal(r.bytesWritten, rig.checkpoint.totalBytes);
    assert.equal(r.silent, false);
    assert.equal(r.errorCode, null);
    assert.equal(r.suiteNegotiated, 'TLS_AES_128_GCM_SHA256');
    assert.ok(r.durationMs !== null && r.durationMs > 0);
    assert.ok(r.mbPerSec !== null && r.mbPerSec > 0);
    const a = r.attemptsDetail[0]!;
    assert.equal(a.ok, true);
    assert.equal(a.filesComplete, 5);
    assert.deepEqual(
      a.files.map((f) => [f.name, f.bytesReceived, f.complete, f.crcMatch]),
      rig.checkpoint.files.map((f) => [f.name, f.sizeBytes, true, true]),
    );
    // Observed on every connection: alone with one, counted in the shared trace with four.
    assert.equal(a.closeNotify, true);
  });
}

for (const streams of [1, 4] as const) {
  test(
    `destroy + buffered over ${streams} connection(s): every attempt loses data and fails, failed after 3 ` +
      `attempts`,
    async () => {
      const pids = rig.pair.pids();
      const r = await sync('destroy', 'buffered', streams);
      assert.equal(r.kind, 'failed');
      assert.equal(r.attempts, 3);
      assert.equal(r.attemptsDetail.length, 3);
      for (const a of r.attemptsDetail) {
        assert.equal(a.ok, false);
        // The master wrote everything; the buffered tail never left it.
        assert.equal(a.bytesWritten, rig.checkpoint.totalBytes);
        assert.ok(a.bytesReceived < rig.checkpoint.totalBytes, `attempt ${a.attempt} received ${a.bytesReceived}`);
        assert.ok(a.filesComplete < 5);
        assert.equal(a.errorCode, 'EOF_BEFORE_COUNT', a.errorMessage ?? '');
        // The replica counts: it never accepted a short file.
        assert.ok(a.files.every((f) => !f.complete || f.crcMatch === true));
      }
      assert.equal(r.silent, false);
      assert.equal(r.durationMs, null);
      assert.equal(r.mbPerSec, null);
      // A failed sync is an outcome: the same workers go on.
      assert.deepEqual(rig.pair.pids(), pids);
    },
  );
}
