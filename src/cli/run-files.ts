import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { humanBytes } from '../config/units.ts';
import { usageError } from '../errors.ts';
import { freeDiskBytes } from '../fixtures/cache.ts';
import { hasJournal } from '../journal.ts';
import { referencesCsv, resultsCsv, scenariosCsv } from '../report/csv.ts';
import { renderCharts } from '../report/charts.ts';
import { htmlReport } from '../report/html.ts';
import { resultsJson } from '../report/json.ts';
import { markdownSummary } from '../report/markdown.ts';
import type { RunResult } from '../results.ts';

// Writing a run folder (results and report), shared by run, https, profile and report (which re-renders one, or rebuilds it from its journal): its own module, so report-command.ts and run-command.ts need not import each other.

/** The files the report writes into a run folder, besides the charts/ folder. */
export const REPORT_FILES = ['summary.md', 'report.html'] as const;

export interface RenderedReport {
  readonly charts: Awaited<ReturnType<typeof renderCharts>>;
  readonly html: string;
  readonly markdown: string;
}

/** The report's files in memory (to know their size before writing them). */
export async function renderReport(run: RunResult): Promise<RenderedReport> {
  const charts = await renderCharts(run);
  return { charts, html: await htmlReport(run, charts), markdown: markdownSummary(run) };
}

/** Bytes of a rendered report on disk. */
export function reportBytes(report: RenderedReport): number {
  return Buffer.byteLength(report.html) + Buffer.byteLength(report.markdown) + report.charts.charts.reduce((n, c) => n + Buffer.byteLength(c.svg), 0);
}

/**
 * Writes summary.md, report.html and charts/<name>.svg into `dir`, each
 * atomically. SVGs of charts this run no longer has are removed, so a
 * re-render never leaves a stale chart beside the new ones.
 */
export async function writeReportFiles(dir: string, run: RunResult, report?: RenderedReport): Promise<string[]> {
  const { charts, html } = report ?? (await renderReport(run));
  const chartsDir = join(dir, 'charts');
  await mkdir(chartsDir, { recursive: true });
  const names = new Set(charts.charts.map((c) => `${c.name}.svg`));
  for (const c of charts.charts) await writeFileAtomic(join(chartsDir, `${c.name}.svg`), c.svg);
  for (const f of await readdir(chartsDir)) if (f.endsWith('.svg') && !names.has(f)) await rm(join(chartsDir, f), { force: true });
  await writeFileAtomic(join(dir, 'summary.md'), report?.markdown ?? markdownSummary(run));
  await writeFileAtomic(join(dir, 'report.html'), html);
  return [...REPORT_FILES, ...[...names].map((n) => `charts/${n}`)];
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
  const files: [string, string][] = [
    ['results.json', resultsJson(run)],
    ['results.csv', resultsCsv(run)],
    ['scenarios.csv', scenariosCsv(run)],
  ];
  const references = referencesCsv(run);
  if (references !== null) files.push(['references.csv', references]);
  const report = await renderReport(run);
  const bytes = files.reduce((n, [, text]) => n + Buffer.byteLength(text), 0) + reportBytes(report);
  const journal = await hasJournal(dir);
  const noRoom = async (): Promise<never> => {
    const kept = journal ? `only the journal was kept in ${dir} (run tls-sst-bench report on it once there is room)` : 'nothing was written';
    throw usageError(
      `not enough disk for the results in ${dirname(dir)}: ${humanBytes(await freeDiskBytes(dir))} free, the run's files need ${humanBytes(bytes + RESULTS_SLACK_BYTES)}; ${kept}: expected --out on a disk with room for them`,
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
    if (journal) for (const name of [...files.map(([n]) => n), ...REPORT_FILES, 'charts']) await rm(join(dir, name), { recursive: true, force: true });
    else await rm(dir, { recursive: true, force: true });
    await noRoom();
  }
}
