import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig, type RawConfig, type RunConfig } from '../../src/config/schema.ts';
import type { Scenario } from '../../src/matrix.ts';
import type { RunResult } from '../../src/results.ts';
import { runBenchmark, type RunHooks } from '../../src/runner/orchestrator.ts';
import { FakeWorkers, type FakeScript, type FakeStep } from '../support/fake-worker.ts';
import { tempDir } from '../support/helpers.ts';

// The orchestrator's rules, exactly, on scripted FakeWorkers (test/support/fake-worker.ts):
// no worker process, so every count and order below is the rule's, not the machine's.
// runTransfer, the watchdog, WorkerPair's replacement and the sampling loop are the real ones.

let fx: { dir: string; remove: () => Promise<void> };
before(async () => {
  fx = await tempDir('orchestrator-rules');
});
after(() => fx.remove());

/** One 1 MB fixture (1e6 bytes): at `mbPerSec` a transfer spans 1000 / mbPerSec ms. */
const ONE_MB: RawConfig = { sizes: '1MB', suites: 'TLS_AES_128_GCM_SHA256', processWarmup: 'off' };

function config(raw: RawConfig, overrides: Partial<RunConfig> = {}): RunConfig {
  return { ...resolveConfig([{ where: 'flags', raw: { ...ONE_MB, ...raw } }]), ...overrides };
}

const deliver = (mbPerSec: number, wallMs?: number): FakeStep => ({
  kind: 'deliver',
  mbPerSec,
  ...(wallMs !== undefined ? { wallMs } : {}),
});

interface Turn {
  readonly cell: string;
  readonly iteration: number;
  readonly warmup: boolean;
}

/** A run on fakes; `turns` is every cell transfer in the order the orchestrator started them. */
async function fakeRun(
  cfg: RunConfig,
  script: FakeScript,
  extra: { signal?: AbortSignal; onTurn?: (t: Turn) => void; hooks?: RunHooks } = {},
) {
  const fakes = new FakeWorkers(script);
  const turns: Turn[] = [];
  const label = (s: Scenario): string => `${s.chunkBytes / 1024}KiB/${s.shutdown}`;
  const run: RunResult = await runBenchmark(cfg, {
    runId: 'fake',
    command: 'test',
    fixturesDir: fx.dir,
    launchWorkers: (runtime) => fakes.launcher(runtime.label),
    ...(extra.signal ? { signal: extra.signal } : {}),
    hooks: {
      ...extra.hooks,
      onTransferStart: (_index, scenario, iteration, warmup) => {
        const t = { cell: label(scenario), iteration, warmup };
        turns.push(t);
        extra.onTurn?.(t);
      },
    },
  });
  return { run, fakes, turns: turns.map((t) => `${t.cell}:${t.warmup ? 'w' : 'm'}${t.iteration}`) };
}

test('interleaved: the cells of a group take turns, one transfer each, warm-up first', async () => {
  const { run, turns, fakes } = await fakeRun(
    config({ chunks: '16KiB,32KiB,64KiB', iterations: '2', warmup: '1' }),
    () => deliver(100),
  );
  assert.deepEqual(turns, [
    '16KiB/end:w0',
    '32KiB/end:w0',
    '64KiB/end:w0',
    '16KiB/end:m0',
    '32KiB/end:m0',
    '64KiB/end:m0',
    '16KiB/end:m1',
    '32KiB/end:m1',
    '64KiB/end:m1',
  ]);
  assert.deepEqual(
    fakes.log.map((t) => t.serve.chunkBytes / 1024),
    [16, 32, 64, 16, 32, 64, 16, 32, 64],
  );
  assert.deepEqual(
    run.scenarios.map((s) => [s.iterations, s.sampling?.warmupTransfers, s.sampling?.stopReason]),
    [
      [2, 1, 'iterations'],
      [2, 1, 'iterations'],
      [2, 1, 'iterations'],
    ],
  );
  // warm-up transfers are records too (marked), in the order they ran
  assert.deepEqual(
    run.records.map((r) => r.warmup),
    [true, true, true, false, false, false, false, false, false],
  );
  assert.deepEqual(
    run.records.map((r) => r.mbPerSec),
    [100, 100, 100, 100, 100, 100, 100, 100, 100],
  );
  // one pair for the run, stopped at its end
  assert.deepEqual(
    fakes.launched.map((w) => `${w.role}${w.generation}:${w.exitedBy}`),
    ['sender0:stopped', 'receiver0:stopped'],
  );
});

