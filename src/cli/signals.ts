import { writeSync } from 'node:fs';

/**
 * The signals every command handles, and its exit code for each: 130 for
 * SIGINT and SIGTERM, 129 for SIGHUP. During a stoppable phase (a run, a
 * threshold search, an HTTPS run, `profile`) the first signal stops the work
 * after the transfer in flight and the command writes what it has; a second
 * signal, or one at any other time (fixture checks, report rendering),
 * exits at once. What a run measured is in its journal either way, and the
 * exit clean-ups (src/exit-cleanup.ts) kill the children and remove the
 * private folders.
 */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 130, SIGHUP: 129 } as const;
export type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

let received: HandledSignal | null = null;
let stopping: { readonly controller: AbortController; readonly what: string } | null = null;

function say(text: string): void {
  try {
    writeSync(2, `tls-sst-bench: ${text}\n`);
  } catch {
    // stderr gone (a closed terminal after SIGHUP): exit anyway
  }
}

function onSignal(signal: HandledSignal): void {
  const first = received === null;
  received ??= signal;
  if (first && stopping) {
    say(`${signal}: ${stopping.what} (${signal} again: stop at once)`);
    stopping.controller.abort();
    return;
  }
  say(`${signal}: stopped at once${first ? '' : ' (second signal)'}`);
  process.exit(SIGNAL_EXIT_CODES[received]);
}

let installed = false;

/** Installs the handlers, once per process (the CLI's main; in-process tests call main() many times). */
export function handleSignals(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as HandledSignal[]) process.on(signal, () => onSignal(signal));
}

/** The exit code of the signal received, or null if none came. */
export function signalExitCode(): number | null {
  return received === null ? null : SIGNAL_EXIT_CODES[received];
}

/**
 * Runs `work` as a stoppable phase: the first signal aborts the signal it is
 * given (at once if one came already), so it ends early and returns what it
 * has. `what` is the line said when the signal comes.
 */
export async function stoppable<T>(
  work: (signal: AbortSignal) => Promise<T>,
  what = 'stopping after the transfer in flight, then writing the results so far',
): Promise<T> {
  const phase = { controller: new AbortController(), what };
  stopping = phase;
  if (received !== null) phase.controller.abort();
  try {
    return await work(phase.controller.signal);
  } finally {
    if (stopping === phase) stopping = null;
  }
}
