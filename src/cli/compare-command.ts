import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import {
  compareExitCode,
  compareRuns,
  comparableRun,
  DEFAULT_COMPARE_OPTIONS,
  type ComparableRun,
  type SampleSource,
} from '../compare/compare.ts';
import { usageError } from '../errors.ts';
import { parseAlpha as alphaLevel, parseFraction } from '../config/parsers.ts';
import { applyLayers } from '../config/layers.ts';
import { defaultsOf, option, optionTable, type RawOptions } from '../config/options.ts';
import { LOAD_PROTOCOLS } from '../protocols/load-registry.ts';
import { compareMarkdown, compareText } from '../report/compare.ts';
import { assertWritableDir } from './run-command.ts';

/** `--alpha`: a significance level such as 0.05 (or 5%), above 0 and below 1. */
export function parseAlpha(text: string): number {
  return alphaLevel(text, '--alpha');
}

/** `--threshold`: `5%` or `0.05`, from 0% (any significant drop) to below 100%. */
export function parseThreshold(text: string): number {
  return parseFraction(
    text,
    '--threshold',
    'a percentage such as 5% or a fraction such as 0.05, from 0% to below 100%',
    (v) => v >= 0 && v < 1,
  );
}

/** compare's flags; the defaults are the library's own (DEFAULT_COMPARE_OPTIONS), spelled as a user types them. */
export const COMPARE_OPTIONS = [
  option({
    key: 'threshold',
    target: 'threshold',
    flag: '--threshold',
    valueName: 'percent',
    description: 'a significant drop of more than this is a regression',
    parse: (t) => parseThreshold(t),
    default: `${DEFAULT_COMPARE_OPTIONS.threshold * 100}%`,
  }),
  option({
    key: 'alpha',
    target: 'alpha',
    flag: '--alpha',
    valueName: 'p',
    description: 'significance level of a regression',
    parse: (t) => parseAlpha(t),
    default: String(DEFAULT_COMPARE_OPTIONS.alpha),
  }),
  option({
    key: 'md',
    target: 'md',
    flag: '--md',
    valueName: 'file',
    description: 'also write the comparison as Markdown to this file',
    parse: (t) => t,
    default: { value: undefined, help: null },
  }),
];
const COMPARE_TABLE = optionTable(COMPARE_OPTIONS);

export type CompareFlags = RawOptions<typeof COMPARE_OPTIONS>;
/** The protocols whose samples are not transfer records: the load protocols' registry. */
const SAMPLE_SOURCES: readonly SampleSource[] = LOAD_PROTOCOLS.map(
  (p) => (json: object, where: string) => p.comparableSamples(json, where),
);

/** A run folder (holding results.json) or a results.json path, read and checked. */
export async function loadRun(path: string): Promise<ComparableRun> {
  const st = await stat(path).catch(() => null);
  if (!st)
    throw usageError(
      `run "${path}" does not exist: expected a run folder containing results.json, or a results.json file`,
    );
  const file = st.isDirectory() ? join(path, 'results.json') : path;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw usageError(
      st.isDirectory()
        ? `run "${path}" has no readable results.json (${code}): expected a run folder written by tls-sst-bench run`
        : `run "${path}" cannot be read (${code}): expected a results.json file`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(
      `"${file}" is not valid JSON (${(err as Error).message}): expected a results.json written by tls-sst-bench run`,
    );
  }
  return comparableRun(parsed, `"${file}"`, SAMPLE_SOURCES);
}

/** `tls-sst-bench compare <base> <new>`: 1 on a significant regression, else 0. */
export async function compareCommand(
  basePath: string,
  newPath: string,
  flags: CompareFlags,
  out: (text: string) => void,
): Promise<number> {
  const { md, ...options } = applyLayers(COMPARE_TABLE, defaultsOf(COMPARE_OPTIONS), [{ where: 'flags', raw: flags }]);
  const mdPath = md === undefined ? undefined : resolve(md);
  if (mdPath !== undefined) {
    if ((await stat(mdPath).catch(() => null))?.isDirectory())
      throw usageError(`--md "${md}" is a folder: expected a file name`);
    await assertWritableDir(dirname(mdPath), '--md');
  }
  const base = await loadRun(basePath);
  const next = await loadRun(newPath);
  const comparison = compareRuns(base, next, options);
  if (mdPath !== undefined) {
    await mkdir(dirname(mdPath), { recursive: true });
    await writeFileAtomic(mdPath, compareMarkdown(comparison));
  }
  out(compareText(comparison));
  return compareExitCode(comparison);
}
