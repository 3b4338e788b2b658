import assert from 'node:assert/strict';
import { openSync, readFileSync, statSync, writeSync, closeSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { FixtureCache, fixtureName } from '../../src/fixtures/cache.ts';
import { tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('cache');
});
after(() => tmp.remove());

const spec = { sizeBytes: 1_000_000, seed: 7, profile: 'kv' as const };

test('generates the exact size, records it in the manifest, and reuses it', async () => {
  const cache = new FixtureCache(tmp.dir);
  const f = await cache.ensure(spec);
  assert.equal(f.name, 'sst-kv-1MB-seed7.sst');
  assert.equal(f.name, fixtureName(spec));
  assert.equal(statSync(f.path).size, 1_000_000);
  assert.equal(f.crc32c, crc32c(readFileSync(f.path)));
  assert.ok(f.dataBlocks > 100);
  const manifest = JSON.parse(readFileSync(join(tmp.dir, 'manifest.json'), 'utf8')) as {
    fixtures: Record<string, { crc32c: number; requestedBytes: number; sizeBytes: number }>;
  };
  assert.equal(manifest.fixtures[f.name]!.crc32c, f.crc32c);
  assert.equal(manifest.fixtures[f.name]!.requestedBytes, 1_000_000);
  const mtime = statSync(f.path).mtimeMs;
  const again = await new FixtureCache(tmp.dir).ensure(spec);
  assert.deepEqual(again, f);
  assert.equal(statSync(f.path).mtimeMs, mtime, 'reused, not regenerated');
  assert.deepEqual(
    readdirSync(tmp.dir).filter((n) => n.startsWith('.tmp-')),
    [],
  );
});

test('a file that does not match its manifest entry is generated anew, never used', async () => {
  const cache = new FixtureCache(tmp.dir);
  const f = await cache.ensure(spec);
  const fd = openSync(f.path, 'r+');
  writeSync(fd, Buffer.from([0xff, 0xff]), 0, 2, 500_000);
  closeSync(fd);
  const entry = await cache.entry(f.name);
  assert.equal(await cache.status(entry!), 'wrong-crc32c');
  const fresh = await new FixtureCache(tmp.dir).ensure(spec);
  assert.equal(crc32c(readFileSync(fresh.path)), f.crc32c);
  assert.equal(await cache.status(entry!), 'ok');
});

test('list and clean', async () => {
  const cache = new FixtureCache(tmp.dir);
  await cache.ensure({ ...spec, sizeBytes: 100_000 });
  const names = (await cache.list()).map((f) => f.name);
  assert.deepEqual(names, ['sst-kv-100KB-seed7.sst', 'sst-kv-1MB-seed7.sst']);
  const removed = await cache.clean();
  assert.equal(removed.length, 3);
  assert.deepEqual(await cache.list(), []);
  assert.deepEqual(readdirSync(tmp.dir), []);
});

test('a fixture larger than the free disk space is refused before anything is written', async () => {
  const { assertDiskSpace } = await import('../../src/fixtures/cache.ts');
  const { statfs } = await import('node:fs/promises');
  const fs = await statfs(tmp.dir);
  const free = fs.bavail * fs.bsize;
  await assert.rejects(
    assertDiskSpace(tmp.dir, free),
    (err: Error & { code?: string }) =>
      err.code === 'USAGE' &&
      /^not enough disk for a .* fixture in .*: .* free, need .* \(size \+ .* margin\)$/.test(err.message),
  );
  await assertDiskSpace(tmp.dir, 1024); // a small one fits
  assert.deepEqual(
    readdirSync(tmp.dir).filter((n) => n.startsWith('.tmp-')),
    [],
  );
});
