import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../atomic-write.ts';
import { formatBytes } from '../config/units.ts';
import { usageError } from '../errors.ts';
import { httpsPresets } from '../config/presets.ts';
import { HTTPS_OPTIONS, resolveHttpsConfig, type HttpsConfig, type HttpsRawConfig } from '../protocols/https/config.ts';
import { https } from '../protocols/https/index.ts';
import { httpsReportModel } from '../protocols/https/report-model.ts';
import type { HttpsRunJson } from '../protocols/https/run-json.ts';
import { resultsJson } from '../report/json.ts';
import { markdownSummary } from '../report/markdown.ts';
import type { HttpsRun } from '../protocols/https/run.ts';
import { httpsTerminal } from '../protocols/https/terminal.ts';
import { addFixturesDirOption, addTableOptions, runSteps } from './command.ts';
import { writeRunFiles } from '../report/write.ts';

/** Flags as commander hands them over: strings (booleans for --json), keys in camelCase. */
export type HttpsFlags = HttpsRawConfig & { readonly preset?: string; readonly fixturesDir?: string };

const OWN_FLAGS = ['--preset', '--fixtures-dir', ...Object.values(HTTPS_OPTIONS).map((o) => o.flag)];

/** The folder inside a run's folder that holds the raw-stream comparison as an ordinary run. */
export const RAW_STREAM_DIR = 'raw-stream';

/** The progress line of a finished cell: sampled MB/s with its CI when there are samples, else the cell's total. */
function cellLine(c: HttpsRun['result']['https'][number]): string {
  const st = c.intervalMbPerSec;
  const mb = st
    ? st.meanMbPerSec.toFixed(1) +
      (Number.isFinite(st.ciHalfWidthMbPerSec) ? ` ±${st.ciHalfWidthMbPerSec!.toFixed(1)}` : '') +
      ` MB/s over ${st.samples} s`
    : `${c.mbPerSec.toFixed(1)} MB/s (no measured interval)`;
  return (
    `${mb}, ${(c.intervalRequestsPerSec ?? c.requestsPerSec).toFixed(1)} req/s, p99 ${c.latencyP99Ms} ms, errors ` +
    `${c.errors}, non2xx ${c.non2xx}`
  );
}

export function httpsLayers(flags: HttpsFlags): { where: string; raw: HttpsRawConfig }[] {
  const { preset, fixturesDir: _fixturesDir, ...rest } = flags;
  const layers: { where: string; raw: HttpsRawConfig }[] = [];
  if (preset !== undefined) {
    const p = httpsPresets()[preset];
    if (!p)
      throw usageError(
        `--preset "${preset}" is not an https preset: expected one of ${Object.keys(httpsPresets()).join(', ')}`,
      );
    layers.push({ where: `preset ${preset}`, raw: p.settings });
  }
  layers.push({ where: 'flags', raw: rest });
  return layers;
}

/** What an https run folder holds (besides raw-stream/, when the raw comparison ran). */
export const HTTPS_RUN_FILES = [
  'results.json',
  'results.csv',
  'scenarios.csv',
  ...Object.keys(https.report.files),
  'summary.md',
  'report.html',
] as const;

/** Writes an https run's folder (HTTPS_RUN_FILES, and raw-stream/); returns what results.json holds. */
export async function writeHttpsRun(runDir: string, run: HttpsRun): Promise<HttpsRunJson> {
  await mkdir(runDir, { recursive: true });
  const common = https.resultsOf(run);
  await writeRunFiles(runDir, common);
  for (const [name, render] of Object.entries(https.report.files))
    await writeFileAtomic(join(runDir, name), render(run.result));
  // summary.md: the raw stream's report as any run's, then the HTTPS cells from the same model as the terminal's.
  await writeFileAtomic(
    join(runDir, 'summary.md'),
    [markdownSummary(common), https.report.summarySection(common) ?? ''].join('\n'),
  );
  if (run.rawRun) await writeRunFiles(join(runDir, RAW_STREAM_DIR), run.rawRun);
  return common;
}

