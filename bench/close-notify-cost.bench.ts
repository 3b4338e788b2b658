/**
 * What close_notify detection costs: the same transfers with detection on
 * (OpenSSL's trace switched on for the last 256 KiB) and off, in pairs,
 * through the suite's workers. The cost is the median of the per-pair on/off
 * ratios: a pair runs back to back, so the machine's drift cancels out, which
 * a ratio of medians does not do on a noisy VM. Exit 1 if detection costs 3%
 * or more.
 *
 *   npm run bench:close-notify [-- --rounds 9 --size 256MB]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHUNK_BOUNDS, SIZE_BOUNDS } from '../src/config/schema.ts';
import { formatBytes, parseBytes, parseBytesList } from '../src/config/units.ts';
import { FixtureCache } from '../src/fixtures/cache.ts';
import { makeScenario } from '../src/matrix.ts';
import { DEFAULT_FIXTURES_DIR } from '../src/paths.ts';
import { runTransfer } from '../src/runner/transfer.ts';
import { removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { WorkerPair } from '../src/runner/workers.ts';
import { median } from '../src/analysis/statistics.ts';
import { RunCertificates } from '../src/tls/certs.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '15' },
    size: { type: 'string', default: '256MB' },
    chunks: { type: 'string', default: '16KiB,1MiB' },
  },
});
const rounds = Number(values.rounds);
const sizeBytes = parseBytes(values.size, '--size', SIZE_BOUNDS);
const fixture = await new FixtureCache(DEFAULT_FIXTURES_DIR).ensure({ sizeBytes, seed: 1, profile: 'kv' });
const dir = await mkdtemp(join(tmpdir(), 'tsb-cn-'));
const certs = await (await RunCertificates.create()).get('ecdsa-p256');
const pair = await WorkerPair.start(dir);
const ratios: number[] = [];
try {
  for (const chunkBytes of parseBytesList(values.chunks, '--chunks', CHUNK_BOUNDS)) {
    const scenario = makeScenario({ sizeBytes, chunkBytes });
    const once = async (detect: boolean, i: number): Promise<number> => {
      const r = await runTransfer(pair, {
        runId: 'cn',
        scenario,
        fixture,
        certs,
        source: 'memory',
        iteration: i,
        warmup: false,
        stallTimeoutMs: 30_000,
        detectCloseNotify: detect,
      });
      // off: close_notify is not observed, and the outcome says so
      const expected = detect ? 'complete' : 'complete-close-unknown';
      if (r.outcome.kind !== expected || r.closeNotify !== (detect ? true : null))
        throw new Error(`unexpected: ${r.outcome.kind} close_notify=${r.closeNotify}`);
      return r.mbPerSec!;
    };
    await once(true, -1);
    await once(false, -1);
    const a: number[] = [];
    const b: number[] = [];
    const pairRatios: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // alternate which goes first, so neither always runs on a warmer machine
      const [x, y] =
        i % 2 === 0
          ? [await once(true, i), await once(false, i)]
          : [await once(false, i), await once(true, i)].reverse();
      a.push(x!);
      b.push(y!);
      pairRatios.push(x! / y!);
    }
    ratios.push(median(pairRatios));
    console.log(
      `chunk ${formatBytes(chunkBytes).padEnd(6)} detection on ${median(a).toFixed(1)} MB/s, off ` +
        `${median(b).toFixed(1)} MB/s, median of pair ratios on/off ${median(pairRatios).toFixed(3)}`,
    );
  }
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
const worst = Math.min(...ratios);
console.log(
  `${formatBytes(sizeBytes)}, ${rounds} rounds each, median MB/s (10^6 B/s), memory source, ${cpus().length} ` +
    `cores (${cpus()[0]?.model ?? '?'})`,
);
console.log(
  `worst on/off: ${worst.toFixed(3)}: detection costs ${((1 - worst) * 100).toFixed(1)}% ` +
    `${worst > 0.97 ? '(< 3%: ok)' : '(>= 3%: TOO MUCH)'}`,
);
process.exitCode = worst > 0.97 ? 0 : 1;
