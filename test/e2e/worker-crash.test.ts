import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import type { Fixture } from '../../src/fixtures/types.ts';
import { makeScenario } from '../../src/matrix.ts';
import { runTransfer } from '../../src/runner/transfer.ts';
import { removeWorkerBundle } from '../../src/runner/worker-bundle.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import { RunCertificates, type CertPems } from '../../src/tls/certs.ts';
import { alive, tempDir } from '../support/helpers.ts';

// Real worker processes killed mid-transfer, and a receiver that trusts
// another CA: each is an outcome, the pair is replaced, the next transfer works.
let tmp: { dir: string; remove: () => Promise<void> };
let pair: WorkerPair;
let certs: CertPems;
let foreign: CertPems;
let fixture: Fixture;
const certSets: RunCertificates[] = [];

before(async () => {
  tmp = await tempDir('crash');
  const mine = await RunCertificates.create();
  const other = await RunCertificates.create();
  certSets.push(mine, other);
  certs = await mine.get('ecdsa-p256');
  foreign = await other.get('ecdsa-p256');
  // Big enough that the first progress report (every 100 ms) comes well before the end.
  fixture = await new FixtureCache(join(tmp.dir, 'fx')).ensure({ sizeBytes: 512e6, seed: 1, profile: 'kv' });
  pair = await WorkerPair.start(tmp.dir);
});
after(async () => {
  await pair.stop();
  for (const pid of pair.allPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
  for (const c of certSets) await c.dispose();
  await removeWorkerBundle();
  await tmp.remove();
});

/** One 512 MB transfer; `kill` (if given) SIGKILLs that worker at the receiver's first progress report with 8 MB in. */
async function transfer(kill?: 'sender' | 'receiver', with_: CertPems = certs) {
  const victim = kill ? pair[kill] : null;
  let killed = false;
  return runTransfer(pair, {
    runId: 'crash',
    scenario: makeScenario({ sizeBytes: fixture.sizeBytes, chunkBytes: 4096 }),
    fixture,
    certs: with_,
    source: 'file',
    iteration: 0,
    warmup: false,
    stallTimeoutMs: 5000,
    onProgress: (bytes) => {
      if (victim && !killed && bytes >= 8e6) {
        killed = true;
        process.kill(victim.pid, 'SIGKILL');
      }
    },
  });
}

test('sender SIGKILLed mid-transfer: a truncated stream (the receiver saw an EOF), then a new pair', async () => {
  const before = pair.sender.pid;
  const r = await transfer('sender');
  assert.ok(r.outcome.kind === 'truncated' || r.outcome.kind === 'reset', r.outcome.kind);
  assert.ok(r.bytesReceived < r.bytesExpected);
  assert.notEqual(pair.sender.pid, before, 'the sender was replaced');
  assert.equal((await transfer()).outcome.kind, 'complete');
});

test('receiver SIGKILLed mid-transfer: worker-crashed (receiver), then a new pair', async () => {
  const before = pair.receiver.pid;
  const r = await transfer('receiver');
  assert.equal(r.outcome.kind, 'worker-crashed');
  assert.ok(r.outcome.kind === 'worker-crashed' && r.outcome.role === 'receiver');
  assert.ok(r.outcome.bytesReceived >= 8e6, 'the last progress count is kept');
  assert.notEqual(pair.receiver.pid, before);
  assert.equal((await transfer()).outcome.kind, 'complete');
});

test('a receiver that trusts another CA: handshake-failed, and nothing arrives', async () => {
  // the sender serves `certs`; the receiver verifies against the other run's CA
  const r = await transfer(undefined, { ...certs, caCert: foreign.caCert });
  assert.equal(r.outcome.kind, 'handshake-failed');
  assert.equal(r.bytesReceived, 0);
  assert.match(r.outcome.errorCode ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT/);
  assert.equal((await transfer()).outcome.kind, 'complete');
});

test('no private key material in what a record holds', async () => {
  const r = await transfer();
  const body = certs.key
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
  const text = JSON.stringify(r);
  assert.ok(!text.includes('PRIVATE KEY') && !text.includes(body.slice(0, 40)));
  // The key went to the sender over IPC: no file of the run's temp dir holds it.
  for (const f of readdirSync(tmp.dir, { withFileTypes: true }).filter((e) => e.isFile()))
    assert.ok(!readFileSync(join(tmp.dir, f.name), 'latin1').includes(body.slice(0, 40)), f.name);
});
