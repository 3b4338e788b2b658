import { readFile, stat } from 'node:fs/promises';
import { presetLayer, sweepLayers } from '../config/presets.ts';
import { checkRawConfig, resolveConfig, type RawConfig, type RunConfig } from '../config/schema.ts';
import { usageError } from '../errors.ts';
import { FixtureCache } from '../fixtures/cache.ts';
import { planScenarios, sweepOf, type Scenario } from '../matrix.ts';
import { resultsJson } from '../report/json.ts';
import { terminalSummary } from '../report/terminal.ts';
import type { RunResult } from '../results.ts';
import { runBenchmark } from '../runner/orchestrator.ts';
import { agentEndpoint } from '../runner/agent-endpoint.ts';
import type { AgentEndpoint } from '../runner/remote-worker.ts';
import { checkGnutlsSenderToolchain } from '../runner/gnutls-sender-build.ts';
import { checkOpensslNativeToolchain } from '../runner/openssl-native.ts';
import { writeRunFiles } from '../report/write.ts';
import { RunJournal } from '../journal.ts';
import { collectEnvironment } from '../runner/environment.ts';
import { assertLocalAddress } from './host-check.ts';
import { Progress } from './progress.ts';
import { runSteps } from './command.ts';
import { testPause } from '../test-pause.ts';
import { sweepFixturesDir } from '../private-dirs.ts';

// Other commands take it from here, as they always did.
export { assertWritableDir } from './writable-dir.ts';

export async function readConfigFile(path: string): Promise<RawConfig> {
  let text: string;
  // A FIFO or a device would block the read (or never end): only a regular file is read.
  const st = await stat(path).catch(() => null);
  if (st && !st.isFile())
    throw usageError(
      `--config "${path}" is not a regular file (` +
        `${st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : 'a device or socket'}): expected a JSON file`,
    );
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(
      `--config "${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): expected a ` +
        `readable JSON file`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usageError(
      `--config "${path}" is not valid JSON (${(err as Error).message}): expected an object of settings`,
    );
  }
  return checkRawConfig(parsed, `--config ${path}`);
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

export interface RunCommandOptions {
  readonly fixturesDir?: string;
  readonly argv: readonly string[];
}

/** `tls-sst-bench run`: returns the exit code. */
export async function runCommand(
  flags: RawConfig & { preset?: string; config?: string },
  opts: RunCommandOptions,
): Promise<number> {
  let configs: RunConfig[] = [];
  let scenarios: Scenario[] = [];
  let sweeps: ReturnType<typeof sweepOf> = new Map();
  let agent: AgentEndpoint | null = null;
  let journal: RunJournal | null = null;
  const command = ['tls-sst-bench', ...opts.argv].join(' ');
  return runSteps<RunConfig, RunResult>({
    resolve: async () => {
      configs = await configsFromCli(flags);
      scenarios = planScenarios(configs); // every axis checked before anything is written
      // A preset's sweep samples its own way (the endings sweep counts outcomes: a fixed number of transfers).
      sweeps = sweepOf(configs);
      return configs[0]!;
    },
    check: async (config) => {
      // The GnuTLS sender is compiled on first use: no compiler or headers is refused now, before anything runs.
      if (scenarios.some((s) => s.senderPeer === 'gnutls')) checkGnutlsSenderToolchain();
      if (scenarios.some((s) => s.senderPeer === 'openssl-native')) checkOpensslNativeToolchain('--sender-peer');
      if (scenarios.some((s) => s.receiverPeer.startsWith('openssl-native')))
        checkOpensslNativeToolchain('--receiver-peer');
      agent = await agentEndpoint(config, scenarios);
      if (!agent) await assertLocalAddress(config.host, '--host');
    },
    out: (config) => config.out,
    fixturesDir: opts.fixturesDir,
    prepare: async (config, { runId, runDir, fixturesDir }) => {
      await sweepFixturesDir(fixturesDir);
      // Every fixture the run will make, checked against the free disk before any is written.
      const rawSizes = new Set(scenarios.filter((s) => s.protocol === 'raw').map((s) => s.sizeBytes));
      await new FixtureCache(fixturesDir).assertRoomFor(
        [...rawSizes].map((sizeBytes) => ({ sizeBytes, seed: config.seed, profile: config.profile })),
      );
      // The run folder and its journal exist before the first transfer: a killed run keeps every finished one.
      journal = await RunJournal.open(runDir, {
        runId,
        startedAt: new Date().toISOString(),
        command,
        config,
        environment: collectEnvironment(),
        runtimes: config.runtimes.map((r) => ({
          label: r.label,
          path: r.path,
          node: r.node,
          openssl: r.openssl,
          ran: false,
        })),
        agent: null,
      });
    },
    run: async (config, { runId, fixturesDir }, signal) => {
      const open = journal!;
      const progress = new Progress();
      let run: RunResult;
      try {
        run = await runBenchmark(config, {
          runId,
          command,
          fixturesDir,
          hooks: open.hooks(progress),
          signal,
          scenarios,
          agent,
          samplingConfigFor: (s) => sweeps.get(s.id),
        });
      } catch (err) {
        await open.discardIfEmpty();
        throw err;
      } finally {
        open.close();
      }
      progress.finish();
      return run;
    },
    interrupted: (run) => run.context.interrupted,
    write: async (_config, { runDir }, run) => {
      // A signal from here on exits at once; the journal already holds every record.
      await testPause('report');
      await writeRunFiles(runDir, run);
    },
    show: (config, { runDir }, run) => {
      const summary = terminalSummary(run);
      if (config.json) {
        process.stderr.write(`${summary}\n\nresults: ${runDir}\n`);
        process.stdout.write(resultsJson(run));
      } else {
        process.stdout.write(
          `${summary}\n\nresults: ${runDir}/ (results.csv, scenarios.csv, ` +
            `${run.references ? 'references.csv, ' : ''}results.json, summary.md, report.html, charts/)\n`,
        );
      }
      const mismatches = run.records.filter((r) => r.outcome.errorCode === 'SUITE_MISMATCH');
      if (mismatches.length === 0) return 0;
      process.stderr.write(
        `ERROR: ${mismatches.length} transfer(s) negotiated another suite than asked for; their numbers are ` +
          `not valid: ${mismatches[0]!.outcome.errorMessage}\n`,
      );
      return 1;
    },
  });
}