test('--order sequential: each cell runs all its transfers before the next starts', async () => {
  const { turns } = await fakeRun(
    config({ chunks: '16KiB,32KiB', iterations: '2', warmup: '1', order: 'sequential' }),
    () => deliver(100),
  );
  assert.deepEqual(turns, [
    '16KiB/end:w0',
    '16KiB/end:m0',
    '16KiB/end:m1',
    '32KiB/end:w0',
    '32KiB/end:m0',
    '32KiB/end:m1',
  ]);
});

test('a cell whose ending kills its sender runs alone after its group, on a replaced pair each time', async () => {
  const { run, turns, fakes } = await fakeRun(
    config({ chunks: '16KiB', shutdown: 'end,exit', iterations: '2', warmup: '0' }),
    () => deliver(100),
  );
  assert.deepEqual(turns, ['16KiB/end:m0', '16KiB/end:m1', '16KiB/exit:m0', '16KiB/exit:m1']);
  // every 'exit' transfer ends the sender by design: the pair is replaced after it
  assert.deepEqual(
    fakes.log.map((t) => `${t.serve.shutdown}@${t.generation}`),
    ['end@0', 'end@0', 'exit@0', 'exit@1'],
  );
  assert.deepEqual(
    fakes.launched.map((w) => `${w.role}${w.generation}:${w.exitedBy}`),
    [
      'sender0:exited',
      'receiver0:killed',
      'sender1:exited',
      'receiver1:killed',
      'sender2:stopped',
      'receiver2:stopped',
    ],
  );
  assert.deepEqual(
    run.records.map((r) => r.outcome.kind),
    ['complete', 'complete', 'complete', 'complete'],
  );
});

test('--warmup N: N unmeasured transfers per cell, counted in its summary', async () => {
  const { run, turns } = await fakeRun(config({ chunks: '16KiB', iterations: '2', warmup: '3' }), () => deliver(100));
  assert.deepEqual(turns, ['16KiB/end:w0', '16KiB/end:w1', '16KiB/end:w2', '16KiB/end:m0', '16KiB/end:m1']);
  assert.equal(run.scenarios[0]!.sampling?.warmupTransfers, 3);
  assert.equal(run.scenarios[0]!.iterations, 2);
});

test('--warmup as a duration: warm-up transfers until that much wall time has passed', async () => {
  // every transfer takes at least 20 ms of wall time, so 5 ms of warm-up is over after the first
  const { run, turns } = await fakeRun(config({ chunks: '16KiB', iterations: '1', warmup: '5ms' }), () =>
    deliver(100, 20),
  );
  assert.deepEqual(turns, ['16KiB/end:w0', '16KiB/end:m0']);
  assert.equal(run.scenarios[0]!.sampling?.warmupTransfers, 1);
});

test(
  'process warm-up: a new pair runs 64 KiB transfers until throughput stops rising (2 windows of 3, 1 s of ' +
    'traffic)',
  async () => {
    // 4 MB/s over 1 MB: 250 ms each; flat from the start, so steady at the first check it can pass: 6 transfers, 1.5 s
    const { run, fakes, turns } = await fakeRun(
      config({ chunks: '16KiB', iterations: '1', warmup: '0', processWarmup: 'on' }),
      (t) => (t.serve.chunkBytes === 65536 ? deliver(4) : deliver(100)),
    );
    assert.deepEqual(
      fakes.log.map((t) => t.serve.chunkBytes / 1024),
      [64, 64, 64, 64, 64, 64, 16],
    );
    assert.deepEqual(turns, ['16KiB/end:m0']);
    assert.deepEqual(
      run.context.processWarmups!.map((w) => ({
        generation: w.generation,
        mbPerSec: w.mbPerSec,
        durationMs: w.durationMs,
        ended: w.ended,
      })),
      [{ generation: 0, mbPerSec: [4, 4, 4, 4, 4, 4], durationMs: [250, 250, 250, 250, 250, 250], ended: 'steady' }],
    );
    // not records: the run's records are the cells' own
    assert.equal(run.records.length, 1);
  },
);

