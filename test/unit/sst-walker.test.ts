// The block walker counts the whole, checksum-valid data blocks of a prefix:
// exactly those whose trailer ends at or before the cut, stopping at a damaged one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_PROFILES, type FixtureProfile, type FixtureSummary } from '../../src/fixtures/types.ts';
import { BLOCK_TRAILER_BYTES } from '../../src/sst/format.ts';
import { readSstLayout } from '../../src/sst/layout.ts';
import { Xoshiro128 } from '../../src/sst/prng.ts';
import { walkSstFile, walkSstPrefix } from '../../src/sst/walker.ts';
import { sstBuffer } from '../../src/sst/writer.ts';

const SIZE = 4_000_000;
const CUTS = 50;

interface Fixture {
  readonly bytes: Buffer;
  readonly summary: FixtureSummary;
  readonly path: string;
  /** File offset just past each data block's trailer, read from the index block (not by walking). */
  readonly blockEnds: readonly number[];
}

let dir = '';
const fixtures = new Map<FixtureProfile, Fixture>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sst-walker-'));
  for (const profile of FIXTURE_PROFILES) {
    const { bytes, summary } = sstBuffer({ profile, sizeBytes: SIZE, seed: 11 });
    const layout = await readSstLayout(bytes);
    const path = join(dir, `${profile}.sst`);
    await writeFile(path, bytes);
    fixtures.set(profile, {
      bytes,
      summary,
      path,
      blockEnds: layout.dataBlocks.map((h) => h.offset + h.size + BLOCK_TRAILER_BYTES),
    });
  }
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function get(profile: FixtureProfile): Fixture {
  const f = fixtures.get(profile);
  assert.ok(f, 'fixture generated');
  return f;
}

/** 50 seeded cuts, plus the edges: empty, around one block end, whole file less one byte. */
function cutsFor(f: Fixture): number[] {
  const rng = new Xoshiro128(2024, 0);
  const cuts = Array.from({ length: CUTS }, () => rng.nextInt(0, f.bytes.length));
  const someEnd = f.blockEnds[100] as number;
  return [...cuts, 0, someEnd - 1, someEnd, someEnd + 1, f.bytes.length - 1];
}

for (const profile of FIXTURE_PROFILES) {
  test(`${profile}: at ${CUTS} seeded cuts, complete blocks = blocks whose trailer ends at or before the cut`, () => {
    const f = get(profile);
    assert.equal(f.blockEnds.length, f.summary.dataBlocks);
    for (const cut of cutsFor(f)) {
      const expected = f.blockEnds.filter((end) => end <= cut).length;
      const walk = walkSstPrefix(f.bytes.subarray(0, cut));
      assert.equal(walk.completeBlocks, expected, `cut at ${cut}`);
      assert.equal(walk.lastCompleteBlockEnd, expected === 0 ? 0 : f.blockEnds[expected - 1], `cut at ${cut}`);
      if (expected < f.summary.dataBlocks) {
        assert.equal(walk.firstBadBlock?.kind, 'truncated', `cut at ${cut}`);
        assert.equal(walk.firstBadBlock.index, expected);
      }
    }
  });

  test(`${profile}: the whole file walks to all data blocks and every entry, nothing bad`, () => {
    const f = get(profile);
    const walk = walkSstPrefix(f.bytes);
    assert.deepEqual(walk, {
      completeBlocks: f.summary.dataBlocks,
      lastCompleteBlockEnd: f.blockEnds.at(-1),
      entries: f.summary.entries,
    });
  });

  test(`${profile}: one flipped byte inside block k stops the walk at k complete blocks`, () => {
    const f = get(profile);
    const rng = new Xoshiro128(77, 1);
    for (let i = 0; i < 20; i++) {
      const k = rng.nextInt(0, f.summary.dataBlocks - 1);
      const start = k === 0 ? 0 : (f.blockEnds[k - 1] as number);
      const at = rng.nextInt(start, (f.blockEnds[k] as number) - 1);
      const damaged = Buffer.from(f.bytes);
      damaged[at] = (damaged[at] as number) ^ rng.nextInt(1, 255);
      const walk = walkSstPrefix(damaged);
      assert.equal(walk.completeBlocks, k, `block ${k}, byte ${at}`);
      assert.equal(walk.lastCompleteBlockEnd, start);
      assert.ok(walk.firstBadBlock, `block ${k}, byte ${at}: reported bad`);
      assert.equal(walk.firstBadBlock.index, k);
    }
  });

  test(`${profile}: walkSstFile agrees with walkSstPrefix`, async () => {
    const f = get(profile);
    for (const cut of [...cutsFor(f).slice(0, 10), f.bytes.length]) {
      assert.deepEqual(await walkSstFile(f.path, cut), walkSstPrefix(f.bytes.subarray(0, cut)), `cut at ${cut}`);
    }
  });
}
