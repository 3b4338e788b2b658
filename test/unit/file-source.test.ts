import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import type { Fixture } from '../../src/fixtures/types.ts';
import { SourceCache } from '../../src/transfer/source.ts';
import { tempDir } from '../support/helpers.ts';

/**
 * The sender's file source reuses its read buffers across transfers (the soak
 * benchmark saw fresh 1 MiB buffers per transfer as a step in the sender's RSS):
 * a second transfer reads into the buffers the first released, and the bytes
 * are still exactly the fixture's.
 */

let tmp: { dir: string; remove: () => Promise<void> };
let fixture: Fixture;

before(async () => {
  tmp = await tempDir('filesource');
  fixture = await new FixtureCache(tmp.dir).ensure({ sizeBytes: 3e6, seed: 7, profile: 'kv' });
});
after(() => tmp.remove());

/** One pass over the file as the sender makes it: every block released after use. */
async function pass(stopAfter = Infinity): Promise<{ crc: number; bytes: number; buffers: ArrayBuffer[] }> {
  const src = await new SourceCache().get('file', fixture.path);
  let crc = 0;
  let bytes = 0;
  const buffers: ArrayBuffer[] = [];
  for await (const block of src.blocks(16384)) {
    crc = crc32c(block.bytes, crc);
    bytes += block.bytes.length;
    buffers.push(block.bytes.buffer as ArrayBuffer);
    block.release();
    if (buffers.length >= stopAfter) break;
  }
  return { crc, bytes, buffers };
}

test('every byte of the fixture, in order, on every pass', async () => {
  for (let i = 0; i < 3; i++) {
    const p = await pass();
    assert.equal(p.bytes, 3e6);
    assert.equal(p.crc, fixture.crc32c);
  }
});

test('a later transfer reads into the buffers an earlier one released', async () => {
  const first = await pass();
  const second = await pass();
  // 3 MB in 1 MiB blocks: 3 blocks, read into the same 2 buffers (one being written, one read ahead).
  assert.equal(first.buffers.length, 3);
  assert.ok(
    second.buffers.every((b) => first.buffers.includes(b)),
    'second pass allocated new buffers',
  );
  assert.equal(new Set([...first.buffers, ...second.buffers]).size, 2);
});

test('a transfer that stops early gives its read-ahead buffer back too', async () => {
  await pass();
  const early = await pass(1);
  assert.equal(early.buffers.length, 1);
  const next = await pass();
  assert.equal(next.crc, fixture.crc32c);
  assert.equal(new Set([...early.buffers, ...next.buffers]).size, 2);
});
