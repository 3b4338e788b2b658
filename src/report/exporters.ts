import type { ReportModel } from '../analysis/report-model.ts';
import type { RenderedCharts } from './charts.ts';
import { referencesCsv, resultsCsv, scenariosCsv } from './csv.ts';
import { htmlDocument } from './html.ts';
import { resultsJsonOf } from './json.ts';
import { markdownDocument } from './markdown.ts';
import { terminalReport } from './terminal.ts';

/**
 * Every output format of a run, listed once (as hyperfine's ExportManager
 * lists its exporters). Each renders the report model (analysis/report-model.ts)
 * and nothing else; report/write.ts writes their files. Adding a format is one
 * entry here and its pure renderer.
 */
export interface Exporter {
  /** The file it writes in a run folder; null: printed at the end of the run (the terminal). */
  readonly file: string | null;
  /**
   * `results`: written once with the run (or its journal's rebuild); `report`: re-rendered from results.json by
   * `tls-sst-bench report`.
   */
  readonly part: 'results' | 'report' | 'terminal';
  /**
   * Pure. `charts`: the run's charts already rendered (SVG is asynchronous to make); null: nothing to write for this
   * run.
   */
  readonly render: (model: ReportModel, charts: RenderedCharts) => string | null;
}

export const EXPORTERS = {
  terminal: { file: null, part: 'terminal', render: (model) => terminalReport(model) },
  json: { file: 'results.json', part: 'results', render: (model) => resultsJsonOf(model) },
  csv: { file: 'results.csv', part: 'results', render: (model) => resultsCsv(model.run) },
  'scenarios-csv': { file: 'scenarios.csv', part: 'results', render: (model) => scenariosCsv(model.run) },
  // only a run with --reference has ceilings to list
  'references-csv': { file: 'references.csv', part: 'results', render: (model) => referencesCsv(model.run) },
  markdown: { file: 'summary.md', part: 'report', render: (model) => markdownDocument(model) },
  html: { file: 'report.html', part: 'report', render: (model, charts) => htmlDocument(model, charts) },
} as const satisfies Readonly<Record<string, Exporter>>;

export type ExporterName = keyof typeof EXPORTERS;

/** The exporters that write a file of one part, in the order above. */
export function exportersOf(part: 'results' | 'report'): FileExporter[] {
  const all = Object.entries(EXPORTERS) as [ExporterName, Exporter][];
  return all.flatMap(([name, e]) =>
    e.part === part && e.file !== null ? [{ name, file: e.file, render: e.render }] : [],
  );
}

export interface FileExporter {
  readonly name: ExporterName;
  readonly file: string;
  readonly render: Exporter['render'];
}
