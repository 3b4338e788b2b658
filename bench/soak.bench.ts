/**
 * Soak: many consecutive transfers in one run, to show that nothing grows.
 * Samples open file descriptors and RSS of the orchestrator (this process) and
 * both workers every 50 transfers; exit 1 if any grows by more than 10% over
 * its first sample (taken after the first 50, when everything is warm), or if
 * any transfer did not complete.
 *
 *   npm run bench:soak [-- --transfers 500 --size 1MB]
 */
import { readdirSync, readFileSync } from 'node:fs';
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
import { WorkerPair } from '../src/runner/workers.ts';
import { RunCertificates } from '../src/tls/certs.ts';

const { values } = parseArgs({ options: { transfers: { type: 'string', default: '500' }, size: { type: 'string', default: '1MB' } } });
const transfers = Number(values.transfers);
const sizeBytes = parseBytes(values.size, '--size', SIZE_BOUNDS);
const EVERY = 50;

/** Open fds and resident memory of a process, from /proc. */
function usage(pid: number): { fds: number; rssBytes: number } {
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { fds, rssBytes: kb * 1024 };
}

const fixture = await new FixtureCache(DEFAULT_FIXTURES_DIR).ensure({ sizeBytes, seed: 1, profile: 'kv' });
const dir = await mkdtemp(join(tmpdir(), 'tsb-soak-'));
const certs = await (await RunCertificates.create(dir)).get('ecdsa-p256');
const pair = await WorkerPair.start(dir);
const scenario = makeScenario({ sizeBytes, chunkBytes: 16384 });
type Row = { after: number; who: string; fds: number; rssBytes: number };
const rows: Row[] = [];
let failures = 0;
const t0 = Date.now();
try {
  for (let i = 1; i <= transfers; i++) {
    const r = await runTransfer(pair, { runId: 'soak', scenario, fixture, certs, source: 'file', iteration: i, warmup: false, stallTimeoutMs: 15_000 });
    if (r.outcome.kind !== 'complete') failures += 1;
    if (i % EVERY === 0) {
      // Let the last transfer's sockets close before counting.
      await new Promise((res) => setTimeout(res, 100));
      for (const [who, pid] of [['orchestrator', process.pid], ['sender', pair.sender.pid], ['receiver', pair.receiver.pid]] as const) rows.push({ after: i, who, ...usage(pid) });
    }
  }
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
console.log(`soak: ${transfers} transfers of ${formatBytes(sizeBytes)} in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${failures} not complete, workers replaced: ${pair.allPids.length > 2 ? 'yes' : 'no'}`);
console.log('after  process        fds   RSS MiB');
for (const r of rows) console.log(`${String(r.after).padStart(5)}  ${r.who.padEnd(12)} ${String(r.fds).padStart(5)}  ${(r.rssBytes / 2 ** 20).toFixed(1).padStart(8)}`);
let worst = 0;
const growth: string[] = [];
for (const who of ['orchestrator', 'sender', 'receiver']) {
  const mine = rows.filter((r) => r.who === who);
  const first = mine[0]!;
  const last = mine.at(-1)!;
  const rss = Math.max(...mine.map((r) => r.rssBytes)) / first.rssBytes - 1;
  const fds = Math.max(...mine.map((r) => r.fds)) / first.fds - 1;
  worst = Math.max(worst, rss, fds);
  growth.push(`${who}: fds ${first.fds} -> ${last.fds} (max +${(fds * 100).toFixed(1)}%), RSS ${(first.rssBytes / 2 ** 20).toFixed(1)} -> ${(last.rssBytes / 2 ** 20).toFixed(1)} MiB (max +${(rss * 100).toFixed(1)}%)`);
}
for (const g of growth) console.log(g);
const ok = worst <= 0.1 && failures === 0;
console.log(`worst growth over the first sample: ${(worst * 100).toFixed(1)}% ${ok ? '(<= 10%: ok)' : '(> 10% or failures: NOT OK)'}`);
process.exitCode = ok ? 0 : 1;
