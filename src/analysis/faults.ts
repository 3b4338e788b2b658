import { isDelivered } from '../outcome.ts';
import type { RunResult, TransferRecord } from '../results.ts';

export interface FaultSummary {
  readonly kind: string;
  readonly injected: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Transfers reported complete although a fault cut or changed the stream: must be 0. */
  readonly falseComplete: number;
  readonly silent: number;
}

/** Pure: per kind of injected fault, how the transfers were classified. */
export function faultSummaries(run: RunResult): FaultSummary[] {
  const byKind = new Map<string, TransferRecord[]>();
  for (const r of run.records)
    if (r.fault && !r.warmup) byKind.set(r.fault.kind, [...(byKind.get(r.fault.kind) ?? []), r]);
  return [...byKind.entries()].map(([kind, rs]) => {
    const outcomes: Record<string, number> = {};
    for (const r of rs) outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
    return {
      kind,
      injected: rs.length,
      outcomes,
      falseComplete: rs.filter((r) => isDelivered(r.outcome)).length,
      silent: rs.filter((r) => r.silentLoss).length,
    };
  });
}
