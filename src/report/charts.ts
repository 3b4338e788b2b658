import type { TopLevelSpec } from 'vega-lite';
import { formatBytes, humanBytes } from '../config/units.ts';
import type { Scenario } from '../matrix.ts';
import { SCENARIO_AXES } from '../scenario-axes.ts';
import { OUTCOME_KINDS, type OutcomeKind } from '../outcome.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../results.ts';
import { cellText } from './endings.ts';
import { endingsMatrix, type EndingsMatrix } from '../analysis/endings.ts';
import { reportModel, type ReportModel } from '../analysis/report-model.ts';
import { intervalThroughput, timelineIntervalMs } from './intervals.ts';
import { endingLabel } from '../analysis/recommendation.ts';
import { runtimeComparison, type RuntimeComparison } from '../analysis/runtimes.ts';
import { ceilingsChart } from './references.ts';
import { studentTQuantile } from '../analysis/statistics.ts';
import type { ChartSpec } from './chart-spec.ts';

/** A chart left out because it would have been empty, and why, in one sentence. */
export interface OmittedChart {
  readonly title: string;
  readonly reason: string;
}

export interface ChartPlan {
  readonly charts: readonly ChartSpec[];
  readonly omitted: readonly OmittedChart[];
}

export interface RenderedChart {
  readonly name: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

export interface RenderedCharts {
  readonly charts: readonly RenderedChart[];
  readonly omitted: readonly OmittedChart[];
}

/** At most this many lines in the timeline, and rows in the spread chart, so each stays readable. */
export const MAX_TIMELINE_LINES = 8;
export const MAX_SPREAD_SCENARIOS = 80;

/** One colour per outcome, the same in every chart: greens delivered, red the silent-loss kind. */
export const OUTCOME_COLORS: Readonly<Record<OutcomeKind, string>> = {
  complete: '#2e7d32',
  'complete-unclean': '#8bc34a',
  'complete-close-unknown': '#aed581',
  truncated: '#d32f2f',
  reset: '#ef6c00',
  'tls-error': '#7b1fa2',
  corrupt: '#880e4f',
  stalled: '#757575',
  'handshake-failed': '#5d4037',
  'worker-crashed': '#212121',
  'fixture-error': '#90a4ae',
};

/** Which kind colours a heatmap cell with mixed outcomes: the worst one present. */
const SEVERITY: readonly OutcomeKind[] = [
  'complete',
  'complete-close-unknown',
  'complete-unclean',
  'fixture-error',
  'handshake-failed',
  'stalled',
  'reset',
  'tls-error',
  'worker-crashed',
  'corrupt',
  'truncated',
];

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 640 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/** Vega expression: a chunk size on the axis as the CLI writes it (16 KiB, 1 MiB, 1500 B). */
const BYTES_LABEL =
  "datum.value % 1048576 === 0 ? datum.value / 1048576 + ' MiB' : datum.value % 1024 === 0 ? datum.value / " +
  "1024 + ' KiB' : datum.value % 1000000 === 0 ? datum.value / 1000000 + ' MB' : datum.value % 1000 === 0 ? " +
  "datum.value / 1000 + ' KB' : datum.value + ' B'";

/** Each axis's part of a label, from the axis table (in id order: size and chunk first). */
const LABEL_AXES: readonly { readonly name: string; readonly value: (s: Scenario) => string }[] = SCENARIO_AXES.map(
  (a) => ({ name: a.name, value: a.label }),
);

/** Pure: short labels made of the settings that differ among `scenarios` (size and chunk first). */
export function scenarioLabels(scenarios: readonly Scenario[], omit: readonly string[] = []): Map<string, string> {
  const axes = LABEL_AXES.filter((a) => !omit.includes(a.name) && new Set(scenarios.map(a.value)).size > 1);
  const shown = axes.length > 0 ? axes : LABEL_AXES.filter((a) => a.name === 'suite');
  return new Map(
    scenarios.map((s) => [
      s.id,
      shown
        .map((a) => a.value(s))
        .filter((v) => v !== '')
        .join(' · '),
    ]),
  );
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function throughputCharts(main: readonly ScenarioSummary[]): ChartSpec[] {
  const delivered = main.filter((s) => s.throughput);
  const labels = scenarioLabels(
    delivered.map((s) => s.scenario),
    ['size', 'chunk'],
  );
  const out: ChartSpec[] = [];
  for (const size of sortedUnique(delivered.map((s) => s.scenario.sizeBytes))) {
    const here = delivered.filter((s) => s.scenario.sizeBytes === size);
    const chunks = sortedUnique(here.map((s) => s.scenario.chunkBytes));
    if (chunks.length < 2) continue;
    const values = here.map((s) => {
      const t = s.throughput!;
      // 95% CI of the mean (an older results.json without it: the Student t interval from sd and n)
      // One sample has no interval: NaN in memory, null once written to results.json; either way no whisker,
      // so a report re-rendered from the file draws what the run drew.
      const stated = t.ciHalfWidthMbPerSec;
      const half =
        stated !== null && stated !== undefined && Number.isFinite(stated)
          ? stated
          : t.samples > 1
            ? (studentTQuantile(0.975, t.samples - 1) * t.sdMbPerSec) / Math.sqrt(t.samples)
            : NaN;
      return {
        series: labels.get(s.scenarioId) ?? s.scenario.suite,
        chunkBytes: s.scenario.chunkBytes,
        mean: t.meanMbPerSec,
        lo: Math.max(0, t.meanMbPerSec - half),
        hi: t.meanMbPerSec + half,
        samples: t.samples,
      };
    });
    const x = {
      field: 'chunkBytes',
      type: 'quantitative' as const,
      title: 'chunk size (bytes per write, log scale)',
      scale: { type: 'log' as const, base: 2 },
      axis: { values: chunks, labelExpr: BYTES_LABEL, grid: false },
    };
    const color = {
      field: 'series',
      type: 'nominal' as const,
      title: 'suite',
      legend: { orient: 'bottom' as const, columns: 1 },
    };
    out.push({
      name: `throughput-${formatBytes(size)}`,
      title: `Throughput vs chunk size, ${humanBytes(size)} transfers`,
      caption:
        `Mean MB/s (10^6 bytes per second) per chunk size, one line per suite; error bars are the 95% confidence ` +
        `interval of the mean (Student's t over the measured transfers).`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        config: CONFIG,
        title: `${humanBytes(size)}: throughput vs chunk size`,
        width: 420,
        height: 260,
        data: { values },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
          },
          {
            mark: { type: 'line', point: { filled: true, size: 50 } },
            encoding: {
              x,
              y: { field: 'mean', type: 'quantitative', title: 'mean MB/s', scale: { zero: true } },
              color,
              tooltip: [
                { field: 'series' },
                { field: 'chunkBytes', title: 'chunk bytes' },
                { field: 'mean', format: '.1f', title: 'mean MB/s' },
              ],
            },
          },
        ],
      },
    });
  }
  return out;
}

