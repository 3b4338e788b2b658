import type { Statistics } from 'tinybench';
import { isDelivered, type OutcomeKind } from './outcome.ts';
import type { ScenarioSummary, ThroughputStats, TransferRecord } from './results.ts';
import type { Scenario } from './matrix.ts';

/**
 * MB/s statistics from tinybench's per-sample throughput (operations per
 * second, one operation = one transfer of `sizeBytes`): each statistic scales
 * by the size in MB, except the relative margin of error.
 */
export function throughputFromTinybench(t: Pick<Statistics, 'samplesCount' | 'mean' | 'sd' | 'rme' | 'p50' | 'p99' | 'min' | 'max'>, sizeBytes: number): ThroughputStats {
  const mb = sizeBytes / 1e6;
  return {
    samples: t.samplesCount,
    meanMbPerSec: t.mean * mb,
    sdMbPerSec: t.sd * mb,
    rmePercent: t.rme,
    p50MbPerSec: t.p50 * mb,
    p99MbPerSec: t.p99 * mb,
    minMbPerSec: t.min * mb,
    maxMbPerSec: t.max * mb,
  };
}

/** The middle value (mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function present(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

export function countOutcomes(records: readonly TransferRecord[]): Partial<Record<OutcomeKind, number>> {
  const counts: Partial<Record<OutcomeKind, number>> = {};
  for (const r of records) counts[r.outcome.kind] = (counts[r.outcome.kind] ?? 0) + 1;
  return counts;
}

/**
 * One scenario's row. Throughput comes from tinybench's statistics, and only
 * when every measured transfer delivered every byte.
 */
export function summarizeScenario(scenario: Scenario, measured: readonly TransferRecord[], tinybenchThroughput: Statistics | null): ScenarioSummary {
  const allDelivered = measured.length > 0 && measured.every((r) => isDelivered(r.outcome));
  return {
    scenarioId: scenario.id,
    scenario,
    iterations: measured.length,
    outcomes: countOutcomes(measured),
    throughput: allDelivered && tinybenchThroughput ? throughputFromTinybench(tinybenchThroughput, scenario.sizeBytes) : null,
    meanHandshakeMs: mean(present(measured.map((r) => r.handshakeMs))),
    meanSenderCpuMs: mean(present(measured.map((r) => r.senderCpuMs))),
    meanReceiverCpuMs: mean(present(measured.map((r) => r.receiverCpuMs))),
    maxSenderRssBytes: maxOf(present(measured.map((r) => r.senderRssPeakBytes))),
    maxReceiverRssBytes: maxOf(present(measured.map((r) => r.receiverRssPeakBytes))),
    durationSamplesMs: present(measured.map((r) => r.durationMs)),
  };
}

/** For each suite and size, the chunk size with the highest mean MB/s. */
export interface BestChunk {
  readonly suite: string;
  readonly tlsVersion: string;
  readonly sizeBytes: number;
  readonly chunkBytes: number;
  readonly meanMbPerSec: number;
  /** How many chunk sizes were compared. */
  readonly compared: number;
  /** The Node runtime's label in a run of several (--node). */
  readonly runtime?: string;
}

export function bestChunks(summaries: readonly ScenarioSummary[]): BestChunk[] {
  const groups = new Map<string, ScenarioSummary[]>();
  for (const s of summaries) {
    if (!s.throughput) continue;
    // Everything but the chunk must match for chunks to be compared.
    const key = s.scenarioId.replace(/ chunk=\S+/, '');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: BestChunk[] = [];
  for (const group of groups.values()) {
    const best = group.reduce((a, b) => (b.throughput!.meanMbPerSec > a.throughput!.meanMbPerSec ? b : a));
    out.push({
      suite: best.scenario.suite,
      tlsVersion: best.scenario.tlsVersion,
      sizeBytes: best.scenario.sizeBytes,
      chunkBytes: best.scenario.chunkBytes,
      meanMbPerSec: best.throughput!.meanMbPerSec,
      compared: group.length,
      ...(best.scenario.runtime !== undefined ? { runtime: best.scenario.runtime } : {}),
    });
  }
  return out;
}
