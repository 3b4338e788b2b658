import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { defaultHelp, type AnyOptionEntry } from '../config/options.ts';
import { DEFAULT_FIXTURES_DIR, outRootOf } from '../paths.ts';
import { makeRunId } from '../runner/orchestrator.ts';
import { assertWritableDir } from './writable-dir.ts';
import { signalExitCode, stoppable } from './signals.ts';

/**
 * What every command that runs something shares: its flags from an option
 * list, and one skeleton (resolve the config -> check -> folders -> run as a
 * stoppable phase -> write its files -> print -> exit code), so run, https,
 * threshold and profile differ only in their steps.
 */

/** An entry's --help line: its description and, from the entry, its default. */
export function helpText(entry: AnyOptionEntry): string {
  const shown = defaultHelp(entry);
  return shown === null ? entry.description : `${entry.description} (default: ${shown})`;
}

/** Adds a list of option entries to a command: flags, value names, --help with defaults. */
export function addTableOptions(cmd: Command, entries: readonly AnyOptionEntry[]): Command {
  for (const entry of entries) {
    const option = new Option(
      entry.boolean === true ? entry.flag : `${entry.flag} <${entry.valueName ?? 'value'}>`,
      helpText(entry),
    );
    // A repeated flag collects its values; they reach the parser as one list.
    if (entry.repeatable === true)
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    cmd.addOption(option);
  }
  return cmd;
}

/**
 * `--fixtures-dir`, a CLI flag of every command that makes or reads fixtures (not a config key: a preset cannot move
 * the cache).
 */
export function addFixturesDirOption(cmd: Command, what = 'fixture cache folder'): Command {
  return cmd.option('--fixtures-dir <dir>', `${what} (default: fixtures/ of the project)`);
}

/** Where a command's run goes: its id, the folder of its run folders, the run folder, the fixture cache. */
export interface RunFolders {
  readonly runId: string;
  readonly outRoot: string;
  readonly runDir: string;
  readonly fixturesDir: string;
}

export interface CommandSteps<C, R> {
  /** The validated config: every usage error is thrown here or in `check`, before anything is written. */
  readonly resolve: () => Promise<C> | C;
  /** Refusals that need the config (scenario count, addresses, toolchains), still before anything is written. */
  readonly check?: (config: C) => Promise<void>;
  /** The config's --out (null: the project's results/). */
  readonly out: (config: C) => string | null;
  /** The --fixtures-dir flag (the CLI's, not a config key): undefined is the project's fixtures/. */
  readonly fixturesDir: string | undefined;
  /** After both folders are found writable, before the run (fixture folder, journal, profile folder). */
  readonly prepare?: (config: C, folders: RunFolders) => Promise<void>;
  /** The stoppable phase: the first signal aborts `signal`, and the run returns what it has. */
  readonly run: (config: C, folders: RunFolders, signal: AbortSignal) => Promise<R>;
  /** The run throws when it is stopped (threshold stops mid-search): then nothing is written, `interrupted` is said. */
  readonly throwsWhenStopped?: { readonly say: (line: string) => void };
  readonly interrupted: (result: R) => boolean;
  /** Writes the run's files. */
  readonly write: (config: C, folders: RunFolders, result: R) => Promise<void>;
  /** Prints what the run found; returns 1 when its numbers are not valid (a suite mismatch), else 0. */
  readonly show: (config: C, folders: RunFolders, result: R) => number;
  /** After a run that was not stopped (profile renders its profiles); returns the exit code. */
  readonly finish?: (config: C, folders: RunFolders, result: R) => Promise<number>;
}

/** Runs a command's steps in the one order every command keeps; returns its exit code. */
export async function runSteps<C, R>(steps: CommandSteps<C, R>): Promise<number> {
  const config = await steps.resolve();
  await steps.check?.(config);
  const outRoot = outRootOf(steps.out(config));
  await assertWritableDir(outRoot, '--out');
  const fixturesDir = steps.fixturesDir ? resolve(steps.fixturesDir) : DEFAULT_FIXTURES_DIR;
  await assertWritableDir(fixturesDir, '--fixtures-dir');
  const runId = makeRunId();
  const folders: RunFolders = { runId, outRoot, runDir: join(outRoot, runId), fixturesDir };
  await steps.prepare?.(config, folders);
  let aborted = (): boolean => false;
  let result: R;
  try {
    result = await stoppable((signal) => {
      aborted = () => signal.aborted;
      return steps.run(config, folders, signal);
    });
  } catch (err) {
    if (steps.throwsWhenStopped && aborted()) {
      steps.throwsWhenStopped.say('interrupted');
      return signalExitCode() ?? 130;
    }
    throw err;
  }
  await steps.write(config, folders, result);
  const code = steps.show(config, folders, result);
  if (code !== 0) return code;
  if (steps.interrupted(result)) return signalExitCode() ?? 130;
  return (await steps.finish?.(config, folders, result)) ?? 0;
}
