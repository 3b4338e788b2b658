import { isDelivered } from '../outcome.ts';
import { summarize } from './statistics.ts';
import type { RunResult, RuntimeRecord } from '../results.ts';
import { throughputScenarios } from './throughput-scenarios.ts';

/**
 * The runtime comparison (--node given more than once): per cipher suite, the
 * MB/s of each Node runtime side by side, and its ratio to the first runtime.
 * Pure. A run of one runtime has none.
 */

/**
 * MB/s of one suite on one runtime: every delivered measured transfer of the throughput sweep, pooled over sizes and
 * chunks.
 */
export interface RuntimeCell {
  readonly samples: number;
  readonly meanMbPerSec: number;
  /** Sample standard deviation (n - 1); 0 for one sample. */
  readonly sdMbPerSec: number;
  /** Half-width of the 95% CI of the mean (Student's t); 0 for one sample. */
  readonly ciHalfWidthMbPerSec: number;
  /** meanMbPerSec / the first runtime's mean for the suite; null for the first runtime or when it has no number. */
  readonly ratioToFirst: number | null;
}

export interface RuntimeRow {
  readonly tlsVersion: string;
  readonly suite: string;
  /** One per runtime, in the comparison's order; null: no delivered transfer of the suite on that runtime. */
  readonly cells: readonly (RuntimeCell | null)[];
}

export interface RuntimeComparison {
  /** In the order given to --node: the first is the baseline of the ratios. */
  readonly runtimes: readonly Pick<RuntimeRecord, 'label' | 'path' | 'node' | 'openssl'>[];
  readonly rows: readonly RuntimeRow[];
}

/**
 * The runtimes that ran scenarios: from the run context, else (an older results.json) the labels in the scenario ids.
 */
function runtimesOf(run: RunResult): RuntimeComparison['runtimes'] {
  const labels = [...new Set(run.scenarios.map((s) => s.scenario.runtime).filter((l): l is string => l !== undefined))];
  const known = run.context.runtimes ?? [];
  return labels
    .map(
      (label) =>
        known.find((r) => r.label === label) ?? { label, path: '?', node: label.replace(/~\d+$/, ''), openssl: '?' },
    )
    .sort((a, b) => known.findIndex((r) => r.label === a.label) - known.findIndex((r) => r.label === b.label));
}

/** Pure: the suite x runtime table, or null when the run has fewer than two runtimes. */
export function runtimeComparison(run: RunResult): RuntimeComparison | null {
  const runtimes = runtimesOf(run);
  if (runtimes.length < 2) return null;
  const main = new Set(throughputScenarios(run.scenarios).map((s) => s.scenarioId));
  const suites: { tlsVersion: string; suite: string }[] = [];
  for (const s of run.scenarios) {
    if (main.has(s.scenarioId) && !suites.some((x) => x.suite === s.scenario.suite))
      suites.push({ tlsVersion: s.scenario.tlsVersion, suite: s.scenario.suite });
  }
  const rows = suites.map(({ tlsVersion, suite }) => {
    const stats = runtimes.map((rt) => {
      const rates = run.records
        .filter(
          (r) =>
            !r.warmup &&
            main.has(r.scenarioId) &&
            r.scenario.suite === suite &&
            r.scenario.runtime === rt.label &&
            isDelivered(r.outcome) &&
            r.mbPerSec !== null,
        )
        .map((r) => r.mbPerSec!);
      if (rates.length === 0) return null;
      const s = summarize(rates);
      return { samples: s.n, mean: s.mean, sd: s.sd, half: s.n > 1 ? s.ciHalfWidth : 0 };
    });
    const first = stats[0];
    const cells = stats.map((st, i): RuntimeCell | null =>
      st === null
        ? null
        : {
            samples: st.samples,
            meanMbPerSec: st.mean,
            sdMbPerSec: st.sd,
            ciHalfWidthMbPerSec: st.half,
            ratioToFirst: i === 0 || !first ? null : st.mean / first.mean,
          },
    );
    return { tlsVersion, suite, cells };
  });
  return { runtimes, rows };
}
