/**
 * A fixture that changes under a run, through a test hook that acts between
 * transfers (deterministic): real workers, real files. The sender notices and
 * the record says fixture-error, never a TLS finding (truncated, corrupt,
 * SILENT, "avoid these ways of ending").
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, readSync, rmSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import { markdownSummary } from '../../src/report/markdown.ts';
import { recommendation } from '../../src/report/tuning.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult, TransferRecord } from '../../src/results.ts';
import { tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('fixture-changed');
});
after(() => tmp.remove());

/** Overwrites one byte of `path` in place (same size: only the CRC tells). */
function flipByte(path: string, at: number): void {
  const fd = openSync(path, 'r+');
  try {
    const buf = Buffer.alloc(1);
    readSync(fd, buf, 0, 1, at);
    // XOR with a constant: applied twice, the file is whole again.
    buf[0] = buf[0]! ^ 0x5a;
    writeSync(fd, buf, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

/**
 * A run of `iterations` transfers of each size; `between(n, record)` runs after transfer n (1-based) ends, before the
 * next starts.
 */
async function run(
  dir: string,
  raw: Record<string, string>,
  between: (n: number, r: TransferRecord) => void,
): Promise<RunResult> {
  const config = resolveConfig([
    { where: 'flags', raw: { chunks: '64KiB', suites: 'TLS_AES_128_GCM_SHA256', warmup: '0', ...raw } },
  ]);
  let n = 0;
  return runBenchmark(config, {
    runId: 'test-fixture-changed',
    command: 'test',
    fixturesDir: dir,
    hooks: { onTransferDone: (r) => between(++n, r) },
  });
}

const kinds = (r: RunResult): string[] => r.records.map((x) => x.outcome.kind);

test(
  '--source file: a byte flipped, then restored, then the file truncated: fixture-error each time it differs, ' +
    'complete when whole',
  async () => {
    const dir = join(tmp.dir, 'file');
    const path = (): string =>
      join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.sst'))!,
      );
    const result = await run(dir, { sizes: '1MB', iterations: '4', source: 'file' }, (n) => {
      if (n === 1 || n === 2) flipByte(path(), 100_000);
      if (n === 3) truncateSync(path(), 500_000);
    });
    assert.deepEqual(kinds(result), ['complete', 'fixture-error', 'complete', 'fixture-error']);
    const [, flipped, , cut] = result.records;
    assert.match(
      flipped!.outcome.errorMessage!,
      /^fixture .*sst-kv-1MB-seed\d+\.sst has CRC32C [0-9a-f]{8}, expected [0-9a-f]{8}: it changed during the run$/,
    );
    assert.match(
      cut!.outcome.errorMessage!,
      /^fixture .*\.sst is 500000 bytes, expected 1000000: it was truncated or rewritten during the run$/,
    );
    for (const r of [flipped!, cut!]) {
      assert.equal(r.outcome.errorCode, 'FIXTURE_CHANGED');
      assert.equal(r.silentLoss, false);
      assert.equal(r.mbPerSec, null);
    }
    // No TLS finding comes of it: no silent loss, no advice against `end`.
    const md = markdownSummary(result);
    assert.doesNotMatch(md, /SILENT \d|Avoid these ways of ending|truncated \d|\| truncated/);
    assert.match(md, /No measured transfer lost data silently\./);
    assert.deepEqual(recommendation(result, result.scenarios).silentLoss, []);
  },
);

test('fixtures clean during a run: the run goes on and records fixture-error, no crash', async () => {
  const dir = join(tmp.dir, 'clean');
  const result = await run(dir, { sizes: '1MB', iterations: '3', source: 'file' }, (n) => {
    if (n === 1) for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
  });
  assert.deepEqual(kinds(result), ['complete', 'fixture-error', 'fixture-error']);
  assert.match(
    result.records[1]!.outcome.errorMessage!,
    /^fixture .*\.sst cannot be read \(ENOENT\): it was removed or replaced during the run$/,
  );
});

test(
  '--source memory: the image is checked when it is loaded; a verified image is served whole whatever the file ' +
    'does later',
  async () => {
    const dir = join(tmp.dir, 'memory');
    const result = await run(dir, { sizes: '1MB,2MB', iterations: '2', source: 'memory' }, (n) => {
      const files = readdirSync(dir).filter((f) => f.endsWith('.sst'));
      // After the first 1 MB transfer: damage the loaded 1 MB file (its image is already verified) and the 2 MB one (not
      // loaded yet).
      if (n === 1) for (const f of files) flipByte(join(dir, f), 200_000);
    });
    assert.deepEqual(
      result.records.map((r) => [r.scenario.sizeBytes, r.outcome.kind]),
      [
        [1_000_000, 'complete'],
        [1_000_000, 'complete'],
        [2_000_000, 'fixture-error'],
        [2_000_000, 'fixture-error'],
      ],
    );
    assert.match(
      result.records[2]!.outcome.errorMessage!,
      /^fixture .*sst-kv-2MB-seed\d+\.sst read into memory is 2000000 bytes with CRC32C [0-9a-f]{8}, expected 2000000 bytes with [0-9a-f]{8}: it changed during the run$/,
    );
    // The cache itself notices at the next start and makes the file anew.
    const fixtures = await new FixtureCache(dir).list();
    assert.equal(fixtures.length, 2);
  },
);

test('an external sender (openssl s_server) reads the file as it is: checked first, a changed one is a fixture-error', async () => {
  const dir = join(tmp.dir, 'openssl');
  const result = await run(dir, { sizes: '1MB', iterations: '2', senderPeer: 'openssl' }, (n) => {
    if (n === 1) for (const f of readdirSync(dir).filter((x) => x.endsWith('.sst'))) flipByte(join(dir, f), 300_000);
  });
  assert.deepEqual(kinds(result), ['complete', 'fixture-error']);
  assert.match(
    result.records[1]!.outcome.errorMessage!,
    /has CRC32C [0-9a-f]{8}, expected [0-9a-f]{8}: it changed during the run$/,
  );
});

test(
  'a Kvrocks sync whose checkpoint files are removed mid-run: fixture-error, not a truncated sync blamed on the ' +
    'stream',
  async () => {
    // Sequential: the files go after the first transfer, so which records follow depends on the order.
    const dir = join(tmp.dir, 'kvrocks');
    const result = await run(
      dir,
      {
        protocol: 'kvrocks',
        checkpoint: '16MB',
        fileSize: '4MB',
        chunks: '16KiB',
        iterations: '2',
        streams: '1,4',
        order: 'sequential',
      },
      (n) => {
        if (n === 1) for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
      },
    );
    assert.deepEqual(
      result.records.map((r) => [r.scenario.streams, r.outcome.kind]),
      [
        [1, 'complete'],
        [1, 'fixture-error'],
        [4, 'fixture-error'],
        [4, 'fixture-error'],
      ],
    );
    assert.match(
      result.records[1]!.outcome.errorMessage!,
      /^fixture .*\.sst cannot be read \(ENOENT\): it was removed or replaced during the run$/,
    );
    assert.doesNotMatch(markdownSummary(result), /SILENT \d|Avoid these ways of ending|truncated \d|\| truncated/);
  },
);
