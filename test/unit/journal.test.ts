// The run journal (src/journal.ts) on real files: what a killed run leaves
// (context.json, records.jsonl with a last line cut by the crash) and what
// `report` rebuilds from it.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { hasJournal, JOURNAL_CONTEXT, JOURNAL_RECORDS, RunJournal, rebuildFromJournal } from '../../src/journal.ts';
import { makeScenario } from '../../src/matrix.ts';
import type { TransferRecord } from '../../src/results.ts';
import { fakeEnvironment, fakeRecord } from '../support/fake-run.ts';
import { tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('journal');
});
after(() => tmp.remove());

const config = resolveConfig([{ where: 'flags', raw: { sizes: '1MB', chunks: '16KiB,64KiB' } }]);
const a = makeScenario({ sizeBytes: 1e6, chunkBytes: 16384 });
const b = makeScenario({ sizeBytes: 1e6, chunkBytes: 65536 });
const context = {
  runId: 'r1',
  startedAt: '2026-12-01T10:00:00.000Z',
  command: 'tls-sst-bench run',
  config,
  environment: fakeEnvironment(),
  runtimes: [
    { label: process.versions.node, path: process.execPath, node: process.versions.node, openssl: 'x', ran: false },
  ],
  agent: null,
};

test('a killed run: every appended record comes back, the line the crash cut is dropped, marked interrupted', async () => {
  const dir = join(tmp.dir, 'out', 'r1');
  const journal = await RunJournal.open(dir, context);
  assert.equal(await hasJournal(dir), true);
  const records: TransferRecord[] = [
    fakeRecord(a, { kind: 'complete', received: 1e6 }, { warmup: true, iteration: 0 }),
    fakeRecord(a, { kind: 'complete', received: 1e6 }, { iteration: 0 }),
    fakeRecord(b, { kind: 'truncated', received: 5e5 }, { iteration: 0 }),
  ];
  const seen: TransferRecord[] = [];
  // The journal's hooks append first, then pass the record on.
  const hooks = journal.hooks({ onTransferDone: (r) => seen.push(r) });
  for (const r of records) hooks.onTransferDone!(r);
  assert.deepEqual(seen, records);
  assert.equal(journal.count, 3);
  // A crash in the middle of the next line.
  appendFileSync(join(dir, JOURNAL_RECORDS), JSON.stringify(records[1]).slice(0, 100));
  const run = await rebuildFromJournal(dir);
  assert.deepEqual(run.records, records);
  assert.equal(run.context.interrupted, true);
  assert.equal(run.context.runId, 'r1');
  assert.equal(run.context.command, 'tls-sst-bench run');
  assert.deepEqual(run.context.workerPids, []);
  assert.deepEqual(
    run.context.runtimes?.map((r) => r.ran),
    [true],
  );
  assert.ok(run.context.finishedAt !== null);
  // One summary per scenario that has records, in the order they ran; warm-ups not counted.
  assert.deepEqual(
    run.scenarios.map((s) => [s.scenarioId, s.iterations]),
    [
      [a.id, 1],
      [b.id, 1],
    ],
  );
  journal.close();
});

test('a run that fails before any transfer leaves no folder, not even the --out it made', async () => {
  const out = join(tmp.dir, 'fresh-out');
  const journal = await RunJournal.open(join(out, 'r2'), context);
  assert.ok(existsSync(join(out, 'r2', JOURNAL_CONTEXT)));
  await journal.discardIfEmpty();
  assert.equal(existsSync(out), false);
});

test('a context.json that is not a journal is a usage error naming it', async () => {
  const dir = join(tmp.dir, 'out', 'r1');
  appendFileSync(join(dir, JOURNAL_CONTEXT), 'garbage');
  await assert.rejects(rebuildFromJournal(dir), (e: Error) =>
    e.message.startsWith(`"${join(dir, JOURNAL_CONTEXT)}" cannot be read as a run journal`),
  );
  assert.match(readFileSync(join(dir, JOURNAL_RECORDS), 'utf8'), /^\{/);
});
