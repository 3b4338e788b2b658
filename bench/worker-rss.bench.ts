/**
 * Memory of the workers while moving a big file: peak RSS of the sender and
 * the receiver for a 1 GB fixture (file source) at write sizes up to 16 MiB.
 * Exit 1 if any worker's peak reaches 160 MiB.
 *
 *   npm run bench:rss [-- --size 1GB --chunks 16KiB,1MiB,16MiB]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
import { RunCertificates } from '../src/tls/certs.ts';

const LIMIT_BYTES = 160 * 2 ** 20;
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1GB' },
    chunks: { type: 'string', default: '16KiB,64KiB,1MiB,4MiB,16MiB' },
  },
});
const sizeBytes = parseBytes(values.size, '--size', SIZE_BOUNDS);
const chunks = parseBytesList(values.chunks, '--chunks', CHUNK_BOUNDS);

const fixture = await new FixtureCache(DEFAULT_FIXTURES_DIR).ensure({ sizeBytes, seed: 1, profile: 'kv' });
const dir = await mkdtemp(join(tmpdir(), 'tsb-rss-'));
const certs = await (await RunCertificates.create()).get('ecdsa-p256');
const pair = await WorkerPair.start(dir);
const mib = (b: number | null): string => (b === null ? '-' : (b / 2 ** 20).toFixed(1));
let worst = 0;
console.log(
  `peak RSS per worker, ${formatBytes(sizeBytes)} fixture, file source, TLS_AES_128_GCM_SHA256 (limit ` +
    `${mib(LIMIT_BYTES)} MiB)`,
);
console.log('chunk    outcome   MB/s    sender MiB  receiver MiB');
try {
  for (const chunkBytes of chunks) {
    const r = await runTransfer(pair, {
      runId: 'rss',
      scenario: makeScenario({ sizeBytes, chunkBytes }),
      fixture,
      certs,
      source: 'file',
      iteration: 0,
      warmup: false,
      stallTimeoutMs: 60_000,
    });
    worst = Math.max(worst, r.senderRssPeakBytes ?? Infinity, r.receiverRssPeakBytes ?? Infinity);
    console.log(
      `${formatBytes(chunkBytes).padEnd(7)}  ${r.outcome.kind.padEnd(8)}  ` +
        `${(r.mbPerSec ?? 0).toFixed(1).padStart(6)}  ${mib(r.senderRssPeakBytes).padStart(10)}  ` +
        `${mib(r.receiverRssPeakBytes).padStart(12)}`,
    );
    if (r.outcome.kind !== 'complete') worst = Infinity;
  }
} finally {
  await pair.stop();
  await rm(dir, { recursive: true, force: true });
  await removeWorkerBundle();
}
console.log(
  `worst peak: ${mib(worst)} MiB ` +
    `${worst < LIMIT_BYTES ? `< ${mib(LIMIT_BYTES)} MiB: ok` : `>= ${mib(LIMIT_BYTES)} MiB: TOO MUCH`}`,
);
process.exitCode = worst < LIMIT_BYTES ? 0 : 1;
