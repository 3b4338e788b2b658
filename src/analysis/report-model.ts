import type { References } from '../reference-lanes.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { endingsMatrix, endingsWorthShowing, type EndingsMatrix } from './endings.ts';
import { faultSummaries, type FaultSummary } from './faults.ts';
import { recommendation, runTuning, tuningOptionsOf, type Recommendation } from './recommendation.ts';
import { runtimeComparison, type RuntimeComparison } from './runtimes.ts';
import { stacksMatrix, stacksWorthShowing, type StacksMatrix } from './stacks.ts';
import { throughputScenarios } from './throughput-scenarios.ts';
import type { TuningAnswer, TuningOptions } from './tuning.ts';
import { noiseWarnings, type NoiseWarning } from './warnings.ts';

/**
 * What every report of a run says, computed once: the exporters (terminal,
 * summary.md, report.html, the CSVs, results.json; report/exporters.ts) only
 * lay it out. Pure: from the RunResult alone, so a report re-rendered from
 * results.json says what the run said.
 */
export interface ReportModel {
  readonly run: RunResult;
  /** The throughput table's scenarios: those of the run's most common way of ending. */
  readonly main: readonly ScenarioSummary[];
  readonly tuningOptions: TuningOptions;
  /** The tuning answers of the throughput sweep (results.json's `tuning`). */
  readonly tuning: readonly TuningAnswer[];
  readonly recommendation: Recommendation;
  readonly warnings: readonly NoiseWarning[];
  /** Ways of ending by size, over the transfers a strategy ended. */
  readonly endings: EndingsMatrix;
  /** Worth a table: several ways of ending, or any transfer that did not end complete. */
  readonly showsEndings: boolean;
  /** The cross-stack matrix (sender x receiver TLS stacks); null when only Node's stacks ran. */
  readonly stacks: StacksMatrix | null;
  /** Per kind of injected fault (--faults); empty when none was injected. */
  readonly faults: readonly FaultSummary[];
  /** Per suite, each Node runtime side by side (--node given more than once); null for one runtime. */
  readonly runtimes: RuntimeComparison | null;
  /** The ceilings measured beside the cells (--reference); null when none were asked for. */
  readonly references: References | null;
}

export function reportModel(run: RunResult): ReportModel {
  const main = throughputScenarios(run.scenarios);
  const endings = endingsMatrix(run);
  const stacks = stacksMatrix(run);
  return {
    run,
    main,
    tuningOptions: tuningOptionsOf(run),
    tuning: runTuning(run, main),
    recommendation: recommendation(run, main),
    warnings: noiseWarnings(run),
    endings,
    showsEndings: endingsWorthShowing(endings, run.records),
    stacks: stacksWorthShowing(stacks) ? stacks : null,
    faults: faultSummaries(run),
    runtimes: runtimeComparison(run),
    references: run.references ?? null,
  };
}
