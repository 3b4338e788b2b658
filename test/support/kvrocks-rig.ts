import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import { buildCheckpoint, type Checkpoint } from '../../src/protocols/kvrocks/checkpoint.ts';
import { removeWorkerBundle } from '../../src/runner/worker-bundle.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import type { CertPems } from '../../src/tls/certs.ts';
import { alive, tempDir, testCerts } from './helpers.ts';

/** What a Kvrocks sync test runs on: real workers, the run's certificates, a checkpoint in a temp cache. */
export interface KvrocksRig {
  readonly files: CertPems;
  readonly checkpoint: Checkpoint;
  readonly pair: WorkerPair;
  /** Stops the workers, checks none outlived them, removes everything. */
  dispose(): Promise<void>;
}

export async function kvrocksRig(name: string, spec: { totalBytes: number; fileBytes: number }): Promise<KvrocksRig> {
  const tmp = await tempDir(name);
  const { certs, files } = await testCerts();
  const checkpoint = await buildCheckpoint(new FixtureCache(join(tmp.dir, 'fixtures')), {
    ...spec,
    seed: 1,
    profile: 'kv',
  });
  const pair = await WorkerPair.start(tmp.dir);
  return {
    files,
    checkpoint,
    pair,
    dispose: async () => {
      await pair.stop();
      for (const pid of pair.allPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
      await removeWorkerBundle();
      await certs.dispose();
      await tmp.remove();
    },
  };
}
