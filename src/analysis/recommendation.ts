import { formatBytes, humanBytes } from '../config/units.ts';
import type { Scenario } from '../matrix.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { axisOfField, groupKey } from '../scenario-axes.ts';
import { cpuMsPerGb, DEFAULT_TUNING_OPTIONS, tuningAnswers, type TuningAnswer, type TuningOptions } from './tuning.ts';
import { endingsMatrix, type EndingKey } from './endings.ts';

/**
 * The short answer for this machine (the recommendation), and the tuning
 * answers of a run's throughput sweep. Pure.
 */

/** The run's --alpha and --threshold, as its config recorded them (defaults for an older results.json). */
export function tuningOptionsOf(run: Pick<RunResult, 'context'>): TuningOptions {
  const c = run.context.config as { alpha?: unknown; threshold?: unknown } | null;
  const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  return {
    alpha: num(c?.alpha, DEFAULT_TUNING_OPTIONS.alpha),
    threshold: num(c?.threshold, DEFAULT_TUNING_OPTIONS.threshold),
  };
}

/** The tuning answers of the run's throughput sweep (the scenarios of its most common way of ending). */
export function runTuning(run: RunResult, main: readonly ScenarioSummary[]): TuningAnswer[] {
  return tuningAnswers({ scenarios: main, records: run.records }, tuningOptionsOf(run));
}

const ENDING_FIELDS = ['shutdown', 'writePath', 'receiverMode', 'receiverPeer', 'runtime'] as const;

/** A way of ending named by its strategy plus whichever other parts vary among `all` (by their axis names). */
export function endingLabel(key: EndingKey, all: readonly EndingKey[]): string {
  const extra = ENDING_FIELDS.slice(1)
    .filter((f) => new Set(all.map((k) => k[f])).size > 1)
    .map((f) => `${axisOfField(f).name}=${key[f]}`);
  return extra.length > 0 ? `${key.shutdown} (${extra.join(', ')})` : key.shutdown;
}

export interface Recommendation {
  /** The size the advice is for: the largest with a throughput. null when nothing delivered. */
  readonly sizeBytes: number | null;
  readonly suite: string | null;
  readonly tlsVersion: string | null;
  /** The chunk size to use (the smallest that cannot be told apart from the best); null when nothing delivered. */
  readonly chunkBytes: number | null;
  readonly mbPerSec: number | null;
  readonly cpuMsPerGb: number | null;
  /** The suites that cannot be told apart from the fastest at that size and chunk (the recommended one included). */
  readonly equivalentSuites: readonly string[];
  /** The chunk sizes that cannot be told apart from the best, for the recommended suite. */
  readonly equivalentChunks: readonly string[];
  /** Ways of ending that lost data silently in at least one transfer. */
  readonly silentLoss: readonly string[];
  /** Ways of ending whose every measured transfer delivered every byte (when several were tried). */
  readonly delivered: readonly string[];
  readonly text: string;
}

/**
 * What a delivered way of ending said about close_notify: without it (observed), or not observable (never passed off as
 * unclean).
 */
function closeNote(cells: readonly { readonly outcomes: Readonly<Record<string, number>> }[]): string {
  if (cells.some((c) => (c.outcomes['complete-unclean'] ?? 0) > 0)) return ' (without close_notify)';
  if (cells.some((c) => (c.outcomes['complete-close-unknown'] ?? 0) > 0)) return ' (close_notify unknown)';
  return '';
}

const mbps = (v: number): string => `${v.toFixed(1)} MB/s`;
const cpu = (v: number | null): string => (v === null ? '' : `, ${Math.round(v)} CPU ms per GB`);

/** Does the answer's group hold for scenario `s` (every group field equal)? */
const holdsFor = (a: TuningAnswer, s: Scenario): boolean => {
  const f = groupKey(s).group;
  return Object.entries(a.group).every(([k, v]) => f[k] === v);
};

/**
 * Pure: the short answer for this machine, from the tuning answers. At the
 * largest size: the suites that cannot be told apart from the fastest cell
 * (the cheapest of them in CPU), then for that suite the smallest chunk that
 * cannot be told apart from its best. The endings come from every measured
 * transfer.
 */
