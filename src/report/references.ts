import { formatBytes, humanBytes } from '../config/units.ts';
import { referenceFor, REFERENCE_LANES, type ReferenceLane, type References } from '../references.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import type { ChartSpec } from './chart-spec.ts';
import { fixed } from './columns.ts';
import { DEFAULT_READ_PATH } from '../transfer/read-path.ts';
import type { Finding, FindingsTable } from './finding.ts';
import { table } from './terminal-table.ts';

/** How each lane is named beside a cell: what its ceiling is. */
const LANE_TEXT: Readonly<Record<ReferenceLane, string>> = {
  tcp: 'plain TCP',
  openssl: 'native OpenSSL, same suite and version',
  cipher: 'the cipher alone, one core, 16 KiB records',
};

/** The throughput table's extra columns, when the run measured ceilings: header and cells. */
export function ceilingColumns(run: RunResult): {
  readonly header: readonly string[];
  readonly cells: (s: ScenarioSummary) => string[];
} {
  if (!run.references) return { header: [], cells: () => [] };
  return {
    header: ['% tcp', '% openssl', '% cipher'],
    cells: (s) => [
      fixed(s.ceilings?.pctOfTcp, 0),
      fixed(s.ceilings?.pctOfOpenssl, 0),
      fixed(s.ceilings?.pctOfCipher, 0),
    ],
  };
}

const laneKey = (m: References['measurements'][number]): string[] => [
  m.sizeBytes === null ? '' : humanBytes(m.sizeBytes),
  m.chunkBytes === null ? '' : formatBytes(m.chunkBytes),
  m.tlsVersion ?? '',
  m.suite ?? '',
];

/** Every reference measurement as a table (lane, keys, MB/s, ±%, samples). */
export function referencesTable(refs: References): FindingsTable {
  // The read path only when it varies: the tcp lane reads as its cells do.
  const reads = new Set(refs.measurements.filter((m) => m.readPath !== null).map((m) => m.readPath));
  const read = reads.size > 1 || [...reads].some((r) => r !== DEFAULT_READ_PATH);
  const header = ['lane', 'size', 'chunk', 'tls', 'suite / cipher', ...(read ? ['read'] : []), 'MB/s', '±%', 'samples'];
  const rows = refs.measurements.map((m) => [
    m.lane,
    ...laneKey(m),
    ...(read ? [m.readPath ?? ''] : []),
    fixed(m.mbPerSec, 1),
    fixed(m.rmePercent, 1),
    String(m.samples),
  ]);
  return { header, rows, numeric: header.map((h) => /MB\/s|±|samples/.test(h)) };
}

/** One line per lane: what it is and how it was measured (the first measurement's source). */
export function ceilingSources(refs: References): [string, string][] {
  return REFERENCE_LANES.filter((l) => refs.lanes.includes(l)).map((lane): [string, string] => {
    const sources = [...new Set(refs.measurements.filter((x) => x.lane === lane).map((x) => x.source))];
    const skip = refs.skipped.find((s) => s.lane === lane);
    const how = sources.length > 0 ? sources.join('; ') : `not measured: ${skip?.reason ?? 'no measurement'}`;
    return [`ceiling ${lane}`, `${LANE_TEXT[lane]}: ${how}`];
  });
}

const READING =
  'Each cell is shown as a percentage of three ceilings measured in the same run, on the same host and ' +
  'address: % tcp = the cell against plain TCP with the same sender, receiver and chunks (100 − % tcp is what ' +
  'TLS costs); % openssl = against a native OpenSSL sender and receiver with the same suite and version (near ' +
  '100: Node adds little over OpenSSL itself); % cipher = against the cipher alone on one core (far below 100: ' +
  'the copies and system calls are the limit, not the cipher).';

