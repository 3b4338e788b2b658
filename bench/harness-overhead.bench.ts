/**
 * Is the harness the bottleneck? Measures the suite against the honest
 * yardstick: bare two-process Node TLS pipes (bench/baseline/*.mjs: plain
 * JavaScript, no IPC, no watchdog, no tracing, no checking) that only count
 * the bytes, one per read path ('data' events, and onread into a reused
 * buffer). Bare pipes that also compute CRC32C inline (one per read path)
 * show what verifying on the read loop costs by itself.
 *
 * Processes come in generations (--generations, default 4): each generation
 * starts fresh bare and suite processes, runs every lane for --warmup-ms
 * (600) and throws that away (a new process runs at 40-60% of its speed for
 * its first ~0.5 s of traffic), then runs its share of the rounds. A process
 * keeps its own speed for its life (1-5% between two processes of the same
 * code here), so one generation's processes would bias every ratio alike.
 * Every round runs, per cell, bare and suite back to back for each read path
 * (the order flips every round), so drift hits both alike. A cell's ratio
 * is the geometric mean of its per-round ratios, with a 95% confidence
 * interval (Student t on the generations' mean logarithms: single transfers
 * vary by 10-20% on this VM, so one round decides nothing):
 *   data   = suite (read path data, every byte verified) / bare 'data' pipe
 *   onread = suite (--read-path onread:SIZE)             / bare onread pipe
 * and, reported but not judged, where a gap comes from:
 *   check  = bare pipe + the suite's CRC32C inline / bare pipe, per read path: what checking every byte costs
 *            by itself (no receiver that checks every byte can do better than this on this machine)
 *   rest   = suite / (bare pipe + CRC32C), per read path: what the suite costs beyond the check
 * Exit 1 if any cell's data or onread ratio is below 0.95; a ratio whose
 * interval holds 0.95 is marked `?` (more rounds would decide it).
 * The suite's receivers check every byte with the verifier this machine
 * chooses (inline native CRC32C, else the checker thread: printed in the
 * header); TLS_SST_BENCH_VERIFIER=thread|inline forces one.
 *
 *   npm run bench:baseline [-- --rounds 24 --generations 4 --warmup-ms 600
 *     --sizes 64MB,256MB --chunks 16KiB,64KiB,1MiB --filter CHACHA]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CHUNK_BOUNDS, SIZE_BOUNDS } from '../src/config/schema.ts';
import { formatBytes, parseBytes, parseBytesList } from '../src/config/units.ts';
import { FixtureCache } from '../src/fixtures/cache.ts';
import type { Fixture } from '../src/fixtures/types.ts';
import { makeScenario } from '../src/matrix.ts';
import { DEFAULT_FIXTURES_DIR } from '../src/paths.ts';
import { runTransfer } from '../src/runner/transfer.ts';
import { WorkerPair } from '../src/runner/workers.ts';
import { removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { ciHalfWidth, mean, median } from '../src/analysis/statistics.ts';
import { RunCertificates } from '../src/tls/certs.ts';
import { onreadBytes, parseReadPath, type ReadPath } from '../src/transfer/read-path.ts';
import { CRC32C } from '../src/transfer/crc32c.ts';
import { defaultVerifier } from '../src/transfer/verified-reader.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '24' },
    generations: { type: 'string', default: '4' },
    'warmup-ms': { type: 'string', default: '600' },
    sizes: { type: 'string', default: '64MB,256MB' },
    chunks: { type: 'string', default: '16KiB,64KiB,1MiB' },
    onread: { type: 'string', default: 'onread' },
    filter: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const generations = Math.min(rounds, Number(values.generations));
const warmupMs = Number(values['warmup-ms']);
for (const [flag, v, min] of [
  ['--rounds', rounds, 2],
  ['--generations', generations, 1],
  ['--warmup-ms', warmupMs, 0],
] as const)
  if (!Number.isInteger(v) || v < min) throw new Error(`${flag} ${v} is not accepted: a whole number >= ${min}`);
const sizes = parseBytesList(values.sizes, '--sizes', SIZE_BOUNDS);
const chunks = parseBytesList(values.chunks, '--chunks', CHUNK_BOUNDS);
const onread = parseReadPath(values.onread, '--onread');
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] as const;
const LIMIT = 0.95;

interface Cell {
  readonly sizeBytes: number;
  readonly chunk: number;
  readonly suite: (typeof SUITES)[number];
}
const cells: Cell[] = sizes.flatMap((sizeBytes) =>
  chunks.flatMap((chunk) => SUITES.map((suite) => ({ sizeBytes, chunk, suite }))),
);
const name = (c: Cell): string => `${formatBytes(c.sizeBytes)} ${formatBytes(c.chunk)} ${c.suite}`;
/** `--filter TEXT` keeps the cells whose size, chunk or suite name contains TEXT. */
const chosen = cells.filter((c) => values.filter === undefined || name(c).includes(values.filter));

