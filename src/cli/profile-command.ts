import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { applyLayers } from '../config/layers.ts';
import { defaultsOf, option, optionTable, type OptionValues, type RawOptions } from '../config/options.ts';
import { BenchError, usageError } from '../errors.ts';
import { planScenarios, type Scenario } from '../matrix.ts';
import { terminalSummary } from '../report/terminal.ts';
import type { RunResult } from '../results.ts';
import { spawn } from 'node:child_process';
import { runBenchmark, type RunOptions } from '../runner/orchestrator.ts';
import type { WorkerRole } from '../runner/workers.ts';
import { runSteps } from './command.ts';
import { configsFromCli } from './run-command.ts';
import { writeRunFiles } from '../report/write.ts';
import type { RawConfig, RunConfig } from '../config/schema.ts';

export const PROFILE_TOOLS = ['cpu-prof', 'flame', 'doctor'] as const;
export type ProfileTool = (typeof PROFILE_TOOLS)[number];

/** Clinic.js, fetched on demand by npx (154 MB: never part of `npm install`), pinned. */
export const CLINIC = 'clinic@13.0.0';
/** Clinic 13 exits silently on Node 20 unless its insight telemetry is off. */
const CLINIC_ENV = { NO_INSIGHT: '1' };

function npx(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['-y', CLINIC, ...args], {
      cwd,
      env: { ...process.env, ...CLINIC_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** profile's own flags (the run's come after `--`). */
export const PROFILE_OPTIONS = [
  option({
    key: 'role',
    target: 'role',
    flag: '--role',
    valueName: 'role',
    description: 'the worker profiled: sender or receiver',
    parse: (t, f) => {
      const role = (['sender', 'receiver'] as const).find((r) => r === t);
      if (!role) throw usageError(`${f} "${t}" is not accepted: expected sender or receiver`);
      return role;
    },
    default: 'sender',
  }),
  option({
    key: 'tool',
    target: 'tool',
    flag: '--tool',
    valueName: 'tool',
    description: `the profiler: ${PROFILE_TOOLS.join(' | ')}`,
    parse: (t, f) => {
      const tool = PROFILE_TOOLS.find((x) => x === t);
      if (!tool) throw usageError(`${f} "${t}" is not accepted: expected one of ${PROFILE_TOOLS.join(', ')}`);
      return tool;
    },
    default: 'cpu-prof',
  }),
];
const PROFILE_TABLE = optionTable(PROFILE_OPTIONS);

export type ProfileFlags = RawOptions<typeof PROFILE_OPTIONS> & { readonly fixturesDir?: string };

/** How the profiled worker is started: Node's own flag, or under Clinic.js (which starts it itself). */
function launchFor(
  tool: ProfileTool,
  role: WorkerRole,
  dir: string,
): Pick<RunOptions, 'workerFlags' | 'workerWrappers'> {
  if (tool === 'cpu-prof') return { workerFlags: { [role]: ['--cpu-prof', `--cpu-prof-dir=${dir}`] } };
  // Collect only; the HTML is made afterwards, without opening a browser.
  return {
    workerWrappers: {
      [role]: {
        command: 'npx',
        args: ['-y', CLINIC, tool, '--collect-only', '--dest', dir, '--'],
        env: CLINIC_ENV,
        stopGraceMs: 180_000,
      },
    },
  };
}

/**
 * `tls-sst-bench profile --role sender|receiver --tool cpu-prof|flame|doctor -- <run flags>`:
 * runs one scenario with that worker profiled; the profile (a .cpuprofile, or
 * Clinic's data and HTML) goes to `results/<run-id>/profile/`, next to the
 * run's usual files.
 */
export async function profileCommand(
  flags: ProfileFlags,
  runFlags: RawConfig & { preset?: string; config?: string },
  out: (t: string) => void,
): Promise<number> {
  const { fixturesDir, ...own } = flags;
  let scenarios: Scenario[] = [];
  let profileDir = '';
  let label = '';
  return runSteps<OptionValues<typeof PROFILE_OPTIONS> & { readonly run: RunConfig }, RunResult>({
    resolve: async () => {
      const { role, tool } = applyLayers(PROFILE_TABLE, defaultsOf(PROFILE_OPTIONS), [{ where: 'flags', raw: own }]);
      label = `tls-sst-bench profile --role ${role} --tool ${tool}`;
      const configs = await configsFromCli(runFlags);
      scenarios = planScenarios(configs);
      return { role, tool, run: configs[0]! };
    },
    check: async ({ run: config }) => {
      if (scenarios.length !== 1) {
        throw usageError(
          `the run flags give ${scenarios.length} scenarios: expected exactly one to profile (narrow them with ` +
            `--filter or single values)`,
        );
      }
      if (config.agent)
        throw usageError(
          '--agent is not accepted by profile: expected both workers on this host (profile the agent host with ' +
            'its own profile run)',
        );
    },
    out: ({ run: config }) => config.out,
    fixturesDir,
    prepare: async (_config, { runDir }) => {
      profileDir = join(runDir, 'profile');
      await mkdir(profileDir, { recursive: true });
    },
    run: ({ role, tool, run: config }, { runId, fixturesDir: dir }, signal) =>
      runBenchmark(config, {
        runId,
        command: label,
        fixturesDir: dir,
        scenarios,
        signal,
        ...launchFor(tool, role, profileDir),
      }),
    interrupted: (run) => run.context.interrupted,
    write: (_config, { runDir }, run) => writeRunFiles(runDir, run),
    show: (_config, _folders, run) => {
      out(terminalSummary(run));
      return 0;
    },
    // Interrupted: the run's files are written; the profile may be partial, not rendered.
    finish: ({ role, tool }) => showProfile(role, tool, profileDir, out),
  });
}

/** Where the profile went (Clinic's HTML rendered first); exit 0, or a BenchError when nothing was collected. */
async function showProfile(
  role: WorkerRole,
  tool: ProfileTool,
  profileDir: string,
  out: (t: string) => void,
): Promise<number> {
  if (tool === 'cpu-prof') {
    const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) throw new BenchError('INTERNAL', `no profile was written into ${profileDir}`);
    // A receiver with the checker thread (no native CRC32C here) writes two: its read loop's and the checker's.
    out(
      `\n${tool} profile of the ${role} worker${files.length > 1 ? ' (one per thread)' : ''}: ` +
        `${files.map((f) => join(profileDir, f)).join(', ')}`,
    );
    out('(open it in Chrome DevTools > Performance, or https://www.speedscope.app)');
    return 0;
  }
  // One worker process per data folder (a replaced worker makes another).
  const collected = (await readdir(profileDir)).filter((f) => f.endsWith(`.clinic-${tool}`));
  if (collected.length === 0)
    throw new BenchError('INTERNAL', `Clinic.js ${tool} collected nothing into ${profileDir}`);
  const html: string[] = [];
  for (const data of collected) {
    const r = await npx([tool, '--visualize-only', join(profileDir, data)], profileDir);
    const file = join(profileDir, `${data}.html`);
    if (r.code !== 0 || !(await readdir(profileDir)).includes(`${data}.html`))
      throw new BenchError(
        'INTERNAL',
        `Clinic.js ${tool} could not render ${data}: ${r.output.trim().split('\n').pop() ?? ''}`,
      );
    html.push(file);
  }
  out(`\nClinic.js ${tool} of the ${role} worker: ${html.join(', ')}`);
  return 0;
}
