import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, runCli, type CliResult } from './helpers.ts';

/** The files of one `agent certs` set. */
export interface AgentCertSet {
  readonly ca: string;
  readonly agentCert: string;
  readonly agentKey: string;
  readonly orchestratorCert: string;
  readonly orchestratorKey: string;
}

export async function makeAgentCerts(dir: string, hosts: readonly string[] = []): Promise<AgentCertSet> {
  const r = await runCli([
    'agent',
    'certs',
    '--out',
    dir,
    ...(hosts.length > 0 ? ['--agent-host', hosts.join(',')] : []),
  ]);
  if (r.code !== 0) throw new Error(`agent certs failed: ${r.stderr}`);
  return {
    ca: join(dir, 'ca.pem'),
    agentCert: join(dir, 'agent.pem'),
    agentKey: join(dir, 'agent.key'),
    orchestratorCert: join(dir, 'orchestrator.pem'),
    orchestratorKey: join(dir, 'orchestrator.key'),
  };
}

/** The agent tests' run: one 16 MB cell, no warm-up (add --iterations, --out, the agent flags). */
export const ONE_CELL_RUN: readonly string[] = [
  'run',
  '--sizes',
  '16MB',
  '--chunks',
  '64KiB',
  '--suites',
  'TLS_AES_128_GCM_SHA256',
  '--warmup',
  '0',
  '--process-warmup',
  'off',
];

/** The flags of `run` that point it at an agent with a certificate set. */
export function agentFlags(where: string, certs: AgentCertSet, role: 'receiver' | 'sender' = 'receiver'): string[] {
  return [
    '--agent',
    where,
    '--agent-role',
    role,
    '--agent-cert',
    certs.orchestratorCert,
    '--agent-key',
    certs.orchestratorKey,
    '--agent-ca',
    certs.ca,
  ];
}

/** An agent process (`prefix`: e.g. `ip netns exec tsb-b`), its log, its bound port. */
export interface AgentProcess {
  readonly child: ChildProcess;
  readonly port: number;
  log(): string;
  /** Resolves once the log matches (rejects after `ms`). */
  waitFor(re: RegExp, ms: number): Promise<void>;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
}

export async function startAgent(
  listen: string,
  certs: AgentCertSet,
  opts: { prefix?: readonly string[]; tmpDir: string; fixturesDir: string },
): Promise<AgentProcess> {
  const args = [
    BIN,
    'agent',
    '--listen',
    listen,
    '--cert',
    certs.agentCert,
    '--key',
    certs.agentKey,
    '--ca',
    certs.ca,
    '--fixtures-dir',
    opts.fixturesDir,
  ];
  const [cmd, ...pre] = opts.prefix && opts.prefix.length > 0 ? [...opts.prefix, process.execPath] : [process.execPath];
  const child = spawn(cmd!, [...pre, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TMPDIR: opts.tmpDir },
  });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer): void => {
    text += d.toString();
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp, ms: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`agent log never matched ${re} in ${ms} ms:\n${text}`));
      }, ms);
      const check = (): void => {
        if (!re.test(text)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
      void exited.then(() => check());
    });
  await waitFor(/agent listening on \S+:(\d+)/, 30_000);
  const port = Number(/agent listening on \S+:(\d+)/.exec(text)![1]);
  return {
    child,
    port,
    log: () => text,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The results.json of the only run folder under `out`. */
export function readRun(out: string): RunJson {
  const dirs = readdirSync(out);
  if (dirs.length !== 1) throw new Error(`expected one run folder in ${out}, found ${dirs.join(', ')}`);
  return JSON.parse(readFileSync(join(out, dirs[0]!, 'results.json'), 'utf8')) as RunJson;
}

export interface RunJson {
  readonly context: {
    readonly workerPids: number[];
    readonly environment: { readonly hostname: string };
    readonly fixtures: { readonly name: string; readonly crc32c: string }[];
    readonly agent: {
      readonly agent: string;
      readonly role: string;
      readonly dataHost: string;
      readonly sessions: {
        readonly agent: {
          readonly hostname: string;
          readonly address: string;
          readonly node: string;
          readonly openssl: string;
          readonly kernel: string;
          readonly cpuModel: string;
        };
        readonly orchestrator: { readonly hostname: string; readonly address: string };
        readonly workerPid: number;
        readonly clock: {
          readonly offsetMs: number;
          readonly rttMs: number;
          readonly uncertaintyMs: number;
          readonly samples: number;
        };
      }[];
    } | null;
  };
  readonly records: {
    readonly outcome: { readonly kind: string; readonly role?: string; readonly errorMessage?: string };
    readonly bytesExpected: number;
    readonly bytesReceived: number;
    readonly durationMs: number | null;
    readonly mbPerSec: number | null;
    readonly warmup: boolean;
  }[];
}

export type { CliResult };

/**
 * The CLI under `prefix` (e.g. `ip netns exec tsb-a`); killed after `timeoutMs` so a hang fails the test instead of
 * holding it.
 */
export function runCliIn(
  prefix: readonly string[],
  args: readonly string[],
  timeoutMs = 180_000,
  onSpawn?: (child: ChildProcess) => void,
): Promise<CliResult & { timedOut: boolean }> {
  return new Promise((resolve) => {
    const [cmd, ...pre] = prefix.length > 0 ? [...prefix, process.execPath] : [process.execPath];
    const child = spawn(cmd!, [...pre, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
