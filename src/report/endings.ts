import { humanBytes } from '../config/units.ts';
import type { RunResult } from '../results.ts';
import {
  endedByStrategy,
  endingsMatrix,
  endingsWorthShowing,
  type EndingCell,
  type EndingKey,
  type EndingsMatrix,
} from '../analysis/endings.ts';
import { table } from './terminal-table.ts';

// The endings matrix is analysis (analysis/endings.ts); kept importable from here for its callers.
export {
  endedByStrategy,
  endingsMatrix,
  groupByKey,
  tallyEndings,
  type EndingCell,
  type EndingKey,
  type EndingsMatrix,
  type EndingTally,
} from '../analysis/endings.ts';

/** The `node` column of the endings tables: only in a run of several runtimes. */
export function runtimeColumn(m: EndingsMatrix): { header: string[]; cells: (key: EndingKey) => string[] } {
  return m.rows.some((r) => r.key.runtime !== undefined)
    ? { header: ['node'], cells: (key) => [key.runtime ?? ''] }
    : { header: [], cells: () => [] };
}

export function cellText(c: EndingCell): string {
  const kinds = Object.entries(c.outcomes).map(([k, n]) => (n === c.transfers ? k : `${k} ${n}/${c.transfers}`));
  const codes = c.errorCodes.length > 0 ? ` [${c.errorCodes.join(',')}]` : '';
  const lost = c.maxBytesLost > 0 ? ` -${humanBytes(c.maxBytesLost)}` : '';
  const silent = c.silent > 0 ? ` SILENT ${c.silent}/${c.transfers}` : '';
  const attempts = c.maxAttempts !== null && c.maxAttempts > 1 ? ` after ${c.maxAttempts} attempts` : '';
  return `${kinds.join(', ')}${codes}${lost}${silent}${attempts}`;
}

export function showsEndings(run: RunResult): boolean {
  return endingsWorthShowing(endingsMatrix(run), run.records);
}

/** The endings table (strategy, write path, receiver, peer, node by size) for the terminal, Markdown and HTML alike. */
export function endingsTable(m: EndingsMatrix): { header: string[]; rows: string[][] } {
  const node = runtimeColumn(m);
  const header = ['shutdown', 'write', 'receiver', 'peer', ...node.header, ...m.sizes.map(humanBytes)];
  const rows = m.rows.map(({ key, cells }) => [
    key.shutdown,
    key.writePath,
    key.receiverMode,
    key.receiverPeer,
    ...node.cells(key),
    ...m.sizes.map((s) => (cells.has(s) ? cellText(cells.get(s)!) : '-')),
  ]);
  return { header, rows };
}

/** Measured transfers a strategy ended that lost data silently. */
export function silentTransfers(run: RunResult): number {
  return run.records.filter((r) => endedByStrategy(r) && r.silentLoss).length;
}

export function endingsText(run: RunResult): string {
  return endingsTextOf(endingsMatrix(run), run);
}

export function endingsTextOf(m: EndingsMatrix, run: RunResult): string {
  const { header, rows } = endingsTable(m);
  const silentTotal = silentTransfers(run);
  const silentRows = m.rows
    .filter((row) => [...row.cells.values()].some((c) => c.silent > 0))
    .map(
      ({ key }) =>
        `${key.shutdown} (write=${key.writePath}, receiver=${key.receiverMode}, peer=` +
        `${key.receiverPeer}${key.runtime !== undefined ? `, node=${key.runtime}` : ''})`,
    );
  return [
    'How each stream ended (SILENT = bytes lost or damaged and the receiver was not told; -N = most bytes lost):',
    table(
      header,
      rows,
      header.map(() => false),
    ),
    silentTotal > 0
      ? `Silent data loss in ${silentTotal} transfer(s), from: ${silentRows.join('; ')}.`
      : 'No transfer lost data silently.',
  ].join('\n');
}
