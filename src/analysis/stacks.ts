import type { RunResult, TransferRecord } from '../results.ts';
import { groupByKey, tallyEndings, type EndingTally } from './endings.ts';

/** One way of sending a stream: who sent it, how it ended it, how it wrote, how big. */
export interface StackRowKey {
  readonly senderPeer: string;
  readonly shutdown: string;
  readonly writePath: string;
  readonly sizeBytes: number;
}

/** How one receiver peer saw one way of sending, over its measured transfers. */
export interface StackCell extends EndingTally {
  /** Transfers with close_notify observed true / false / not observable. */
  readonly closeNotify: { readonly seen: number; readonly notSeen: number; readonly unknown: number };
}

export interface StacksMatrix {
  /** Receiver peers, in the order node, openssl, gnutls (those present). */
  readonly receivers: readonly string[];
  readonly rows: readonly { readonly key: StackRowKey; readonly cells: ReadonlyMap<string, StackCell> }[];
}

const RECEIVER_ORDER = ['node', 'openssl', 'gnutls'];

/** The transfers the cross-stack table compares: one raw stream read to EOF, no injected fault. */
const comparable = (r: TransferRecord): boolean =>
  !r.warmup && r.scenario.protocol === 'raw' && r.scenario.receiverMode === 'until-eof' && r.fault === null;

/** Pure: sender (peer, strategy, write path, size) rows by receiver peer columns. */
export function stacksMatrix(run: RunResult): StacksMatrix {
  const records = run.records.filter(comparable);
  const present = new Set(records.map((r) => r.scenario.receiverPeer as string));
  const receivers = [
    ...RECEIVER_ORDER.filter((p) => present.has(p)),
    ...[...present].filter((p) => !RECEIVER_ORDER.includes(p)).sort(),
  ];
  const rows = groupByKey(records, (r): StackRowKey => ({
    senderPeer: r.scenario.senderPeer,
    shutdown: r.scenario.shutdown,
    writePath: r.scenario.writePath,
    sizeBytes: r.scenario.sizeBytes,
  }));
  // Node's sender first, then by size; within those, the order the run had.
  const senderRank = (p: string): number => (p === 'node' ? 0 : 1);
  const sorted = [...rows].sort(
    (a, b) =>
      senderRank(a.key.senderPeer) - senderRank(b.key.senderPeer) ||
      a.key.senderPeer.localeCompare(b.key.senderPeer) ||
      a.key.sizeBytes - b.key.sizeBytes,
  );
  return {
    receivers,
    rows: sorted.map(({ key, records: rs }) => {
      const cells = new Map<string, StackCell>();
      for (const peer of receivers) {
        const mine = rs.filter((r) => r.scenario.receiverPeer === peer);
        if (mine.length === 0) continue;
        cells.set(peer, {
          ...tallyEndings(mine),
          closeNotify: {
            seen: mine.filter((r) => r.closeNotify === true).length,
            notSeen: mine.filter((r) => r.closeNotify === false).length,
            unknown: mine.filter((r) => r.closeNotify === null).length,
          },
        });
      }
      return { key, cells };
    }),
  };
}

/** Worth showing when the run compared stacks: a receiver other than Node, or a sender other than Node. */
export function stacksWorthShowing(m: StacksMatrix): boolean {
  return m.receivers.some((p) => p !== 'node') || m.rows.some((r) => r.key.senderPeer !== 'node');
}
