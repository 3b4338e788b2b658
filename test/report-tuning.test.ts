import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeScenario, type Scenario } from '../src/matrix.ts';
import type { Outcome, OutcomeKind } from '../src/outcome.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../src/results.ts';
import { throughputScenarios } from '../src/report/throughput-scenarios.ts';
import { chunkTuning, endingLabel, recommendation } from '../src/report/tuning.ts';
import { fakeEnvironment, fakeRecord } from './fake-run.ts';

const KiB = 1024;
const AES = 'TLS_AES_128_GCM_SHA256';
const CHACHA = 'TLS_CHACHA20_POLY1305_SHA256';

function summary(scenario: Scenario, meanMbPerSec: number | null, cpu: { snd: number; rcv: number } = { snd: 1, rcv: 1 }, rmePercent = 1): ScenarioSummary {
  return {
    scenarioId: scenario.id,
    scenario,
    iterations: 3,
    outcomes: meanMbPerSec === null ? { truncated: 3 } : { complete: 3 },
    throughput:
      meanMbPerSec === null
        ? null
        : { samples: 3, meanMbPerSec, sdMbPerSec: 1, rmePercent, p50MbPerSec: meanMbPerSec, p99MbPerSec: meanMbPerSec, minMbPerSec: meanMbPerSec, maxMbPerSec: meanMbPerSec },
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
  return fakeRecord(scenario, { kind, received }, { durationMs: 10, mbPerSec: received / 1e6 / 0.01, senderCpuMs: 1, receiverCpuMs: 1, silentLoss, wallMs: 12 });
}

function runOf(scenarios: readonly ScenarioSummary[]): RunResult {
  const records = scenarios.map((s) => record(s.scenario, s.throughput ? 'complete' : 'truncated', s.throughput === null));
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

const at = (sizeBytes: number, chunkBytes: number, suite = AES, shutdown: Scenario['shutdown'] = 'end'): Scenario => makeScenario({ sizeBytes, chunkBytes, suite, shutdown });

test('best chunk, and the smallest chunk within 5% of it (the boundary counts), with CPU ms per GB', () => {
  const tuning = chunkTuning([
    summary(at(1e6, 4 * KiB), 100, { snd: 3, rcv: 5 }),
    summary(at(1e6, 16 * KiB), 190, { snd: 2, rcv: 3 }),
    summary(at(1e6, 64 * KiB), 200, { snd: 1, rcv: 2 }),
    summary(at(1e6, 256 * KiB), 198, { snd: 1, rcv: 1 }),
  ]);
  assert.deepEqual(tuning, [
    {
      suite: AES,
      tlsVersion: '1.3',
      sizeBytes: 1e6,
      settings: 'key=ecdsa-p256 frag=16384 shutdown=end write=backpressure receiver=until-eof peer=node protocol=raw streams=1',
      compared: 4,
      best: { chunkBytes: 64 * KiB, meanMbPerSec: 200, cpuMsPerGb: 3000 },
      // 190 is exactly 95% of 200
      smallestGood: { chunkBytes: 16 * KiB, meanMbPerSec: 190, cpuMsPerGb: 5000 },
    },
  ]);
});

test('groups by everything but the chunk; a single chunk or a scenario without throughput is not compared', () => {
  const tuning = chunkTuning([
    summary(at(64e6, 16 * KiB, CHACHA), 480),
    summary(at(64e6, 64 * KiB, CHACHA), 470),
    summary(at(64e6, 16 * KiB, AES), 500),
    summary(at(64e6, 64 * KiB, AES), null),
    summary(at(1e6, 16 * KiB, AES), 100),
    summary(at(1e6, 64 * KiB, AES), 150),
  ]);
  assert.deepEqual(
    tuning.map((t) => [t.sizeBytes, t.suite, t.compared, t.best.chunkBytes, t.smallestGood.chunkBytes]),
    [
      [1e6, AES, 2, 64 * KiB, 64 * KiB],
      [64e6, CHACHA, 2, 16 * KiB, 16 * KiB],
    ],
  );
});

test('a tie in mean goes to the smaller chunk; CPU is null when a side is unknown', () => {
  const a = summary(at(1e6, 16 * KiB), 100);
  const b = summary(at(1e6, 64 * KiB), 100);
  const [t] = chunkTuning([b, { ...a, meanReceiverCpuMs: null }]);
  assert.deepEqual(t?.best, { chunkBytes: 16 * KiB, meanMbPerSec: 100, cpuMsPerGb: null });
});

test('recommendation: the fastest suite at the largest size, its smallest good chunk, ties, and the endings to avoid', () => {
  const run = runOf([
    summary(at(1e6, 16 * KiB), 190),
    summary(at(1e6, 64 * KiB), 200),
    summary(at(64e6, 16 * KiB), 500, { snd: 40, rcv: 60 }, 10),
    summary(at(64e6, 64 * KiB), 520, { snd: 30, rcv: 50 }, 10),
    summary(at(64e6, 16 * KiB, CHACHA), 480),
    summary(at(64e6, 64 * KiB, CHACHA), 470),
    summary(at(64e6, 16 * KiB, AES, 'destroy'), null),
  ]);
  const r = recommendation(run, throughputScenarios(run.scenarios));
  assert.equal(r.sizeBytes, 64e6);
  assert.equal(r.suite, AES);
  assert.equal(r.bestChunkBytes, 64 * KiB);
  assert.equal(r.minChunkBytes, 16 * KiB);
  assert.equal(r.minChunkCpuMsPerGb, 1562.5);
  // 480 >= 520 - 10% of 520
  assert.deepEqual(r.tiedSuites, [CHACHA]);
  assert.deepEqual(r.silentLoss, ['destroy']);
  assert.deepEqual(r.delivered, ['end']);
  assert.equal(
    r.text,
    'For 64.0 MB streams, use TLS_AES_128_GCM_SHA256 (TLS 1.3) with writes of at least 16KiB: 500.0 MB/s, 1563 CPU ms per GB, within 5% of its best (520.0 MB/s with 64KiB writes, 1250 CPU ms per GB). ' +
      'TLS_CHACHA20_POLY1305_SHA256 is within the margin of error of it. ' +
      'Avoid these ways of ending the stream, they lost data silently: destroy. These delivered every byte: end.',
  );
});

test('recommendation without a chunk sweep, and without any delivered scenario', () => {
  const one = runOf([summary(at(8e6, 16 * KiB), 300, { snd: 4, rcv: 4 }), summary(at(8e6, 16 * KiB, CHACHA), 200)]);
  const r = recommendation(one, throughputScenarios(one.scenarios));
  assert.equal(r.minChunkBytes, null);
  assert.equal(r.text, 'For 8.0 MB streams, use TLS_AES_128_GCM_SHA256 (TLS 1.3): 300.0 MB/s with 16KiB writes, 1000 CPU ms per GB (only one chunk size was tried).');

  const none = runOf([summary(at(8e6, 16 * KiB, AES, 'destroy'), null)]);
  assert.equal(
    recommendation(none, throughputScenarios(none.scenarios)).text,
    'No scenario delivered every byte in every transfer, so there is no throughput to recommend. Avoid these ways of ending the stream, they lost data silently: destroy.',
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
