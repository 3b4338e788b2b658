// Fixture generation speed and memory, against the disk's own speed.
//
//   node --import tsx bench/fixtures.bench.ts [profile]     (default profile: kv)
//
// Writes 256 MB and 1 GB fixtures (10^6-byte MB) and 1 GiB of
// crypto.randomFillSync bytes, in the same chunk size, to one temp dir; times
// each write loop (then fsyncs, timed separately); samples RSS. Fails (exit 1)
// if fixture writing is slower than half the random-bytes baseline, if peak
// RSS reaches 128 MiB, or if sst_dump rejects a fixture. Deletes what it wrote.
// Fixtures are generated with reuseChunks (each chunk is written before the
// next is asked for), as a disk writer should; the baseline reuses its buffer too.
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_PROFILES, type FixtureProfile, type FixtureSummary } from '../src/fixtures/types.ts';
import { SST_CHUNK_BYTES, sstChunks } from '../src/sst/writer.ts';

const FIXTURE_SIZES = [256_000_000, 1_000_000_000] as const;
const BASELINE_BYTES = 2 ** 30;
const MIN_RATIO = 0.5;
const MAX_RSS_BYTES = 128 * 2 ** 20;
const DISK_MARGIN_BYTES = 512 * 2 ** 20;
/** Let the RSS sampler's timer run every this many chunks. */
const YIELD_EVERY_CHUNKS = 64;

const MiB = 2 ** 20;
const fmtMiB = (n: number): string => `${(n / MiB).toFixed(1)} MiB`;
const mbPerSec = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

let peakRssBytes = 0;
const sampleRss = (): void => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
};
const yieldToTimers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Timing {
  readonly bytes: number;
  readonly writeMs: number;
  readonly fsyncMs: number;
}

async function writeChunks(path: string, next: () => Buffer | undefined): Promise<Timing> {
  const fd = openSync(path, 'w', 0o600);
  try {
    let bytes = 0;
    let chunks = 0;
    const t0 = performance.now();
    for (let chunk = next(); chunk !== undefined; chunk = next()) {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off);
      bytes += chunk.length;
      if (++chunks % YIELD_EVERY_CHUNKS === 0) {
        sampleRss();
        await yieldToTimers();
      }
    }
    const t1 = performance.now();
    fsyncSync(fd);
    return { bytes, writeMs: t1 - t0, fsyncMs: performance.now() - t1 };
  } finally {
    closeSync(fd);
  }
}

async function writeFixture(
  path: string,
  profile: FixtureProfile,
  sizeBytes: number,
): Promise<Timing & { summary: FixtureSummary }> {
  const gen = sstChunks({ profile, sizeBytes, seed: 1 }, { reuseChunks: true });
  let summary: FixtureSummary | undefined;
  const timing = await writeChunks(path, () => {
    const step = gen.next();
    if (!step.done) return step.value;
    summary = step.value;
    return undefined;
  });
  if (!summary) throw new Error('generator ended without a summary');
  return { ...timing, summary };
}

async function writeRandom(path: string, bytes: number, chunkBytes: number): Promise<Timing> {
  const buf = Buffer.allocUnsafe(chunkBytes);
  let left = bytes;
  return writeChunks(path, () => {
    if (left === 0) return undefined;
    const n = Math.min(left, chunkBytes);
    left -= n;
    return randomFillSync(buf, 0, n).subarray(0, n);
  });
}

