import type { Scenario } from '../../src/matrix.ts';
import type { Outcome, OutcomeKind } from '../../src/outcome.ts';
import type { Environment, ScenarioSummary, TransferRecord } from '../../src/results.ts';

/** What a made-up scenario summary says beyond its records: spread and CPU. */
export interface FakeStats {
  readonly sdMbPerSec: number;
  readonly rmePercent: number;
  readonly senderCpuMs: number;
  readonly receiverCpuMs: number;
}

/**
 * A scenario summary for reporter tests, from its records: mean, p50, p99,
 * min and max of their MB/s (no throughput at all if any lost data), the
 * spread and CPU as given, fixed handshake and RSS.
 */
export function fakeSummary(scenario: Scenario, records: readonly TransferRecord[], stats: FakeStats): ScenarioSummary {
  const rates = records.map((r) => r.mbPerSec!);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const delivered = records.every((r) => !r.silentLoss);
  return {
    scenarioId: scenario.id,
    scenario,
    iterations: records.length,
    outcomes: delivered ? { complete: records.length } : { truncated: records.length },
    throughput: delivered
      ? {
          samples: rates.length,
          meanMbPerSec: mean,
          sdMbPerSec: stats.sdMbPerSec,
          rmePercent: stats.rmePercent,
          p50MbPerSec: mean,
          p99MbPerSec: mean,
          minMbPerSec: Math.min(...rates),
          maxMbPerSec: Math.max(...rates),
        }
      : null,
    meanHandshakeMs: 2,
    meanSenderCpuMs: stats.senderCpuMs,
    meanReceiverCpuMs: stats.receiverCpuMs,
    maxSenderRssBytes: 5e7,
    maxReceiverRssBytes: 5e7,
    durationSamplesMs: records.map((r) => r.durationMs!),
  };
}

/** A made-up environment for reporter tests; each test overrides what it shows. */
export function fakeEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    node: 'v20.20.2',
    openssl: '3.0.19',
    v8: '11.3',
    platform: 'linux',
    arch: 'x64',
    kernel: '6.1.0',
    cpuModel: 'Test CPU',
    cpuFlags: { aes: true, vaes: false, avx2: true, avx512f: false },
    cores: 2,
    memoryBytes: 8e9,
    tcpSysctls: {},
    gitRevision: null,
    gitDirty: null,
    hostname: 'host',
    ...overrides,
  };
}

/** How a made-up transfer ended: the outcome kind, the bytes the receiver got, an error code. */
export interface FakeEnd {
  readonly kind: OutcomeKind;
  readonly received: number;
  readonly errorCode?: string | null;
}

/**
 * A measured transfer record for reporter tests: the scenario's size sent,
 * `end.received` arrived, an outcome of `end.kind` (with bytesLost when
 * truncated), close_notify seen only on `complete`; nothing measured beyond
 * that unless `fields` says so.
 */
export function fakeRecord(scenario: Scenario, end: FakeEnd, fields: Partial<TransferRecord> = {}): TransferRecord {
  const size = scenario.sizeBytes;
  const outcome = {
    kind: end.kind,
    bytesExpected: size,
    bytesReceived: end.received,
    errorCode: end.errorCode ?? null,
    errorMessage: null,
    ...(end.kind === 'truncated' ? { bytesLost: size - end.received } : {}),
  } as Outcome;
  return {
    runId: 'r',
    scenarioId: scenario.id,
    iteration: 0,
    warmup: false,
    scenario,
    source: 'memory',
    suiteNegotiated: scenario.suite,
    protocolNegotiated: 'TLSv1.3',
    bytesExpected: size,
    bytesWritten: size,
    bytesReceived: end.received,
    handshakeMs: 1,
    durationMs: null,
    mbPerSec: null,
    senderCpuMs: null,
    receiverCpuMs: null,
    senderRssPeakBytes: null,
    receiverRssPeakBytes: null,
    closeNotify: end.kind === 'complete',
    outcome,
    receiverNoticed: false,
    silentLoss: false,
    stoppedAt: null,
    fault: null,
    detail: null,
    progress: [],
    wallMs: 10,
    ...fields,
  };
}
