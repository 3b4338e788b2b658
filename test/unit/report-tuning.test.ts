import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeScenario, type Scenario } from '../../src/matrix.ts';
import type { Outcome, OutcomeKind } from '../../src/outcome.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../../src/results.ts';
import { throughputScenarios } from '../../src/report/throughput-scenarios.ts';
import { endingLabel, recommendation } from '../../src/report/tuning.ts';
import { tuningAnswers } from '../../src/analysis/tuning.ts';
import { fakeEnvironment, fakeRecord } from '../support/fake-run.ts';

const KiB = 1024;

function close(actual: number, expected: number, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);
}
const AES = 'TLS_AES_128_GCM_SHA256';
const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';

function summary(
  scenario: Scenario,
  meanMbPerSec: number | null,
  cpu: { snd: number; rcv: number } = { snd: 1, rcv: 1 },
  rmePercent = 1,
): ScenarioSummary {
  return {
    scenarioId: scenario.id,
    scenario,
    iterations: 3,
    outcomes: meanMbPerSec === null ? { truncated: 3 } : { complete: 3 },
    throughput:
      meanMbPerSec === null
        ? null
        : {
            samples: 3,
            meanMbPerSec,
            sdMbPerSec: 1,
            rmePercent,
            p50MbPerSec: meanMbPerSec,
            p99MbPerSec: meanMbPerSec,
            minMbPerSec: meanMbPerSec,
            maxMbPerSec: meanMbPerSec,
          },
    meanHandshakeMs: 1,
    meanSenderCpuMs: cpu.snd,
    meanReceiverCpuMs: cpu.rcv,
    maxSenderRssBytes: null,
    maxReceiverRssBytes: null,
    durationSamplesMs: [],
  };
}

function record(scenario: Scenario, kind: OutcomeKind, silentLoss: boolean): TransferRecord {
  const received = kind === 'truncated' ? scenario.sizeBytes / 2 : scenario.sizeBytes;
  return fakeRecord(
    scenario,
    { kind, received },
    { durationMs: 10, mbPerSec: received / 1e6 / 0.01, senderCpuMs: 1, receiverCpuMs: 1, silentLoss, wallMs: 12 },
  );
}

function runOf(scenarios: readonly ScenarioSummary[]): RunResult {
  const records = scenarios.map((s) =>
    record(s.scenario, s.throughput ? 'complete' : 'truncated', s.throughput === null),
  );
  return {
    context: {
      runId: 'r',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      interrupted: false,
      command: 'tls-sst-bench run',
      config: {},
      environment: fakeEnvironment({ node: 'v20.19.0', openssl: '3.0.15', v8: '11', kernel: '6.1', hostname: 'h' }),
      workerPids: [],
      fixtures: [],
    },
    scenarios,
    records,
  };
}

const at = (sizeBytes: number, chunkBytes: number, suite = AES, shutdown: Scenario['shutdown'] = 'end'): Scenario =>
  makeScenario({ sizeBytes, chunkBytes, suite, shutdown });

/*
 * Hand-made samples; the p-values are SciPy 1.17.1's, stats.ttest_ind(a, b, equal_var=False).pvalue:
 *   A2 = [1000,1040,980,1010,1025,995] vs B2 = [990,1030,1005,985,1012,1001]: 0.6921751008656687
 *   A2 vs SLOW = [900,910,905,895,890]: 1.5042805446597296e-05
 *   TIGHT = [1000,1001,1000,1001,1000,1001] vs TIGHT_LOW = [990,991,990,991,990,991]: 2.3512191643196073e-11 (but -1%)
 *   S1 = [500,520,480,510] vs S2 = [505,495,515,490]: 0.906930520363957
 */
const A2 = [1000, 1040, 980, 1010, 1025, 995];
const B2 = [990, 1030, 1005, 985, 1012, 1001];
const SLOW = [900, 910, 905, 895, 890];
const TIGHT = [1000, 1001, 1000, 1001, 1000, 1001];
const TIGHT_LOW = [990, 991, 990, 991, 990, 991];
const S1 = [500, 520, 480, 510];
const S2 = [505, 495, 515, 490];