/**
 * Pure: CPU ms per 10^9 bytes, per suite and size, from the throughput sweep's delivered scenarios (mean over chunk
 * sizes).
 */
export function cpuPerGbRows(
  main: readonly ScenarioSummary[],
): { suite: string; size: string; sizeBytes: number; role: 'sender' | 'receiver'; msPerGb: number }[] {
  const usable = main.filter(
    (s) => s.throughput && s.meanSenderCpuMs !== null && s.meanReceiverCpuMs !== null && s.scenario.sizeBytes > 0,
  );
  const labels = scenarioLabels(
    usable.map((s) => s.scenario),
    ['size', 'chunk'],
  );
  const groups = new Map<string, { suite: string; sizeBytes: number; sender: number[]; receiver: number[] }>();
  for (const s of usable) {
    const suite = labels.get(s.scenarioId) ?? s.scenario.suite;
    const key = `${suite}\u0000${s.scenario.sizeBytes}`;
    const g = groups.get(key) ?? { suite, sizeBytes: s.scenario.sizeBytes, sender: [], receiver: [] };
    const gb = s.scenario.sizeBytes / 1e9;
    g.sender.push(s.meanSenderCpuMs! / gb);
    g.receiver.push(s.meanReceiverCpuMs! / gb);
    groups.set(key, g);
  }
  const avg = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  return [...groups.values()]
    .sort((a, b) => a.sizeBytes - b.sizeBytes || a.suite.localeCompare(b.suite))
    .flatMap((g) => [
      {
        suite: g.suite,
        size: humanBytes(g.sizeBytes),
        sizeBytes: g.sizeBytes,
        role: 'sender' as const,
        msPerGb: avg(g.sender),
      },
      {
        suite: g.suite,
        size: humanBytes(g.sizeBytes),
        sizeBytes: g.sizeBytes,
        role: 'receiver' as const,
        msPerGb: avg(g.receiver),
      },
    ]);
}

