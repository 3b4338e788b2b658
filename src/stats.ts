import { isDelivered, type OutcomeKind } from './outcome.ts';
import type { SamplingSummary, ScenarioSummary, ThroughputStats, TransferRecord } from './results.ts';
import type { Scenario } from './matrix.ts';
import { mannKendall, mean, outlierIndices, summarize } from './analysis/statistics.ts';
import type { StopReason } from './runner/sampling.ts';

/** MB/s statistics of a scenario's per-transfer rates (MB = 10^6 bytes), by the statistics module. */
export function throughputOf(rates: readonly number[]): ThroughputStats {
  const s = summarize(rates);
  return {
    samples: s.n,
    meanMbPerSec: s.mean,
    sdMbPerSec: s.sd,
    rmePercent: s.rmePercent,
    ciHalfWidthMbPerSec: s.ciHalfWidth,
    p50MbPerSec: s.p50,
    p99MbPerSec: s.p99,
    minMbPerSec: s.min,
    maxMbPerSec: s.max,
  };
}

function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : mean(values);
}

function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

function present(values: readonly (number | null | undefined)[]): number[] {
  return values.filter((v): v is number => v !== null && v !== undefined);
}

export function countOutcomes(records: readonly TransferRecord[]): Partial<Record<OutcomeKind, number>> {
  const counts: Partial<Record<OutcomeKind, number>> = {};
  for (const r of records) counts[r.outcome.kind] = (counts[r.outcome.kind] ?? 0) + 1;
  return counts;
}

/** How a scenario was sampled, as the run loop saw it. */
export interface SamplingFacts {
  readonly warmupTransfers: number;
  readonly targetRmePercent: number | null;
  readonly targetMet: boolean | null;
  readonly stopReason: StopReason;
  readonly measuredMs: number;
  /**
   * The host's other CPU use over all its measured transfers (pooled jiffies); absent: the mean of the records' shares.
   */
  readonly host?: { readonly hostBusyPercent: number | null; readonly stealPercent: number | null };
  /** The run's --alpha and --threshold: a trend must be significant and larger than the threshold. */
  readonly alpha: number;
  readonly threshold: number;
}

/**
 * One scenario's row. Throughput only when every measured transfer delivered
 * every byte; trend and outliers over its MB/s in time order.
 */
export function summarizeScenario(
  scenario: Scenario,
  measured: readonly TransferRecord[],
  facts: SamplingFacts,
): ScenarioSummary {
  const allDelivered = measured.length > 0 && measured.every((r) => isDelivered(r.outcome));
  const rates = present(measured.map((r) => r.mbPerSec));
  const usable = allDelivered && rates.length === measured.length;
  const sampling: SamplingSummary = {
    warmupTransfers: facts.warmupTransfers,
    targetRmePercent: facts.targetRmePercent,
    targetMet: facts.targetMet,
    stopReason: facts.stopReason,
    measuredMs: facts.measuredMs,
    trend: usable ? mannKendall(rates, facts.alpha, facts.threshold * 100).trend : 'none',
    outliers: usable ? outlierIndices(rates).map((i) => measured[i]!.iteration) : [],
    hostBusyPercent: facts.host
      ? facts.host.hostBusyPercent
      : meanOrNull(present(measured.map((r) => r.hostBusyPercent))),
    stealPercent: facts.host ? facts.host.stealPercent : meanOrNull(present(measured.map((r) => r.stealPercent))),
  };
  return {
    scenarioId: scenario.id,
    scenario,
    iterations: measured.length,
    outcomes: countOutcomes(measured),
    throughput: usable ? throughputOf(rates) : null,
    meanHandshakeMs: meanOrNull(present(measured.map((r) => r.handshakeMs))),
    meanSenderCpuMs: meanOrNull(present(measured.map((r) => r.senderCpuMs))),
    meanReceiverCpuMs: meanOrNull(present(measured.map((r) => r.receiverCpuMs))),
    maxSenderRssBytes: maxOf(present(measured.map((r) => r.senderRssPeakBytes))),
    maxReceiverRssBytes: maxOf(present(measured.map((r) => r.receiverRssPeakBytes))),
    durationSamplesMs: present(measured.map((r) => r.durationMs)),
    sampling,
  };
}
