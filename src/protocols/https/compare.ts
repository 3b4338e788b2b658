import * as v from 'valibot';
import type { ComparableSample } from '../../compare/compare.ts';
import { usageError } from '../../errors.ts';
import { describeIssue, finite, nonNegativeInt } from '../../schema.ts';
import { isCleanSample } from './samples.ts';

/** As results-schema.ts: faster than any link here by orders of magnitude, so a larger value is a damaged file. */
const MAX_MB_PER_SEC = 1e9;

const sample = v.looseObject({
  warmup: v.boolean(),
  cooldown: v.boolean(),
  mbPerSec: v.pipe(
    finite,
    v.minValue(0, 'a throughput in MB/s >= 0'),
    v.maxValue(MAX_MB_PER_SEC, `a throughput in MB/s <= ${MAX_MB_PER_SEC}`),
  ),
  errors: nonNegativeInt,
  non2xx: nonNegativeInt,
});

const load = v.looseObject({ protocol: v.literal('https'), cellId: v.string(), samples: v.array(sample) });

/** What one compared sample of an HTTPS cell is (compare's explanation says it). */
export const HTTPS_SAMPLE_UNIT =
  "one 1 s interval of an HTTPS cell's autocannon load between its warm-up and cool-down (MB/s of its " +
  'responses, each spread over the time it took; an interval with an error or non-2xx answer is not counted)';

/**
 * The HTTPS cells' samples of a results.json, for compare: one per measured
 * interval, keyed by the cell id. A file without an `https` list, or whose
 * cells predate the samples (they carried one aggregate each), has none.
 */
export function httpsComparableSamples(value: object, where: string): ComparableSample[] {
  const cells = (value as { https?: unknown }).https;
  if (cells === undefined) return [];
  if (!Array.isArray(cells))
    throw usageError(
      `${where} is not a tls-sst-bench results.json: https is ${typeof cells}: expected a list of HTTPS load records`,
    );
  return cells.flatMap((cell: unknown, i) => {
    if (typeof cell !== 'object' || cell === null || !('samples' in cell)) return [];
    const parsed = v.safeParse(load, cell);
    if (!parsed.success)
      throw usageError(`${where} is not a tls-sst-bench results.json: https[${i}].${describeIssue(parsed.issues)}`);
    const c = parsed.output;
    return c.samples.map((s) => {
      const counted = isCleanSample(s);
      // compare leaves out a run's warm-up; a cell's cool-down is left out the same way
      return {
        scenarioId: c.cellId,
        warmup: s.warmup || s.cooldown,
        mbPerSec: s.mbPerSec,
        counted,
        ending: counted ? 'served' : s.errors > 0 ? 'errors' : 'non-2xx',
        unit: HTTPS_SAMPLE_UNIT,
      };
    });
  });
}
