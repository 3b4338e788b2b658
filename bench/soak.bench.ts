/**
 * Soak: many consecutive transfers in one run, to show that nothing grows.
 * Samples open file descriptors and RSS of the orchestrator (this process) and
 * both workers every 50 transfers, each right after a full GC (all three run
 * with --expose-gc), so a sample is what is alive, not how far V8 has let its
 * heap grow; exit 1 if any grows by more than 10% over its first sample, or if
 * any transfer did not complete.
 *
 * The young generation is pinned at its maximum (16 MiB per semi-space, V8's
 * default cap on 64-bit) in all three processes. Left to its heuristics, V8
 * grows it from 1 MiB at some point of the run (in the receiver typically
 * between transfers 250 and 350, depending on when the forced GCs fall), and
 * with it the native memory of the Buffers (TLS reads) that wait for the next
 * scavenge: a one-off step of 10-14 MiB of RSS that then stays flat. Pinned, the
 * first sample already has the young generation at full size, so growth after
 * it is real growth. MALLOC_ARENA_MAX=2 does not change the step; pinning the
 * semi-space at either end (1 or 16 MiB) removes it (README, "Failure behaviour").
 *
 *   npm run bench:soak [-- --transfers 500 --size 1MB]
 */
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIZE_BOUNDS } from '../src/config/schema.ts';
import { formatBytes, parseBytes } from '../src/config/units.ts';
import { FixtureCache } from '../src/fixtures/cache.ts';
import { makeScenario } from '../src/matrix.ts';
import { DEFAULT_FIXTURES_DIR } from '../src/paths.ts';
import { runTransfer } from '../src/runner/transfer.ts';
import { removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { WorkerPair, type Worker } from '../src/runner/workers.ts';
import type { WorkerMessage } from '../src/transfer/messages.ts';
import { RunCertificates } from '../src/tls/certs.ts';

const { values } = parseArgs({
  options: { transfers: { type: 'string', default: '500' }, size: { type: 'string', default: '1MB' } },
});
const transfers = Number(values.transfers);
const sizeBytes = parseBytes(values.size, '--size', SIZE_BOUNDS);
const EVERY = 50;

/** Open fds of a process, from /proc. */
const fdsOf = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

/** A worker's RSS and live JS heap right after a full GC. */
type Size = { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number };

async function afterGc(worker: Worker): Promise<Size> {
  const done = worker.next((m): m is Extract<WorkerMessage, { type: 'gc-done' }> => m.type === 'gc-done', 10_000);
  worker.post({ type: 'gc' });
  const { rssBytes, heapUsedBytes, heapTotalBytes } = await done;
  return { rssBytes, heapUsedBytes, heapTotalBytes };
}

function ownAfterGc(): Size {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal };
}

/**
 * The young generation at V8's 64-bit maximum from the start (see above); the npm script gives this process the same.
 */
const YOUNG_GENERATION = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

const fixture = await new FixtureCache(DEFAULT_FIXTURES_DIR).ensure({ sizeBytes, seed: 1, profile: 'kv' });
const dir = await mkdtemp(join(tmpdir(), 'tsb-soak-'));
const certs = await (await RunCertificates.create()).get('ecdsa-p256');
const pair = await WorkerPair.start(dir, {
  sender: ['--expose-gc', ...YOUNG_GENERATION],
  receiver: ['--expose-gc', ...YOUNG_GENERATION],
});
if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with node --expose-gc (npm run bench:soak does)');
if (!YOUNG_GENERATION.every((f) => process.execArgv.includes(f)))
  throw new Error(`run with node ${YOUNG_GENERATION.join(' ')} (npm run bench:soak does)`);
const scenario = makeScenario({ sizeBytes, chunkBytes: 16384 });
type Row = { after: number; who: string; fds: number } & Size;
const rows: Row[] = [];
let failures = 0;
const t0 = Date.now();
try {
  for (let i = 1; i <= transfers; i++) {
    const r = await runTransfer(pair, {
      runId: 'soak',
      scenario,
      fixture,
      certs,
      source: 'file',
      iteration: i,
      warmup: false,
      stallTimeoutMs: 15_000,
    });
    if (r.outcome.kind !== 'complete') failures += 1;
    if (i % EVERY === 0) {
      // Let the last transfer's sockets close before counting.
      await new Promise((res) => setTimeout(res, 100));
      rows.push({ after: i, who: 'orchestrator', fds: fdsOf(process.pid), ...ownAfterGc() });
      rows.push({ after: i, who: 'sender', fds: fdsOf(pair.sender.pid), ...(await afterGc(pair.sender)) });
      rows.push({ after: i, who: 'receiver', fds: fdsOf(pair.receiver.pid), ...(await afterGc(pair.receiver)) });
    }
  }
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
console.log(
  `soak: ${transfers} transfers of ${formatBytes(sizeBytes)} in ${((Date.now() - t0) / 1000).toFixed(1)} s, ` +
    `${failures} not complete, workers replaced: ${pair.allPids.length > 2 ? 'yes' : 'no'}`,
);
console.log('after  process        fds   RSS MiB  JS heap MiB  V8 heap size MiB');
for (const r of rows) {
  console.log(
    `${String(r.after).padStart(5)}  ${r.who.padEnd(12)} ${String(r.fds).padStart(5)}  ` +
      `${(r.rssBytes / 2 ** 20).toFixed(1).padStart(8)}  ${(r.heapUsedBytes / 2 ** 20).toFixed(1).padStart(11)}  ` +
      `${(r.heapTotalBytes / 2 ** 20).toFixed(1).padStart(16)}`,
  );
}
let worst = 0;
const growth: string[] = [];
for (const who of ['orchestrator', 'sender', 'receiver']) {
  const mine = rows.filter((r) => r.who === who);
  const first = mine[0]!;
  const last = mine.at(-1)!;
  const rss = Math.max(...mine.map((r) => r.rssBytes)) / first.rssBytes - 1;
  const fds = Math.max(...mine.map((r) => r.fds)) / first.fds - 1;
  worst = Math.max(worst, rss, fds);
  const maxRss = Math.max(...mine.map((r) => r.rssBytes));
  growth.push(
    `${who}: fds ${first.fds} -> ${last.fds} (max +${(fds * 100).toFixed(1)}%), RSS ` +
      `${(first.rssBytes / 2 ** 20).toFixed(1)} -> ${(last.rssBytes / 2 ** 20).toFixed(1)} MiB, max ` +
      `${(maxRss / 2 ** 20).toFixed(1)} (+${(rss * 100).toFixed(1)}%), JS heap ` +
      `${(first.heapUsedBytes / 2 ** 20).toFixed(1)} -> ${(last.heapUsedBytes / 2 ** 20).toFixed(1)} MiB`,
  );
}
for (const g of growth) console.log(g);
const ok = worst <= 0.1 && failures === 0;
console.log(
  `worst growth over the first sample: ${(worst * 100).toFixed(1)}% ` +
    `${ok ? '(<= 10%: ok)' : '(> 10% or failures: NOT OK)'}`,
);
process.exitCode = ok ? 0 : 1;
