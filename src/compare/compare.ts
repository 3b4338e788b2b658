import { usageError } from '../errors.ts';
import { isDelivered, type Outcome, type OutcomeKind } from '../outcome.ts';
import { parseRunJson } from '../results-schema.ts';
import type { Environment, RunContext, RuntimeRecord, ScenarioSummary, TransferRecord } from '../results.ts';
import { mean, welchTTest } from '../analysis/statistics.ts';

/**
 * What a comparison reads of a run. A `RunResult` is one; results.json is
 * checked for exactly these fields (see `comparableRun`).
 */
export interface ComparableRun {
  readonly context: Pick<RunContext, 'runId'> & {
    readonly environment?: Partial<Pick<Environment, 'node' | 'openssl' | 'cpuModel'>>;
    /** The Node binaries the workers ran on (--node); absent in older results.json. */
    readonly runtimes?: readonly Pick<RuntimeRecord, 'node' | 'openssl'>[];
  };
  /**
   * `targetMet`: did the scenario reach its rme target (false: missed; null or absent: it had none, or an older
   * results.json).
   */
  readonly scenarios: readonly (Pick<ScenarioSummary, 'scenarioId'> & { readonly targetMet?: boolean | null })[];
  readonly records: readonly (Pick<TransferRecord, 'scenarioId' | 'warmup' | 'mbPerSec'> & {
    readonly outcome: Pick<Outcome, 'kind'>;
  })[];
  /** A protocol's own measurements that are not transfers (an HTTPS cell's per-second load), compared the same way. */
  readonly samples?: readonly ComparableSample[];
}

/**
 * One sample of a scenario that is not a transfer: compare reads its MB/s when
 * it is `counted` (the protocol's "delivered"), and counts it by `ending`
 * otherwise. `unit` says in words what one sample is, for the explanation.
 */
export interface ComparableSample {
  readonly scenarioId: string;
  readonly warmup: boolean;
  readonly mbPerSec: number;
  readonly counted: boolean;
  readonly ending: string;
  readonly unit: string;
}

/** Reads a protocol's samples out of a parsed results.json (checking what it reads); [] when the file has none. */
export type SampleSource = (value: object, where: string) => readonly ComparableSample[];