interface Proc {
  readonly child: ChildProcess;
  readonly line: () => Promise<string>;
  readonly say: (text: string) => void;
}

/** A script that stays up; it is told what to do on stdin and answers line by line on stdout. */
function start(script: string, args: string[]): Proc {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`./baseline/${script}`, import.meta.url)), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    line: async () => {
      const next = await lines.next();
      if (next.done) throw new Error(`baseline ${script} ended early`);
      return next.value;
    },
    say: (text) => void child.stdin!.write(`${text}\n`),
  };
}

const fixtureCache = new FixtureCache(DEFAULT_FIXTURES_DIR);
const fixtures: Fixture[] = [];
for (const sizeBytes of sizes) fixtures.push(await fixtureCache.ensure({ sizeBytes, seed: 1, profile: 'kv' }));
const fixtureOf = (c: Cell): Fixture => fixtures[sizes.indexOf(c.sizeBytes)]!;

const dir = await mkdtemp(join(tmpdir(), 'tsb-baseline-'));
const certs = await (await RunCertificates.create()).get('ecdsa-p256');
// The plain-Node baseline reads files: the PEM written into this bench's private dir (removed at the end).
const pem = { key: join(dir, 'server.key'), cert: join(dir, 'server.pem'), ca: join(dir, 'ca.pem') };
writeFileSync(pem.key, certs.key, { mode: 0o600 });
writeFileSync(pem.cert, certs.cert, { mode: 0o600 });
writeFileSync(pem.ca, certs.caCert, { mode: 0o600 });
/** One generation of processes (see the header): the bare sender and receiver and the suite's worker pair. */
interface Generation {
  readonly sender: Proc;
  readonly receiver: Proc;
  readonly ports: ReadonlyMap<string, string>;
  readonly pair: WorkerPair;
}

async function startGeneration(): Promise<Generation> {
  const sender = start('sender.mjs', [pem.key, pem.cert, ...fixtures.map((f) => f.path)]);
  // The bare pipe's check uses the suite's own CRC32C kernels (its addon), so `check` is the check's cost alone.
  const receiver = start('receiver.mjs', [pem.ca, ...(CRC32C.addonPath !== null ? [CRC32C.addonPath] : [])]);
  const ports = new Map<string, string>();
  for (const suite of SUITES) {
    sender.say(`listen ${suite} 1.3`);
    ports.set(suite, (await sender.line()).split(' ')[1]!);
  }
  return { sender, receiver, ports, pair: await WorkerPair.start(dir) };
}

/** Ends a generation and waits until its processes are gone, so none of them runs beside the next one. */
async function stopGeneration(g: Generation): Promise<void> {
  const gone = [g.sender, g.receiver].map(({ child }) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit'),
  );
  g.sender.child.stdin!.end();
  g.receiver.child.stdin!.end();
  await g.pair.stop();
  await Promise.all(gone);
}

let gen: Generation | null = null;

type Check = 'count' | 'crc32c';