test('process warm-up that keeps rising stops at its 3 s cap; one that fails stops at once', async () => {
  // transfer k at k MB/s: durations 1000, 500, 333, ... add up past 3000 ms at the 11th
  const rising = await fakeRun(config({ chunks: '16KiB', iterations: '1', warmup: '0', processWarmup: 'on' }), (t) =>
    t.serve.chunkBytes === 65536 ? deliver(t.seq + 1) : deliver(100),
  );
  const w = rising.run.context.processWarmups![0]!;
  assert.equal(w.ended, 'capped');
  assert.deepEqual(
    w.mbPerSec.map((v) => Math.round(v * 1e9) / 1e9),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );

  const failing = await fakeRun(config({ chunks: '16KiB', iterations: '1', warmup: '0', processWarmup: 'on' }), (t) =>
    t.seq === 0 ? { kind: 'short', bytes: 500_000, mbPerSec: 4 } : deliver(100),
  );
  assert.deepEqual(
    failing.run.context.processWarmups!.map((x) => [x.mbPerSec, x.ended]),
    [[[], 'failed']],
  );
  assert.deepEqual(
    failing.fakes.log.map((t) => t.serve.chunkBytes / 1024),
    [64, 16],
  );
});

test('a replaced pair warms up again before its next measured transfer', async () => {
  // the second cell transfer loses its receiver: generation 1 is a cold pair
  let cellTransfers = 0;
  const { run, fakes } = await fakeRun(
    config({ chunks: '16KiB', iterations: '3', warmup: '0', processWarmup: 'on' }),
    (t) => {
      if (t.serve.chunkBytes === 65536) return deliver(4);
      cellTransfers += 1;
      return cellTransfers === 2 ? { kind: 'crash', role: 'receiver', bytes: 250_000 } : deliver(100);
    },
  );
  assert.deepEqual(
    run.context.processWarmups!.map((w) => [w.generation, w.mbPerSec.length, w.ended]),
    [
      [0, 6, 'steady'],
      [1, 6, 'steady'],
    ],
  );
  assert.deepEqual(
    fakes.log.map((t) => `${t.serve.chunkBytes / 1024}@${t.generation}`),
    [...Array(6).fill('64@0'), '16@0', '16@0', ...Array(6).fill('64@1'), '16@1'],
  );
  assert.deepEqual(
    run.records.map((r) => r.outcome.kind),
    ['complete', 'worker-crashed', 'complete'],
  );
});

test('--iterations N without a target: exactly N measured transfers', async () => {
  const { run } = await fakeRun(config({ chunks: '16KiB', iterations: '4', warmup: '0' }), () => deliver(100));
  const s = run.scenarios[0]!;
  assert.equal(s.iterations, 4);
  assert.equal(s.sampling?.stopReason, 'iterations');
  assert.equal(s.sampling?.targetRmePercent, null);
  assert.equal(s.sampling?.targetMet, null);
});

test('--target-rme: sampling goes on until the margin of error is within the target', async () => {
  // 100, 125, 100, ... MB/s: the 95% margin of error of the mean falls to 9.93% at the 8th sample (11.16% at the 7th)
  const { run } = await fakeRun(
    config({ chunks: '16KiB', iterations: '2', warmup: '0', targetRme: '10%', maxTime: '10m' }),
    (t) => deliver(t.seq % 2 === 0 ? 100 : 125),
  );
  const s = run.scenarios[0]!;
  assert.equal(s.iterations, 8);
  assert.equal(s.sampling?.stopReason, 'target-met');
  assert.equal(s.sampling?.targetMet, true);
  assert.deepEqual(
    run.records.map((r) => r.mbPerSec),
    [100, 125, 100, 125, 100, 125, 100, 125],
  );
});

test('--target-rme with identical samples: met at the minimum number of iterations', async () => {
  const { run } = await fakeRun(config({ chunks: '16KiB', iterations: '3', warmup: '0', targetRme: '2%' }), () =>
    deliver(200),
  );
  assert.deepEqual([run.scenarios[0]!.iterations, run.scenarios[0]!.sampling?.stopReason], [3, 'target-met']);
});

