import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult, TransferRecord } from '../../src/results.ts';
import { SHUTDOWN_STRATEGIES } from '../../src/transfer/strategies.ts';
import { tempDir } from '../support/helpers.ts';

// What each way of ending a 64 MB stream does to a Node receiver, through the
// real workers. "buffered" writes the last 16 MiB without waiting for 'drain'.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;

before(async () => {
  tmp = await tempDir('shutdown');
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '64MB',
        chunks: '64KiB',
        suites: 'TLS_AES_128_GCM_SHA256',
        shutdown: SHUTDOWN_STRATEGIES.join(','),
        writePath: 'backpressure,buffered',
        receiver: 'until-eof,framed,framed-ack',
        iterations: '1',
        warmup: '0',
      },
    },
  ]);
  run = await runBenchmark(config, { runId: 'test-shutdown', command: 'test', fixturesDir: tmp.dir });
});
after(() => tmp.remove());

function one(shutdown: string, writePath: string, receiver: string): TransferRecord {
  const r = run.records.find(
    (x) =>
      x.scenario.shutdown === shutdown && x.scenario.writePath === writePath && x.scenario.receiverMode === receiver,
  );
  assert.ok(r, `${shutdown}/${writePath}/${receiver}`);
  return r;
}

test('end -> complete, close_notify seen, under every receiver mode and write path', () => {
  for (const w of ['backpressure', 'buffered']) {
    for (const m of ['until-eof', 'framed', 'framed-ack']) {
      const r = one('end', w, m);
      assert.equal(r.outcome.kind, 'complete', `${w}/${m}`);
      assert.equal(r.closeNotify, true);
      assert.equal(r.silentLoss, false);
    }
  }
});

test('destroy + buffered -> truncated under until-eof, silently: the stream looked normal', () => {
  const r = one('destroy', 'buffered', 'until-eof');
  assert.equal(r.outcome.kind, 'truncated');
  assert.ok(
    r.outcome.kind === 'truncated' && r.outcome.bytesLost > 1_000_000,
    `lost ${r.bytesExpected - r.bytesReceived}`,
  );
  assert.equal(r.outcome.errorCode, null); // no error reached the receiver
  assert.equal(r.receiverNoticed, false);
  assert.equal(r.silentLoss, true);
  // what arrived is a clean prefix: the SST block where it stopped is known
  assert.ok(r.stoppedAt, 'stoppedAt');
  assert.ok(r.stoppedAt.completeBlocks > 0 && r.stoppedAt.completeBlocks < r.stoppedAt.dataBlocks);
  assert.match(
    r.stoppedAt.text,
    new RegExp(`^truncated at block ${r.stoppedAt.completeBlocks + 1} of ${r.stoppedAt.dataBlocks} `),
  );
});

test('destroy + buffered under framed: not complete, and the receiver knows (count not met)', () => {
  const r = one('destroy', 'buffered', 'framed');
  assert.notEqual(r.outcome.kind, 'complete');
  assert.notEqual(r.outcome.kind, 'complete-unclean');
  assert.equal(r.receiverNoticed, true);
  assert.equal(r.silentLoss, false);
});

test('destroy + buffered under framed-ack: the ack protocol delivers every byte', () => {
  const r = one('destroy', 'buffered', 'framed-ack');
  assert.equal(r.bytesReceived, r.bytesExpected);
  assert.equal(r.outcome.kind, 'complete-unclean');
});

test('destroy-after-flush -> complete-unclean, close_notify false', () => {
  for (const w of ['backpressure', 'buffered']) {
    const r = one('destroy-after-flush', w, 'until-eof');
    assert.equal(r.outcome.kind, 'complete-unclean', w);
    assert.equal(r.closeNotify, false);
  }
});

test('tcp-fin (FIN without close_notify) -> complete-unclean, close_notify false', () => {
  const r = one('tcp-fin', 'backpressure', 'until-eof');
  assert.equal(r.outcome.kind, 'complete-unclean');
  assert.equal(r.closeNotify, false);
});

test('exit + buffered loses the buffered tail; the next transfer gets a new sender', () => {
  const r = one('exit', 'buffered', 'until-eof');
  assert.equal(r.outcome.kind, 'truncated');
  assert.equal(r.silentLoss, true);
  const next = run.records[run.records.indexOf(r) + 1];
  assert.ok(next && next.outcome.kind !== 'worker-crashed', JSON.stringify(next?.outcome));
});

test('reset is never complete while bytes are missing', () => {
  for (const r of run.records.filter((x) => x.scenario.shutdown === 'reset')) {
    if (r.bytesReceived < r.bytesExpected)
      assert.ok(r.outcome.kind === 'reset' || r.outcome.kind === 'truncated', r.outcome.kind);
  }
});

test('no strategy, write path or mode crashes a worker', () => {
  assert.equal(run.records.length, SHUTDOWN_STRATEGIES.length * 2 * 3);
  assert.deepEqual(
    run.records
      .filter((r) => r.outcome.kind === 'worker-crashed' || r.outcome.kind === 'stalled')
      .map((r) => r.scenarioId),
    [],
  );
});
