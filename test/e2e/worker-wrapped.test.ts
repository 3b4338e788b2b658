import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult } from '../../src/results.ts';
import { alive, tempDir } from '../support/helpers.ts';

// A worker started by another program (as Clinic.js starts the profiled one)
// has no IPC channel and talks over loopback TCP instead. `env` is the
// simplest such wrapper: it runs `node <worker>` as its own child.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;

before(async () => {
  tmp = await tempDir('wrapped');
  const config = resolveConfig([
    {
      where: 'flags',
      raw: { sizes: '4MB', suites: 'TLS_AES_128_GCM_SHA256', shutdown: 'end,exit', iterations: '2', warmup: '0' },
    },
  ]);
  run = await runBenchmark(config, {
    runId: 'test-wrapped',
    command: 'test',
    fixturesDir: tmp.dir,
    workerWrappers: {
      sender: { command: 'env', args: [], stopGraceMs: 5000 },
      receiver: { command: 'env', args: [], stopGraceMs: 5000 },
    },
  });
});
after(() => tmp.remove());

test('transfers through wrapped workers are complete, as with forked ones', () => {
  const byShutdown = (s: string) => run.records.filter((r) => r.scenario.shutdown === s).map((r) => r.outcome.kind);
  assert.deepEqual(byShutdown('end'), ['complete', 'complete']);
  // `exit` ends the sender process each time: the wrapped sender is started anew
  assert.deepEqual(byShutdown('exit'), ['complete-unclean', 'complete-unclean']);
  assert.ok(run.context.workerPids.length >= 4);
});

test('the workers themselves (not only their wrappers) are gone', () => {
  for (const pid of run.context.workerPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
});
