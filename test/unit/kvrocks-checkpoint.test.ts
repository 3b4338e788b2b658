import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { isUsageError } from '../../src/errors.ts';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import { maskCrc } from '../../src/sst/format.ts';
import type { Fixture } from '../../src/fixtures/types.ts';
import { buildCheckpoint, encodeManifest, planCheckpoint } from '../../src/protocols/kvrocks/checkpoint.ts';
import { tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('kvrocks-checkpoint');
});
after(() => tmp.remove());

test('250MB in 64MB files -> 64, 64, 64, 58 MB', () => {
  assert.deepEqual(planCheckpoint(250e6, 64e6), [64e6, 64e6, 64e6, 58e6]);
  assert.deepEqual(planCheckpoint(128e6, 64e6), [64e6, 64e6]);
  assert.deepEqual(planCheckpoint(10e6, 64e6), [10e6]);
});

test('a remainder below the smallest fixture (16 KiB) is merged into the file before it', () => {
  assert.deepEqual(planCheckpoint(128e6 + 16383, 64e6), [64e6, 64e6 + 16383]);
  assert.deepEqual(planCheckpoint(128e6 + 16384, 64e6), [64e6, 64e6, 16384]);
});

test('sizes below 16 KiB are refused with a usage error naming the value', () => {
  assert.throws(
    () => planCheckpoint(1000, 64e6),
    (e: unknown) => isUsageError(e) && /1000 bytes/.test((e as Error).message),
  );
  assert.throws(
    () => planCheckpoint(64e6, 1000),
    (e: unknown) => isUsageError(e) && /1000 bytes/.test((e as Error).message),
  );
});

/** Splits a RocksDB log into its records' fragments, checking each header's CRC. */
function logFragments(log: Buffer): { type: number; payload: Buffer }[] {
  const out: { type: number; payload: Buffer }[] = [];
  let p = 0;
  while (p < log.length) {
    const left = 32 * 1024 - (p % (32 * 1024));
    if (left < 7) {
      assert.ok(
        log.subarray(p, p + left).every((b) => b === 0),
        'block tail is zero-filled',
      );
      p += left;
      continue;
    }
    const length = log.readUInt16LE(p + 4);
    const type = log[p + 6]!;
    const payload = log.subarray(p + 7, p + 7 + length);
    assert.equal(
      log.readUInt32LE(p),
      maskCrc(crc32c(payload, crc32c(Buffer.from([type])))),
      `CRC of the fragment at ${p}`,
    );
    out.push({ type, payload });
    p += 7 + length;
  }
  return out;
}

test('builds SST files from the cache (distinct seeds), MANIFEST and CURRENT, deterministically', async () => {
  const cache = new FixtureCache(join(tmp.dir, 'fixtures'));
  const spec = { totalBytes: 100_000, fileBytes: 40_000, seed: 5, profile: 'kv' } as const;
  const cp = await buildCheckpoint(cache, spec);
  assert.deepEqual(
    cp.files.map((f) => [f.name, f.sizeBytes > 0]),
    [
      ['000101.sst', true],
      ['000102.sst', true],
      ['000103.sst', true],
      ['MANIFEST-000100', true],
      ['CURRENT', true],
    ],
  );
  assert.deepEqual(
    cp.files.slice(0, 3).map((f) => f.sizeBytes),
    [40_000, 40_000, 20_000],
  );
  for (const f of cp.files) {
    const bytes = readFileSync(f.path);
    assert.equal(bytes.length, f.sizeBytes, f.name);
    assert.equal(crc32c(bytes), f.crc32c, f.name);
  }
  assert.notEqual(cp.files[0]!.crc32c, cp.files[1]!.crc32c, 'files of distinct seeds differ');
  assert.equal(
    cp.totalBytes,
    cp.files.reduce((n, f) => n + f.sizeBytes, 0),
  );
  const current = cp.files.find((f) => f.name === 'CURRENT')!;
  assert.equal(readFileSync(current.path, 'latin1'), 'MANIFEST-000100\n');
  assert.ok(current.path.startsWith(join(tmp.dir, 'fixtures', 'kvrocks')));
  const manifest = cp.files.find((f) => f.name === 'MANIFEST-000100')!;
  assert.ok(manifest.sizeBytes > 100 && manifest.sizeBytes < 1000, `MANIFEST is ${manifest.sizeBytes} bytes`);
  assert.deepEqual(
    logFragments(readFileSync(manifest.path)).map((f) => f.type),
    [1],
  );

  const mtime = statSync(manifest.path).mtimeMs;
  const again = await buildCheckpoint(cache, spec);
  assert.deepEqual(again, cp);
  assert.equal(statSync(manifest.path).mtimeMs, mtime, 'an unchanged MANIFEST is not rewritten');
});

test('a MANIFEST larger than one 32 KiB log block is fragmented as RocksDB does', () => {
  const fixtures: Fixture[] = Array.from({ length: 600 }, (_, i) => ({
    name: `f${i}`,
    sizeBytes: 64e6,
    requestedBytes: 64e6,
    seed: i,
    profile: 'kv',
    crc32c: 0,
    dataBlocks: 1,
    entries: 400_000,
    path: '/nonexistent',
  }));
  const log = encodeManifest(fixtures);
  const frags = logFragments(log);
  assert.ok(frags.length >= 2);
  assert.deepEqual(
    frags.map((f) => f.type),
    [2, ...Array<number>(frags.length - 2).fill(3), 4],
  );
  assert.deepEqual(encodeManifest(fixtures), log);
});