test('--max-time: a target not met stops once the measured transfers took that long', async () => {
  // 100 vs 200 MB/s never gets within 0.1%; each transfer takes about 25 ms of wall time, so 10 ms is over after the
  // minimum 2. (A 20 ms timer can measure 19.9 ms on the monotonic clock: 25 leaves room above the 40 asserted.)
  const { run } = await fakeRun(
    config({ chunks: '16KiB', iterations: '2', warmup: '0', targetRme: '0.1%' }, { maxTimeMs: 10 }),
    (t) => deliver(t.seq % 2 === 0 ? 100 : 200, 25),
  );
  const s = run.scenarios[0]!;
  assert.equal(s.iterations, 2);
  assert.equal(s.sampling?.stopReason, 'max-time');
  assert.equal(s.sampling?.targetMet, false);
  assert.ok(s.sampling!.measuredMs >= 40, `${s.sampling!.measuredMs} ms`);
});

test('a transfer that lost bytes ends the target: the cell runs its iterations and stops', async () => {
  const { run } = await fakeRun(config({ chunks: '16KiB', iterations: '3', warmup: '0', targetRme: '2%' }), (t) =>
    t.seq === 1 ? { kind: 'short', bytes: 600_000, mbPerSec: 100 } : deliver(100),
  );
  const s = run.scenarios[0]!;
  assert.equal(s.iterations, 3);
  assert.equal(s.sampling?.stopReason, 'not-delivered');
  assert.equal(s.sampling?.targetMet, null);
  assert.deepEqual(s.outcomes, { complete: 2, truncated: 1 });
  assert.equal(s.throughput, null);
});

test('watchdog: a transfer that stops making progress is stalled, its pair killed and replaced, the run goes on', async () => {
  const { run, fakes } = await fakeRun(
    config({ chunks: '16KiB,64KiB', iterations: '1', warmup: '0' }, { stallTimeoutMs: 100 }),
    (t) => (t.seq === 0 ? { kind: 'stall', bytes: 300_000 } : deliver(100)),
  );
  const [stalled, next] = run.records;
  assert.equal(stalled!.scenario.chunkBytes, 16384);
  assert.equal(stalled!.outcome.kind, 'stalled');
  assert.equal(stalled!.outcome.errorCode, 'STALLED');
  assert.equal(stalled!.outcome.bytesReceived, 300_000);
  assert.equal(stalled!.bytesWritten, 0); // the sender never reported
  assert.ok(stalled!.outcome.kind === 'stalled' && stalled!.outcome.stalledForMs >= 100);
  assert.equal(stalled!.mbPerSec, null);
  assert.equal(next!.outcome.kind, 'complete');
  assert.deepEqual(
    fakes.log.map((t) => t.generation),
    [0, 1],
  );
  assert.deepEqual(
    fakes.launched.map((w) => `${w.role}${w.generation}:${w.exitedBy}`),
    ['sender0:killed', 'receiver0:killed', 'sender1:stopped', 'receiver1:stopped'],
  );
  assert.equal(run.scenarios[0]!.throughput, null);
  assert.equal(run.scenarios[1]!.throughput?.meanMbPerSec, 100);
});

test('replacement: a crashed receiver is worker-crashed, a crashed sender a reset; each gets a new pair', async () => {
  const steps: FakeStep[] = [
    { kind: 'crash', role: 'receiver', bytes: 250_000 },
    deliver(100),
    { kind: 'crash', role: 'sender', bytes: 400_000 },
    deliver(100),
  ];
  const { run, fakes } = await fakeRun(config({ chunks: '16KiB', iterations: '4', warmup: '0' }), (t) => steps[t.seq]!);
  assert.deepEqual(
    run.records.map((r) => [r.outcome.kind, r.outcome.bytesReceived]),
    [
      ['worker-crashed', 250_000],
      ['complete', 1e6],
      ['reset', 400_000],
      ['complete', 1e6],
    ],
  );
  const crashed = run.records[0]!.outcome;
  assert.ok(crashed.kind === 'worker-crashed' && crashed.role === 'receiver');
  assert.equal(crashed.errorCode, 'WORKER_EXIT');
  assert.deepEqual(
    fakes.log.map((t) => t.generation),
    [0, 1, 1, 2],
  );
  assert.deepEqual(
    fakes.launched.map((w) => `${w.role}${w.generation}:${w.exitedBy}`),
    [
      'sender0:killed',
      'receiver0:crashed',
      'sender1:crashed',
      'receiver1:killed',
      'sender2:stopped',
      'receiver2:stopped',
    ],
  );
  assert.equal(fakes.alive().length, 0);
});

