import assert from 'node:assert/strict';
import { studentTQuantile } from '../../src/analysis/statistics.ts';
import { test } from 'node:test';
import { makeScenario, type Scenario } from '../../src/matrix.ts';
import type { Outcome } from '../../src/outcome.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../../src/results.ts';
import { chartPlan, runtimeBars } from '../../src/report/charts.ts';
import { endingsMatrix, endingsText } from '../../src/report/endings.ts';
import { markdownSummary } from '../../src/report/markdown.ts';
import { runtimeComparison } from '../../src/report/runtimes.ts';
import { terminalSummary } from '../../src/report/terminal.ts';
import { fakeEnvironment, fakeRecord, fakeSummary } from '../support/fake-run.ts';

/**
 * The runtime comparison's arithmetic and where it shows, on a run built here
 * (the real-process run is test/e2e/cli-runtimes.test.ts).
 */

const SIZE = 1e6;
const AES = 'TLS_AES_128_GCM_SHA256';
const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';
const RUNTIMES = [
  { label: '20.20.2', path: '/usr/bin/node', node: '20.20.2', openssl: '3.0.19', ran: true },
  { label: '24.21.0', path: '/opt/node-24.21.0/bin/node', node: '24.21.0', openssl: '3.5.8', ran: true },
];

function record(scenario: Scenario, iteration: number, mbPerSec: number, truncated = false): TransferRecord {
  const received = truncated ? SIZE - 576 : SIZE;
  const rt = RUNTIMES.find((r) => r.label === scenario.runtime)!;
  return fakeRecord(
    scenario,
    { kind: truncated ? 'truncated' : 'complete', received },
    {
      runId: 'rt',
      iteration,
      source: 'file',
      handshakeMs: 2,
      durationMs: (received / 1e6 / mbPerSec) * 1000,
      mbPerSec,
      senderCpuMs: 3,
      receiverCpuMs: 4,
      senderRssPeakBytes: 5e7,
      receiverRssPeakBytes: 5e7,
      silentLoss: truncated,
      nodeVersion: rt.node,
      opensslVersion: rt.openssl,
    },
  );
}

function summaryOf(scenario: Scenario, records: readonly TransferRecord[]): ScenarioSummary {
  return fakeSummary(scenario, records, { sdMbPerSec: 1, rmePercent: 1, senderCpuMs: 3, receiverCpuMs: 4 });
}

/**
 * AES: Node 20 at 16 KiB 100/110/120 and 64 KiB 130/140/150; Node 24 twice that.
 * CHACHA: Node 20 200/200/200 (sd 0), Node 24 100/150/200 at 16 KiB only.
 * Plus `destroy` at 16 KiB: Node 20 delivers, Node 24 truncates one of three.
 */
function twoRuntimeRun(runtimes: RunResult['context']['runtimes'] | null = RUNTIMES): RunResult {
  const cells: {
    suite: string;
    chunk: number;
    runtime: string;
    rates: number[];
    shutdown?: 'destroy';
    truncated?: number;
  }[] = [
    { suite: AES, chunk: 16384, runtime: '20.20.2', rates: [100, 110, 120] },
    { suite: AES, chunk: 16384, runtime: '24.21.0', rates: [200, 220, 240] },
    { suite: AES, chunk: 65536, runtime: '20.20.2', rates: [130, 140, 150] },
    { suite: AES, chunk: 65536, runtime: '24.21.0', rates: [260, 280, 300] },
    { suite: CHACHA, chunk: 16384, runtime: '20.20.2', rates: [200, 200, 200] },
    { suite: CHACHA, chunk: 16384, runtime: '24.21.0', rates: [100, 150, 200] },
    { suite: AES, chunk: 16384, runtime: '20.20.2', rates: [90, 90, 90], shutdown: 'destroy' },
    { suite: AES, chunk: 16384, runtime: '24.21.0', rates: [90, 90, 90], shutdown: 'destroy', truncated: 1 },
  ];
  const scenarios: ScenarioSummary[] = [];
  const records: TransferRecord[] = [];
  for (const c of cells) {
    const scenario = makeScenario({
      sizeBytes: SIZE,
      chunkBytes: c.chunk,
      suite: c.suite,
      runtime: c.runtime,
      shutdown: c.shutdown ?? 'end',
    });
    const rs = c.rates.map((rate, i) => record(scenario, i, rate, i < (c.truncated ?? 0)));
    records.push(...rs);
    scenarios.push(summaryOf(scenario, rs));
  }
  return {
    context: {
      runId: 'rt',
      startedAt: '2026-11-28T00:00:00.000Z',
      finishedAt: '2026-11-28T00:01:00.000Z',
      interrupted: false,
      command: 'test',
      config: {},
      environment: fakeEnvironment(),
      workerPids: [],
      ...(runtimes ? { runtimes } : {}),
      fixtures: [],
    },
    scenarios,
    records,
  };
}