function cpuChart(main: readonly ScenarioSummary[]): ChartSpec | OmittedChart {
  const rows = cpuPerGbRows(main);
  const title = 'CPU per GB by suite';
  if (rows.length === 0)
    return {
      title,
      reason: 'No delivered scenario recorded the CPU time of both sides, so there is no CPU cost to show.',
    };
  const sizes = [...new Set(rows.map((r) => r.size))];
  return {
    name: 'cpu-per-gb',
    title,
    caption:
      'CPU milliseconds per 10^9 bytes moved, sender and receiver process, per suite and transfer size (mean ' +
      'over the chunk sizes tried). Lower is cheaper.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: 'CPU ms per GB (sender and receiver)',
      data: { values: rows },
      // Each size lists only its own suites.
      resolve: { scale: { y: 'independent' } },
      mark: { type: 'bar' },
      width: 420,
      height: { step: 14 },
      encoding: {
        row: {
          field: 'size',
          type: 'ordinal',
          title: 'transfer size',
          sort: sizes,
          header: { labelAngle: 0, labelAlign: 'left' },
        },
        y: { field: 'suite', type: 'nominal', title: null, axis: { labelLimit: 640 } },
        yOffset: { field: 'role', type: 'nominal', sort: ['sender', 'receiver'] },
        x: { field: 'msPerGb', type: 'quantitative', title: 'CPU ms per GB' },
        color: {
          field: 'role',
          type: 'nominal',
          title: 'process',
          sort: ['sender', 'receiver'],
          scale: { range: ['#1565c0', '#f9a825'] },
          legend: { orient: 'bottom' },
        },
        tooltip: [
          { field: 'suite' },
          { field: 'size' },
          { field: 'role' },
          { field: 'msPerGb', format: '.0f', title: 'CPU ms per GB' },
        ],
      },
    },
  };
}

/** Pure: the runtime comparison as bars, one per suite and runtime (mean MB/s, whisker the 95% CI of the mean). */
export function runtimeBars(run: RunResult): RuntimeBar[] {
  return runtimeBarsOf(runtimeComparison(run));
}

type RuntimeBar = {
  suite: string;
  runtime: string;
  mean: number;
  low: number;
  high: number;
  samples: number;
  ratio: number | null;
};

function runtimeBarsOf(c: RuntimeComparison | null): RuntimeBar[] {
  if (!c) return [];
  return c.rows.flatMap((row) =>
    row.cells.flatMap((cell, i) =>
      cell
        ? [
            {
              suite: row.suite,
              runtime: `node ${c.runtimes[i]!.label}`,
              mean: cell.meanMbPerSec,
              low: Math.max(0, cell.meanMbPerSec - cell.ciHalfWidthMbPerSec),
              high: cell.meanMbPerSec + cell.ciHalfWidthMbPerSec,
              samples: cell.samples,
              ratio: cell.ratioToFirst,
            },
          ]
        : [],
    ),
  );
}

