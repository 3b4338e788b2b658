// RocksDB's own sst_dump (7.8, Debian rocksdb-tools) accepts every fixture profile:
// checksums verify, entries scan back in order with the expected keys, and the
// table properties report the writer's summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_PROFILES, type FixtureProfile, type FixtureSummary } from '../../src/fixtures/types.ts';
import { writeSstFile } from '../../src/sst/file.ts';
import { fixtureSequence, fixtureUserKey } from '../../src/sst/keys.ts';
import { requirePrograms } from '../support/helpers.ts';

const SIZES = [1_000_000, 16_000_000] as const;

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function sstDump(args: readonly string[]): Run {
  const r = spawnSync('sst_dump', args, { encoding: 'utf8', maxBuffer: 512 * 2 ** 20 });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'sst_dump is not on PATH: install RocksDB tools (Debian/Ubuntu: apt-get install rocksdb-tools); this ' +
          'test needs it',
      );
    }
    throw r.error;
  }
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Entries of `sst_dump --output_hex` scan output: [user key, sequence, type]. */
function scannedEntries(output: string): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const m of output.matchAll(/^'([0-9A-F]*)' seq:(\d+), type:(\d+) => [0-9A-F]*$/gm)) {
    out.push([Buffer.from(m[1] as string, 'hex').toString('latin1'), Number(m[2]), Number(m[3])]);
  }
  return out;
}

function expectedEntries(profile: FixtureProfile, count: number): [string, number, number][] {
  return Array.from({ length: count }, (_, i) => [fixtureUserKey(profile, i), fixtureSequence(i), 1]);
}

let dir = '';
const fixtures: { profile: FixtureProfile; sizeBytes: number; path: string; summary: FixtureSummary }[] = [];

before(async () => {
  requirePrograms({ sst_dump: 'rocksdb-tools' });
  dir = await mkdtemp(join(tmpdir(), 'sst-dump-accepts-'));
  for (const profile of FIXTURE_PROFILES) {
    for (const sizeBytes of SIZES) {
      const path = join(dir, `${profile}-${sizeBytes}.sst`);
      const summary = writeSstFile(path, { profile, sizeBytes, seed: 42 });
      fixtures.push({ profile, sizeBytes, path, summary });
    }
  }
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('sst_dump is installed', () => {
  const r = sstDump(['--help']);
  assert.match(r.output, /sst_dump --file=/);
});

for (const profile of FIXTURE_PROFILES) {
  for (const sizeBytes of SIZES) {
    const get = () => {
      const f = fixtures.find((x) => x.profile === profile && x.sizeBytes === sizeBytes);
      assert.ok(f, 'fixture generated');
      return f;
    };
    const label = `${profile} ${sizeBytes} bytes`;

    test(`${label}: file has exactly the requested size`, async () => {
      const f = get();
      assert.equal((await stat(f.path)).size, sizeBytes);
      assert.equal(f.summary.sizeBytes, sizeBytes);
    });

    test(`${label}: sst_dump --command=verify --verify_checksum says the file is ok`, () => {
      const r = sstDump([`--file=${get().path}`, '--command=verify', '--verify_checksum']);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, /^The file is ok$/m);
      assert.doesNotMatch(r.output, /Corruption/i);
    });

    test(`${label}: scan --verify_checksum --read_num=5 gives the first 5 keys`, () => {
      const r = sstDump([
        `--file=${get().path}`,
        '--command=scan',
        '--verify_checksum',
        '--read_num=5',
        '--output_hex',
      ]);
      assert.equal(r.status, 0, r.output);
      assert.doesNotMatch(r.output, /Corruption/i);
      assert.deepEqual(scannedEntries(r.output), expectedEntries(profile, 5));
    });

    test(`${label}: --show_properties reports the summary's entries and data blocks`, () => {
      const f = get();
      const r = sstDump([`--file=${f.path}`, '--show_properties']);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, new RegExp(`^\\s*# data blocks: ${f.summary.dataBlocks}$`, 'm'));
      assert.match(r.output, new RegExp(`^\\s*# entries: ${f.summary.entries}$`, 'm'));
      assert.match(r.output, /^\s*SST file compression algo: NoCompression$/m);
      assert.match(r.output, /^\s*comparator name: leveldb\.BytewiseComparator$/m);
    });

    if (sizeBytes === 1_000_000) {
      test(`${label}: a full scan --verify_checksum reads every entry, in order, with no corruption`, () => {
        const f = get();
        const r = sstDump([`--file=${f.path}`, '--command=scan', '--verify_checksum', '--output_hex']);
        assert.equal(r.status, 0, r.output.slice(-2000));
        assert.doesNotMatch(r.output, /Corruption/i);
        const scanned = scannedEntries(r.output);
        assert.equal(scanned.length, f.summary.entries);
        assert.deepEqual(scanned, expectedEntries(profile, f.summary.entries));
      });
    }
  }
}