test(
  'per suite: mean ± sd of every delivered transfer of the throughput table, pooled over chunks, and the ratio ' +
    'to the first runtime',
  () => {
    const c = runtimeComparison(twoRuntimeRun())!;
    assert.deepEqual(
      c.runtimes.map((r) => r.label),
      ['20.20.2', '24.21.0'],
    );
    // AES on Node 20: 100..150 in steps of 10 (the `destroy` rows are another ending: not in it)
    const aes20 = [100, 110, 120, 130, 140, 150];
    const sd = (v: number[]): number => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
    };
    const [aes, chacha] = c.rows;
    assert.equal(aes!.suite, AES);
    // the 95% CI half-width: Student's t (checked against SciPy in statistics.test.ts) times sd / sqrt(n)
    const half = (s: number, n: number): number => studentTQuantile(0.975, n - 1) * (s / Math.sqrt(n));
    assert.deepEqual(aes!.cells[0], {
      samples: 6,
      meanMbPerSec: 125,
      sdMbPerSec: sd(aes20),
      ciHalfWidthMbPerSec: half(sd(aes20), 6),
      ratioToFirst: null,
    });
    assert.deepEqual(aes!.cells[1], {
      samples: 6,
      meanMbPerSec: 250,
      sdMbPerSec: 2 * sd(aes20),
      ciHalfWidthMbPerSec: half(2 * sd(aes20), 6),
      ratioToFirst: 2,
    });
    assert.equal(chacha!.suite, CHACHA);
    assert.deepEqual(chacha!.cells[0], {
      samples: 3,
      meanMbPerSec: 200,
      sdMbPerSec: 0,
      ciHalfWidthMbPerSec: 0,
      ratioToFirst: null,
    });
    assert.deepEqual(chacha!.cells[1], {
      samples: 3,
      meanMbPerSec: 150,
      sdMbPerSec: 50,
      ciHalfWidthMbPerSec: half(50, 3),
      ratioToFirst: 0.75,
    });
  },
);

test('the terminal and summary.md print the table; the chart has one bar per suite and runtime', () => {
  const run = twoRuntimeRun();
  const text = terminalSummary(run);
  assert.match(text, /Throughput per suite by Node runtime:/);
  assert.match(text, /24\.21\.0 = \/opt\/node-24\.21\.0\/bin\/node \(Node 24\.21\.0, OpenSSL 3\.5\.8\)/);
  const row = (suite: string): string[] =>
    text
      .split('\n')
      .find((l) => l.startsWith(`1.3  ${suite} `) && l.includes('±'))!
      .trim()
      .split(/\s{2,}/);
  assert.deepEqual(row(AES), ['1.3', AES, '125.0 ± 18.7', '250.0 ± 37.4', '2.00x']);
  assert.deepEqual(row(CHACHA), ['1.3', CHACHA, '200.0 ± 0.0', '150.0 ± 50.0', '0.75x']);
  const md = markdownSummary(run);
  assert.ok(md.includes('| tls | suite | 20.20.2 MB/s | 24.21.0 MB/s | vs 20.20.2 |'), md);
  assert.ok(md.includes(`| 1.3 | ${CHACHA} | 200.0 ± 0.0 | 150.0 ± 50.0 | 0.75x |`), md);
  assert.ok(md.includes('| runtime 24.21.0 | /opt/node-24.21.0/bin/node: Node 24.21.0, OpenSSL 3.5.8 |'), md);
  assert.deepEqual(
    runtimeBars(run).map((b) => [b.suite, b.runtime, b.mean, b.samples]),
    [
      [AES, 'node 20.20.2', 125, 6],
      [AES, 'node 24.21.0', 250, 6],
      [CHACHA, 'node 20.20.2', 200, 3],
      [CHACHA, 'node 24.21.0', 150, 3],
    ],
  );
  assert.ok(chartPlan(run).charts.some((c) => c.name === 'runtimes'));
});

test('endings are split by runtime: a loss on one runtime is not averaged into the other', () => {
  const run = twoRuntimeRun();
  const rows = endingsMatrix(run).rows.filter((r) => r.key.shutdown === 'destroy');
  assert.deepEqual(
    rows.map((r) => [r.key.runtime, r.cells.get(SIZE)!.outcomes, r.cells.get(SIZE)!.silent]),
    [
      ['20.20.2', { complete: 3 }, 0],
      ['24.21.0', { truncated: 1, complete: 2 }, 1],
    ],
  );
  const text = endingsText(run);
  assert.match(text, /^shutdown\s+write\s+receiver\s+peer\s+node\s+1\.0 MB$/m);
  assert.match(text, /from: destroy \(write=backpressure, receiver=until-eof, peer=node, node=24\.21\.0\)\./);
});

test('one runtime, or an older results.json without runtimes: no comparison, no node column', () => {
  const run = twoRuntimeRun();
  const only20: RunResult = {
    ...run,
    context: { ...run.context, runtimes: [RUNTIMES[0]!] },
    scenarios: run.scenarios
      .filter((s) => s.scenario.runtime === '20.20.2')
      .map((s) => ({ ...s, scenario: { ...s.scenario, runtime: undefined } })),
    records: run.records
      .filter((r) => r.scenario.runtime === '20.20.2')
      .map((r) => ({ ...r, scenario: { ...r.scenario, runtime: undefined } })),
  };
  assert.equal(runtimeComparison(only20), null);
  assert.doesNotMatch(terminalSummary(only20), /by Node runtime|\bnode\s+1\.0 MB/);
  assert.doesNotMatch(markdownSummary(only20), /by Node runtime/);
  assert.ok(!chartPlan(only20).charts.some((c) => c.name === 'runtimes'));
  // labels in the ids but no context.runtimes (written by an older version): still compared, paths unknown
  const old = runtimeComparison(twoRuntimeRun(null))!;
  assert.deepEqual(
    old.runtimes.map((r) => [r.label, r.node, r.path]),
    [
      ['20.20.2', '20.20.2', '?'],
      ['24.21.0', '24.21.0', '?'],
    ],
  );
});
