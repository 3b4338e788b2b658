import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import type { Fixture } from '../../src/fixtures/types.ts';
import { makeScenario } from '../../src/matrix.ts';
import { runTransfer } from '../../src/runner/transfer.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import type { CertPems, RunCertificates } from '../../src/tls/certs.ts';
import { SLOW_CHECKER_ENV } from '../../src/transfer/checker.ts';
import type { ReadPath } from '../../src/transfer/read-path.ts';
import { VERIFIER_ENV } from '../../src/transfer/verified-reader.ts';
import { tempDir, testCerts, tlsServer } from '../support/helpers.ts';

// The checker thread behind the read loop: when it falls behind, reading
// waits (memory stays flat), and a 1 GB stream stays within each worker's
// memory budget on both read paths.
const MiB = 2 ** 20;
const READ_PATHS: readonly ReadPath[] = ['data', 'onread:64KiB'];
let tmp: { dir: string; remove: () => Promise<void> };
let certs: RunCertificates;
let files: CertPems;
let cache: FixtureCache;

before(async () => {
  tmp = await tempDir('checker');
  ({ certs, files } = await testCerts());
  cache = new FixtureCache(tmp.dir);
});
after(async () => {
  await certs.dispose();
  await tmp.remove();
});

async function transfer(pair: WorkerPair, fixture: Fixture, readPath: ReadPath, chunkBytes = 64 * 1024) {
  const scenario = makeScenario({ sizeBytes: fixture.sizeBytes, chunkBytes, readPath });
  return runTransfer(pair, {
    runId: 't',
    scenario,
    fixture,
    certs: files,
    source: 'file',
    iteration: 0,
    warmup: false,
    stallTimeoutMs: 60_000,
  });
}

test('a slowed checker makes reading wait: every byte still checked, memory flat whatever the size', async () => {
  // The knob: the checker lets its 4 MiB ring fill, then checks 64 KiB per ms.
  // The checker thread's ring is what must hold memory flat (the inline verifier hands nothing over).
  process.env[SLOW_CHECKER_ENV] = '1';
  process.env[VERIFIER_ENV] = 'thread';
  const pair = await WorkerPair.start(tmp.dir);
  delete process.env[SLOW_CHECKER_ENV];
  delete process.env[VERIFIER_ENV];
  try {
    const small = await cache.ensure({ sizeBytes: 16 * MiB, seed: 3, profile: 'kv' });
    const big = await cache.ensure({ sizeBytes: 128 * MiB, seed: 3, profile: 'kv' });
    for (const readPath of READ_PATHS) {
      const a = await transfer(pair, small, readPath);
      const b = await transfer(pair, big, readPath);
      assert.equal(a.outcome.kind, 'complete', readPath);
      assert.equal(b.outcome.kind, 'complete', readPath);
      assert.equal(b.bytesReceived, big.sizeBytes);
      // 112 MiB more through a checker far slower than the sender: had the
      // receiver buffered what it could not check, its peak would have grown
      // by about that much. What it may grow by is the garbage of 'data'
      // chunks that V8 has not collected yet.
      const growth = b.receiverRssPeakBytes! - a.receiverRssPeakBytes!;
      assert.ok(
        growth < 40 * MiB,
        `${readPath}: receiver peak grew by ${(growth / MiB).toFixed(1)} MiB from 16 MiB to 128 MiB`,
      );
      assert.ok(
        b.receiverRssPeakBytes! < 128 * MiB,
        `${readPath}: receiver peak ${(b.receiverRssPeakBytes! / MiB).toFixed(1)} MiB`,
      );
    }
  } finally {
    await pair.stop();
  }
});

test('the slowed checker really paused reading (the report counts it)', async () => {
  // The checker thread's ring is what must hold memory flat (the inline verifier hands nothing over).
  process.env[SLOW_CHECKER_ENV] = '1';
  process.env[VERIFIER_ENV] = 'thread';
  const pair = await WorkerPair.start(tmp.dir);
  delete process.env[SLOW_CHECKER_ENV];
  delete process.env[VERIFIER_ENV];
  try {
    const sizeBytes = 16 * MiB;
    for (const readPath of READ_PATHS) {
      const id = 1_000_000 + READ_PATHS.indexOf(readPath);
      const server = await tlsServer(files, (s) => s.end(Buffer.alloc(sizeBytes, 7)));
      const reply = pair.receiver.next((m) => m.type === 'received' && m.id === id, 60_000);
      pair.receiver.post({
        type: 'receive',
        id,
        tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
        host: '127.0.0.1',
        port: server.port,
        servername: 'localhost',
        ca: files.caCert,
        mode: 'until-eof',
        readPath,
        bytesExpected: sizeBytes,
        crc32cExpected: 0,
        progressIntervalMs: 100,
        closeGraceMs: 1000,
      });
      const r = await reply;
      assert.ok(r.type === 'received');
      assert.equal(r.bytesReceived, sizeBytes, readPath);
      // 16 MiB through a 4 MiB ring that is drained only when full: at least 3 waits.
      assert.ok((r.readPauses ?? 0) >= 3, `${readPath}: ${r.readPauses} pauses`);
      server.close();
    }
  } finally {
    await pair.stop();
  }
});

test('a 1 GB transfer keeps each worker under 160 MiB, on both read paths', async (t) => {
  const free = statfsSync(tmp.dir);
  if (free.bavail * free.bsize < 3 * 2 ** 30) return t.skip('less than 3 GiB free for the 1 GB fixture');
  const pair = await WorkerPair.start(tmp.dir);
  try {
    const fixture = await cache.ensure({ sizeBytes: 1e9, seed: 1, profile: 'kv' });
    for (const readPath of READ_PATHS) {
      for (const chunkBytes of [64 * 1024, 16 * MiB]) {
        const r = await transfer(pair, fixture, readPath, chunkBytes);
        assert.equal(r.outcome.kind, 'complete', `${readPath} ${chunkBytes}`);
        for (const [who, peak] of [
          ['sender', r.senderRssPeakBytes],
          ['receiver', r.receiverRssPeakBytes],
        ] as const) {
          assert.ok(
            peak! < 160 * MiB,
            `${readPath}, ${chunkBytes} B writes: ${who} peak ${(peak! / MiB).toFixed(1)} MiB`,
          );
        }
      }
    }
  } finally {
    await pair.stop();
    // the 1 GB fixture goes with the temp folder (after())
  }
});
