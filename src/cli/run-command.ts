import { access, constants, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { presetLayer, sweepLayers } from '../config/presets.ts';
import { checkRawConfig, resolveConfig, type RawConfig, type RunConfig } from '../config/schema.ts';
import { humanBytes } from '../config/units.ts';
import { usageError } from '../errors.ts';
import { FixtureCache, freeDiskBytes } from '../fixtures/cache.ts';
import { planScenarios, sweepOf } from '../matrix.ts';
import { DEFAULT_FIXTURES_DIR, DEFAULT_RESULTS_DIR } from '../paths.ts';
import { referencesCsv, resultsCsv, scenariosCsv } from '../report/csv.ts';
import { resultsJson } from '../report/json.ts';
import { terminalSummary } from '../report/terminal.ts';
import type { RunResult } from '../results.ts';
import { makeRunId, runBenchmark } from '../runner/orchestrator.ts';
import { agentEndpoint } from '../runner/agent-endpoint.ts';
import { checkGnutlsSenderToolchain } from '../runner/gnutls-sender-build.ts';
import { checkOpensslNativeToolchain } from '../runner/openssl-native.ts';
import { renderReport, reportBytes, writeReportFiles } from './report-command.ts';
import { Progress } from './progress.ts';

export async function readConfigFile(path: string): Promise<RawConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(`--config "${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): expected a readable JSON file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(`--config "${path}" is not valid JSON (${(err as Error).message}): expected an object of settings`);
  }
  return checkRawConfig(parsed, `--config ${path}`);
}

/** Fails now, before any work, if results could not be written under `dir`. */
export async function assertWritableDir(dir: string, flag: string): Promise<void> {
  let probe = dir;
  for (;;) {
    const st = await stat(probe).catch(() => null);
    if (st) {
      if (!st.isDirectory()) throw usageError(`${flag} "${dir}" is not usable: ${probe} is not a folder`);
      try {
        await access(probe, constants.W_OK);
      } catch {
        throw usageError(`${flag} "${dir}" is not writable: expected a folder this user can write to`);
      }
      return;
    }
    const parent = dirname(probe);
    if (parent === probe) throw usageError(`${flag} "${dir}" is not usable: no existing parent folder`);
    probe = parent;
  }
}

/**
 * The validated configs of `run`, from preset, config file and flags (in that
 * order of precedence, lowest first): the first is the run's; a preset with
 * sweeps adds one per sweep (its axes above the preset's settings). --smoke
 * keeps only the first.
 */
export async function configsFromCli(flags: RawConfig & { preset?: string; config?: string }): Promise<RunConfig[]> {
  const { preset, config: configPath, ...rest } = flags;
  const base = preset !== undefined ? [presetLayer(preset)] : [];
  const top: { where: string; raw: RawConfig }[] = [];
  if (configPath !== undefined) top.push({ where: `--config ${configPath}`, raw: await readConfigFile(configPath) });
  top.push({ where: 'flags', raw: rest });
  const main = resolveConfig([...base, ...top], preset);
  if (main.smoke || preset === undefined) return [main];
  return [main, ...sweepLayers(preset).map((sweep) => resolveConfig([...base, sweep, ...top], preset))];
}

/** Room for the folder entries and file system blocks beside the files' bytes. */
const RESULTS_SLACK_BYTES = 64 * 1024;

/**
 * Writes the run folder. Everything is rendered first, so a disk without room
 * for all of it is found before the first byte is written; a disk that fills
 * up meanwhile (ENOSPC) leaves no half folder either. Both: one line, exit 2.
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
  const noRoom = async (): Promise<never> => {
    throw usageError(
      `not enough disk for the results in ${dirname(dir)}: ${humanBytes(await freeDiskBytes(dir))} free, the run's files need ${humanBytes(bytes + RESULTS_SLACK_BYTES)}; nothing was written: expected --out on a disk with room for them`,
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
    // Half a run folder would pass for a run: none at all.
    await rm(dir, { recursive: true, force: true });
    await noRoom();
  }
}

export interface RunCommandOptions {
  readonly fixturesDir?: string;
  readonly argv: readonly string[];
}

/** `tls-sst-bench run`: returns the exit code. */
export async function runCommand(flags: RawConfig & { preset?: string; config?: string }, opts: RunCommandOptions): Promise<number> {
  const configs = await configsFromCli(flags);
  const config = configs[0]!;
  const scenarios = planScenarios(configs); // every axis checked before anything is written
  // A preset's sweep samples its own way (the endings sweep counts outcomes: a fixed number of transfers).
  const sweeps = sweepOf(configs);
  // The GnuTLS sender is compiled on first use: no compiler or headers is refused now, before anything runs.
  if (scenarios.some((s) => s.senderPeer === 'gnutls')) checkGnutlsSenderToolchain();
  if (scenarios.some((s) => s.senderPeer === 'openssl-native')) checkOpensslNativeToolchain('--sender-peer');
  if (scenarios.some((s) => s.receiverPeer.startsWith('openssl-native'))) checkOpensslNativeToolchain('--receiver-peer');
  const agent = await agentEndpoint(config, scenarios);
  const outRoot = config.out === 'results' ? DEFAULT_RESULTS_DIR : resolve(config.out);
  await assertWritableDir(outRoot, '--out');
  const fixturesDir = opts.fixturesDir ? resolve(opts.fixturesDir) : DEFAULT_FIXTURES_DIR;
  await assertWritableDir(fixturesDir, '--fixtures-dir');
  // Every fixture the run will make, checked against the free disk before any is written.
  const rawSizes = new Set(scenarios.filter((s) => s.protocol === 'raw').map((s) => s.sizeBytes));
  await new FixtureCache(fixturesDir).assertRoomFor([...rawSizes].map((sizeBytes) => ({ sizeBytes, seed: config.seed, profile: config.profile })));

  const runId = makeRunId();
  const progress = new Progress();
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let run: RunResult;
  try {
    run = await runBenchmark(config, {
      runId,
      command: ['tls-sst-bench', ...opts.argv].join(' '),
      fixturesDir,
      hooks: progress,
      signal: abort.signal,
      scenarios,
      agent,
      samplingConfigFor: (s) => sweeps.get(s.id),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  progress.finish();
  const runDir = join(outRoot, runId);
  await writeRunFiles(runDir, run);
  const summary = terminalSummary(run);
  if (config.json) {
    process.stderr.write(`${summary}\n\nresults: ${runDir}\n`);
    process.stdout.write(resultsJson(run));
  } else {
    process.stdout.write(`${summary}\n\nresults: ${runDir}/ (results.csv, scenarios.csv, ${run.references ? 'references.csv, ' : ''}results.json, summary.md, report.html, charts/)\n`);
  }
  const mismatches = run.records.filter((r) => r.outcome.errorCode === 'SUITE_MISMATCH');
  if (mismatches.length > 0) {
    process.stderr.write(`ERROR: ${mismatches.length} transfer(s) negotiated another suite than asked for; their numbers are not valid: ${mismatches[0]!.outcome.errorMessage}\n`);
    return 1;
  }
  return run.context.interrupted ? 130 : 0;
}
