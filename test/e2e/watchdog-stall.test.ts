import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult } from '../../src/results.ts';
import { alive, tempDir } from '../support/helpers.ts';

// The sender of the first scenario stops writing half-way and never closes:
// the watchdog must call it `stalled`, replace both workers, and the run must
// go on to a complete second scenario.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;
let wallMs: number;

before(async () => {
  tmp = await tempDir('stall');
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '4MB',
        chunks: '16KiB,64KiB',
        suites: 'TLS_AES_128_GCM_SHA256',
        iterations: '1',
        warmup: '0',
        stallTimeout: '1s',
      },
    },
  ]);
  const t0 = Date.now();
  run = await runBenchmark(config, {
    runId: 'test-stall',
    command: 'test',
    fixturesDir: tmp.dir,
    faultFor: (s) => (s.chunkBytes === 16384 ? { kind: 'stall', atByte: 2_000_000 } : undefined),
  });
  wallMs = Date.now() - t0;
});
after(() => tmp.remove());

test('a sender that stops is recorded as stalled, with the bytes that arrived', () => {
  const r = run.records[0]!;
  assert.equal(r.scenario.chunkBytes, 16384);
  assert.equal(r.outcome.kind, 'stalled');
  assert.equal(r.outcome.errorCode, 'STALLED');
  assert.equal(r.bytesWritten, 0); // the sender never reported: it was killed
  assert.equal(r.outcome.bytesReceived, 2_000_000);
  assert.ok(r.outcome.kind === 'stalled' && r.outcome.stalledForMs >= 1000);
  assert.equal(run.scenarios[0]!.throughput, null);
});

test('the workers are replaced and the next scenario completes', () => {
  const r = run.records[1]!;
  assert.equal(r.scenario.chunkBytes, 65536);
  assert.equal(r.outcome.kind, 'complete');
  assert.equal(run.context.workerPids.length, 4);
  for (const pid of run.context.workerPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
  assert.ok(wallMs < 15_000, `run took ${wallMs} ms`);
});
