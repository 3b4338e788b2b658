import { humanBytes } from '../config/units.ts';
import type { RunResult } from '../results.ts';
import { stacksMatrix, stacksWorthShowing, type StackCell, type StacksMatrix } from '../analysis/stacks.ts';
import { table } from './terminal-table.ts';

// The matrix is analysis (analysis/stacks.ts); kept importable from here for its callers.
export { stacksMatrix, type StackCell, type StackRowKey, type StacksMatrix } from '../analysis/stacks.ts';

/** `complete, close_notify`, `tls-error 0A000126, no close_notify`, with counts where transfers differ. */
export function stackCellText(c: StackCell): string {
  const of = (n: number): string => (n === c.transfers ? '' : ` ${n}/${c.transfers}`);
  const kinds = Object.entries(c.outcomes).map(([k, n]) => `${k}${of(n)}`);
  const codes = c.errorCodes.length > 0 ? ` ${c.errorCodes.join(',')}` : '';
  const cn = c.closeNotify;
  const notify = [
    cn.seen > 0 ? `close_notify${of(cn.seen)}` : '',
    cn.notSeen > 0 ? `no close_notify${of(cn.notSeen)}` : '',
    cn.unknown > 0 ? `close_notify unknown${of(cn.unknown)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lost = c.maxBytesLost > 0 ? `, -${humanBytes(c.maxBytesLost)}` : '';
  const silent = c.silent > 0 ? `, SILENT${of(c.silent)}` : '';
  return `${kinds.join(', ')}${codes}, ${notify}${lost}${silent}`;
}

export function showsStacks(run: RunResult): boolean {
  return stacksWorthShowing(stacksMatrix(run));
}

export function stacksTable(run: RunResult): { header: string[]; rows: string[][] } {
  return stacksTableOf(stacksMatrix(run));
}

/** Pure: the matrix as a header and rows, for the terminal, Markdown and HTML tables. */
export function stacksTableOf(m: StacksMatrix): { header: string[]; rows: string[][] } {
  return {
    header: ['sender', 'shutdown', 'write', 'size', ...m.receivers.map((p) => `${p} receiver`)],
    rows: m.rows.map(({ key, cells }) => [
      key.senderPeer,
      key.shutdown,
      key.writePath,
      humanBytes(key.sizeBytes),
      ...m.receivers.map((p) => (cells.has(p) ? stackCellText(cells.get(p)!) : '-')),
    ]),
  };
}

export const STACKS_TITLE = 'EOF outcome across TLS stacks';
export const STACKS_LEGEND =
  'Rows: who sent and how it ended the stream; columns: which TLS stack received it. Cell: outcome, error ' +
  'code, whether close_notify arrived; -N = most bytes lost; SILENT = lost without the receiver being told.';

export function stacksText(run: RunResult): string {
  return stacksTextOf(stacksMatrix(run));
}

export function stacksTextOf(m: StacksMatrix): string {
  const t = stacksTableOf(m);
  return [
    `${STACKS_TITLE} (${STACKS_LEGEND})`,
    table(
      t.header,
      t.rows,
      t.header.map(() => false),
    ),
  ].join('\n');
}
