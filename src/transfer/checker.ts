import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { makeRing, RingWriter, type CheckResult } from './checker-ring.ts';

/** Test-only knob: the checker lets the ring fill, then checks 64 KiB per this many ms (tests that reading waits). */
export const SLOW_CHECKER_ENV = 'TLS_SST_BENCH_SLOW_CHECKER_MS';

/**
 * The checker thread of a receiver process and the ring that feeds it. One per
 * process, started once and reused by every transfer (it warms up with the
 * process). Its CPU time counts in the process's (process.cpuUsage).
 */
export class Checker {
  readonly writer: RingWriter;
  readonly #worker: Worker;
  readonly #results = new Map<number, CheckResult>();
  readonly #waiters = new Map<number, { resolve: (r: CheckResult) => void; reject: (e: Error) => void }>();
  #failure: Error | null = null;

  /**
   * `script`: the checker thread's entry; default checker.mjs beside this bundle (src/runner/worker-bundle.ts builds
   * both).
   */
  constructor(
    script: URL = new URL('./checker.mjs', import.meta.url),
    slowMs = Number(process.env[SLOW_CHECKER_ENV] ?? 0),
  ) {
    if (!existsSync(script))
      throw new Error(
        `the checker thread's script ${script.pathname} is missing: receivers run from the worker bundle`,
      );
    const shared = makeRing(undefined, slowMs);
    this.writer = new RingWriter(shared);
    this.#worker = new Worker(script, { workerData: shared, stdout: false, stderr: false });
    // The thread sleeps on a futex between streams; it must not keep the process up.
    this.#worker.unref();
    this.#worker.on('message', (r: CheckResult) => {
      const waiter = this.#waiters.get(r.fin);
      if (waiter) {
        this.#waiters.delete(r.fin);
        waiter.resolve(r);
      } else this.#results.set(r.fin, r);
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the checker thread exited (code ${code})`)));
  }

  /** A checker that died fails the streams waiting on it (the receiver reports a fatal error, never a guess). */
  #fail(err: Error): void {
    this.#failure ??= err;
    this.writer.fail(this.#failure);
    for (const w of this.#waiters.values()) w.reject(this.#failure);
    this.#waiters.clear();
  }

  /** The result of the stream that `finish` number `fin` ended. */
  result(fin: number): Promise<CheckResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    const ready = this.#results.get(fin);
    if (ready) {
      this.#results.delete(fin);
      return Promise.resolve(ready);
    }
    return new Promise((resolve, reject) => this.#waiters.set(fin, { resolve, reject }));
  }
}

let shared: Checker | null = null;

/** This process's checker (started on first use). */
export function processChecker(): Checker {
  shared ??= new Checker();
  return shared;
}