function sstDump(args: readonly string[]): { ok: boolean; output: string } {
  const r = spawnSync('sst_dump', args, { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    return {
      ok: false,
      output: missing ? 'sst_dump not on PATH (Debian/Ubuntu: apt-get install rocksdb-tools)' : String(r.error),
    };
  }
  const output = `${r.stdout}${r.stderr}`;
  return { ok: r.status === 0 && !/Corruption/i.test(output), output };
}

function row(label: string, t: Timing, baselineMbPerSec?: number): string {
  const w = mbPerSec(t.bytes, t.writeMs);
  const wf = mbPerSec(t.bytes, t.writeMs + t.fsyncMs);
  const ratio = baselineMbPerSec === undefined ? '' : `  ratio ${(w / baselineMbPerSec).toFixed(2)}`;
  return (
    `${label.padEnd(34)} ${t.bytes.toString().padStart(11)} B  write ${w.toFixed(0).padStart(5)} MB/s  ` +
    `write+fsync ${wf.toFixed(0).padStart(5)} MB/s${ratio}`
  );
}

async function main(): Promise<number> {
  const profileArg = process.argv[2] ?? 'kv';
  if (!(FIXTURE_PROFILES as readonly string[]).includes(profileArg)) {
    process.stderr.write(`unknown profile ${profileArg}: use one of ${FIXTURE_PROFILES.join(', ')}\n`);
    return 2;
  }
  const profile = profileArg as FixtureProfile;
  const base = tmpdir();
  const need = FIXTURE_SIZES.reduce((a, b) => a + b, 0) + BASELINE_BYTES + DISK_MARGIN_BYTES;
  const fs = await statfs(base);
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    process.stderr.write(
      `fixtures bench: not enough free disk in ${base}: ${fmtMiB(free)} free, needs ${fmtMiB(need)} (fixtures ` +
        `+ 1 GiB baseline + margin); set TMPDIR to a bigger disk\n`,
    );
    return 1;
  }

  const dir = await mkdtemp(join(base, 'tls-sst-bench-fixtures-'));
  const timer = setInterval(sampleRss, 10);
  const cleanup = (): void => {
    void rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const failures: string[] = [];
  try {
    console.log(`fixtures bench: profile ${profile}, chunk ${SST_CHUNK_BYTES} B, dir ${dir}, MB = 10^6 bytes`);

    // Generation alone, into memory (no disk), for the record.
    {
      const t0 = performance.now();
      let bytes = 0;
      let chunks = 0;
      const gen = sstChunks({ profile, sizeBytes: FIXTURE_SIZES[1], seed: 2 }, { reuseChunks: true });
      for (let s = gen.next(); !s.done; s = gen.next()) {
        bytes += s.value.length;
        if (++chunks % YIELD_EVERY_CHUNKS === 0) {
          sampleRss();
          await yieldToTimers();
        }
      }
      console.log(
        `${'generate only (memory), 1 GB'.padEnd(34)} ${bytes.toString().padStart(11)} B  ${mbPerSec(
          bytes,
          performance.now() - t0,
        )
          .toFixed(0)
          .padStart(5)} MB/s`,
      );
    }

    const results: { path: string; sizeBytes: number; timing: Timing; summary: FixtureSummary }[] = [];
    for (const sizeBytes of FIXTURE_SIZES) {
      const path = join(dir, `${profile}-${sizeBytes}.sst`);
      const r = await writeFixture(path, profile, sizeBytes);
      if (r.bytes !== sizeBytes) failures.push(`fixture ${sizeBytes}: wrote ${r.bytes} bytes`);
      results.push({ path, sizeBytes, timing: r, summary: r.summary });
    }
    const randomPath = join(dir, 'random.bin');
    const random = await writeRandom(randomPath, BASELINE_BYTES, SST_CHUNK_BYTES);
    await rm(randomPath, { force: true });
    const baseline = mbPerSec(random.bytes, random.writeMs);

    console.log(row('crypto.randomFillSync 1 GiB', random));
    for (const r of results) {
      const label = `fixture ${profile} ${r.sizeBytes / 1e6} MB`;
      console.log(row(label, r.timing, baseline));
      const ratio = mbPerSec(r.timing.bytes, r.timing.writeMs) / baseline;
      if (ratio < MIN_RATIO) failures.push(`${label}: ratio ${ratio.toFixed(2)} < ${MIN_RATIO}`);
    }

    sampleRss();
    const maxRss = process.resourceUsage().maxRSS * 1024;
    const peak = Math.max(peakRssBytes, maxRss);
    console.log(`peak RSS: sampled ${fmtMiB(peakRssBytes)}, maxRSS ${fmtMiB(maxRss)} (limit ${fmtMiB(MAX_RSS_BYTES)})`);
    if (peak >= MAX_RSS_BYTES) failures.push(`peak RSS ${fmtMiB(peak)} >= ${fmtMiB(MAX_RSS_BYTES)}`);

    for (const r of results) {
      const label = `sst_dump ${profile} ${r.sizeBytes / 1e6} MB`;
      const t0 = performance.now();
      const verify = sstDump([`--file=${r.path}`, '--command=verify', '--verify_checksum']);
      const verifyMs = performance.now() - t0;
      const verdict =
        verify.output.split('\n').find((l) => /file is ok|Corruption|not a valid|not on PATH/i.test(l)) ??
        '(no verdict)';
      console.log(
        `${label}: verify --verify_checksum: ${verify.ok ? 'ok' : 'FAILED'}: ${verdict.trim()} (` +
          `${(verifyMs / 1000).toFixed(1)} s)`,
      );
      if (!verify.ok) failures.push(`${label} verify: ${verdict.trim()}`);
      const scan = sstDump([`--file=${r.path}`, '--command=scan', '--read_num=5']);
      const keys = scan.output
        .split('\n')
        .filter((l) => l.startsWith("'"))
        .map((l) => l.slice(0, l.indexOf(' => ')));
      console.log(
        `${label}: scan --read_num=5: ${scan.ok && keys.length === 5 ? 'ok' : 'FAILED'}: ${keys.join(' | ')}`,
      );
      if (!scan.ok || keys.length !== 5) failures.push(`${label} scan: ${scan.output.slice(-300)}`);
      console.log(`${label}: summary ${JSON.stringify(r.summary)}`);
    }
  } finally {
    clearInterval(timer);
    await rm(dir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.log(`FAIL\n  ${failures.join('\n  ')}`);
    return 1;
  }
  console.log('PASS');
  return 0;
}

process.exitCode = await main();