/** A cell with these per-transfer MB/s: its records and its summary (mean from them). */
function cell(
  scenario: Scenario,
  rates: readonly number[],
  cpu = { snd: 1, rcv: 1 },
): { summary: ScenarioSummary; records: TransferRecord[] } {
  const records = rates.map((mbPerSec, iteration) =>
    fakeRecord(
      scenario,
      { kind: 'complete', received: scenario.sizeBytes },
      { iteration, mbPerSec, durationMs: 10, senderCpuMs: cpu.snd, receiverCpuMs: cpu.rcv },
    ),
  );
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  return {
    summary: {
      ...summary(scenario, mean, cpu),
      iterations: rates.length,
      throughput: { ...summary(scenario, mean).throughput!, samples: rates.length },
    },
    records,
  };
}

function sampledRun(
  cells: readonly { summary: ScenarioSummary; records: TransferRecord[] }[],
  config: object = {},
): RunResult {
  const base = runOf([]);
  return {
    ...base,
    context: { ...base.context, config },
    scenarios: cells.map((c) => c.summary),
    records: cells.flatMap((c) => c.records),
  };
}

test('equivalence sets from hand-made samples: Welch at alpha AND the 2% threshold (p-values as SciPy)', () => {
  const run = sampledRun([
    cell(at(64e6, 4 * KiB), SLOW),
    cell(at(64e6, 16 * KiB), B2),
    cell(at(64e6, 64 * KiB), A2),
    cell(at(1e6, 16 * KiB), TIGHT_LOW),
    cell(at(1e6, 64 * KiB), TIGHT),
  ]);
  const answers = tuningAnswers(run);
  assert.deepEqual(
    answers.map((a) => [a.axis, a.group.sizeBytes, a.best, a.equivalent, a.recommended, a.noMeasurableDifference]),
    [
      // 1% slower and p = 2.4e-11: significant, but within the threshold, so no difference
      ['chunk', 1e6, '64KiB', ['16KiB', '64KiB'], '16KiB', true],
      // 4KiB: p = 1.5e-5 and 10.3% slower: told apart; 16KiB: p = 0.69: not
      ['chunk', 64e6, '64KiB', ['16KiB', '64KiB'], '16KiB', false],
    ],
  );
  const big = answers[1]!;
  close(big.values.find((v) => v.value === '16KiB')!.pVsBest!, 0.6921751008656687);
  close(big.values.find((v) => v.value === '4KiB')!.pVsBest!, 1.5042805446597296e-5);
  close(answers[0]!.values.find((v) => v.value === '16KiB')!.pVsBest!, 2.3512191643196073e-11);
  assert.equal(big.cpuMsPerGb, 2 / 0.064);
  assert.match(answers[0]!.note, /^no measurable difference between the 2 chunk values/);
  assert.match(big.note, /^best 64KiB; 16KiB, 64KiB cannot be told apart from it/);
  // A threshold of 0: the tight 1% difference now counts.
  assert.deepEqual(tuningAnswers(run, { alpha: 0.05, threshold: 0 })[0]!.equivalent, ['64KiB']);
});

test('suites at a size: no measurable difference, and the cheapest in CPU is the one to use', () => {
  const run = sampledRun([
    cell(at(64e6, 64 * KiB, AES), S1, { snd: 30, rcv: 30 }),
    cell(at(64e6, 64 * KiB, CHACHA), S2, { snd: 20, rcv: 25 }),
  ]);
  const [a] = tuningAnswers(run);
  assert.equal(a?.axis, 'suite');
  assert.equal(a?.best, AES);
  assert.deepEqual(a?.equivalent, [AES, CHACHA]);
  assert.equal(a?.recommended, CHACHA);
  assert.equal(a?.noMeasurableDifference, true);
  assert.deepEqual(Object.keys(a!.group).includes('suite'), false);
  assert.equal(a?.group.chunkBytes, 64 * KiB);
});