/** One transfer through the bare pipes: MB/s from the sender's first write to the receiver's end. */
async function bare(c: Cell, readPath: ReadPath, check: Check): Promise<number> {
  const { sender, receiver, ports } = gen!;
  const f = fixtureOf(c);
  sender.say(`chunk ${fixtures.indexOf(f)} ${c.chunk}`);
  await sender.line();
  const path = readPath === 'data' ? 'data' : `onread:${onreadBytes(readPath)}`;
  receiver.say(`${ports.get(c.suite)} ${c.suite} 1.3 ${path} ${check}`);
  const r = JSON.parse(await receiver.line()) as { bytes: number; crc: number; lastByteAtMs: number; suite: string };
  const s = JSON.parse(await sender.line()) as { firstByteAtMs: number; suite: string };
  const crcOk = check === 'count' || r.crc === f.crc32c;
  if (r.bytes !== f.sizeBytes || !crcOk || r.suite !== c.suite || s.suite !== c.suite)
    throw new Error(`baseline broke: ${JSON.stringify({ r, s })}`);
  return f.sizeBytes / 1e6 / ((r.lastByteAtMs - s.firstByteAtMs) / 1000);
}

/** One transfer through the suite's workers (memory source: the bare sender has the file in memory too). */
async function suite(c: Cell, readPath: ReadPath): Promise<number> {
  const f = fixtureOf(c);
  const scenario = makeScenario({ sizeBytes: f.sizeBytes, chunkBytes: c.chunk, suite: c.suite, readPath });
  const r = await runTransfer(gen!.pair, {
    runId: 'baseline',
    scenario,
    fixture: f,
    certs,
    source: 'memory',
    iteration: 0,
    warmup: false,
    stallTimeoutMs: 30_000,
  });
  if (r.outcome.kind !== 'complete' || r.suiteNegotiated !== c.suite)
    throw new Error(`suite transfer not complete: ${JSON.stringify(r.outcome)}`);
  return r.mbPerSec!;
}

const LANES = [
  'bare data',
  'suite data',
  'bare onread',
  'suite onread',
  'bare data+crc32c',
  'bare onread+crc32c',
] as const;
type Lane = (typeof LANES)[number];
/** Bare and suite back to back for each read path; the order alternates between rounds. */
function runLane(c: Cell, lane: Lane): Promise<number> {
  switch (lane) {
    case 'bare data':
      return bare(c, 'data', 'count');
    case 'suite data':
      return suite(c, 'data');
    case 'bare onread':
      return bare(c, onread, 'count');
    case 'suite onread':
      return suite(c, onread);
    case 'bare data+crc32c':
      return bare(c, 'data', 'crc32c');
    case 'bare onread+crc32c':
      return bare(c, onread, 'crc32c');
  }
}

const samples = new Map<Cell, Map<Lane, number[]>>(chosen.map((c) => [c, new Map(LANES.map((l) => [l, []]))]));
const startedAt = Date.now();
console.log(
  `suite vs bare byte-counting TLS pipes, TLS 1.3, memory source, ${rounds} rounds in ${generations} generations ` +
    `of processes (each warmed ${warmupMs} ms per lane, discarded), onread = ` +
    `${onread}; MB/s = 10^6 B/s, medians; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ` +
    `${process.versions.node}`,
);
console.log(
  `suite receivers check every byte: ${defaultVerifier()} verifier, CRC32C ${CRC32C.implementation}; ` +
    `bare+crc32c: ${CRC32C.addonPath !== null ? 'the same CRC32C' : '@node-rs/crc32'} inline on its read loop`,
);
let worst = Infinity;
/** The generation each round ran in: the interval is counted over generations (their processes differ). */
const roundGeneration: number[] = [];

/** Traffic on every lane, thrown away, until each has run warmupMs: a new process starts slow (its JIT). */
async function warmUp(): Promise<void> {
  for (const lane of LANES) {
    const t0 = Date.now();
    for (let i = 0; Date.now() - t0 < warmupMs; i++) await runLane(chosen[i % chosen.length]!, lane);
  }
}