/** Only for a run of several runtimes (--node); otherwise nothing, not even an "omitted" note. */
function runtimeChart(c: RuntimeComparison | null): ChartSpec | null {
  const bars = runtimeBarsOf(c);
  if (bars.length === 0) return null;
  const runtimes = [...new Set(bars.map((b) => b.runtime))];
  const suites = [...new Set(bars.map((b) => b.suite))];
  const y = { field: 'suite', type: 'nominal' as const, title: null, sort: suites, axis: { labelLimit: 640 } };
  const yOffset = { field: 'runtime', type: 'nominal' as const, sort: runtimes };
  return {
    name: 'runtimes',
    title: 'Throughput per suite by Node runtime',
    caption:
      'Mean MB/s of every delivered measured transfer of each suite, one bar per Node runtime (--node), ' +
      'whisker the 95% confidence interval of the mean. Longer is faster.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: 'MB/s per suite and Node runtime',
      data: { values: bars },
      width: 420,
      height: { step: 16 },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y,
            yOffset,
            x: { field: 'mean', type: 'quantitative', title: 'MB/s (10^6 bytes per second)' },
            color: {
              field: 'runtime',
              type: 'nominal',
              title: 'runtime',
              sort: runtimes,
              legend: { orient: 'bottom' },
            },
            tooltip: [
              { field: 'suite' },
              { field: 'runtime' },
              { field: 'mean', format: '.1f', title: 'mean MB/s' },
              { field: 'samples' },
              { field: 'ratio', format: '.2f', title: 'vs first runtime' },
            ],
          },
        },
        {
          mark: { type: 'rule', color: '#212121' },
          encoding: { y, yOffset, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
        },
      ],
    },
  };
}

/** Pure: the endings matrix as heatmap cells (worst outcome colours the cell; SILENT marked). */
export function endingCells(run: RunResult): EndingHeatCell[] {
  return endingCellsOf(endingsMatrix(run));
}

type EndingHeatCell = {
  ending: string;
  size: string;
  kind: OutcomeKind;
  text: string;
  silent: boolean;
  textColor: string;
};

function endingCellsOf(m: EndingsMatrix): EndingHeatCell[] {
  const keys = m.rows.map((r) => r.key);
  return m.rows.flatMap(({ key, cells }) =>
    m.sizes.flatMap((size) => {
      const c = cells.get(size);
      if (!c) return [];
      const kinds = Object.keys(c.outcomes) as OutcomeKind[];
      const kind = [...SEVERITY].reverse().find((k) => kinds.includes(k)) ?? 'complete';
      return [
        {
          ending: endingLabel(key, keys),
          size: humanBytes(size),
          kind,
          text: cellText(c).replace(' SILENT', '\nSILENT'),
          silent: c.silent > 0,
          textColor: kind === 'complete-unclean' || kind === 'complete-close-unknown' ? '#000000' : '#ffffff',
        },
      ];
    }),
  );
}

function endingsChart(m: EndingsMatrix): ChartSpec | OmittedChart {
  const cells = endingCellsOf(m);
  const title = 'How each stream ended';
  if (cells.length === 0) return { title, reason: 'No transfer was measured, so there is no outcome to show.' };
  const sizes = [...new Set(cells.map((c) => c.size))];
  const endings = [...new Set(cells.map((c) => c.ending))];
  const kinds = OUTCOME_KINDS.filter((k) => cells.some((c) => c.kind === k));
  return {
    name: 'endings',
    title,
    caption:
      'Way of ending the stream (rows) by transfer size (columns); the colour is the worst outcome in the ' +
      'cell. A thick black border and SILENT mark transfers that lost data without the receiver being told; -N ' +
      'is the most bytes lost.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: { ...CONFIG, view: { strokeWidth: 0 } },
      title: 'Outcome by way of ending and size',
      data: { values: cells },
      width: { step: 230 },
      height: { step: 46 },
      encoding: {
        x: {
          field: 'size',
          type: 'ordinal',
          sort: sizes,
          title: 'transfer size',
          axis: { orient: 'top', labelAngle: 0 },
        },
        y: { field: 'ending', type: 'nominal', sort: endings, title: null, axis: { labelLimit: 640 } },
      },
      layer: [
        {
          mark: { type: 'rect', cornerRadius: 2 },
          encoding: {
            color: {
              field: 'kind',
              type: 'nominal',
              title: 'outcome',
              scale: { domain: kinds, range: kinds.map((k) => OUTCOME_COLORS[k]) },
              legend: { orient: 'bottom' },
            },
            stroke: { condition: { test: 'datum.silent', value: '#000000' }, value: '#ffffff' },
            strokeWidth: { condition: { test: 'datum.silent', value: 4 }, value: 1 },
            tooltip: [{ field: 'ending' }, { field: 'size' }, { field: 'text', title: 'outcomes' }],
          },
        },
        {
          mark: { type: 'text', fontSize: 11, lineBreak: '\n', limit: 300 },
          encoding: { text: { field: 'text' }, color: { field: 'textColor', type: 'nominal', scale: null } },
        },
      ],
    },
  };
}