test(
  'groups come from the structured fields: another axis (write path) is tuned the same way; a lone value is not ' +
    'an answer',
  () => {
    const buffered = makeScenario({ sizeBytes: 64e6, chunkBytes: 64 * KiB, writePath: 'buffered' });
    const run = sampledRun([cell(at(64e6, 64 * KiB), A2), cell(buffered, SLOW), cell(at(8e6, 16 * KiB), A2)]);
    const answers = tuningAnswers(run);
    assert.deepEqual(
      answers.map((a) => [a.axis, a.best, a.equivalent]),
      [['writePath', 'backpressure', ['backpressure']]],
    );
    assert.match(answers[0]!.note, /every other value is slower beyond the noise/);
  },
);

test(
  'recommendation: the cheapest equivalent suite at the largest size, then its smallest equivalent chunk, and ' +
    'the endings to avoid',
  () => {
    const run = sampledRun([
      cell(at(1e6, 16 * KiB), TIGHT),
      cell(at(64e6, 16 * KiB), B2, { snd: 40, rcv: 60 }),
      cell(at(64e6, 64 * KiB), A2, { snd: 30, rcv: 50 }),
      cell(at(64e6, 16 * KiB, CHACHA), SLOW),
      cell(at(64e6, 64 * KiB, CHACHA), B2, { snd: 20, rcv: 20 }),
    ]);
    const lossy = summary(at(64e6, 16 * KiB, AES, 'destroy'), null);
    const withLoss: RunResult = {
      ...run,
      scenarios: [...run.scenarios, lossy],
      records: [...run.records, record(lossy.scenario, 'truncated', true)],
    };
    const r = recommendation(withLoss, throughputScenarios(withLoss.scenarios));
    assert.equal(r.sizeBytes, 64e6);
    // at 64KiB AES (A2) and CHACHA (B2) cannot be told apart; CHACHA needs less CPU
    assert.deepEqual(r.equivalentSuites, [AES, CHACHA]);
    assert.equal(r.suite, CHACHA);
    // CHACHA: 16KiB (SLOW) is told apart from 64KiB (B2)
    assert.deepEqual(r.equivalentChunks, ['64KiB']);
    assert.equal(r.chunkBytes, 64 * KiB);
    assert.deepEqual(r.silentLoss, ['destroy']);
    assert.equal(
      r.text,
      'For 64.0 MB streams, use TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3) with writes of at least 64KiB: 1003.8 ' +
        'MB/s, 625 CPU ms per GB. ' +
        'Chunk sizes that cannot be told apart from the best (64KiB): 64KiB. ' +
        ('No measurable difference in throughput between the 2 suites; TLS_CHACHA20_POLY1305_SHA256 needs the ' +
          'least CPU of them. ') +
        'Avoid these ways of ending the stream, they lost data silently: destroy. These delivered every byte: end.',
    );
  },
);

test('recommendation without a chunk sweep, and without any delivered scenario', () => {
  const one = sampledRun([cell(at(8e6, 16 * KiB), TIGHT, { snd: 4, rcv: 4 })]);
  const r = recommendation(one, throughputScenarios(one.scenarios));
  assert.deepEqual(r.equivalentChunks, []);
  assert.equal(
    r.text,
    'For 8.0 MB streams, use TLS_AES_128_GCM_SHA256 (TLS 1.3): 1000.5 MB/s, 1000 CPU ms per GB with 16KiB ' +
      'writes (only one chunk size was tried).',
  );

  const none = runOf([summary(at(8e6, 16 * KiB, AES, 'destroy'), null)]);
  assert.equal(
    recommendation(none, throughputScenarios(none.scenarios)).text,
    'No scenario delivered every byte in every transfer, so there is no throughput to recommend. Avoid these ' +
      'ways of ending the stream, they lost data silently: destroy.',
  );
});

test('an ending is named by its strategy plus the parts that vary among the endings', () => {
  const keys = [
    { shutdown: 'end', writePath: 'buffered', receiverMode: 'until-eof', receiverPeer: 'node' },
    { shutdown: 'end', writePath: 'buffered', receiverMode: 'framed', receiverPeer: 'node' },
  ];
  assert.equal(endingLabel(keys[1]!, keys), 'end (receiver=framed)');
  assert.equal(endingLabel(keys[0]!, [keys[0]!]), 'end');
});
