import type { Scenario } from '../matrix.ts';
import { isDelivered } from '../outcome.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { axisNamed, groupKey } from '../scenario-axes.ts';
import { ciHalfWidth, welchTTest } from './statistics.ts';

/**
 * Tuning answers that respect the noise. For each group of scenarios that
 * differ in one axis only (chunk size; suite at a size; streams; write or read
 * path), the best value, the set of values that cannot be told apart from it
 * (a Welch test at alpha AND a practical threshold), and the one to use from
 * that set. Pure: from a run's summaries and per-transfer samples. Groups are
 * keyed by the axis table's structured fields (never by the id string), so an
 * axis added to the table is tuned once it is in TUNING_AXES.
 */

/**
 * How one axis is tuned: which axis of the table (its values as the id spells them) and which of a tied set to
 * recommend.
 */
export interface TuningAxis {
  /** The axis (scenario-axes.ts) whose values are compared; the group is every other axis. */
  readonly axis: string;
  /** Recommend the first of the equivalent set in this order; `cheapest`: the least CPU per GB. */
  readonly prefer:
    | { readonly kind: 'smallest'; readonly order: (s: Scenario) => number; readonly why: string }
    | { readonly kind: 'cheapest' };
}

/** Keyed by the name the answers carry (results.json's `tuning[].axis`). */
export const TUNING_AXES: Readonly<Record<string, TuningAxis>> = {
  chunk: {
    axis: 'chunk',
    prefer: {
      kind: 'smallest',
      order: (s) => s.chunkBytes,
      why: 'the smallest write in the set (least buffered per write)',
    },
  },
  suite: { axis: 'suite', prefer: { kind: 'cheapest' } },
  streams: {
    axis: 'streams',
    prefer: { kind: 'smallest', order: (s) => s.streams, why: 'the fewest connections in the set' },
  },
  writePath: { axis: 'write', prefer: { kind: 'cheapest' } },
  readPath: { axis: 'read', prefer: { kind: 'cheapest' } },
};

/** A value of the tuned axis, as people write it (the id's spelling). */
const valueOf = (spec: TuningAxis, s: Scenario): string => axisNamed(spec.axis).idValue(s);

export interface TuningValue {
  readonly value: string;
  readonly scenarioId: string;
  readonly samples: number;
  readonly meanMbPerSec: number;
  readonly ciHalfWidthMbPerSec: number | null;
  readonly cpuMsPerGb: number | null;
  /** Welch p-value against the best (null for the best itself). */
  readonly pVsBest: number | null;
  /** (mean - best) / best, percent. */
  readonly changeVsBestPercent: number;
  /** Did the cell reach its rme target? null: it had none. */
  readonly targetMet: boolean | null;
}

export interface TuningAnswer {
  readonly axis: string;
  /** Every field the group's scenarios share (the ones the answer holds for), by Scenario field name. */
  readonly group: Readonly<Record<string, string | number>>;
  /** Every value tried, in the axis's order. */
  readonly values: readonly TuningValue[];
  /** Highest mean MB/s. */
  readonly best: string;
  /** The values that cannot be told apart from the best, the best included, in the axis's order. */
  readonly equivalent: readonly string[];
  /** The one to use from `equivalent`: the smallest (chunk, streams) or the cheapest in CPU (suite, paths). */
  readonly recommended: string;
  /** Sender + receiver CPU ms per 10^9 bytes of the recommended value; null when unknown. */
  readonly cpuMsPerGb: number | null;
  /** Every value is in the set: the data cannot name a winner. */
  readonly noMeasurableDifference: boolean;
  readonly note: string;
}

export interface TuningOptions {
  readonly alpha: number;
  /** A difference below this fraction of the best counts as none, significant or not. */
  readonly threshold: number;
}

export const DEFAULT_TUNING_OPTIONS: TuningOptions = { alpha: 0.05, threshold: 0.02 };

export function cpuMsPerGb(s: ScenarioSummary): number | null {
  if (s.meanSenderCpuMs === null || s.meanReceiverCpuMs === null || s.scenario.sizeBytes <= 0) return null;
  return (s.meanSenderCpuMs + s.meanReceiverCpuMs) / (s.scenario.sizeBytes / 1e9);
}

/** Per scenario id, the MB/s of its measured transfers that delivered every byte, in order. */
function samplesById(run: Pick<RunResult, 'records'>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of run.records) {
    if (r.warmup || !isDelivered(r.outcome) || r.mbPerSec === null) continue;
    out.set(r.scenarioId, [...(out.get(r.scenarioId) ?? []), r.mbPerSec]);
  }
  return out;
}

const pct = (fraction: number): string => `${Number((fraction * 100).toPrecision(4))}%`;

