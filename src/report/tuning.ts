import { formatBytes, humanBytes } from '../config/units.ts';
import type { TuningAnswer } from '../analysis/tuning.ts';

// The answers and the recommendation are analysis (analysis/tuning.ts, analysis/recommendation.ts); kept importable
// from here for their callers.
export { cpuMsPerGb } from '../analysis/tuning.ts';
export {
  endingLabel,
  recommendation,
  runTuning,
  tuningOptionsOf,
  type Recommendation,
} from '../analysis/recommendation.ts';

const HIDDEN_GROUP_FIELDS = new Set(['sizeBytes', 'fileBytes']);

/**
 * The group's fields that differ among the answers of its axis (the rest is the same for all): `suite=... chunk=...`.
 */
export function groupText(answer: TuningAnswer, all: readonly TuningAnswer[]): string {
  const same = all.filter((a) => a.axis === answer.axis);
  const vary = Object.keys(answer.group).filter(
    (k) => !HIDDEN_GROUP_FIELDS.has(k) && new Set(same.map((a) => a.group[k])).size > 1,
  );
  return (
    vary.map((k) => `${k}=${k === 'chunkBytes' ? formatBytes(Number(answer.group[k])) : answer.group[k]}`).join(' ') ||
    '-'
  );
}

/** The tuning answers as one table (terminal, summary.md, report.html). */
export function tuningTable(answers: readonly TuningAnswer[]): {
  header: string[];
  rows: string[][];
  numeric: boolean[];
} {
  const header = ['size', 'tune', 'for', 'best', 'MB/s ± 95%', 'cannot be told apart', 'use', 'MB/s', 'CPU ms/GB'];
  const rows = answers.map((a) => {
    const best = a.values.find((v) => v.value === a.best)!;
    const use = a.values.find((v) => v.value === a.recommended)!;
    return [
      humanBytes(Number(a.group.sizeBytes)),
      a.axis,
      groupText(a, answers),
      a.noMeasurableDifference ? 'no measurable difference' : a.best,
      `${best.meanMbPerSec.toFixed(1)} ± ` +
        (best.ciHalfWidthMbPerSec === null || Number.isNaN(best.ciHalfWidthMbPerSec)
          ? '?'
          : best.ciHalfWidthMbPerSec.toFixed(1)),
      a.equivalent.join(', '),
      a.recommended,
      use.meanMbPerSec.toFixed(1),
      a.cpuMsPerGb === null ? '-' : String(Math.round(a.cpuMsPerGb)),
    ];
  });
  return { header, rows, numeric: header.map((h) => /MB\/s|ms\/GB/.test(h)) };
}

export const TUNING_NOTE =
  'Per group (same size and every setting but the one tuned): the best value by mean MB/s, the values that ' +
  'cannot be told apart from it (Welch t-test on the per-transfer MB/s not significant at alpha, or slower by ' +
  'less than the threshold), and the one to use from that set: the smallest chunk or number of streams, else ' +
  "the least CPU per GB. 'no measurable difference': every value is in the set.";
