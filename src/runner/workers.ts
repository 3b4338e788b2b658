import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from '../errors.ts';
import { CONTROL_PORT_ENV, jsonLines, trustedLines } from '../transfer/channel.ts';
import { STDERR_PATH_ENV } from '../transfer/close-notify.ts';
import type { OrchestratorMessage, ReadyMessage, WorkerMessage } from '../transfer/messages.ts';
import { workerScripts } from './worker-bundle.ts';
import { onExit } from '../exit-cleanup.ts';
import type { WorkerRole } from './worker-role.ts';
import type { Worker, WorkerExit } from './worker-interface.ts';

export type { WorkerRole } from './worker-role.ts';
export type { Worker, WorkerExit } from './worker-interface.ts';

/**
 * A program that starts the worker itself (a profiler: `npx clinic flame
 * --collect-only --`): it gets `node <flags> <worker script>` appended. Such a
 * worker has no IPC channel; it talks over a loopback TCP connection instead.
 */
export interface WorkerWrapper {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** How long stop() waits for the wrapper to finish (a profiler writes its data after the worker exits). */
  readonly stopGraceMs: number;
}

/** How the orchestrator and a worker exchange messages. */
interface Link {
  send(msg: OrchestratorMessage): void;
  onMessage(handler: (msg: WorkerMessage) => void): void;
}

function ipcLink(child: ChildProcess): Link {
  return {
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (handler) => void child.on('message', handler),
  };
}

/** JSON lines over a socket: the other end of src/transfer/channel.ts. */
function socketLink(socket: Socket): Link {
  return jsonLines<WorkerMessage, OrchestratorMessage>(socket, trustedLines(socket));
}

/**
 * What every kind of worker keeps: its exit (recorded once), who listens for
 * its messages or its exit, and `next` on top of them. Exit waiters are
 * removed when they stop waiting: a `.then` on `exited` per wait would keep
 * each answered message reachable until the worker exits, i.e. one per call
 * for the life of a reused worker (the soak benchmark saw it).
 */
export abstract class WorkerEvents {
  abstract readonly role: WorkerRole;
  readonly exited: Promise<WorkerExit>;
  #resolveExit: (e: WorkerExit) => void = () => undefined;
  #exit: WorkerExit | null = null;
  readonly #listeners = new Set<(msg: WorkerMessage) => void>();
  readonly #exitListeners = new Set<(e: WorkerExit) => void>();