function answerFor(
  axis: string,
  spec: TuningAxis,
  members: readonly ScenarioSummary[],
  group: Record<string, string | number>,
  samples: Map<string, number[]>,
  opts: TuningOptions,
): TuningAnswer {
  const prefer = spec.prefer;
  const ordered =
    prefer.kind === 'smallest'
      ? [...members].sort((a, b) => prefer.order(a.scenario) - prefer.order(b.scenario))
      : [...members];
  // Highest mean; a tie goes to the first in the axis's order.
  const best = ordered.reduce((a, b) => (b.throughput!.meanMbPerSec > a.throughput!.meanMbPerSec ? b : a));
  const bestSamples = samples.get(best.scenarioId) ?? [];
  const bestMean = best.throughput!.meanMbPerSec;
  const values: TuningValue[] = ordered.map((s) => {
    const mine = samples.get(s.scenarioId) ?? [];
    const p = s === best ? null : welchTTest(bestSamples, mine).p;
    return {
      value: valueOf(spec, s.scenario),
      scenarioId: s.scenarioId,
      samples: mine.length,
      meanMbPerSec: s.throughput!.meanMbPerSec,
      // an older results.json has no CI: the same interval from the samples
      ciHalfWidthMbPerSec: s.throughput!.ciHalfWidthMbPerSec ?? (mine.length > 1 ? ciHalfWidth(mine) : null),
      cpuMsPerGb: cpuMsPerGb(s),
      pVsBest: p === null || Number.isNaN(p) ? null : p,
      changeVsBestPercent: bestMean > 0 ? ((s.throughput!.meanMbPerSec - bestMean) / bestMean) * 100 : 0,
      targetMet: s.sampling?.targetMet ?? null,
    };
  });
  // Told apart from the best only when both significant at alpha and slower by more than the threshold.
  const distinct = (v: TuningValue): boolean =>
    v.pVsBest !== null && v.pVsBest < opts.alpha && -v.changeVsBestPercent > opts.threshold * 100;
  const equivalent = values.filter((v) => !distinct(v));
  const recommended =
    spec.prefer.kind === 'smallest'
      ? equivalent[0]!
      : equivalent.reduce((a, b) =>
          b.cpuMsPerGb !== null && (a.cpuMsPerGb === null || b.cpuMsPerGb < a.cpuMsPerGb) ? b : a,
        );
  const none = equivalent.length === values.length;
  const bestValue = valueOf(spec, best.scenario);
  const why = spec.prefer.kind === 'smallest' ? spec.prefer.why : 'the least CPU per GB in the set';
  const rule = `not told apart: Welch p >= ${opts.alpha} or within ${pct(opts.threshold)} of the best`;
  const missed = values.filter((v) => v.targetMet === false).map((v) => v.value);
  const few = values.filter((v) => v.samples < 2).map((v) => v.value);
  const parts = [
    none
      ? `no measurable difference between the ${values.length} ${axis} values (${rule}); ${recommended.value} is ` +
        `${why}.`
      : `best ${bestValue}; ` +
        (equivalent.length > 1
          ? `${equivalent.map((v) => v.value).join(', ')} cannot be told apart from it (${rule})`
          : 'every other value is slower beyond the noise') +
        `; use ${recommended.value}, ${why}.`,
    ...(missed.length > 0
      ? [`${missed.join(', ')} missed the rme target, so the set may be wider than the truth.`]
      : []),
    ...(few.length > 0 ? [`${few.join(', ')} had fewer than 2 samples: nothing can be told apart from it.`] : []),
  ];
  return {
    axis,
    group,
    values,
    best: bestValue,
    equivalent: equivalent.map((v) => v.value),
    recommended: recommended.value,
    cpuMsPerGb: recommended.cpuMsPerGb,
    noMeasurableDifference: none,
    note: parts.join(' '),
  };
}

/**
 * Pure: every tuning answer of the run, for each axis with at least two
 * delivered values in some group, ordered by size, then axis, then group.
 */
export function tuningAnswers(
  run: Pick<RunResult, 'scenarios' | 'records'>,
  opts: TuningOptions = DEFAULT_TUNING_OPTIONS,
): TuningAnswer[] {
  const delivered = run.scenarios.filter((s) => s.throughput !== null);
  const samples = samplesById(run);
  const out: { size: number; axisIndex: number; key: string; answer: TuningAnswer }[] = [];
  Object.entries(TUNING_AXES).forEach(([axis, spec], axisIndex) => {
    const groups = new Map<string, { group: Record<string, string | number>; members: ScenarioSummary[] }>();
    for (const s of delivered) {
      const { key, group } = groupKey(s.scenario, [spec.axis]);
      const g = groups.get(key) ?? { group, members: [] };
      g.members.push(s);
      groups.set(key, g);
    }
    for (const [key, { group, members }] of groups) {
      if (new Set(members.map((m) => valueOf(spec, m.scenario))).size < 2) continue;
      out.push({
        size: members[0]!.scenario.sizeBytes,
        axisIndex,
        key,
        answer: answerFor(axis, spec, members, group, samples, opts),
      });
    }
  });
  return out
    .sort((a, b) => a.size - b.size || a.axisIndex - b.axisIndex || a.key.localeCompare(b.key))
    .map((x) => x.answer);
}
