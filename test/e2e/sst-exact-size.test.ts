// A fixture is exactly the requested number of bytes, at awkward sizes and
// across the sizes where the tail's varints grow, and sst_dump still verifies it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_PROFILES, type FixtureProfile } from '../../src/fixtures/types.ts';
import { writeSstFile } from '../../src/sst/file.ts';
import { readSstLayout } from '../../src/sst/layout.ts';
import { MAX_FIXTURE_BYTES, MIN_FIXTURE_BYTES, sstBuffer, sstChunks } from '../../src/sst/writer.ts';

const AWKWARD_SIZES = [MIN_FIXTURE_BYTES, MIN_FIXTURE_BYTES + 1, 1_000_001, 4 * 2 ** 20, 16_777_217];

let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sst-exact-size-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function sstDumpVerify(path: string): string {
  const r = spawnSync('sst_dump', [`--file=${path}`, '--command=verify', '--verify_checksum'], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'sst_dump is not on PATH: install RocksDB tools (Debian/Ubuntu: apt-get install rocksdb-tools); this ' +
        'test needs it',
    );
  }
  if (r.error) throw r.error;
  const output = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, output);
  assert.match(output, /^The file is ok$/m);
  return output;
}

async function assertExactAndValid(profile: FixtureProfile, sizeBytes: number): Promise<void> {
  const path = join(dir, `${profile}-${sizeBytes}.sst`);
  const summary = writeSstFile(path, { profile, sizeBytes, seed: 3 });
  assert.equal(summary.sizeBytes, sizeBytes);
  assert.equal((await stat(path)).size, sizeBytes, `${profile} ${sizeBytes}`);
  sstDumpVerify(path);
  await rm(path);
}

for (const sizeBytes of AWKWARD_SIZES) {
  test(`${sizeBytes} bytes: every profile comes out exact and sst_dump verifies it`, async () => {
    for (const profile of FIXTURE_PROFILES) await assertExactAndValid(profile, sizeBytes);
  });
}

/** Bytes of the properties block's padding (see writer.ts): > 0 where a varint step skipped the size. */
async function paddingOf(bytes: Uint8Array): Promise<number> {
  const layout = await readSstLayout(bytes);
  return layout.properties.get('tls-sst-bench.padding')?.length ?? -1;
}

test('every size from 16.5 to 17.5 KiB is exact: the tail offsets pass 2^14 there, so their varints grow', async () => {
  const padded: { profile: FixtureProfile; sizeBytes: number }[] = [];
  for (const profile of FIXTURE_PROFILES) {
    for (let sizeBytes = 16.5 * 1024; sizeBytes < 17.5 * 1024; sizeBytes++) {
      const { bytes } = sstBuffer({ profile, sizeBytes, seed: sizeBytes });
      assert.equal(bytes.length, sizeBytes, `${profile} ${sizeBytes}`);
      if ((await paddingOf(bytes)) > 0) padded.push({ profile, sizeBytes });
    }
  }
  // The sizes that needed padding are the fiddly ones: sst_dump must accept them too.
  assert.ok(padded.length > 0, 'some size in the range needed padding');
  for (const p of padded.slice(0, 6)) await assertExactAndValid(p.profile, p.sizeBytes);
});

test('sizes around where the data section passes 2^21 bytes are exact', async () => {
  // Smallest size whose index block starts at or after 2^21 (the index offset is stored as a varint).
  const indexOffset = async (sizeBytes: number) =>
    (await readSstLayout(sstBuffer({ profile: 'incompressible', sizeBytes, seed: 3 }).bytes)).footer.index.offset;
  let lo = 2 ** 21;
  let hi = 2 ** 21 + 64 * 1024;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await indexOffset(mid)) >= 2 ** 21) hi = mid;
    else lo = mid + 1;
  }
  for (let sizeBytes = lo - 40; sizeBytes <= lo + 40; sizeBytes++) {
    assert.equal(
      sstBuffer({ profile: 'incompressible', sizeBytes, seed: 3 }).bytes.length,
      sizeBytes,
      `size ${sizeBytes}`,
    );
  }
});

test('sizes outside 16 KiB..4 GiB, or not whole numbers, throw RangeError before any byte', () => {
  for (const sizeBytes of [MIN_FIXTURE_BYTES - 1, 0, -1, 1000.5, Number.NaN, MAX_FIXTURE_BYTES + 1]) {
    assert.throws(() => sstChunks({ profile: 'kv', sizeBytes, seed: 1 }), RangeError, `size ${sizeBytes}`);
  }
  assert.throws(() => sstChunks({ profile: 'kv', sizeBytes: MIN_FIXTURE_BYTES, seed: -1 }), RangeError);
});
