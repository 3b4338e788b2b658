import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { STDERR_PATH_ENV } from '../transfer/close-notify.ts';
import type { OrchestratorMessage, WorkerMessage } from '../transfer/messages.ts';
import { workerScripts } from './worker-bundle.ts';

export type WorkerRole = 'sender' | 'receiver';


export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One worker process and its typed IPC. Its fd 2 goes to a file in the run's
 * temp dir: the receiver reads its own OpenSSL trace from there, and the file
 * keeps any crash text for the record.
 */
export class WorkerProcess {
  readonly exited: Promise<WorkerExit>;
  #exit: WorkerExit | null = null;
  readonly #listeners = new Set<(msg: WorkerMessage) => void>();

  private constructor(
    readonly role: WorkerRole,
    readonly child: ChildProcess,
    readonly stderrPath: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    child.on('message', (msg: WorkerMessage) => {
      for (const l of [...this.#listeners]) l(msg);
    });
    // An IPC write to a dead child raises EPIPE here; the exit is what we report.
    child.on('error', () => undefined);
  }

  /** `execArgv`: extra Node flags for this worker (e.g. --cpu-prof for `tls-sst-bench profile`). */
  static async start(role: WorkerRole, tempDir: string, generation: number, execArgv: readonly string[] = []): Promise<WorkerProcess> {
    const stderrPath = join(tempDir, `${role}-${generation}.stderr`);
    const script = (await workerScripts())[role];
    const fd = openSync(stderrPath, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = fork(script, [], {
        execArgv: ['--enable-source-maps', ...execArgv],
        stdio: ['ignore', 'ignore', fd, 'ipc'],
        env: { ...process.env, [STDERR_PATH_ENV]: stderrPath },
        serialization: 'advanced',
      });
    } finally {
      closeSync(fd);
    }
    const worker = new WorkerProcess(role, child, stderrPath);
    await worker.next((m) => m.type === 'ready', 30_000);
    return worker;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.#exit === null;
  }

  post(msg: OrchestratorMessage): void {
    if (this.alive && this.child.connected) this.child.send(msg);
  }

  on(listener: (msg: WorkerMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next message that matches, or a rejection if the worker exits or the wait times out. */
  next<T extends WorkerMessage>(match: (m: WorkerMessage) => m is T, timeoutMs: number): Promise<T>;
  next(match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage>;
  next(match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => done(new BenchError('WORKER', `${this.role} worker sent nothing for ${timeoutMs} ms`)), timeoutMs);
      const off = this.on((m) => {
        if (m.type === 'fatal') done(new BenchError('WORKER', `${this.role} worker failed: ${m.message}`));
        else if (match(m)) done(null, m);
      });
      void this.exited.then((e) => done(new BenchError('WORKER', `${this.role} worker exited (code ${e.code}, signal ${e.signal})`)));
      let settled = false;
      const done = (err: Error | null, m?: WorkerMessage): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        off();
        if (err) reject(err);
        else resolve(m!);
      };
    });
  }

  /** SIGKILL and wait for the exit: a stuck worker gets no say. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Asks the worker to exit, then kills it if it has not within `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.post({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The reused sender/receiver pair; replaced whole after a stall or a crash. */
/** Extra Node flags per role. */
export type WorkerFlags = Readonly<Partial<Record<WorkerRole, readonly string[]>>>;

export class WorkerPair {
  #generation = 0;
  /** Every worker pid this pair ever had, so a caller can check that none outlives the run. */
  readonly allPids: number[] = [];
  private constructor(
    readonly tempDir: string,
    public sender: WorkerProcess,
    public receiver: WorkerProcess,
    readonly flags: WorkerFlags,
  ) {
    this.allPids.push(sender.pid, receiver.pid);
  }

  static async start(tempDir: string, flags: WorkerFlags = {}): Promise<WorkerPair> {
    const [sender, receiver] = await Promise.all([WorkerProcess.start('sender', tempDir, 0, flags.sender), WorkerProcess.start('receiver', tempDir, 0, flags.receiver)]);
    return new WorkerPair(tempDir, sender, receiver, flags);
  }

  pids(): number[] {
    return [this.sender.pid, this.receiver.pid];
  }

  async replace(): Promise<void> {
    await Promise.all([this.sender.kill(), this.receiver.kill()]);
    this.#generation += 1;
    [this.sender, this.receiver] = await Promise.all([
      WorkerProcess.start('sender', this.tempDir, this.#generation, this.flags.sender),
      WorkerProcess.start('receiver', this.tempDir, this.#generation, this.flags.receiver),
    ]);
    this.allPids.push(this.sender.pid, this.receiver.pid);
  }

  async stop(): Promise<void> {
    await Promise.all([this.sender.stop(), this.receiver.stop()]);
  }

  async kill(): Promise<void> {
    await Promise.all([this.sender.kill(), this.receiver.kill()]);
  }
}
