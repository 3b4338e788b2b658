import { isDelivered } from '../outcome.ts';
import type { RunResult, TransferRecord } from '../results.ts';
import { table } from './terminal-table.ts';

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
  for (const r of run.records) if (r.fault && !r.warmup) byKind.set(r.fault.kind, [...(byKind.get(r.fault.kind) ?? []), r]);
  return [...byKind.entries()].map(([kind, rs]) => {
    const outcomes: Record<string, number> = {};
    for (const r of rs) outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
    return { kind, injected: rs.length, outcomes, falseComplete: rs.filter((r) => isDelivered(r.outcome)).length, silent: rs.filter((r) => r.silentLoss).length };
  });
}

export function faultsText(run: RunResult): string {
  const s = faultSummaries(run);
  const falseComplete = s.reduce((n, x) => n + x.falseComplete, 0);
  return [
    'Injected faults (loopback proxy between sender and receiver, seeded random offsets):',
    table(
      ['fault', 'injected', 'false complete', 'silent', 'classified as'],
      s.map((x) => [x.kind, String(x.injected), String(x.falseComplete), String(x.silent), Object.entries(x.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')]),
      [false, true, true, true, false],
    ),
    falseComplete === 0 ? 'Zero false complete: every injected fault was classified as not complete.' : `${falseComplete} FALSE COMPLETE: a damaged stream was reported whole.`,
  ].join('\n');
}