function spreadChart(run: RunResult): ChartSpec | OmittedChart {
  const title = 'Per-iteration spread';
  const order = run.scenarios.map((s) => s.scenarioId);
  const measured = run.records.filter((r) => !r.warmup && r.mbPerSec !== null);
  const ids = order.filter((id) => measured.some((r) => r.scenarioId === id));
  if (ids.length === 0)
    return {
      title,
      reason: 'No measured transfer has a rate (none got as far as its first byte), so there is no spread to show.',
    };
  const shownIds = new Set(ids.slice(0, MAX_SPREAD_SCENARIOS));
  const labels = scenarioLabels(run.scenarios.filter((s) => shownIds.has(s.scenarioId)).map((s) => s.scenario));
  const points = measured
    .filter((r) => shownIds.has(r.scenarioId))
    .map((r) => ({
      scenario: labels.get(r.scenarioId) ?? r.scenarioId,
      mbPerSec: r.mbPerSec!,
      outcome: r.outcome.kind,
      iteration: r.iteration,
    }));
  const means = run.scenarios
    .filter((s) => shownIds.has(s.scenarioId) && s.throughput)
    .map((s) => ({ scenario: labels.get(s.scenarioId) ?? s.scenarioId, mean: s.throughput!.meanMbPerSec }));
  const kinds = OUTCOME_KINDS.filter((k) => points.some((p) => p.outcome === k));
  const sort = [...shownIds].map((id) => labels.get(id) ?? id);
  const y = { field: 'scenario', type: 'nominal' as const, sort, title: null, axis: { labelLimit: 640 } };
  const more =
    ids.length > shownIds.size
      ? ` Only the first ${shownIds.size} of ${ids.length} scenarios are shown; results.csv has every transfer.`
      : '';
  return {
    name: 'spread',
    title,
    caption:
      `MB/s of every measured transfer (one point each, coloured by outcome); the black tick is the scenario's ` +
      `mean where every transfer delivered every byte. A truncated transfer's rate counts only the bytes that ` +
      `arrived.${more}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: 'MB/s of every measured transfer',
      width: 420,
      height: { step: 18 },
      layer: [
        {
          data: { values: points },
          mark: { type: 'point', filled: true, size: 45, opacity: 0.75 },
          encoding: {
            y,
            x: { field: 'mbPerSec', type: 'quantitative', title: 'MB/s', scale: { zero: true } },
            color: {
              field: 'outcome',
              type: 'nominal',
              title: 'outcome',
              scale: { domain: kinds, range: kinds.map((k) => OUTCOME_COLORS[k]) },
              legend: { orient: 'bottom' },
            },
            tooltip: [
              { field: 'scenario' },
              { field: 'iteration' },
              { field: 'mbPerSec', format: '.1f', title: 'MB/s' },
              { field: 'outcome' },
            ],
          },
        },
        ...(means.length > 0
          ? [
              {
                data: { values: means },
                mark: { type: 'tick' as const, color: '#000000', thickness: 2, size: 14 },
                encoding: { y, x: { field: 'mean', type: 'quantitative' as const } },
              },
            ]
          : []),
      ],
    },
  };
}

/** The record of median rate among a scenario's measured transfers that have progress samples. */
function medianRecord(records: readonly TransferRecord[]): TransferRecord | undefined {
  const sorted = [...records].sort((a, b) => (a.mbPerSec ?? 0) - (b.mbPerSec ?? 0));
  return sorted[(sorted.length - 1) >> 1];
}

function timelineChart(run: RunResult): ChartSpec | OmittedChart {
  const title = 'Per-interval throughput';
  const measured = run.records.filter((r) => !r.warmup);
  if (measured.length === 0) return { title, reason: 'No transfer was measured, so there is no timeline to show.' };
  const size = Math.max(...measured.map((r) => r.scenario.sizeBytes));
  const withSamples = measured.filter((r) => r.scenario.sizeBytes === size && r.progress.length > 0);
  const noTimeline =
    `The ${humanBytes(size)} transfers ended before the receiver's first progress report (every 100 ms), so ` +
    `there are no intervals to draw.`;
  if (withSamples.length === 0) return { title, reason: noTimeline };
  const summaries = new Map(run.scenarios.map((s) => [s.scenarioId, s]));
  const mean = (id: string): number => summaries.get(id)?.throughput?.meanMbPerSec ?? -1;
  // The fastest scenarios (delivered ones first), one representative transfer each.
  const ids = [...new Set(withSamples.map((r) => r.scenarioId))].sort((a, b) => mean(b) - mean(a));
  const chosen = ids
    .slice(0, MAX_TIMELINE_LINES)
    .map((id) => medianRecord(withSamples.filter((r) => r.scenarioId === id))!);
  const span = Math.max(...chosen.map((r) => r.durationMs ?? r.wallMs));
  const intervalMs = timelineIntervalMs(span);
  const labels = scenarioLabels(chosen.map((r) => r.scenario));
  const points = chosen.flatMap((r) =>
    intervalThroughput(r.progress, intervalMs).map((i) => ({
      scenario: labels.get(r.scenarioId) ?? r.scenarioId,
      seconds: (i.startMs + i.endMs) / 2000,
      mbPerSec: i.mbPerSec,
      interval: `${(i.startMs / 1000).toFixed(1)}-${(i.endMs / 1000).toFixed(1)} s`,
    })),
  );
  const longest = Math.max(0, ...[...labels.values()].map((l) => points.filter((p) => p.scenario === l).length));
  if (longest < 2) {
    return {
      title,
      reason:
        `The ${humanBytes(size)} transfers lasted about ${(span / 1000).toFixed(1)} s, less than two ` +
        `${intervalMs === 1000 ? '1 s' : '100 ms'} intervals, too short for a timeline.`,
    };
  }
  const more = ids.length > chosen.length ? ` The ${chosen.length} fastest of ${ids.length} scenarios are shown.` : '';
  return {
    name: 'timeline',
    title,
    caption:
      `${humanBytes(size)} transfers: MB/s per ${intervalMs === 1000 ? '1 s' : '100 ms'} interval, from the ` +
      `receiver's byte count (reported about every 100 ms, interpolated between reports), one transfer per ` +
      `scenario (the one of median rate); the first interval includes the handshake.${more}`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: `${humanBytes(size)}: MB/s per ${intervalMs === 1000 ? '1 s' : '100 ms'} interval`,
      width: 560,
      height: 260,
      data: { values: points },
      mark: { type: 'line', point: { filled: true, size: 30 } },
      encoding: {
        x: {
          field: 'seconds',
          type: 'quantitative',
          title: 'seconds since the transfer started (interval middle)',
          scale: { zero: true },
        },
        y: { field: 'mbPerSec', type: 'quantitative', title: 'MB/s', scale: { zero: true } },
        color: { field: 'scenario', type: 'nominal', title: 'scenario', legend: { orient: 'bottom', columns: 1 } },
        tooltip: [{ field: 'scenario' }, { field: 'interval' }, { field: 'mbPerSec', format: '.1f', title: 'MB/s' }],
      },
    },
  };
}

