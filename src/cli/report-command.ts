import { access, constants, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.ts';
import type { RunResult } from '../results.ts';
import { parseRunResult } from '../results-schema.ts';
import { hasJournal, rebuildFromJournal } from '../journal.ts';
import { writeFileAtomic } from '../atomic-write.ts';
import { LOAD_PROTOCOLS } from '../protocols/load-registry.ts';
import { markdownSummary } from '../report/markdown.ts';
import { REPORT_FILES, writeReportFiles, writeRunFiles } from '../report/write.ts';

/**
 * Protocols' own sections of summary.md, from the results.json that holds their records (until the protocol registry
 * lists them).
 */
const SUMMARY_SECTIONS: readonly ((json: object) => string | null)[] = LOAD_PROTOCOLS.map(
  (p) => (json: object) => p.report.summarySection(json),
);

/** Reads `<dir>/results.json`; a missing folder or file, or one that is not a run's, is a usage error. */
export async function readRunResult(dir: string): Promise<RunResult> {
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory())
    throw usageError(`run folder "${dir}" does not exist: expected a folder results/<run-id> with results.json`);
  const path = join(dir, 'results.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(
      `"${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): expected the ` +
        `results.json a run writes`,
    );
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
    out(
      `${dir}/: rebuilt from its journal (${rebuilt.records.length} transfer records, marked interrupted): ` +
        `results.json, results.csv, scenarios.csv, ${REPORT_FILES.join(', ')}, charts/`,
    );
    return 0;
  }
  const run = await readRunResult(dir);
  await assertWritable(dir);
  const written = await writeReportFiles(dir, run);
  const sections = SUMMARY_SECTIONS.flatMap((section) => section(run) ?? []);
  if (sections.length > 0)
    await writeFileAtomic(join(dir, 'summary.md'), [markdownSummary(run), ...sections].join('\n'));
  out(`${dir}/: ${written.join(', ')}`);
  return 0;
}
