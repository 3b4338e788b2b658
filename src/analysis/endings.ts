import { attemptsOf, protocolOf } from '../protocols/registry.ts';
import type { RunResult, TransferRecord } from '../results.ts';

/** One way of ending a stream, as seen by one kind of receiver. */
export interface EndingKey {
  readonly shutdown: string;
  readonly writePath: string;
  readonly receiverMode: string;
  /** `node`, `openssl`, or `kvrocks x4` for a full sync over 4 connections. */
  readonly receiverPeer: string;
  /** The Node runtime's label in a run of several (--node): each runtime ends its streams its own way. */
  readonly runtime?: string;
}

/** How a group of transfers ended: the counts every endings table shows. */
export interface EndingTally {
  readonly transfers: number;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Transfers that lost or damaged data without the receiver being told. */
  readonly silent: number;
  readonly maxBytesLost: number;
  /** Distinct error codes seen (0A000126, ECONNRESET, ...). */
  readonly errorCodes: readonly string[];
}

export interface EndingCell extends EndingTally {
  /** Kvrocks full syncs: the most attempts one took (null for single streams). */
  readonly maxAttempts: number | null;
}

/** Pure: the tally of some transfers (at least one). */
export function tallyEndings(rs: readonly TransferRecord[]): EndingTally {
  const outcomes: Record<string, number> = {};
  for (const r of rs) outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
  return {
    transfers: rs.length,
    outcomes,
    silent: rs.filter((r) => r.silentLoss).length,
    maxBytesLost: Math.max(...rs.map((r) => Math.max(0, r.bytesExpected - r.bytesReceived))),
    errorCodes: [...new Set(rs.map((r) => r.outcome.errorCode).filter((c): c is string => c !== null))],
  };
}

/** Pure: records grouped by a key (compared by value), in the order keys first appear. */
export function groupByKey<K>(
  records: readonly TransferRecord[],
  keyOf: (r: TransferRecord) => K,
): { key: K; records: TransferRecord[] }[] {
  const groups = new Map<string, { key: K; records: TransferRecord[] }>();
  for (const r of records) {
    const key = keyOf(r);
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, records: [] };
    group.records.push(r);
    groups.set(id, group);
  }
  return [...groups.values()];
}

export interface EndingsMatrix {
  readonly sizes: readonly number[];
  readonly rows: readonly { readonly key: EndingKey; readonly cells: ReadonlyMap<number, EndingCell> }[];
}

const keyOf = (r: TransferRecord): EndingKey => ({
  shutdown: r.scenario.shutdown,
  writePath: r.scenario.writePath,
  receiverMode: r.scenario.receiverMode,
  receiverPeer:
    protocolOf(r.scenario)?.peerLabel?.(r.scenario) ??
    (r.scenario.senderPeer === 'node'
      ? r.scenario.receiverPeer
      : `${r.scenario.receiverPeer} (sender ${r.scenario.senderPeer})`),
  ...(r.scenario.runtime !== undefined ? { runtime: r.scenario.runtime } : {}),
});

/**
 * The transfers whose ending tells something about the way of ending: measured,
 * with no injected fault (the faults table has those: the proxy, not the
 * strategy, cut them) and no fixture error (the run's input changed). Findings
 * about strategies come only from these.
 */
export function endedByStrategy(r: TransferRecord): boolean {
  return !r.warmup && r.fault === null && r.outcome.kind !== 'fixture-error';
}

/** Pure: strategy x write path x receiver (rows) by size (columns), over measured transfers the strategy ended. */
export function endingsMatrix(run: RunResult): EndingsMatrix {
  const measured = run.records.filter(endedByStrategy);
  const sizes = [...new Set(measured.map((r) => r.scenario.sizeBytes))].sort((a, b) => a - b);
  return {
    sizes,
    rows: groupByKey(measured, keyOf).map(({ key, records }) => {
      const cells = new Map<number, EndingCell>();
      for (const size of sizes) {
        const rs = records.filter((r) => r.scenario.sizeBytes === size);
        if (rs.length === 0) continue;
        cells.set(size, {
          ...tallyEndings(rs),
          maxAttempts: rs.some((r) => attemptsOf(r) !== null) ? Math.max(...rs.map((r) => attemptsOf(r) ?? 0)) : null,
        });
      }
      return { key, cells };
    }),
  };
}

/** Worth a table when the run is about endings: several strategies, modes or peers, or any loss. */
export function endingsWorthShowing(m: EndingsMatrix, records: readonly TransferRecord[]): boolean {
  return m.rows.length > 1 || records.some((r) => endedByStrategy(r) && r.outcome.kind !== 'complete');
}