/** `tls-sst-bench https`: returns the exit code. */
export async function httpsCommand(flags: HttpsFlags, argv: readonly string[]): Promise<number> {
  const command = ['tls-sst-bench', ...argv].join(' ');
  const log = (text: string): void => void process.stderr.write(`${text}\n`);
  let common: HttpsRunJson | null = null;
  return runSteps<HttpsConfig, HttpsRun>({
    resolve: () => resolveHttpsConfig(httpsLayers(flags), flags.preset),
    out: (config) => config.out,
    fixturesDir: flags.fixturesDir,
    prepare: async (_config, folders) => void (await mkdir(folders.fixturesDir, { recursive: true })),
    run: (config, { runId, fixturesDir }, signal) =>
      https.run(config, {
        runId,
        command,
        fixturesDir,
        signal,
        hooks: {
          onPhase: (t) => log(`https: ${t}`),
          onVerified: (v) =>
            log(
              `https: verified fetch ${v.fixture}${v.range ? ` bytes ${v.range.start}-${v.range.end}` : ''}: ` +
                `${v.problem ?? `ok, ${v.protocolNegotiated} ${v.suiteNegotiated}, CRC32C ${v.crc32cReceived}`}`,
            ),
          onCellStart: (s, i, n) =>
            log(
              `https: [${i + 1}/${n}] ${formatBytes(s.sizeBytes)} ${s.mode} x${s.connections} for ` +
                `${s.durationMs / 1000} s`,
            ),
          onCell: (c) => log(`https:        ${cellLine(c)}`),
        },
      }),
    interrupted: (run) => run.result.context.interrupted,
    write: async (_config, { runDir }, run) => {
      common = await writeHttpsRun(runDir, run);
    },
    show: (config, { runDir }, run) => {
      const summary = httpsTerminal(httpsReportModel(run.result));
      const where = `results: ${runDir}/ (${HTTPS_RUN_FILES.join(', ')}${run.rawRun ? `, ${RAW_STREAM_DIR}/` : ''})`;
      if (config.json) {
        process.stderr.write(`${summary}\n\n${where}\n`);
        process.stdout.write(resultsJson(common ?? https.resultsOf(run)));
      } else {
        process.stdout.write(`${summary}\n\n${where}\n`);
      }
      const mismatches = run.rawRun?.records.filter((r) => r.outcome.errorCode === 'SUITE_MISMATCH') ?? [];
      if (mismatches.length === 0) return 0;
      process.stderr.write(
        `ERROR: ${mismatches.length} raw transfer(s) negotiated another suite than asked for: ` +
          `${mismatches[0]!.outcome.errorMessage}\n`,
      );
      return 1;
    },
  });
}

/**
 * Registers `https` on the program; its flags and their --help come from HTTPS_OPTIONS, so they cannot drift from the
 * config.
 */
export function addHttpsCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('https')
    .description(
      'HTTPS mode: fixtures served by node:https, N concurrent autocannon clients fetching whole files or ' +
        'ranges, beside a raw TLS stream',
    )
    .option('--preset <name>', `https preset from bench/https.ts: ${Object.keys(httpsPresets()).join(', ')}`)
    // Our own message for an unknown flag: the program's lists `run`'s flags.
    .allowUnknownOption()
    .allowExcessArguments();
  addTableOptions(addFixturesDirOption(cmd), HTTPS_OPTIONS);
  cmd.action(async (opts: HttpsFlags, self: Command) => {
    const stray = self.args[0];
    if (stray !== undefined) {
      throw usageError(
        stray.startsWith('-')
          ? `unknown option "${stray}": expected one of ${OWN_FLAGS.join(', ')} (see https --help)`
          : `unexpected argument "${stray}": https takes only flags (${OWN_FLAGS.join(', ')})`,
      );
    }
    setExit(await httpsCommand(opts, process.argv.slice(2)));
  });
  return cmd;
}