/** Pure: every worker pair's warm-up curve, one point per warm-up transfer. */
export function warmupPoints(run: RunResult): { pair: string; transfer: number; seconds: number; mbPerSec: number }[] {
  return (run.context.processWarmups ?? []).flatMap((w) => {
    let at = 0;
    return w.mbPerSec.map((mbPerSec, i) => {
      at += w.durationMs[i] ?? 0;
      return {
        pair: `pair ${w.generation}${w.runtime ? ` (${w.runtime})` : ''}: ${w.ended}`,
        transfer: i + 1,
        seconds: at / 1000,
        mbPerSec,
      };
    });
  });
}

/** Only when a worker pair warmed up (not in an older results.json, a --smoke run, or one without raw transfers). */
function warmupChart(run: RunResult): ChartSpec | null {
  const points = warmupPoints(run);
  const title = 'Worker warm-up';
  if (points.length === 0) return null;
  return {
    name: 'warmup',
    title,
    caption:
      'MB/s of each warm-up transfer of a new (or replaced) worker pair, against the traffic time so far: new ' +
      'processes start slow (JIT, buffers) and the run measures only once the curve stops rising (steady) or ' +
      'the time cap is reached (capped).',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config: CONFIG,
      title: 'Process warm-up: MB/s per warm-up transfer',
      width: 420,
      height: 220,
      data: { values: points },
      mark: { type: 'line', point: { filled: true, size: 40 } },
      encoding: {
        x: { field: 'seconds', type: 'quantitative', title: 'seconds of warm-up traffic', scale: { zero: true } },
        y: { field: 'mbPerSec', type: 'quantitative', title: 'MB/s', scale: { zero: true } },
        color: { field: 'pair', type: 'nominal', title: 'worker pair', legend: { orient: 'bottom', columns: 1 } },
        tooltip: [{ field: 'pair' }, { field: 'transfer' }, { field: 'mbPerSec', format: '.1f', title: 'MB/s' }],
      },
    },
  };
}