/** The section of summary.md and report.html; null when the run asked for no ceilings. */
export function ceilingsFinding(run: RunResult): Finding | null {
  const refs = run.references;
  if (!refs) return null;
  return {
    id: 'ceilings',
    title: "How close to this machine's limits",
    before: [READING, ...ceilingSources(refs).map(([k, v]) => `${k}: ${v}.`)],
    table: referencesTable(refs),
    after: refs.skipped.map((s) => `Skipped, ${s.lane}: ${s.reason}`),
  };
}

/** The terminal's block: the ceilings measured, and any lane skipped with its reason. */
export function ceilingsText(run: RunResult): string | null {
  const refs = run.references;
  if (!refs) return null;
  const t = referencesTable(refs);
  const out = [
    'Ceilings measured beside the cells (% tcp, % openssl, % cipher above; README "How close to this ' +
      'machine\'s limits"):',
  ];
  if (t.rows.length > 0) out.push(table(t.header, t.rows, t.numeric));
  for (const s of refs.skipped) out.push(`reference ${s.lane} skipped: ${s.reason}`);
  return out.join('\n');
}

/** Pure: each delivered cell's bar and its three ceilings' bars (MB/s), for the chart. */
export function ceilingBars(
  run: RunResult,
  cells: readonly ScenarioSummary[],
  labels: ReadonlyMap<string, string>,
): { cell: string; bar: string; mbPerSec: number; pct: number | null }[] {
  const refs = run.references;
  if (!refs) return [];
  return cells.flatMap((s) => {
    if (!s.throughput) return [];
    const cell = labels.get(s.scenarioId) ?? s.scenarioId;
    const mean = s.throughput.meanMbPerSec;
    const lanes = REFERENCE_LANES.flatMap((lane) => {
      const ref = referenceFor(refs, lane, s.scenario);
      return ref ? [{ cell, bar: `ceiling: ${lane}`, mbPerSec: ref.mbPerSec, pct: (100 * mean) / ref.mbPerSec }] : [];
    });
    return [{ cell, bar: 'this cell (node:tls)', mbPerSec: mean, pct: null }, ...lanes];
  });
}

/** The chart of report.html: every cell as a bar beside its three ceilings; null without ceilings. */
export function ceilingsChart(
  run: RunResult,
  cells: readonly ScenarioSummary[],
  labels: ReadonlyMap<string, string>,
  config: object,
): ChartSpec | null {
  const bars = ceilingBars(run, cells, labels);
  if (bars.length === 0) return null;
  const order = ['this cell (node:tls)', ...REFERENCE_LANES.map((l) => `ceiling: ${l}`)];
  const y = {
    field: 'cell',
    type: 'nominal' as const,
    title: null,
    sort: [...new Set(bars.map((b) => b.cell))],
    axis: { labelLimit: 640 },
  };
  return {
    name: 'ceilings',
    title: "Cells against this machine's limits",
    caption:
      'Mean MB/s of each cell (dark) beside the ceilings measured in the same run: plain TCP with the same ' +
      'Node sender and receiver, a native OpenSSL pair with the same suite, and the cipher alone on one core. ' +
      'Tooltips give the cell as a percentage of each.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      config,
      title: 'MB/s: cells and ceilings',
      data: { values: bars },
      width: 480,
      height: { step: 12 },
      mark: { type: 'bar' },
      encoding: {
        y,
        yOffset: { field: 'bar', type: 'nominal', sort: order },
        x: { field: 'mbPerSec', type: 'quantitative', title: 'MB/s (10^6 bytes per second)' },
        color: {
          field: 'bar',
          type: 'nominal',
          title: null,
          sort: order,
          scale: { domain: order, range: ['#1b1b1b', '#1565c0', '#6a1b9a', '#9e9e9e'] },
          legend: { orient: 'bottom' },
        },
        tooltip: [
          { field: 'cell' },
          { field: 'bar' },
          { field: 'mbPerSec', format: '.1f', title: 'MB/s' },
          { field: 'pct', format: '.0f', title: 'cell as % of it' },
        ],
      },
    },
  };
}
