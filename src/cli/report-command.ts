import { access, constants, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { usageError } from '../errors.ts';
import { renderCharts } from '../report/charts.ts';
import { htmlReport } from '../report/html.ts';
import { markdownSummary } from '../report/markdown.ts';
import type { RunResult } from '../results.ts';
import { parseRunResult } from '../results-schema.ts';
import { hasJournal, rebuildFromJournal } from '../journal.ts';
import { writeRunFiles } from './run-command.ts';

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

/** Reads `<dir>/results.json`; a missing folder or file, or one that is not a run's, is a usage error. */
export async function readRunResult(dir: string): Promise<RunResult> {
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) throw usageError(`run folder "${dir}" does not exist: expected a folder results/<run-id> with results.json`);
  const path = join(dir, 'results.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(`"${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): expected the results.json a run writes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(`"${path}" is not valid JSON (${(err as Error).message}): expected the results.json a run writes`);
  }
  return parseRunResult(parsed, `"${path}"`);
}

async function assertWritable(dir: string): Promise<void> {
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw usageError(`run folder "${dir}" is not writable: expected a folder this user can write the report into`);
  }
}

/** `tls-sst-bench report <run-dir>`: re-renders summary.md, report.html and charts/ from results.json. */
export async function reportCommand(runDir: string, out: (line: string) => void): Promise<number> {
  const dir = resolve(runDir);
  // A run killed before it wrote its results (SIGKILL, OOM, a second Ctrl-C): finish it from its journal.
  if ((await stat(join(dir, 'results.json')).catch(() => null)) === null && (await hasJournal(dir))) {
    const rebuilt = await rebuildFromJournal(dir);
    await assertWritable(dir);
    await writeRunFiles(dir, rebuilt);
    out(`${dir}/: rebuilt from its journal (${rebuilt.records.length} transfer records, marked interrupted): results.json, results.csv, scenarios.csv, ${REPORT_FILES.join(', ')}, charts/`);
    return 0;
  }
  const run = await readRunResult(dir);
  await assertWritable(dir);
  const written = await writeReportFiles(dir, run);
  out(`${dir}/: ${written.join(', ')}`);
  return 0;
}
