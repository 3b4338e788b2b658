import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { removeWorkerBundle } from '../../src/runner/worker-bundle.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import { tempDir } from '../support/helpers.ts';

/**
 * A message a caller waited for with WorkerProcess.next() is not kept alive by
 * the worker afterwards. It was: every wait left a reaction on the worker's
 * `exited` promise, holding the answered promise (and so the message) until the
 * worker exited; in a reused pair that is every report of a run (the soak
 * benchmark saw the orchestrator's heap grow ~6 KB per transfer).
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let tmp: { dir: string; remove: () => Promise<void> };
let pair: WorkerPair;

before(async () => {
  tmp = await tempDir('next-release');
  pair = await WorkerPair.start(tmp.dir);
});
after(async () => {
  await pair.stop();
  await tmp.remove();
  await removeWorkerBundle();
});

/** Waits for one answer and keeps only a weak reference to it. */
async function answered(): Promise<WeakRef<object>> {
  const done = pair.receiver.next((m) => m.type === 'gc-done', 10_000);
  pair.receiver.post({ type: 'gc' });
  return new WeakRef(await done);
}

test('the answers of next() are collectable once the caller drops them', async () => {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < 20; i++) refs.push(await answered());
  for (let i = 0; i < 3; i++) {
    await sleep(10);
    gc();
  }
  assert.equal(refs.filter((r) => r.deref() !== undefined).length, 0);
  assert.ok(pair.receiver.alive);
});
