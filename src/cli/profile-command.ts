import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BenchError, usageError } from '../errors.ts';
import { planScenarios } from '../matrix.ts';
import { DEFAULT_FIXTURES_DIR, outRootOf } from '../paths.ts';
import { terminalSummary } from '../report/terminal.ts';
import { spawn } from 'node:child_process';
import { makeRunId, runBenchmark, type RunOptions } from '../runner/orchestrator.ts';
import type { WorkerRole } from '../runner/workers.ts';
import { assertWritableDir, configsFromCli } from './run-command.ts';
import { writeRunFiles } from '../report/write.ts';
import type { RawConfig } from '../config/schema.ts';
import { signalExitCode, stoppable } from './signals.ts';

export const PROFILE_TOOLS = ['cpu-prof', 'flame', 'doctor'] as const;
export type ProfileTool = (typeof PROFILE_TOOLS)[number];

/** Clinic.js, fetched on demand by npx (154 MB: never part of `npm install`), pinned. */
export const CLINIC = 'clinic@13.0.0';
/** Clinic 13 exits silently on Node 20 unless its insight telemetry is off. */
const CLINIC_ENV = { NO_INSIGHT: '1' };

function npx(args: readonly string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['-y', CLINIC, ...args], { cwd, env: { ...process.env, ...CLINIC_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

export interface ProfileFlags {
  readonly role?: string;
  readonly tool?: string;
  readonly fixturesDir?: string;
}

/** How the profiled worker is started: Node's own flag, or under Clinic.js (which starts it itself). */
function launchFor(tool: ProfileTool, role: WorkerRole, dir: string): Pick<RunOptions, 'workerFlags' | 'workerWrappers'> {
  if (tool === 'cpu-prof') return { workerFlags: { [role]: ['--cpu-prof', `--cpu-prof-dir=${dir}`] } };
  // Collect only; the HTML is made afterwards, without opening a browser.
  return { workerWrappers: { [role]: { command: 'npx', args: ['-y', CLINIC, tool, '--collect-only', '--dest', dir, '--'], env: CLINIC_ENV, stopGraceMs: 180_000 } } };
}

/**
 * `tls-sst-bench profile --role sender|receiver --tool cpu-prof|flame|doctor -- <run flags>`:
 * runs one scenario with that worker profiled; the profile (a .cpuprofile, or
 * Clinic's data and HTML) goes to `results/<run-id>/profile/`, next to the
 * run's usual files.
 */
export async function profileCommand(flags: ProfileFlags, runFlags: RawConfig & { preset?: string; config?: string }, out: (t: string) => void): Promise<number> {
  const role = (['sender', 'receiver'] as const).find((r) => r === (flags.role ?? 'sender'));
  if (!role) throw usageError(`--role "${flags.role}" is not accepted: expected sender or receiver`);
  const tool = PROFILE_TOOLS.find((t) => t === (flags.tool ?? 'cpu-prof'));
  if (!tool) throw usageError(`--tool "${flags.tool}" is not accepted: expected one of ${PROFILE_TOOLS.join(', ')}`);
  const configs = await configsFromCli(runFlags);
  const config = configs[0]!;
  const scenarios = planScenarios(configs);
  if (scenarios.length !== 1) {
    throw usageError(`the run flags give ${scenarios.length} scenarios: expected exactly one to profile (narrow them with --filter or single values)`);
  }
  if (config.agent) throw usageError('--agent is not accepted by profile: expected both workers on this host (profile the agent host with its own profile run)');
  const outRoot = outRootOf(config.out);
  const fixturesDir = flags.fixturesDir ? resolve(flags.fixturesDir) : DEFAULT_FIXTURES_DIR;
  await assertWritableDir(outRoot, '--out');
  await assertWritableDir(fixturesDir, '--fixtures-dir');
  const runId = makeRunId();
  const runDir = join(outRoot, runId);
  const profileDir = join(runDir, 'profile');
  await mkdir(profileDir, { recursive: true });
  const run = await stoppable((signal) =>
    runBenchmark(config, { runId, command: `tls-sst-bench profile --role ${role} --tool ${tool}`, fixturesDir, scenarios, signal, ...launchFor(tool, role, profileDir) }),
  );
  await writeRunFiles(runDir, run);
  out(terminalSummary(run));
  // Interrupted: the run's files are written; the profile may be partial, not rendered.
  if (run.context.interrupted) return signalExitCode() ?? 130;
  if (tool === 'cpu-prof') {
    const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) throw new BenchError('INTERNAL', `no profile was written into ${profileDir}`);
    // A receiver with the checker thread (no native CRC32C here) writes two: its read loop's and the checker's.
    out(`\n${tool} profile of the ${role} worker${files.length > 1 ? ' (one per thread)' : ''}: ${files.map((f) => join(profileDir, f)).join(', ')}`);
    out('(open it in Chrome DevTools > Performance, or https://www.speedscope.app)');
    return 0;
  }
  // One worker process per data folder (a replaced worker makes another).
  const collected = (await readdir(profileDir)).filter((f) => f.endsWith(`.clinic-${tool}`));
  if (collected.length === 0) throw new BenchError('INTERNAL', `Clinic.js ${tool} collected nothing into ${profileDir}`);
  const html: string[] = [];
  for (const data of collected) {
    const r = await npx([tool, '--visualize-only', join(profileDir, data)], profileDir);
    const file = join(profileDir, `${data}.html`);
    if (r.code !== 0 || !(await readdir(profileDir)).includes(`${data}.html`)) throw new BenchError('INTERNAL', `Clinic.js ${tool} could not render ${data}: ${r.output.trim().split('\n').pop() ?? ''}`);
    html.push(file);
  }
  out(`\nClinic.js ${tool} of the ${role} worker: ${html.join(', ')}`);
  return 0;
}
