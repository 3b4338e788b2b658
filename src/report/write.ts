import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { humanBytes } from '../config/units.ts';
import { usageError } from '../errors.ts';
import { freeDiskBytes } from '../fixtures/cache.ts';
import { hasJournal } from '../journal.ts';
import { reportModel, type ReportModel } from '../analysis/report-model.ts';
import { renderCharts, type RenderedCharts } from './charts.ts';
import { exportersOf } from './exporters.ts';
import type { RunResult } from '../results.ts';

// Writing a run folder (results and report), shared by run, https, profile and report (which re-renders one, or
// rebuilds it from
// its journal). The only module of report/ that touches the disk: the exporters (exporters.ts) are pure.

/** The files the report writes into a run folder, besides the charts/ folder. */
export const REPORT_FILES = exportersOf('report').map((e) => e.file);

export interface RenderedReport {
  readonly charts: RenderedCharts;
  /** The report part's files (summary.md, report.html), name and text. */
  readonly files: readonly (readonly [string, string])[];
}

/** The report's files in memory (to know their size before writing them). */
export async function renderReport(run: RunResult, model: ReportModel = reportModel(run)): Promise<RenderedReport> {
  const charts = await renderCharts(run, model);
  return { charts, files: renderPart(model, charts, 'report') };
}

/** One part's files, rendered by its exporters (those with nothing to say for this run left out). */
function renderPart(model: ReportModel, charts: RenderedCharts, part: 'results' | 'report'): [string, string][] {
  return exportersOf(part).flatMap((e): [string, string][] => {
    const text = e.render(model, charts);
    return text === null ? [] : [[e.file, text]];
  });
}

/** Bytes of a rendered report on disk. */
export function reportBytes(report: RenderedReport): number {
  return (
    report.files.reduce((n, [, text]) => n + Buffer.byteLength(text), 0) +
    report.charts.charts.reduce((n, c) => n + Buffer.byteLength(c.svg), 0)
  );
}

/**
 * Writes summary.md, report.html and charts/<name>.svg into `dir`, each
 * atomically. SVGs of charts this run no longer has are removed, so a
 * re-render never leaves a stale chart beside the new ones.
 */
export async function writeReportFiles(dir: string, run: RunResult, report?: RenderedReport): Promise<string[]> {
  const { charts, files } = report ?? (await renderReport(run));
  const chartsDir = join(dir, 'charts');
  await mkdir(chartsDir, { recursive: true });
  const names = new Set(charts.charts.map((c) => `${c.name}.svg`));
  for (const c of charts.charts) await writeFileAtomic(join(chartsDir, `${c.name}.svg`), c.svg);
  for (const f of await readdir(chartsDir))
    if (f.endsWith('.svg') && !names.has(f)) await rm(join(chartsDir, f), { force: true });
  for (const [name, text] of files) await writeFileAtomic(join(dir, name), text);
  return [...files.map(([name]) => name), ...[...names].map((n) => `charts/${n}`)];
}

/** Room for the folder entries and file system blocks beside the files' bytes. */
const RESULTS_SLACK_BYTES = 64 * 1024;

/**
 * Writes the run folder. Everything is rendered first, so a disk without room
 * for all of it is found before the first byte is written; a disk that fills
 * up meanwhile (ENOSPC) leaves no half folder either: only the run's journal
 * (records.jsonl, which `report` finishes on a disk with room), or, for a run
 * without one, nothing. Both: one line, exit 2.
 */
export async function writeRunFiles(dir: string, run: RunResult): Promise<void> {
  const model = reportModel(run);
  const report = await renderReport(run, model);
  const files = renderPart(model, report.charts, 'results');
  const bytes = files.reduce((n, [, text]) => n + Buffer.byteLength(text), 0) + reportBytes(report);
  const journal = await hasJournal(dir);
  const noRoom = async (): Promise<never> => {
    const kept = journal
      ? `only the journal was kept in ${dir} (run tls-sst-bench report on it once there is room)`
      : 'nothing was written';
    throw usageError(
      `not enough disk for the results in ${dirname(dir)}: ${humanBytes(await freeDiskBytes(dir))} free, the ` +
        `run's files need ${humanBytes(bytes + RESULTS_SLACK_BYTES)}; ${kept}: expected --out on a disk with ` +
        `room for them`,
    );
  };
  if ((await freeDiskBytes(dir)) < bytes + RESULTS_SLACK_BYTES) await noRoom();
  try {
    await mkdir(dir, { recursive: true });
    for (const [name, text] of files) await writeFileAtomic(join(dir, name), text);
    await writeReportFiles(dir, run, report);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'EDQUOT') throw err;
    // Half a run folder would pass for a run: the journal alone, or nothing.
    if (journal)
      for (const name of [...files.map(([n]) => n), ...REPORT_FILES, 'charts'])
        await rm(join(dir, name), { recursive: true, force: true });
    else await rm(dir, { recursive: true, force: true });
    await noRoom();
  }
}
