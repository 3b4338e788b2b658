import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SIZE_BOUNDS } from '../src/config/schema.ts';
import { parseBytes } from '../src/config/units.ts';
import { FixtureCache } from '../src/fixtures/cache.ts';
import { makeScenario } from '../src/matrix.ts';
import { DEFAULT_FIXTURES_DIR } from '../src/paths.ts';
import { runTransfer } from '../src/runner/transfer.ts';
import { removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { WorkerPair, type WorkerProcess } from '../src/runner/workers.ts';
import type { WorkerMessage } from '../src/transfer/messages.ts';
import { RunCertificates } from '../src/tls/certs.ts';

const { values } = parseArgs({ options: { transfers: { type: 'string', default: '500' }, size: { type: 'string', default: '1MB' }, every: { type: 'string', default: '10' }, detect: { type: 'string', default: 'on' } } });
const transfers = Number(values.transfers);
const sizeBytes = parseBytes(values.size, '--size', SIZE_BOUNDS);
const EVERY = Number(values.every);
function status(pid: number): string {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const g = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN) / 1024;
  return `anon ${g('RssAnon').toFixed(1)} file ${g('RssFile').toFixed(1)} shmem ${g('RssShmem').toFixed(1)} thr ${/^Threads:\s+(\d+)/m.exec(s)?.[1]}`;
}
async function afterGc(worker: WorkerProcess) {
  const done = worker.next((m): m is Extract<WorkerMessage, { type: 'gc-done' }> => m.type === 'gc-done', 10_000);
  worker.post({ type: 'gc' });
  return done;
}
const fixture = await new FixtureCache(DEFAULT_FIXTURES_DIR).ensure({ sizeBytes, seed: 1, profile: 'kv' });
const dir = await mkdtemp(join(tmpdir(), 'tsb-soak-'));
const certs = await (await RunCertificates.create(dir)).get('ecdsa-p256');
const extra = (process.env.RFLAGS ?? '').split(' ').filter(Boolean);
const pair = await WorkerPair.start(dir, { sender: ['--expose-gc'], receiver: ['--expose-gc', ...extra] });
const scenario = makeScenario({ sizeBytes, chunkBytes: 16384 });
const outcomes: Record<string, number> = {};
try {
  for (let i = 1; i <= transfers; i++) {
    const r = await runTransfer(pair, { runId: 'soak', scenario, fixture, certs, source: 'file', iteration: i, warmup: false, stallTimeoutMs: 15_000, detectCloseNotify: values.detect === 'on' });
    outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
    if (i % EVERY === 0) {
      await new Promise((res) => setTimeout(res, 100));
      const m = await afterGc(pair.receiver);
      const s = await afterGc(pair.sender);
      console.log(`${i} R rss ${(m.rssBytes / 2 ** 20).toFixed(1)} heap ${(m.heapUsedBytes / 2 ** 20).toFixed(1)} total ${(m.heapTotalBytes / 2 ** 20).toFixed(1)} ext ${(m.externalBytes / 2 ** 20).toFixed(1)} ${status(pair.receiver.pid)} | S rss ${(s.rssBytes / 2 ** 20).toFixed(1)} ${status(pair.sender.pid)}`);
    }
  }
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
console.log(outcomes);
