import type { Scenario } from '../scenario.ts';
import { mean, rmePercent } from '../analysis/statistics.ts';
import type { Order, StopReason, WarmupPolicy } from './sampling-options.ts';
import { differingAxes as axesThatDiffer } from '../scenario-axes.ts';

export { ORDERS, type Order, type WarmupPolicy } from './sampling-options.ts';

/**
 * When to stop warming up and when to stop sampling, and in which order the
 * cells take their turns. Pure: the run loop (orchestrator.ts) asks these
 * functions after every transfer; tests feed them constructed series.
 */

export interface SamplingPolicy {
  readonly warmup: WarmupPolicy;
  /** Measured transfers at least (exactly this many when there is no target). */
  readonly iterations: number;
  /** Keep sampling until the 95% CI half-width of the mean MB/s is at most this % of it; null: exactly `iterations`. */
  readonly targetRmePercent: number | null;
  /** With a target: stop once the scenario's measured transfers took this long (wall time), target met or not. */
  readonly maxTimeMs: number;
}

/** No scenario takes more measured transfers than this, whatever its target. */
export const MAX_SAMPLES = 1000;

export type { StopReason } from './sampling-options.ts';

export type SamplingStep = { readonly kind: 'sample' } | { readonly kind: 'stop'; readonly reason: StopReason };

/** Is the scenario's warm-up over, given the wall times of the warm-up transfers it ran so far? */
export function warmupDone(policy: WarmupPolicy, warmupWallMs: readonly number[]): boolean {
  if (policy.kind === 'transfers') return warmupWallMs.length >= policy.count;
  return policy.ms <= 0 || warmupWallMs.reduce((a, b) => a + b, 0) >= policy.ms;
}

/** What a scenario's measured transfers so far say about the next one. */
export interface SamplingState {
  /** MB/s of each measured transfer, in order; null for one that did not deliver every byte. */
  readonly mbPerSec: readonly (number | null)[];
  /** Wall time of the measured transfers, summed. */
  readonly elapsedMs: number;
}

/**
 * The stopping rule: `iterations` transfers at least; without a target exactly
 * that many; with one, on until the relative 95% margin of error of the mean
 * is at most the target, or `maxTimeMs` of measured transfers, or MAX_SAMPLES.
 * A transfer that lost bytes ends the target (a broken cell has no rate to
 * make precise): the cell then runs its `iterations` and stops.
 */
export function nextStep(policy: SamplingPolicy, state: SamplingState): SamplingStep {
  const n = state.mbPerSec.length;
  if (n < policy.iterations) return { kind: 'sample' };
  if (policy.targetRmePercent === null) return { kind: 'stop', reason: 'iterations' };
  if (state.mbPerSec.some((v) => v === null)) return { kind: 'stop', reason: 'not-delivered' };
  const rates = state.mbPerSec as readonly number[];
  if (n >= 2 && rmePercent(rates) <= policy.targetRmePercent) return { kind: 'stop', reason: 'target-met' };
  if (n >= MAX_SAMPLES) return { kind: 'stop', reason: 'max-samples' };
  if (state.elapsedMs >= policy.maxTimeMs) return { kind: 'stop', reason: 'max-time' };
  return { kind: 'sample' };
}

/** Did the scenario reach its target? null when it had none (or lost bytes, so none applied). */
export function targetMet(policy: SamplingPolicy, reason: StopReason): boolean | null {
  if (policy.targetRmePercent === null || reason === 'not-delivered' || reason === 'interrupted') return null;
  return reason === 'target-met';
}

/** The process warm-up's rule: when a new worker pair counts as warm. */
export interface SteadyRule {
  /** Compare the mean of the last `window` transfers with the `window` before them. */
  readonly window: number;
  /** ... and call it steady when it rose by no more than this %, ... */
  readonly tolerancePercent: number;
  /** ... after at least this much warm-up traffic time (a short plateau early in the ramp is not the end of it). */
  readonly minMs: number;
  /** Or stop after this much warm-up traffic time (a machine that never settles). */
  readonly maxMs: number;
}

/**
 * Measured on this suite's 2-core VM: a new pair ramps for 0.5 s or more of
 * traffic; with 16 MB transfers a 3-transfer plateau showed up at 0.2-0.4 s
 * and the measured samples then still rose by 10% (README "How the suite samples").
 */
export const PROCESS_WARMUP: SteadyRule = { window: 3, tolerancePercent: 5, minMs: 1000, maxMs: 3000 };

export type WarmupState = 'warming' | 'steady' | 'capped';

/**
 * Throughput stops rising: after `minMs` of warm-up traffic, the last
 * `window` transfers' mean is within `tolerancePercent` above the `window`
 * before them (consecutive transfers within the noise); or the time cap is reached.
 */
export function processWarmupState(
  curveMbPerSec: readonly number[],
  elapsedMs: number,
  rule: SteadyRule = PROCESS_WARMUP,
): WarmupState {
  const w = rule.window;
  if (curveMbPerSec.length >= 2 * w && elapsedMs >= rule.minMs) {
    const last = mean(curveMbPerSec.slice(-w));
    const before = mean(curveMbPerSec.slice(-2 * w, -w));
    if (last <= before * (1 + rule.tolerancePercent / 100)) return 'steady';
  }
  return elapsedMs >= rule.maxMs ? 'capped' : 'warming';
}

/** The axes (by name) in which two scenarios differ: the axis table's grouping (a suite brings its TLS version). */
export function differingAxes(a: Scenario, b: Scenario): string[] {
  return axesThatDiffer(a, b);
}

/**
 * The cells that take turns: scenarios of the same size that are compared with
 * each other (differ in exactly one axis), and whatever those are compared
 * with, as connected groups, in the matrix's order. `sequential`: every
 * scenario alone. A cell that `replacesPair` (its ending kills a worker by
 * design) runs alone after its group: taking turns, it would hand every other
 * cell a cold worker pair.
 */
export function interleaveGroups(
  scenarios: readonly Scenario[],
  order: Order,
  replacesPair: (s: Scenario) => boolean = () => false,
): Scenario[][] {
  if (order === 'sequential') return scenarios.map((s) => [s]);
  const parent = scenarios.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < scenarios.length; i++) {
    for (let j = i + 1; j < scenarios.length; j++) {
      const a = scenarios[i]!;
      const b = scenarios[j]!;
      if (a.sizeBytes === b.sizeBytes && differingAxes(a, b).length === 1) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, Scenario[]>();
  scenarios.forEach((s, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), s]));
  return [...groups.values()].flatMap((g) => {
    const alone = g.filter(replacesPair);
    const together = g.filter((s) => !replacesPair(s));
    return [...(together.length > 0 ? [together] : []), ...alone.map((s) => [s])];
  });
}