const isChart = (c: ChartSpec | OmittedChart): c is ChartSpec => 'spec' in c;

/** Pure: the charts of a run, in report order, and those left out with the reason. */
export function chartPlan(run: RunResult): ChartPlan {
  return chartPlanOf(reportModel(run));
}

/** The charts of the report model, in report order, and those left out with the reason. */
export function chartPlanOf(model: ReportModel): ChartPlan {
  const { run, main } = model;
  const throughput = throughputCharts(main);
  const charts: ChartSpec[] = [...throughput];
  const omitted: OmittedChart[] = [];
  const runtimes = runtimeChart(model.runtimes);
  if (runtimes) charts.push(runtimes);
  const ceilings = ceilingsChart(run, main, scenarioLabels(main.map((s) => s.scenario)), CONFIG);
  if (ceilings) charts.push(ceilings);
  if (throughput.length === 0) {
    omitted.push({
      title: 'Throughput vs chunk size',
      reason:
        'No suite and size was measured with more than one chunk size (no chunk sweep), so there is no curve to draw.',
    });
  }
  for (const c of [cpuChart(main), endingsChart(model.endings), spreadChart(run), timelineChart(run)]) {
    if (isChart(c)) charts.push(c);
    else omitted.push(c);
  }
  const warmup = warmupChart(run);
  if (warmup) charts.push(warmup);
  return { charts, omitted };
}

/**
 * Element ids are unique within one SVG only (Vega numbers its clip paths
 * from 1 in every view): prefix them so that SVGs inlined in one page do not
 * borrow each other's clips.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

/** A Vega-Lite spec compiled and rendered headless to an SVG string. */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  // Loaded on first use: Vega takes about a second to import, which other commands need not pay.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return scopeSvgIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** Every chart of the run as SVG. Pure apart from being asynchronous. */
export async function renderCharts(run: RunResult, model: ReportModel = reportModel(run)): Promise<RenderedCharts> {
  const plan = chartPlanOf(model);
  const charts: RenderedChart[] = [];
  for (const c of plan.charts)
    charts.push({ name: c.name, title: c.title, caption: c.caption, svg: await renderSvg(c.spec, c.name) });
  return { charts, omitted: plan.omitted };
}
