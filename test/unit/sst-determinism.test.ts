// Same size, seed and profile -> byte-identical fixture, on any machine and for
// any chunking; the pinned digest guards the on-disk format against drift.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FixtureSpec } from '../../src/fixtures/types.ts';
import { writeSstFile } from '../../src/sst/file.ts';
import { sstBuffer } from '../../src/sst/writer.ts';

/** SHA-256 of the 1,000,000-byte kv fixture with seed 1. Changing it changes every cached fixture. */
const KV_1MB_SEED1_SHA256 = '878141a61f61d657f2959a4f1fc7124c2f86db917f5a7611531a51c766e62394';

let dir = '';
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sst-determinism-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** SHA-256 of the fixture as written to a file (reusing one chunk buffer). */
async function digest(spec: FixtureSpec, chunkBytes?: number): Promise<string> {
  const path = join(dir, `f${n++}.sst`);
  writeSstFile(path, spec, chunkBytes === undefined ? {} : { chunkBytes });
  const hash = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  await rm(path);
  return hash;
}

test('two generations of a 16 MB fixture are byte-identical, whatever the chunk size or chunk reuse', async () => {
  const spec: FixtureSpec = { profile: 'incompressible', sizeBytes: 16_000_000, seed: 7 };
  const first = await digest(spec);
  assert.equal(await digest(spec), first);
  assert.equal(await digest(spec, 48 * 1024), first);
  // In memory, from fresh chunks.
  assert.equal(createHash('sha256').update(sstBuffer(spec).bytes).digest('hex'), first);
});

test('the 1 MB kv fixture with seed 1 has the pinned SHA-256', async () => {
  assert.equal(await digest({ profile: 'kv', sizeBytes: 1_000_000, seed: 1 }), KV_1MB_SEED1_SHA256);
});

test('a different seed gives a different file', async () => {
  const a = await digest({ profile: 'kv', sizeBytes: 1_000_000, seed: 1 });
  const b = await digest({ profile: 'kv', sizeBytes: 1_000_000, seed: 2 });
  assert.notEqual(a, b);
});