  constructor() {
    this.exited = new Promise((resolve) => (this.#resolveExit = resolve));
  }

  get alive(): boolean {
    return this.#exit === null;
  }

  /** Records the exit and tells whoever waits; false (and nothing done) if it was already recorded. */
  protected recordExit(e: WorkerExit): boolean {
    if (this.#exit) return false;
    this.#exit = e;
    this.#resolveExit(e);
    for (const l of [...this.#exitListeners]) l(e);
    return true;
  }

  protected emit(msg: WorkerMessage): void {
    for (const l of [...this.#listeners]) l(msg);
  }

  on(listener: (msg: WorkerMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Calls `listener` once when the worker exits (at once if it has); the returned function removes it. */
  onExit(listener: (e: WorkerExit) => void): () => void {
    if (this.#exit) {
      listener(this.#exit);
      return () => undefined;
    }
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /** The next message that matches; rejects on 'fatal', on the worker's exit, or after `timeoutMs`. */
  next<T extends WorkerMessage>(match: (m: WorkerMessage) => m is T, timeoutMs: number): Promise<T>;
  next(match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage>;
  next(match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => done(new BenchError('WORKER', `${this.role} worker sent nothing for ${timeoutMs} ms`)),
        timeoutMs,
      );
      const off = this.on((m) => {
        if (m.type === 'fatal') done(new BenchError('WORKER', `${this.role} worker failed: ${m.message}`));
        else if (match(m)) done(null, m);
      });
      let offExit: () => void = () => undefined;
      let settled = false;
      const done = (err: Error | null, m?: WorkerMessage): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        off();
        offExit();
        if (err) reject(err);
        else resolve(m!);
      };
      offExit = this.onExit((e) =>
        done(new BenchError('WORKER', `${this.role} worker exited (code ${e.code}, signal ${e.signal})`)),
      );
      if (settled) offExit();
    });
  }
}

/** Starts the worker of one role somewhere else (a remote agent); `generation` counts replacements. */
export interface RemoteLauncher {
  readonly role: WorkerRole;
  start(generation: number): Promise<Worker>;
}

/**
 * One worker process and its typed IPC. Its fd 2 goes to a file in the run's
 * temp dir: the receiver reads its own OpenSSL trace from there, and the file
 * keeps any crash text for the record.
 */
export class WorkerProcess extends WorkerEvents implements Worker {
  /** Every local worker alive in this process: what an interruption kills, even one still starting. */
  static readonly #live = new Set<WorkerProcess>();
  /** The worker's own pid, from its 'ready' (under a wrapper, `child` is the wrapper). */
  #workerPid: number | null = null;
  /** The Node and OpenSSL versions the worker said it runs on, from its 'ready'. */
  #versions: { readonly node: string; readonly openssl: string } | null = null;

  private constructor(
    readonly role: WorkerRole,
    readonly child: ChildProcess,
    readonly stderrPath: string,
    readonly link: Link,
    readonly stopGraceMs = 2000,
  ) {
    super();
    WorkerProcess.#live.add(this);
    // A process that exits at once (a second Ctrl-C) takes its workers along.
    const offExit = onExit(() => this.#killAll());
    child.once('exit', (code, signal) => {
      WorkerProcess.#live.delete(this);
      offExit();
      // Whatever the worker's program left (a --node wrapper script's children) goes with it.
      this.#killGroup();
      void this.recordExit({ code, signal });
    });
    link.onMessage((msg) => {
      if (msg.type === 'ready') {
        this.#workerPid = msg.pid;
        this.#versions = { node: msg.node, openssl: msg.openssl };
      }
      this.emit(msg);
    });
    // An IPC write to a dead child raises EPIPE here; the exit is what we report.
    child.on('error', () => undefined);
  }

  /**
   * `execArgv`: extra Node flags for this worker (e.g. --cpu-prof for
   * `tls-sst-bench profile`); `nodePath`: the Node binary that runs it (--node).
   */
  static async start(
    role: WorkerRole,
    tempDir: string,
    generation: number,
    execArgv: readonly string[] = [],
    nodePath = process.execPath,
  ): Promise<WorkerProcess> {
    const stderrPath = join(tempDir, `${role}-${generation}.stderr`);
    const script = (await workerScripts())[role];
    const fd = openSync(stderrPath, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = fork(script, [], {
        execPath: nodePath,
        execArgv: ['--enable-source-maps', ...execArgv],
        stdio: ['ignore', 'ignore', fd, 'ipc'],
        env: { ...process.env, [STDERR_PATH_ENV]: stderrPath },
        serialization: 'advanced',
        // Its own process group: killed as a group, so a --node script's children die with it.
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const worker = new WorkerProcess(role, child, stderrPath, ipcLink(child));
    await worker.#ready();
    return worker;
  }

  /** The worker started by `wrapper` (a profiler), linked over loopback TCP. */
  static async startWrapped(
    role: WorkerRole,
    tempDir: string,
    generation: number,
    wrapper: WorkerWrapper,
    execArgv: readonly string[] = [],
    nodePath = process.execPath,
  ): Promise<WorkerProcess> {
    const stderrPath = join(tempDir, `${role}-${generation}.stderr`);
    const script = (await workerScripts())[role];
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const fd = openSync(stderrPath, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(wrapper.command, [...wrapper.args, nodePath, '--enable-source-maps', ...execArgv, script], {
        stdio: ['ignore', 'ignore', fd],
        env: { ...process.env, ...wrapper.env, [STDERR_PATH_ENV]: stderrPath, [CONTROL_PORT_ENV]: String(port) },
      });
    } finally {
      closeSync(fd);
    }
    // A wrapper that needs fetching first (npx) may take a while: up to two minutes.
    const connected = await Promise.race([
      once(server, 'connection').then(([s]) => s as Socket),
      once(child, 'exit').then(() => null),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 120_000).unref()),
    ]);
    server.close();
    if (!connected) {
      child.kill('SIGKILL');
      throw new BenchError(
        'WORKER',
        `${role} worker under ${wrapper.command} ${wrapper.args.join(' ')} did not connect (see ${stderrPath})`,
      );
    }
    const worker = new WorkerProcess(role, child, stderrPath, socketLink(connected), wrapper.stopGraceMs);
    await worker.#ready();
    return worker;
  }

  /** Waits for 'ready'; a worker that never says it (a hanging --node script) is killed, not left behind. */
  async #ready(): Promise<void> {
    try {
      await this.next((m) => m.type === 'ready', 30_000);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** Kills every local worker of this process now (an interruption: also those still starting). */
  static killAll(): void {
    for (const w of WorkerProcess.#live) w.#killAll();
  }

  get pid(): number {
    return this.#workerPid ?? this.child.pid ?? -1;
  }

  /** What the worker reported in its 'ready': the Node and OpenSSL it runs on. */
  get versions(): Pick<ReadyMessage, 'node' | 'openssl'> | null {
    return this.#versions;
  }

  post(msg: OrchestratorMessage): void {
    if (this.alive) this.link.send(msg);
  }

  /** SIGKILL and wait for the exit: a stuck worker gets no say. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.#killAll();
    await this.exited;
  }

  /** The child, and under a wrapper the worker itself too (it is the wrapper's child). */
  #killAll(): void {
    if (this.#workerPid !== null && this.#workerPid !== this.child.pid) {
      try {
        process.kill(this.#workerPid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#killGroup();
    this.child.kill('SIGKILL');
  }

  /** SIGKILL to the worker's process group (it was started detached: its own group). */
  #killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // no such group (a wrapped worker shares ours), or already gone
    }
  }

  /** Asks the worker to exit, then kills it if it has not within `graceMs`. */
  async stop(graceMs = this.stopGraceMs): Promise<void> {
    if (!this.alive) return;
    this.post({ type: 'shutdown' });
    const timer = setTimeout(() => this.#killAll(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Extra Node flags per role. */
export type WorkerFlags = Readonly<Partial<Record<WorkerRole, readonly string[]>>>;
/** A wrapper (profiler) per role. */
export type WorkerWrappers = Readonly<Partial<Record<WorkerRole, WorkerWrapper>>>;

/**
 * Starts the worker of `role` for a pair's generation `generation` (0, then one more per
 * replacement): a local process, one behind a remote agent, or a test's FakeWorker.
 */
export type WorkerLauncher = (role: WorkerRole, generation: number) => Promise<Worker>;

/** The reused sender/receiver pair; replaced whole after a stall or a crash. */
export class WorkerPair {
  #generation = 0;
  /**
   * Every local worker pid this pair ever had, so a caller can check that none outlives the run (a remote one is the
   * agent's to end).
   */
  readonly allPids: number[] = [];
  private constructor(
    readonly tempDir: string,
    public sender: Worker,
    public receiver: Worker,
    readonly launcher: WorkerLauncher,
    /** The role whose worker runs behind a remote agent, if one does. */
    readonly remoteRole?: WorkerRole,
  ) {
    this.#recordPids();
  }

  #recordPids(): void {
    if (this.remoteRole !== 'sender') this.allPids.push(this.sender.pid);
    if (this.remoteRole !== 'receiver') this.allPids.push(this.receiver.pid);
  }

  /**
   * `nodePath`: the Node binary of the local workers (--node); `remote`: that role's worker runs behind a remote agent,
   * the other one here.
   */
  static start(
    tempDir: string,
    flags: WorkerFlags = {},
    wrappers: WorkerWrappers = {},
    nodePath = process.execPath,
    remote?: RemoteLauncher,
  ): Promise<WorkerPair> {
    return WorkerPair.startWith(
      tempDir,
      (role, generation) => launch(role, tempDir, generation, flags, wrappers, nodePath, remote),
      remote?.role,
    );
  }

  /**
   * A pair whose workers `launcher` starts, now and at each replacement (the orchestrator's RunOptions.launchWorkers).
   */
  static async startWith(tempDir: string, launcher: WorkerLauncher, remoteRole?: WorkerRole): Promise<WorkerPair> {
    // allSettled: a worker that started must not outlive the one that failed (an unreachable agent).
    const [s, r] = await Promise.allSettled([launcher('sender', 0), launcher('receiver', 0)]);
    if (s.status === 'rejected' || r.status === 'rejected') {
      await Promise.all([s, r].map((x) => (x.status === 'fulfilled' ? x.value.kill() : undefined)));
      throw s.status === 'rejected' ? s.reason : (r as PromiseRejectedResult).reason;
    }
    return new WorkerPair(tempDir, s.value, r.value, launcher, remoteRole);
  }

  /** The Node and OpenSSL versions the workers reported (the sender's word, else the receiver's). */
  get versions(): Pick<ReadyMessage, 'node' | 'openssl'> | null {
    return this.sender.versions ?? this.receiver.versions;
  }

  pids(): number[] {
    return [this.sender.pid, this.receiver.pid];
  }

  /** How many times the pair was replaced: a new generation is a cold pair (the run warms it up again). */
  get generation(): number {
    return this.#generation;
  }

  async replace(): Promise<void> {
    await Promise.all([this.sender.kill(), this.receiver.kill()]);
    this.#generation += 1;
    [this.sender, this.receiver] = await Promise.all([
      this.launcher('sender', this.#generation),
      this.launcher('receiver', this.#generation),
    ]);
    this.#recordPids();
  }

  async stop(): Promise<void> {
    await Promise.all([this.sender.stop(), this.receiver.stop()]);
  }

  async kill(): Promise<void> {
    await Promise.all([this.sender.kill(), this.receiver.kill()]);
  }
}

function launch(
  role: WorkerRole,
  tempDir: string,
  generation: number,
  flags: WorkerFlags,
  wrappers: WorkerWrappers,
  nodePath: string,
  remote?: RemoteLauncher,
): Promise<Worker> {
  if (remote?.role === role) return remote.start(generation);
  const wrapper = wrappers[role];
  return wrapper
    ? WorkerProcess.startWrapped(role, tempDir, generation, wrapper, flags[role], nodePath)
    : WorkerProcess.start(role, tempDir, generation, flags[role], nodePath);
}
