import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { PROJECT_ROOT } from '../paths.ts';
import { sweepDeadProcessDirs } from '../private-dirs.ts';
import { handleSignals } from './signals.ts';
import { RUN_OPTIONS, type RawConfig } from '../config/schema.ts';
import { THRESHOLD_OPTIONS } from '../config/threshold-config.ts';
import { addFixturesDirOption, addTableOptions } from './command.ts';
import { presetNames } from '../config/presets.ts';
import { BenchError, isUsageError, usageError } from '../errors.ts';
import { agentCommand, type AgentFlags } from './agent-command.ts';
import { ciphersText } from './ciphers-command.ts';
import { COMPARE_OPTIONS, compareCommand, type CompareFlags } from './compare-command.ts';
import { FIXTURES_OPTIONS, fixturesCommand, type FixturesFlags } from './fixtures-command.ts';
import { addHttpsCommand } from './https-command.ts';
import { profileCommand, PROFILE_OPTIONS, type ProfileFlags } from './profile-command.ts';
import { reportCommand } from './report-command.ts';
import { runCommand } from './run-command.ts';
import { thresholdCommand, type ThresholdFlags } from './threshold-command.ts';

/** Usage errors exit 2 with one line; a failed run exits 1; Ctrl-C 130. */
export const EXIT_USAGE = 2;

/**
 * Where main() writes and how it ends at once: the process's own streams and
 * process.exit for bin/; a test's buffers (and an exit that only records) in-process.
 */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Ends the command at once with `code` (a usage error or a failure); in-process, main() then returns it. */
  readonly exit: (code: number) => void;
}

export const PROCESS_IO: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

