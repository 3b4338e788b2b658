import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BenchError, usageError } from '../errors.ts';
import { planScenarios } from '../matrix.ts';
import { DEFAULT_FIXTURES_DIR, DEFAULT_RESULTS_DIR } from '../paths.ts';
import { terminalSummary } from '../report/terminal.ts';
import { makeRunId, runBenchmark } from '../runner/orchestrator.ts';
import type { WorkerRole } from '../runner/workers.ts';
import { assertWritableDir, configsFromCli, writeRunFiles } from './run-command.ts';
import type { RawConfig } from '../config/schema.ts';

export const PROFILE_TOOLS = ['cpu-prof'] as const;
export type ProfileTool = (typeof PROFILE_TOOLS)[number];

export interface ProfileFlags {
  readonly role?: string;
  readonly tool?: string;
  readonly fixturesDir?: string;
}

/** Node's flags that make a worker write a V8 CPU profile into `dir` when it exits. */
export function profileFlags(tool: ProfileTool, dir: string): string[] {
  switch (tool) {
    case 'cpu-prof':
      return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  }
}

/**
 * `tls-sst-bench profile --role sender|receiver --tool cpu-prof -- <run flags>`:
 * runs one scenario with that worker profiled; the profile goes to
 * `results/<run-id>/profile/`, next to the run's usual files.
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
  const outRoot = config.out === 'results' ? DEFAULT_RESULTS_DIR : resolve(config.out);
  const fixturesDir = flags.fixturesDir ? resolve(flags.fixturesDir) : DEFAULT_FIXTURES_DIR;
  await assertWritableDir(outRoot, '--out');
  await assertWritableDir(fixturesDir, '--fixtures-dir');
  const runId = makeRunId();
  const runDir = join(outRoot, runId);
  const profileDir = join(runDir, 'profile');
  await mkdir(profileDir, { recursive: true });
  const workerFlags: Partial<Record<WorkerRole, string[]>> = { [role]: profileFlags(tool, profileDir) };
  const run = await runBenchmark(config, { runId, command: `tls-sst-bench profile --role ${role} --tool ${tool}`, fixturesDir, scenarios, workerFlags });
  await writeRunFiles(runDir, run);
  const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new BenchError('INTERNAL', `no profile was written into ${profileDir}`);
  out(terminalSummary(run));
  out(`\n${tool} profile of the ${role} worker: ${files.map((f) => join(profileDir, f)).join(', ')}`);
  out('(open it in Chrome DevTools > Performance, or https://www.speedscope.app)');
  return 0;
}
