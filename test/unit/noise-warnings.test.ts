import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeScenario, type Scenario } from '../../src/matrix.ts';
import type { RunResult, SamplingSummary, ScenarioSummary } from '../../src/results.ts';
import { noiseWarnings } from '../../src/analysis/warnings.ts';
import { summarizeScenario } from '../../src/stats.ts';
import { hostNoise, pooledNoise, processJiffies, type HostSnapshot } from '../../src/runner/host-noise.ts';
import { fakeEnvironment, fakeRecord } from '../support/fake-run.ts';

const RISING = [1000, 1030, 1010, 1060, 1050, 1090, 1080, 1120, 1110, 1150];
const FLAT_NOISY = [1400, 1460, 1380, 1450, 1390, 1440, 1410, 1430, 1370, 1455];
const WITH_OUTLIER = [1400, 1410, 1395, 1405, 1402, 700, 1398, 1401];

function cellOf(
  scenario: Scenario,
  rates: readonly number[],
  facts: Partial<Parameters<typeof summarizeScenario>[2]> = {},
  busy: number | null = 2,
) {
  const records = rates.map((mbPerSec, iteration) =>
    fakeRecord(
      scenario,
      { kind: 'complete', received: scenario.sizeBytes },
      { iteration, mbPerSec, durationMs: 10, wallMs: 12, hostBusyPercent: busy, stealPercent: 0 },
    ),
  );
  const summary = summarizeScenario(scenario, records, {
    warmupTransfers: 1,
    targetRmePercent: 2,
    targetMet: true,
    stopReason: 'target-met',
    measuredMs: 120,
    alpha: 0.05,
    threshold: 0.02,
    ...facts,
  });
  return { summary, records };
}

function runOf(cells: readonly { summary: ScenarioSummary; records: RunResult['records'] }[]): RunResult {
  return {
    context: {
      runId: 'r',
      startedAt: '',
      finishedAt: '',
      interrupted: false,
      command: '',
      config: { alpha: 0.05, threshold: 0.02 },
      environment: fakeEnvironment(),
      workerPids: [],
      fixtures: [],
      processWarmups: [
        { generation: 0, scenarioId: 'x', mbPerSec: [100, 200, 400], durationMs: [1000, 1000, 1000], ended: 'capped' },
      ],
    },
    scenarios: cells.map((c) => c.summary),
    records: cells.flatMap((c) => c.records),
  };
}

const at = (chunkBytes: number): Scenario => makeScenario({ sizeBytes: 64e6, chunkBytes });

test('summaries: a rising series is a trend, a flat noisy one is not; the outlier is found by iteration', () => {
  assert.equal(cellOf(at(16384), RISING).summary.sampling?.trend, 'rising');
  assert.equal(cellOf(at(16384), FLAT_NOISY).summary.sampling?.trend, 'none');
  assert.deepEqual(cellOf(at(16384), WITH_OUTLIER).summary.sampling?.outliers, [5]);
  assert.equal(cellOf(at(16384), FLAT_NOISY, {}, 40).summary.sampling?.hostBusyPercent, 40);
});

test('every warning names its cell (by what sets it apart) and what to do', () => {
  const run = runOf([
    cellOf(at(4096), RISING),
    cellOf(at(16384), FLAT_NOISY, { targetMet: false, stopReason: 'max-time' }),
    cellOf(at(65536), WITH_OUTLIER),
    // 10 transfers of 100 ms: long enough for /proc's ticks
    cellOf(at(1048576), FLAT_NOISY, { measuredMs: 1000 }, 40),
    // the same share over 12 ms transfers: not trusted, no warning
    cellOf(at(2097152), FLAT_NOISY, {}, 40),
  ]);
  const w = noiseWarnings(run);
  assert.deepEqual(
    w.map((x) => [x.kind, x.scenarioId === null ? null : x.scenarioId.split(' ')[1]]),
    [
      ['warmup-capped', null],
      ['trend', 'chunk=4KiB'],
      ['missed-target', 'chunk=16KiB'],
      ['outliers', 'chunk=64KiB'],
      ['busy-host', 'chunk=1MiB'],
    ],
  );
  assert.match(
    w[1]!.text,
    /^size=64MB chunk=4KiB: throughput was rising across its 10 samples .* Use a longer --warmup, or a quieter machine\.$/,
  );
  assert.match(
    w[2]!.text,
    /^size=64MB chunk=16KiB: desired confidence was not achieved: ±\d+\.\d% after 10 transfers \(--max-time reached\), target ±2%\. Use a quieter machine, a longer --max-time/,
  );
  // without the 700: mean 1401.6 instead of 1313.9, a 6.7% shift
  assert.match(
    w[3]!.text,
    /^size=64MB chunk=64KiB: 1 outlier transfer\(s\) of 8 .*: #6 700\.0 MB\/s\. They are in the mean and move it by 6\.7%/,
  );
  assert.match(w[4]!.text, /^size=64MB chunk=1MiB: the host spent 40\.0% of its CPU on other work/);
  assert.match(w[0]!.text, /^worker pair 0 was still speeding up .*100\.0, 200\.0, 400\.0 MB\/s/);
});

test('host noise: other CPU time minus ours, as a share of all', () => {
  // /proc/<pid>/stat: utime stime cutime cstime are fields 14-17
  assert.equal(processJiffies('123 (node worker) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17'), 11 + 12 + 13 + 14);
  assert.equal(processJiffies('123 (x'), null);
  const before: HostSnapshot = {
    total: 1000,
    busy: 300,
    steal: 10,
    ours: new Map([
      [1, 100],
      [2, 50],
    ]),
  };
  // 200 jiffies passed, 150 busy, of which ours 60 + 40 = 100 and steal 20: the rest (50) is the host's
  const after: HostSnapshot = {
    total: 1200,
    busy: 450,
    steal: 30,
    ours: new Map([
      [1, 160],
      [2, 90],
    ]),
  };
  assert.deepEqual(hostNoise(before, after), {
    hostBusyPercent: 25,
    stealPercent: 10,
    totalJiffies: 200,
    otherJiffies: 50,
    stealJiffies: 20,
  });
  assert.equal(hostNoise(null, after), null);
  // Pooled over transfers: the ratio of the sums. A 1-tick window blamed on the host (100%) among
  // nine empty ones (no tick: no share) is 1 jiffy of 11, not a mean of 100%.
  const tick = hostNoise({ ...before, ours: new Map() }, { ...before, total: 1001, busy: 301, ours: new Map() })!;
  const empty = hostNoise(before, before)!;
  assert.equal(tick.hostBusyPercent, 100);
  assert.equal(empty.hostBusyPercent, null);
  assert.deepEqual(
    pooledNoise([tick, ...Array(9).fill(empty), hostNoise(before, { ...before, total: 1010, ours: before.ours })!]),
    { hostBusyPercent: (1 / 11) * 100, stealPercent: 0 },
  );
});