function fail(io: CliIo, message: string, code: number): number {
  io.err(`tls-sst-bench: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  io.exit(code);
  return code;
}

type RunFlags = RawConfig & { preset?: string; config?: string; fixturesDir?: string };

/** The options of `run`, from the option table; `profile` parses its run flags with the same set. */
function addRunOptions(cmd: Command): Command {
  cmd.option('--preset <name>', `a preset from bench/: ${presetNames().join(', ')}`).addOption(
    new Option(
      '--config <file>',
      'JSON file of settings; keys are the flag names in camelCase (stallTimeout, maxFragment, ...); once',
    ).argParser((value: string, previous: string | undefined) => {
      // Which of two files wins would be a guess: refused.
      if (previous !== undefined)
        throw usageError(
          `--config "${value}" is given after --config "${previous}": expected one --config (merge the files into one)`,
        );
      return value;
    }),
  );
  return addTableOptions(addFixturesDirOption(cmd), RUN_OPTIONS);
}

/** Run flags given after `--` to another command, parsed as `run` would. */
function parseRunFlags(args: readonly string[]): RunFlags {
  const cmd = addRunOptions(new Command('run'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  cmd.parse([...args], { from: 'user' });
  return cmd.opts<RunFlags>();
}

/** The version in package.json: what `--version` prints. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function buildProgram(setExit: (code: number) => void, argv: readonly string[], io: CliIo): Command {
  const program = new Command('tls-sst-bench')
    .description('Stream synthetic RocksDB SST files over TLS: throughput and how every stream ended.')
    .version(packageVersion(), '--version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: () => undefined })
    .showSuggestionAfterError(false);

  const run = addRunOptions(
    program.command('run').description('run the benchmark matrix (preset, config file and flags, later wins)'),
  );
  run.action(async (opts: RunFlags) => {
    const { fixturesDir, ...flags } = opts;
    setExit(await runCommand(flags, { fixturesDir, argv: [...argv] }));
  });

  addFixturesDirOption(addTableOptions(program.command('fixtures'), FIXTURES_OPTIONS))
    .description('manage the SST fixture cache')
    .argument('<action>', 'generate | verify | list | clean')
    .action(async (action: string, opts: FixturesFlags) => {
      setExit(await fixturesCommand(action, opts, (line) => io.out(`${line}\n`)));
    });

  addFixturesDirOption(
    addTableOptions(program.command('threshold'), THRESHOLD_OPTIONS),
    'fixture folder; probes use a temp folder inside it',
  )
    .description('bisect over size to the smallest size at which a way of ending the stream loses data')
    .action(async (opts: ThresholdFlags) => {
      setExit(
        await thresholdCommand(
          opts,
          (t) => io.out(`${t}\n`),
          (t) => io.err(`${t}\n`),
        ),
      );
    });

  addTableOptions(program.command('compare'), COMPARE_OPTIONS)
    .description(
      'per-scenario change of mean MB/s between two runs, with a Welch t-test; exit 1 on a significant regression',
    )
    .argument('<base-run>', 'run folder (or its results.json) to compare against')
    .argument('<new-run>', 'run folder (or its results.json) to compare')
    .action(async (basePath: string, newPath: string, opts: CompareFlags) => {
      setExit(await compareCommand(basePath, newPath, opts, (text) => io.out(`${text}\n`)));
    });

  program
    .command('report')
    .description(
      're-render summary.md, report.html and charts/ of a run folder from its results.json; a folder with only ' +
        'its journal (a killed run) gets all its files, marked interrupted',
    )
    .argument('<run-dir>', 'a run folder, results/<run-id>')
    .action(async (runDir: string) => {
      setExit(await reportCommand(runDir, (line) => io.out(`${line}\n`)));
    });

  addHttpsCommand(program, setExit);

  addTableOptions(program.command('profile'), PROFILE_OPTIONS)
    .description(
      'profile the sender or receiver worker during one scenario: tls-sst-bench profile --role sender --tool ' +
        'cpu-prof -- <run flags>',
    )
    .argument('[runFlags...]', 'run flags after --, giving exactly one scenario')
    .action(async (runArgs: string[], opts: ProfileFlags) => {
      const { fixturesDir, ...runFlags } = parseRunFlags(runArgs);
      setExit(await profileCommand({ ...opts, fixturesDir }, runFlags, (t) => io.out(`${t}\n`)));
    });

  program
    .command('ciphers')
    .description('the cipher suites this Node/OpenSSL can run, by TLS version')
    .action(() => {
      io.out(`${ciphersText()}\n`);
    });

  program
    .command('agent')
    .description(
      'run one worker for a remote orchestrator (`run --agent`): agent --listen HOST:PORT --cert --key --ca; ' +
        'or make the certificates: agent certs --out DIR',
    )
    .argument('[action]', 'certs: write a control-channel CA and certificates; none: serve')
    .option('--listen <host:port>', 'address of the control channel (port 0: any free port; printed on stdout)')
    .option('--cert <file>', "the agent's certificate (agent.pem of `agent certs`)")
    .option('--key <file>', 'its key (agent.key)')
    .option('--ca <file>', 'the CA whose client certificates are admitted (ca.pem)')
    .option('--fixtures-dir <dir>', 'fixture cache of a remote sender (default fixtures/ of the project)')
    .option('--out <dir>', 'certs: the folder that receives the certificates')
    .option('--agent-host <list>', 'certs: names/addresses the agent is reached at, e.g. 10.77.0.2,bench-b')
    .action(async (action: string | undefined, opts: AgentFlags) => {
      setExit(await agentCommand(action, opts, (line) => io.out(`${line}\n`)));
    });
  return program;
}

/**
 * The flags accepted where an unknown one was given: the command's (for
 * `profile -- <run flags>`, run's), and always --help; the program's own for
 * an option before any command. Never an empty list.
 */
function acceptedFlags(program: Command, argv: readonly string[]): string[] {
  const command = program.commands.find((c) => c.name() === argv[0]);
  const target =
    command?.name() === 'profile' && argv.includes('--') ? addRunOptions(new Command('run')) : (command ?? program);
  const flags = target.options.map((o) => o.long).filter((f): f is string => f !== undefined);
  return [...new Set([...flags, '--help'])];
}

/** One line for commander's errors; an unknown option lists the flags of the command it was given to. */
function commanderMessage(err: CommanderError, program: Command, argv: readonly string[]): string {
  const text = err.message.replace(/^error:\s*/, '').split('\n')[0] ?? err.message;
  switch (err.code) {
    case 'commander.unknownOption': {
      const flag = /'([^']+)'/.exec(text)?.[1] ?? text;
      return `unknown option "${flag}": expected one of ${acceptedFlags(program, argv).join(', ')} (see --help)`;
    }
    case 'commander.unknownCommand': {
      const cmd = /'([^']+)'/.exec(text)?.[1] ?? text;
      return `unknown command "${cmd}": expected one of ${program.commands.map((c) => c.name()).join(', ')}`;
    }
    default:
      return text;
  }
}

/**
 * The CLI: parses `argv` (without node and the script), runs the command and
 * returns its exit code. bin/tls-sst-bench.js sets it as the process's; tests
 * call it in-process with their own `io`.
 */
export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  handleSignals();
  // Leftovers of killed runs (private folders, worker bundles): removed if their process is gone.
  await sweepDeadProcessDirs().catch(() => undefined);
  let exitCode = 0;
  const program = buildProgram((c) => (exitCode = c), argv, io);
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version')
        return 0;
      return fail(io, commanderMessage(err, program, argv), EXIT_USAGE);
    }
    if (isUsageError(err)) return fail(io, err.message, EXIT_USAGE);
    if (err instanceof BenchError) return fail(io, err.message, 1);
    throw err;
  }
}
