/**
 * Is the harness the bottleneck? Runs the same transfers, in turn, through a
 * bare two-process TLS pipe (bench/baseline/*.mjs: warm processes, no IPC, no
 * watchdog, no tracing, no usage metering) and through the suite's workers.
 * The bare pipe runs twice: counting bytes only, and counting plus CRC32C (the
 * least a receiver must do to know it got the file, and what the suite's
 * receiver does). Prints median MB/s and, per round, the ratios (their
 * median: a round runs back to back, so the VM's drift cancels out):
 *   harness = suite / bare+crc32c   (the suite's machinery; must be >= 0.95)
 *   verify  = bare+crc32c / bare    (what checking every byte costs; reported)
 * Exit 1 if any cell's harness ratio is below 0.95.
 *
 *   npm run bench:baseline [-- --rounds 9 --size 64MB]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SIZE_BOUNDS } from '../src/config/schema.ts';
import { formatBytes, parseBytes } from '../src/config/units.ts';
import { FixtureCache } from '../src/fixtures/cache.ts';
import type { Fixture } from '../src/fixtures/types.ts';
import { makeScenario } from '../src/matrix.ts';
import { DEFAULT_FIXTURES_DIR } from '../src/paths.ts';
import { runTransfer } from '../src/runner/transfer.ts';
import { WorkerPair } from '../src/runner/workers.ts';
import { removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { median } from '../src/analysis/statistics.ts';
import { RunCertificates, type CertFiles } from '../src/tls/certs.ts';
import type { TlsVersion } from '../src/tls/suites.ts';
import type { SourceName } from '../src/transfer/strategies.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, size: { type: 'string', default: '256MB' }, filter: { type: 'string' } } });
const rounds = Number(values.rounds);
const sizeBytes = parseBytes(values.size, '--size', SIZE_BOUNDS);

const cells: { suite: string; tls: TlsVersion; chunk: number }[] = [
  { suite: 'TLS_AES_128_GCM_SHA256', tls: '1.3', chunk: 16384 },
  { suite: 'TLS_AES_128_GCM_SHA256', tls: '1.3', chunk: 1048576 },
  { suite: 'TLS_CHACHA20_POLY1305_SHA256', tls: '1.3', chunk: 65536 },
  { suite: 'ECDHE-ECDSA-AES128-GCM-SHA256', tls: '1.2', chunk: 16384 },
];

/** `--filter TEXT` keeps the cells whose suite or chunk name contains TEXT. */
const chosen = cells.filter((c) => values.filter === undefined || `${c.suite} ${formatBytes(c.chunk)}`.includes(values.filter));

const SENDER = fileURLToPath(new URL('./baseline/sender.mjs', import.meta.url));
const RECEIVER = fileURLToPath(new URL('./baseline/receiver.mjs', import.meta.url));

interface Proc {
  readonly lines: AsyncIterator<string>;
  readonly child: ChildProcess;
  readonly done: Promise<void>;
}

/** Starts a script that stays up; its stdout is read line by line. */
function start(script: string, args: string[]): Proc {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return { lines, child, done };
}

async function line(p: Proc): Promise<string> {
  const next = await p.lines.next();
  if (next.done) throw new Error('baseline process ended early');
  return next.value;
}

/** A warm baseline pair for one cell: both processes persist across its rounds. */
async function startBaseline(f: Fixture, certs: CertFiles, cell: (typeof cells)[number], check: 'count' | 'crc32c'): Promise<{ once: () => Promise<number>; stop: () => Promise<void> }> {
  const sender = start(SENDER, [f.path, certs.keyPath, certs.certPath, cell.suite, cell.tls, String(cell.chunk)]);
  const port = await line(sender);
  const receiver = start(RECEIVER, [port, certs.caCertPath, cell.suite, cell.tls, check]);
  const once = async (): Promise<number> => {
    receiver.child.stdin!.write('go\n');
    const r = JSON.parse(await line(receiver)) as { bytes: number; crc: number; lastByteAtMs: number; suite: string };
    const s = JSON.parse(await line(sender)) as { firstByteAtMs: number; suite: string };
    const crcOk = check === 'count' || r.crc === f.crc32c;
    if (r.bytes !== f.sizeBytes || !crcOk || r.suite !== cell.suite || s.suite !== cell.suite) throw new Error(`baseline broke: ${JSON.stringify({ r, s })}`);
    return f.sizeBytes / 1e6 / ((r.lastByteAtMs - s.firstByteAtMs) / 1000);
  };
  const stop = async (): Promise<void> => {
    receiver.child.stdin!.end();
    sender.child.stdin!.end();
    await Promise.all([sender.done, receiver.done]);
  };
  return { once, stop };
}

