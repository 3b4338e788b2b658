import { humanBytes } from '../config/units.ts';
import type { RunResult } from '../results.ts';
import { endedByStrategy, endingsMatrix, type EndingCell, type EndingKey, type EndingsMatrix } from '../analysis/endings.ts';
import { table } from './terminal-table.ts';

// The endings matrix is analysis (analysis/endings.ts); kept importable from here for its callers.
export { endedByStrategy, endingsMatrix, groupByKey, tallyEndings, type EndingCell, type EndingKey, type EndingsMatrix, type EndingTally } from '../analysis/endings.ts';

/** The `node` column of the endings tables: only in a run of several runtimes. */
export function runtimeColumn(m: EndingsMatrix): { header: string[]; cells: (key: EndingKey) => string[] } {
  return m.rows.some((r) => r.key.runtime !== undefined) ? { header: ['node'], cells: (key) => [key.runtime ?? ''] } : { header: [], cells: () => [] };
}

export function cellText(c: EndingCell): string {
  const kinds = Object.entries(c.outcomes).map(([k, n]) => (n === c.transfers ? k : `${k} ${n}/${c.transfers}`));
  const codes = c.errorCodes.length > 0 ? ` [${c.errorCodes.join(',')}]` : '';
  const lost = c.maxBytesLost > 0 ? ` -${humanBytes(c.maxBytesLost)}` : '';
  const silent = c.silent > 0 ? ` SILENT ${c.silent}/${c.transfers}` : '';
  const attempts = c.maxAttempts !== null && c.maxAttempts > 1 ? ` after ${c.maxAttempts} attempts` : '';
  return `${kinds.join(', ')}${codes}${lost}${silent}${attempts}`;
}

/** Worth printing when the run is about endings: several strategies, modes or peers, or any loss. */
export function showsEndings(run: RunResult): boolean {
  const m = endingsMatrix(run);
  return m.rows.length > 1 || run.records.some((r) => endedByStrategy(r) && r.outcome.kind !== 'complete');
}

export function endingsText(run: RunResult): string {
  const m = endingsMatrix(run);
  const node = runtimeColumn(m);
  const header = ['shutdown', 'write', 'receiver', 'peer', ...node.header, ...m.sizes.map(humanBytes)];
  const rows = m.rows.map(({ key, cells }) => [key.shutdown, key.writePath, key.receiverMode, key.receiverPeer, ...node.cells(key), ...m.sizes.map((s) => (cells.has(s) ? cellText(cells.get(s)!) : '-'))]);
  const silentTotal = run.records.filter((r) => endedByStrategy(r) && r.silentLoss).length;
  const silentRows = m.rows
    .filter((row) => [...row.cells.values()].some((c) => c.silent > 0))
    .map(({ key }) => `${key.shutdown} (write=${key.writePath}, receiver=${key.receiverMode}, peer=${key.receiverPeer}${key.runtime !== undefined ? `, node=${key.runtime}` : ''})`);
  return [
    'How each stream ended (SILENT = bytes lost or damaged and the receiver was not told; -N = most bytes lost):',
    table(header, rows, header.map(() => false)),
    silentTotal > 0 ? `Silent data loss in ${silentTotal} transfer(s), from: ${silentRows.join('; ')}.` : 'No transfer lost data silently.',
  ].join('\n');
}
