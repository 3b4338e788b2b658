import { writeFileSync } from 'node:fs';

/**
 * A test hook that makes a phase deterministic: with
 * TLS_SST_BENCH_TEST_PAUSE=<phase>:<file>, the process writes <file> (its
 * pid) on reaching that phase and waits there until `signal` aborts (or
 * forever), so a test can send a signal in exactly that phase. Phases:
 * `fixtures` (between chunks of a fixture being generated), `report`
 * (before a finished run's files are rendered).
 */
export const TEST_PAUSE_ENV = 'TLS_SST_BENCH_TEST_PAUSE';

export type PausePhase = 'fixtures' | 'report';

export async function testPause(phase: PausePhase, signal?: AbortSignal): Promise<void> {
  const spec = process.env[TEST_PAUSE_ENV];
  if (spec === undefined || !spec.startsWith(`${phase}:`)) return;
  writeFileSync(spec.slice(phase.length + 1), String(process.pid));
  if (signal?.aborted) return;
  await new Promise<void>((resolve) => {
    // Keeps the process alive while it waits (nothing else may be pending).
    const keepAlive = setInterval(() => undefined, 60_000);
    signal?.addEventListener('abort', () => {
      clearInterval(keepAlive);
      resolve();
    });
  });
}
