import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BenchError } from '../../errors.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import type { FromServer, ToServer } from './server-messages.ts';
import type { FixtureServerParams, ServerStats } from './server.ts';

const ENTRY = fileURLToPath(new URL('./server-main.ts', import.meta.url));
const STDERR_KEPT = 4096;

/**
 * Bundled to plain JavaScript like the transfer workers (see
 * runner/worker-bundle.ts): no tsx loader thread in the measured server.
 */
async function bundleServer(): Promise<{ script: string; dir: string }> {
  const dir = join(
    PROJECT_ROOT,
    'node_modules',
    '.cache',
    'tls-sst-bench',
    `https-server-${process.pid}-${Date.now()}`,
  );
  await mkdir(dir, { recursive: true });
  await build({
    entryPoints: { server: ENTRY },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return { script: join(dir, 'server.mjs'), dir };
}

/** The HTTPS fixture server in a child process of its own, with typed IPC. */
export class FixtureServerProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #alive = true;
  #stderr = '';

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
    readonly bundleDir: string,
  ) {
    this.exited = FixtureServerProcess.#exitOf(child).then((e) => {
      this.#alive = false;
      return e;
    });
  }

  static #exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signal) => resolve({ code, signal }));
    });
  }

  static async start(params: FixtureServerParams, timeoutMs = 30_000): Promise<FixtureServerProcess> {
    const { script, dir } = await bundleServer();
    const child = fork(script, [], {
      execArgv: ['--enable-source-maps'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_KEPT)));
    child.on('error', () => undefined);
    try {
      child.send({ type: 'serve', params } satisfies ToServer);
      const msg = await nextMessage(
        child,
        (m) => m.type === 'listening',
        timeoutMs,
        () => stderr,
      );
      if (msg.type !== 'listening') throw new BenchError('WORKER', 'https server did not listen');
      const proc = new FixtureServerProcess(child, msg.port, dir);
      proc.#stderr = stderr;
      child.stderr?.on('data', (d: Buffer) => (proc.#stderr = (proc.#stderr + d.toString()).slice(-STDERR_KEPT)));
      return proc;
    } catch (err) {
      child.kill('SIGKILL');
      await FixtureServerProcess.#exitOf(child);
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.#alive;
  }

  async stats(timeoutMs = 10_000): Promise<ServerStats> {
    if (!this.#alive || !this.child.connected)
      throw new BenchError('WORKER', `https server is gone${this.#stderr.trim() ? `: ${this.#stderr.trim()}` : ''}`);
    this.child.send({ type: 'stats' } satisfies ToServer);
    const msg = await nextMessage(
      this.child,
      (m) => m.type === 'stats',
      timeoutMs,
      () => this.#stderr,
    );
    if (msg.type !== 'stats') throw new BenchError('WORKER', 'https server sent no stats');
    return msg.stats;
  }

  /** Asks the server to exit, SIGKILLs it after `graceMs`, and removes its bundle. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.#alive) {
      if (this.child.connected) this.child.send({ type: 'shutdown' } satisfies ToServer);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await rm(this.bundleDir, { recursive: true, force: true });
  }
}

function nextMessage(
  child: ChildProcess,
  match: (m: FromServer) => boolean,
  timeoutMs: number,
  stderr: () => string,
): Promise<FromServer> {
  return new Promise((resolve, reject) => {
    const detail = (): string => (stderr().trim() ? `: ${stderr().trim().split('\n').slice(-3).join(' | ')}` : '');
    const onMessage = (m: FromServer): void => {
      if (m.type === 'fatal') done(new BenchError('WORKER', `https server failed: ${m.message}`));
      else if (match(m)) done(null, m);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(new BenchError('WORKER', `https server exited (code ${code}, signal ${signal})${detail()}`));
    const timer = setTimeout(
      () => done(new BenchError('WORKER', `https server sent nothing for ${timeoutMs} ms${detail()}`)),
      timeoutMs,
    );
    child.on('message', onMessage);
    child.once('exit', onExit);
    let settled = false;
    function done(err: Error | null, m?: FromServer): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
  });
}
