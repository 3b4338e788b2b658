import type { RunResult } from '../results.ts';
import { faultSummaries } from '../analysis/faults.ts';
import { table } from './terminal-table.ts';

// The summaries are analysis (analysis/faults.ts); kept importable from here for its callers.
export { faultSummaries, type FaultSummary } from '../analysis/faults.ts';

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
