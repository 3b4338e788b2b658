import type { ReportModel } from '../analysis/report-model.ts';
import { cpuMsPerGb } from '../analysis/tuning.ts';
import type { ScenarioSummary } from '../results.ts';
import { fixed, leadCells, OPTIONAL_AXES, outcomesText, rmeCell } from './columns.ts';
import type { FindingsTable } from './finding.ts';
import { ceilingColumns } from './references.ts';

/**
 * The terminal's table (per-transfer handshake and CPU) or the documents' (summary.md, report.html: sd and CPU per GB).
 */
export type ThroughputView = 'terminal' | 'document';

interface Column {
  readonly header: string;
  readonly views: readonly ThroughputView[];
  readonly cell: (s: ScenarioSummary) => string;
}

const BOTH: readonly ThroughputView[] = ['terminal', 'document'];
const gbit = (s: ScenarioSummary): string => fixed(s.throughput ? (s.throughput.meanMbPerSec * 8) / 1000 : null, 2);

/** Before the ceiling columns. */
const RATE_COLUMNS: readonly Column[] = [
  { header: 'MB/s', views: ['terminal'], cell: (s) => fixed(s.throughput?.meanMbPerSec, 1) },
  { header: 'mean MB/s', views: ['document'], cell: (s) => fixed(s.throughput?.meanMbPerSec, 1) },
  { header: '±%', views: BOTH, cell: rmeCell },
  { header: 'sd MB/s', views: ['document'], cell: (s) => fixed(s.throughput?.sdMbPerSec, 1) },
  { header: 'p50 MB/s', views: BOTH, cell: (s) => fixed(s.throughput?.p50MbPerSec, 1) },
  { header: 'Gbit/s', views: BOTH, cell: gbit },
];

/** After the ceiling columns. */
const COST_COLUMNS: readonly Column[] = [
  { header: 'hs ms', views: ['terminal'], cell: (s) => fixed(s.meanHandshakeMs, 2) },
  { header: 'snd CPU ms', views: ['terminal'], cell: (s) => fixed(s.meanSenderCpuMs, 0) },
  { header: 'rcv CPU ms', views: ['terminal'], cell: (s) => fixed(s.meanReceiverCpuMs, 0) },
  { header: 'CPU ms/GB', views: ['document'], cell: (s) => fixed(cpuMsPerGb(s), 0) },
  { header: 'outcomes', views: BOTH, cell: outcomesText },
];

/** Which headers are right-aligned, as each view always aligned them. */
const NUMERIC: Readonly<Record<ThroughputView, RegExp>> = {
  terminal: /MB\/s|±|Gbit|ms$|^%/,
  document: /MB\/s|±|Gbit|ms|^%/,
};

/**
 * The throughput table of the run's main scenarios, built once for every
 * format: the scenario's lead cells (size, TLS, suite, the axes that vary,
 * chunk), its rates, the ceilings when measured, and its cost.
 */
export function throughputTable(model: ReportModel, view: ThroughputView): FindingsTable {
  const axes = OPTIONAL_AXES.filter((a) => new Set(model.main.map(a.value)).size > 1);
  const ceilings = ceilingColumns(model.run);
  const rates = RATE_COLUMNS.filter((c) => c.views.includes(view));
  const costs = COST_COLUMNS.filter((c) => c.views.includes(view));
  const header = [
    ...['size', 'tls', 'suite', ...axes.map((a) => a.header), 'chunk'],
    ...[...rates.map((c) => c.header), ...ceilings.header, ...costs.map((c) => c.header)],
  ];
  const rows = model.main.map((s) => [
    ...leadCells(s, axes),
    ...rates.map((c) => c.cell(s)),
    ...ceilings.cells(s),
    ...costs.map((c) => c.cell(s)),
  ]);
  return { header, rows, numeric: header.map((h) => NUMERIC[view].test(h)) };
}
