/**
 * One error class for the suite. `code` says which family failed; the CLI maps
 * usage errors to exit code 2 and prints `message` as one line.
 */
export type BenchErrorCode =
  | 'USAGE' // a bad flag, value, preset or config key: exit 2
  | 'FIXTURE' // a fixture that cannot be made or does not verify
  | 'WORKER' // a worker process that broke the IPC contract
  | 'AGENT' // a remote agent that cannot be reached or refuses us (src/runner/remote-worker.ts)
  | 'SUITE_MISMATCH' // the negotiated suite is not the one asked for
  | 'INTERNAL';

export class BenchError extends Error {
  readonly code: BenchErrorCode;
  constructor(code: BenchErrorCode, message: string) {
    super(message);
    this.name = 'BenchError';
    this.code = code;
  }
}

export function usageError(message: string): BenchError {
  return new BenchError('USAGE', message);
}

export function isUsageError(err: unknown): err is BenchError {
  return err instanceof BenchError && err.code === 'USAGE';
}

/** Any thrown value as an Error (tinybench does the same with task errors). */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