try {
  for (let g = 0; g < generations; g++) {
    gen = await startGeneration();
    await warmUp();
    for (
      let round = Math.round((g * rounds) / generations);
      round < Math.round(((g + 1) * rounds) / generations);
      round++
    ) {
      roundGeneration.push(g);
      for (const c of chosen) {
        // suite first in odd rounds, bare first in even ones: neither always runs on a warmer cache
        const order: readonly Lane[] = round % 2 === 0 ? LANES : [...LANES].reverse();
        for (const lane of order)
          samples
            .get(c)!
            .get(lane)!
            .push(await runLane(c, lane));
      }
    }
    await stopGeneration(gen);
    gen = null;
  }
  console.log(
    'size    chunk  suite                          bare data  suite data  ratio [95% CI]         bare onread  ' +
      'suite onread  ratio [95% CI]         check rest (data)  check rest (onread)',
  );
  for (const c of chosen) {
    const s = samples.get(c)!;
    /**
     * Geometric mean of the per-round ratios a/b, with its 95% interval: over the generations' own means when there
     * are 3 or more (rounds of one generation share its processes, so they are not independent), else over rounds.
     */
    const ratio = (a: Lane, b: Lane): { r: number; lo: number; hi: number } => {
      const logs = s.get(a)!.map((x, i) => Math.log(x / s.get(b)![i]!));
      const byGeneration = Array.from({ length: generations }, (_, g) =>
        mean(logs.filter((_, i) => roundGeneration[i] === g)),
      );
      const m = mean(logs);
      const spread = generations >= 3 ? byGeneration : logs;
      const h = spread.length > 1 ? ciHalfWidth(spread) : Infinity;
      return { r: Math.exp(m), lo: Math.exp(m - h), hi: Math.exp(m + h) };
    };
    const data = ratio('suite data', 'bare data');
    const onr = ratio('suite onread', 'bare onread');
    worst = Math.min(worst, data.r, onr.r);
    const m = (l: Lane, w: number): string => median(s.get(l)!).toFixed(0).padStart(w);
    const f3 = (a: Lane, b: Lane): string => ratio(a, b).r.toFixed(3);
    const judged = (x: { r: number; lo: number; hi: number }): string => {
      const mark = x.r < LIMIT ? '!' : x.lo < LIMIT ? '?' : ' ';
      return `${x.r.toFixed(3)}${mark} [${x.lo.toFixed(3)}, ${x.hi.toFixed(3)}]`.padEnd(22);
    };
    console.log(
      `${formatBytes(c.sizeBytes).padEnd(6)}  ${formatBytes(c.chunk).padEnd(5)}  ${c.suite.padEnd(29)}  ` +
        `${m('bare data', 9)}  ${m('suite data', 10)}  ${judged(data)} ${m('bare onread', 11)}  ` +
        `${m('suite onread', 12)}  ${judged(onr)} ${f3('bare data+crc32c', 'bare data')} ` +
        `${f3('suite data', 'bare data+crc32c')}        ${f3('bare onread+crc32c', 'bare onread')} ` +
        `${f3('suite onread', 'bare onread+crc32c')}`,
    );
  }
} finally {
  if (gen) await stopGeneration(gen);
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
console.log(`took ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
console.log(
  'check = bare pipe + CRC32C inline / bare pipe, same read path (what checking every byte costs by itself); ' +
    'rest = suite / (bare pipe + CRC32C) (what the suite costs beyond the check); ' +
    '? = the 95% interval holds 0.95',
);
console.log(
  `worst ratio (suite / bare byte-counting pipe, same read path): ${worst.toFixed(3)} ` +
    `${worst >= LIMIT ? `>= ${LIMIT}: the harness is not the bottleneck` : `< ${LIMIT}: THE HARNESS COSTS THROUGHPUT`}`,
);
process.exitCode = worst >= LIMIT ? 0 : 1;