test('a sender that never reports: the receiver’s word stands, and the pair is replaced after its grace', async () => {
  const { run, fakes } = await fakeRun(
    config({ chunks: '16KiB', iterations: '2', warmup: '0' }, { stallTimeoutMs: 100 }),
    (t) => (t.seq === 0 ? { kind: 'no-answer', mbPerSec: 100 } : deliver(100)),
  );
  assert.deepEqual(
    run.records.map((r) => [r.outcome.kind, r.bytesWritten]),
    [
      ['complete', 0],
      ['complete', 1e6],
    ],
  );
  assert.deepEqual(
    fakes.log.map((t) => t.generation),
    [0, 1],
  );
});

test('each scripted ending is classified as the receiver saw it', async () => {
  const steps: FakeStep[] = [
    { kind: 'deliver', mbPerSec: 100, closeNotify: true },
    { kind: 'deliver', mbPerSec: 100, closeNotify: false },
    { kind: 'deliver', mbPerSec: 100, closeNotify: null },
    { kind: 'short', bytes: 999_000, mbPerSec: 100 },
    { kind: 'corrupt', mbPerSec: 100 },
    { kind: 'error', bytes: 10_000, code: 'ECONNRESET', phase: 'transfer' },
    { kind: 'error', bytes: 10_000, code: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', phase: 'transfer' },
    { kind: 'error', bytes: 0, code: 'ERR_SSL_NO_SHARED_CIPHER', phase: 'handshake' },
  ];
  const { run } = await fakeRun(
    config({ chunks: '16KiB', iterations: String(steps.length), warmup: '0' }),
    (t) => steps[t.seq]!,
  );
  assert.deepEqual(
    run.records.map((r) => r.outcome.kind),
    [
      'complete',
      'complete-unclean',
      'complete-close-unknown',
      'truncated',
      'corrupt',
      'reset',
      'tls-error',
      'handshake-failed',
    ],
  );
  // the delivered ones at their scripted rate; a handshake that failed moved no byte, so it has no span
  assert.deepEqual(
    run.records.slice(0, 3).map((r) => r.mbPerSec),
    [100, 100, 100],
  );
  assert.equal(run.records[7]!.durationMs, null);
  assert.deepEqual(
    run.records.map((r) => r.nodeVersion),
    Array(steps.length).fill('20.0.0-fake'),
  );
});

test('interruption: the abort kills the pair, the transfer in flight is not a result, the run is marked interrupted', async () => {
  const controller = new AbortController();
  const { run, fakes, turns } = await fakeRun(
    config({ chunks: '16KiB,64KiB', iterations: '5', warmup: '0' }),
    () => deliver(100),
    {
      signal: controller.signal,
      onTurn: (t) => {
        if (t.cell === '64KiB/end' && t.iteration === 1) controller.abort();
      },
    },
  );
  assert.equal(run.context.interrupted, true);
  assert.deepEqual(turns, ['16KiB/end:m0', '64KiB/end:m0', '16KiB/end:m1', '64KiB/end:m1']);
  assert.deepEqual(
    run.records.map((r) => `${r.scenario.chunkBytes / 1024}:${r.iteration}`),
    ['16:0', '64:0', '16:1'],
  );
  assert.deepEqual(
    run.scenarios.map((s) => [s.iterations, s.sampling?.stopReason]),
    [
      [2, 'interrupted'],
      [1, 'interrupted'],
    ],
  );
  assert.equal(fakes.alive().length, 0);
  assert.deepEqual(
    fakes.launched.map((w) => w.exitedBy),
    ['killed', 'killed'],
  );
});
