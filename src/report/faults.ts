import type { RunResult } from '../results.ts';
import { faultSummaries, type FaultSummary } from '../analysis/faults.ts';
import { table } from './terminal-table.ts';

// The summaries are analysis (analysis/faults.ts); kept importable from here for its callers.
export { faultSummaries, type FaultSummary } from '../analysis/faults.ts';

/** The faults table, for the terminal, Markdown and HTML alike. */
export function faultsTable(s: readonly FaultSummary[]): { header: string[]; rows: string[][]; numeric: boolean[] } {
  return {
    header: ['fault', 'injected', 'false complete', 'silent', 'classified as'],
    rows: s.map((x) => [
      x.kind,
      String(x.injected),
      String(x.falseComplete),
      String(x.silent),
      Object.entries(x.outcomes)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    ]),
    numeric: [false, true, true, true, false],
  };
}

/** Transfers reported complete although a fault cut or changed the stream. */
export const falseCompletes = (s: readonly FaultSummary[]): number => s.reduce((n, x) => n + x.falseComplete, 0);

export function faultsText(run: RunResult): string {
  return faultsTextOf(faultSummaries(run));
}

export function faultsTextOf(s: readonly FaultSummary[]): string {
  const falseComplete = falseCompletes(s);
  const t = faultsTable(s);
  return [
    'Injected faults (loopback proxy between sender and receiver, seeded random offsets):',
    table(t.header, t.rows, t.numeric),
    falseComplete === 0
      ? 'Zero false complete: every injected fault was classified as not complete.'
      : `${falseComplete} FALSE COMPLETE: a damaged stream was reported whole.`,
  ].join('\n');
}