async function suiteOnce(pair: WorkerPair, f: Fixture, certs: CertFiles, cell: (typeof cells)[number], source: SourceName, i: number): Promise<number> {
  const scenario = makeScenario({ sizeBytes: f.sizeBytes, chunkBytes: cell.chunk, tlsVersion: cell.tls, suite: cell.suite });
  const r = await runTransfer(pair, { runId: 'baseline', scenario, fixture: f, certs, source, iteration: i, warmup: false, stallTimeoutMs: 30_000 });
  if (r.outcome.kind !== 'complete' || r.suiteNegotiated !== cell.suite) throw new Error(`suite transfer not complete: ${JSON.stringify(r.outcome)}`);
  return r.mbPerSec!;
}


const fixture = await new FixtureCache(DEFAULT_FIXTURES_DIR).ensure({ sizeBytes, seed: 1, profile: 'kv' });
const dir = await mkdtemp(join(tmpdir(), 'tsb-baseline-'));
const certsRun = await RunCertificates.create(dir);
const certs = await certsRun.get('ecdsa-p256');
const pair = await WorkerPair.start(dir);
let worst = Infinity;
console.log(`harness vs bare TLS pipe: ${formatBytes(sizeBytes)} fixture, ${rounds} rounds per cell in turn, median MB/s (10^6 B/s), ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
console.log('suite                          tls  chunk     bare  bare+crc32c  suite(memory)  harness  verify  suite(file)  file/bare+crc');
try {
  for (const cell of chosen) {
    const bare: number[] = [];
    const bareCrc: number[] = [];
    const mem: number[] = [];
    const file: number[] = [];
    const plain = await startBaseline(fixture, certs, cell, 'count');
    const checked = await startBaseline(fixture, certs, cell, 'crc32c');
    // one unrecorded transfer each, as the suite's warm-up does
    await plain.once();
    await checked.once();
    await suiteOnce(pair, fixture, certs, cell, 'memory', -1);
    await suiteOnce(pair, fixture, certs, cell, 'file', -1);
    for (let i = 0; i < rounds; i++) {
      bare.push(await plain.once());
      bareCrc.push(await checked.once());
      mem.push(await suiteOnce(pair, fixture, certs, cell, 'memory', i));
      file.push(await suiteOnce(pair, fixture, certs, cell, 'file', i));
    }
    await plain.stop();
    await checked.stop();
    const ratio = (xs: number[], ys: number[]): number => median(xs.map((x, i) => x / ys[i]!));
    const harness = ratio(mem, bareCrc);
    worst = Math.min(worst, harness);
    console.log(
      `${cell.suite.padEnd(30)} ${cell.tls}  ${formatBytes(cell.chunk).padEnd(6)} ${median(bare).toFixed(1).padStart(7)}  ${median(bareCrc).toFixed(1).padStart(11)}  ${median(mem).toFixed(1).padStart(13)}  ${harness.toFixed(3).padStart(7)}  ${ratio(bareCrc, bare).toFixed(3).padStart(6)}  ${median(file).toFixed(1).padStart(11)}  ${ratio(file, bareCrc).toFixed(3).padStart(13)}`,
    );
  }
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
console.log(`worst harness ratio (suite, memory source / bare pipe + crc32c): ${worst.toFixed(3)} ${worst >= 0.95 ? '>= 0.95: the harness is not the bottleneck' : '< 0.95: THE HARNESS COSTS THROUGHPUT'}`);
process.exitCode = worst >= 0.95 ? 0 : 1;