export interface CompareOptions {
  /** A drop of more than this fraction of the base mean (0.05 = 5%) can be a regression. */
  readonly threshold: number;
  /** ... when its p-value is below this significance level. */
  readonly alpha: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { threshold: 0.05, alpha: 0.05 };

/** Node's benchmark/compare.js marks: `***` p < 0.001, `**` p < 0.01, `*` p < 0.05. */
export type Stars = '' | '*' | '**' | '***';

export function starsFor(p: number): Stars {
  if (p < 0.001) return '***';
  if (p < 0.01) return '**';
  if (p < 0.05) return '*';
  return ''; // also NaN (fewer than 2 samples): never significant
}

export interface RunSide {
  /** Per-transfer MB/s of the measured transfers that delivered every byte. */
  readonly samplesMbPerSec: readonly number[];
  readonly meanMbPerSec: number;
  /** Measured transfers by outcome, delivered or not (a protocol's own samples by their ending). */
  readonly outcomes: Readonly<Partial<Record<OutcomeKind | string, number>>>;
}

export type Verdict = 'regression' | 'improvement' | 'unchanged';

export interface ScenarioComparison {
  readonly scenarioId: string;
  readonly base: RunSide;
  readonly new: RunSide;
  /** (new - base) / base, percent. */
  readonly changePercent: number;
  /** Welch's t-test of new vs base samples (t > 0: new is faster). */
  readonly t: number;
  readonly df: number;
  readonly p: number;
  readonly stars: Stars;
  /** Moved by more than the threshold with p < alpha, down or up; otherwise unchanged. */
  readonly verdict: Verdict;
}

export interface NotComparable {
  readonly scenarioId: string;
  readonly baseOutcomes: RunSide['outcomes'];
  readonly newOutcomes: RunSide['outcomes'];
}

export interface RunComparison {
  readonly baseContext: ComparableRun['context'];
  readonly newContext: ComparableRun['context'];
  readonly options: CompareOptions;
  /** Scenarios in both runs with delivered transfers in both, in the base run's order. */
  readonly compared: readonly ScenarioComparison[];
  /** Scenarios in both runs, but without a delivered transfer in at least one of them. */
  readonly notComparable: readonly NotComparable[];
  readonly onlyInBase: readonly string[];
  readonly onlyInNew: readonly string[];
  /** Compared scenarios that missed their rme target in the base run, and in the new run. */
  readonly missedTarget: { readonly base: readonly string[]; readonly new: readonly string[] };
  /** What one sample is, for the compared scenarios whose samples are not transfers (e.g. one second of HTTPS load). */
  readonly sampleUnits: readonly string[];
}

function side(run: ComparableRun, scenarioId: string): RunSide {
  const measured = run.records.filter((r) => r.scenarioId === scenarioId && !r.warmup);
  const samples: number[] = [];
  const outcomes: Partial<Record<string, number>> = {};
  for (const r of measured) {
    outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
    // isDelivered reads only `kind`.
    if (isDelivered(r.outcome as Outcome) && r.mbPerSec !== null && Number.isFinite(r.mbPerSec))
      samples.push(r.mbPerSec);
  }
  for (const s of run.samples ?? []) {
    if (s.scenarioId !== scenarioId || s.warmup) continue;
    outcomes[s.ending] = (outcomes[s.ending] ?? 0) + 1;
    if (s.counted && Number.isFinite(s.mbPerSec)) samples.push(s.mbPerSec);
  }
  return { samplesMbPerSec: samples, meanMbPerSec: mean(samples), outcomes };
}

function ids(run: ComparableRun): string[] {
  return [...new Set([...run.scenarios.map((s) => s.scenarioId), ...(run.samples ?? []).map((s) => s.scenarioId)])];
}

/** Pure: per-scenario change of mean MB/s from `base` to `next`, with Welch's t-test on the per-transfer samples. */
export function compareRuns(
  base: ComparableRun,
  next: ComparableRun,
  options: CompareOptions = DEFAULT_COMPARE_OPTIONS,
): RunComparison {
  const baseIds = ids(base);
  const newIds = new Set(ids(next));
  const compared: ScenarioComparison[] = [];
  const notComparable: NotComparable[] = [];
  for (const id of baseIds.filter((i) => newIds.has(i))) {
    const b = side(base, id);
    const n = side(next, id);
    if (b.samplesMbPerSec.length === 0 || n.samplesMbPerSec.length === 0) {
      notComparable.push({ scenarioId: id, baseOutcomes: b.outcomes, newOutcomes: n.outcomes });
      continue;
    }
    const { t, df, p } = welchTTest(n.samplesMbPerSec, b.samplesMbPerSec);
    const changePercent = b.meanMbPerSec > 0 ? ((n.meanMbPerSec - b.meanMbPerSec) / b.meanMbPerSec) * 100 : NaN;
    const significant = p < options.alpha;
    const beyond = Math.abs(changePercent) > options.threshold * 100;
    const verdict: Verdict = significant && beyond ? (changePercent < 0 ? 'regression' : 'improvement') : 'unchanged';
    compared.push({ scenarioId: id, base: b, new: n, changePercent, t, df, p, stars: starsFor(p), verdict });
  }
  const baseSet = new Set(baseIds);
  const missed = (run: ComparableRun): string[] => {
    const ids = new Set(compared.map((c) => c.scenarioId));
    return run.scenarios.filter((s) => s.targetMet === false && ids.has(s.scenarioId)).map((s) => s.scenarioId);
  };
  const comparedIds = new Set(compared.map((c) => c.scenarioId));
  const units = [...(base.samples ?? []), ...(next.samples ?? [])]
    .filter((s) => comparedIds.has(s.scenarioId))
    .map((s) => s.unit);
  return {
    missedTarget: { base: missed(base), new: missed(next) },
    sampleUnits: [...new Set(units)],
    baseContext: base.context,
    newContext: next.context,
    options,
    compared,
    notComparable,
    onlyInBase: baseIds.filter((i) => !newIds.has(i)),
    onlyInNew: [...newIds].filter((i) => !baseSet.has(i)),
  };
}

export function regressions(c: RunComparison): ScenarioComparison[] {
  return c.compared.filter((s) => s.verdict === 'regression');
}

/** 1 when any scenario regressed significantly (a drop beyond the threshold with p < alpha), else 0. */
export function compareExitCode(c: RunComparison): 0 | 1 {
  return regressions(c).length > 0 ? 1 : 0;
}

/**
 * Pure: a parsed results.json as a run to compare, or a usage error naming the
 * file and the first thing wrong (the results.json schema, shared with `report`).
 * `sources` read the protocols' own samples beside the transfer records.
 */
export function comparableRun(value: unknown, where: string, sources: readonly SampleSource[] = []): ComparableRun {
  const run = parseRunJson(value, where);
  const samples = sources.flatMap((read) => read(run, where));
  const env = run.context.environment;
  const runtimes = (run.context.runtimes ?? []).flatMap((r) =>
    typeof r.node === 'string' && typeof r.openssl === 'string' ? [{ node: r.node, openssl: r.openssl }] : [],
  );
  return {
    context: {
      runId: run.context.runId,
      environment: { node: env.node, openssl: env.openssl, cpuModel: env.cpuModel },
      ...(runtimes.length > 0 ? { runtimes } : {}),
    },
    scenarios: run.scenarios.map((s) => ({
      scenarioId: s.scenarioId,
      targetMet: typeof s.sampling?.targetMet === 'boolean' ? s.sampling.targetMet : null,
    })),
    records: run.records.map((r) => ({
      scenarioId: r.scenarioId,
      warmup: r.warmup,
      mbPerSec: r.mbPerSec,
      outcome: { kind: r.outcome.kind },
    })),
    ...(samples.length > 0 ? { samples } : {}),
  };
}