export function recommendation(run: RunResult, main: readonly ScenarioSummary[]): Recommendation {
  const delivered = main.filter((s) => s.throughput);
  const sizeBytes = delivered.length > 0 ? Math.max(...delivered.map((s) => s.scenario.sizeBytes)) : null;
  const atSize = delivered.filter((s) => s.scenario.sizeBytes === sizeBytes);
  const fastest = atSize.reduce<ScenarioSummary | null>(
    (a, b) => (a === null || b.throughput!.meanMbPerSec > a.throughput!.meanMbPerSec ? b : a),
    null,
  );
  const answers = runTuning(run, main);
  const suiteAnswer = fastest ? answers.find((a) => a.axis === 'suite' && holdsFor(a, fastest.scenario)) : undefined;
  const suite = suiteAnswer ? suiteAnswer.recommended : (fastest?.scenario.suite ?? null);
  const base =
    fastest && suite !== null
      ? (atSize.find(
          (s) =>
            s.scenario.suite === suite &&
            s.scenario.chunkBytes === fastest.scenario.chunkBytes &&
            holdsSame(s.scenario, fastest.scenario),
        ) ?? fastest)
      : null;
  const chunkAnswer = base ? answers.find((a) => a.axis === 'chunk' && holdsFor(a, base.scenario)) : undefined;
  const chosen = chunkAnswer
    ? (atSize.find(
        (s) => s.scenarioId === chunkAnswer.values.find((v) => v.value === chunkAnswer.recommended)!.scenarioId,
      ) ?? base)
    : base;

  const matrix = endingsMatrix(run);
  const keys = matrix.rows.map((r) => r.key);
  const lossy = matrix.rows
    .filter((r) => [...r.cells.values()].some((c) => c.silent > 0))
    .map((r) => endingLabel(r.key, keys));
  const whole =
    matrix.rows.length > 1
      ? matrix.rows
          .filter((r) =>
            [...r.cells.values()].every((c) =>
              Object.keys(c.outcomes).every(
                (k) => k === 'complete' || k === 'complete-unclean' || k === 'complete-close-unknown',
              ),
            ),
          )
          .map((r) => `${endingLabel(r.key, keys)}${closeNote([...r.cells.values()])}`)
      : [];

  const parts: string[] = [];
  if (chosen && sizeBytes !== null) {
    const c = chosen.scenario;
    const name = `${c.suite} (TLS ${c.tlsVersion})`;
    const rate = `${mbps(chosen.throughput!.meanMbPerSec)}${cpu(cpuMsPerGb(chosen))}`;
    if (chunkAnswer) {
      parts.push(
        `For ${humanBytes(sizeBytes)} streams, use ${name} with writes of at least ${chunkAnswer.recommended}: ` +
          `${rate}.`,
      );
      parts.push(
        chunkAnswer.noMeasurableDifference
          ? `No measurable difference between the ${chunkAnswer.values.length} chunk sizes tried (` +
              `${chunkAnswer.equivalent.join(', ')}), so the smallest is as good as any.`
          : `Chunk sizes that cannot be told apart from the best (${chunkAnswer.best}): ` +
              `${chunkAnswer.equivalent.join(', ')}.`,
      );
    } else {
      parts.push(
        `For ${humanBytes(sizeBytes)} streams, use ${name}: ${rate} with ${formatBytes(c.chunkBytes)} writes ` +
          `(only one chunk size was tried).`,
      );
    }
    if (suiteAnswer && suiteAnswer.equivalent.length > 1) {
      const others = suiteAnswer.equivalent.filter((x) => x !== suite);
      parts.push(
        suiteAnswer.noMeasurableDifference
          ? `No measurable difference in throughput between the ${suiteAnswer.values.length} suites; ${suite} ` +
              `needs the least CPU of them.`
          : `${others.join(', ')} cannot be told apart from it in throughput; ${suite} needs the least CPU of them.`,
      );
    }
  } else {
    parts.push('No scenario delivered every byte in every transfer, so there is no throughput to recommend.');
  }
  if (lossy.length > 0)
    parts.push(`Avoid these ways of ending the stream, they lost data silently: ${lossy.join('; ')}.`);
  if (whole.length > 0) parts.push(`These delivered every byte: ${whole.join('; ')}.`);

  return {
    sizeBytes,
    suite: chosen?.scenario.suite ?? null,
    tlsVersion: chosen?.scenario.tlsVersion ?? null,
    chunkBytes: chosen?.scenario.chunkBytes ?? null,
    mbPerSec: chosen?.throughput?.meanMbPerSec ?? null,
    cpuMsPerGb: chosen ? cpuMsPerGb(chosen) : null,
    equivalentSuites: suiteAnswer?.equivalent ?? (chosen ? [chosen.scenario.suite] : []),
    equivalentChunks: chunkAnswer?.equivalent ?? [],
    silentLoss: lossy,
    delivered: whole,
    text: parts.join(' '),
  };
}

/** Same everything but suite, TLS version and key. */
function holdsSame(a: Scenario, b: Scenario): boolean {
  const except = ['suite', 'tls', 'key'];
  return groupKey(a, except).key === groupKey(b, except).key;
}
