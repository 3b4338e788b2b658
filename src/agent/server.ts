import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { cpus, hostname, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { FixtureCache } from '../fixtures/cache.ts';
import { hex } from '../outcome.ts';
import { WorkerProcess, type WorkerRole } from '../runner/workers.ts';
import { jsonLines } from '../transfer/channel.ts';
import { nowMs, type OrchestratorMessage } from '../transfer/messages.ts';
import type { CarriedFiles, FromAgent, HostInfo, RemoteFixture, ToAgent } from './control.ts';
import { formatHostPort } from './control.ts';
import { MAX_CONTROL_LINE_CHARS, toAgentSchema } from './schemas.ts';
import { parseWith } from '../schema.ts';

export interface AgentOptions {
  readonly host: string;
  readonly port: number;
  /** PEM: the agent's certificate and key, and the CA whose client certificates it accepts. */
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
  readonly fixturesDir: string;
  /** One line per event (session start/end, refused clients). */
  readonly log: (line: string) => void;
}

export function hostInfo(): HostInfo {
  return {
    hostname: hostname(),
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    kernel: release(),
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
  };
}

/**
 * A second line of defence behind the schemas: a path built from a peer's
 * message must name a file directly inside `dir`.
 */
function assertInside(dir: string, path: string, what: string): void {
  if (dirname(resolve(path)) !== resolve(dir)) throw new Error(`a ${what} path ${JSON.stringify(path)} outside ${dir}`);
}

/**
 * One orchestrator connection: its private dir (0700; keys 0600), the worker
 * it asked for, the relay both ways. Ends (worker killed, dir removed) when
 * the connection does.
 */
class Session {
  #worker: WorkerProcess | null = null;
  #dir: string | null = null;
  /** Fixture paths on this host by size (a remote sender's). */
  readonly #fixtures = new Map<number, string>();
  #ended = false;
  #relayed = false;
  #refused = false;
  readonly #send: (msg: FromAgent) => void;
  readonly done: Promise<void>;

  constructor(
    readonly n: number,
    readonly socket: TLSSocket,
    readonly opts: AgentOptions,
    readonly cache: FixtureCache,
  ) {
    const lines = jsonLines<ToAgent, FromAgent>(socket, {
      parse: (value) => parseWith(toAgentSchema, value, (why) => new Error(why)),
      maxLineChars: MAX_CONTROL_LINE_CHARS,
      onBad: (why) => this.#refuse(`bad control line: ${why}`),
    });
    this.#send = lines.send;
    let chain = Promise.resolve();
    // Messages are handled in order: a 'to-worker' must not overtake the 'hello' that starts the worker.
    lines.onMessage((msg) => {
      chain = chain
        .then(() => this.#handle(msg))
        .catch((err: unknown) => this.#refuse(err instanceof Error ? err.message : String(err)));
    });
    this.done = new Promise((resolve) => socket.once('close', () => void this.#end().then(resolve)));
  }

  #refuse(message: string): void {
    // One line per session: the first reason ends it, later ones add nothing.
    if (this.#refused) return;
    this.#refused = true;
    this.opts.log(`session ${this.n}: refused: ${message}`);
    this.#send({ type: 'refused', message });
    this.socket.end();
  }

  async #handle(msg: ToAgent): Promise<void> {
    if (this.#ended) return;
    switch (msg.type) {
      case 'ping':
        this.#send({ type: 'pong', seq: msg.seq, atMs: nowMs() });
        return;
      case 'hello':
        return this.#start(msg.role, msg.fixtures);
      case 'to-worker':
        if (!this.#worker) throw new Error('a worker message before hello');
        this.#worker.post(await this.#localize(msg.msg, msg.files ?? {}));
        if (!this.#relayed && (msg.msg.type === 'serve' || msg.msg.type === 'receive')) {
          this.#relayed = true;
          this.opts.log(`session ${this.n}: first request (${msg.msg.type}) relayed`);
        }
        return;
    }
  }

  async #start(role: WorkerRole, fixtures: readonly RemoteFixture[]): Promise<void> {
    if (this.#worker) throw new Error('a second hello in one session');
    this.#dir = await mkdtemp(join(tmpdir(), `tls-sst-bench-agent-${process.pid}-`));
    await chmod(this.#dir, 0o700);
    for (const spec of fixtures) {
      const f = await this.cache.ensure({ sizeBytes: spec.sizeBytes, seed: spec.seed, profile: spec.profile });
      if (f.crc32c !== spec.crc32c) {
        throw new Error(
          `fixture ${f.name} here has CRC32C ${hex(f.crc32c)}, the orchestrator's has ${hex(spec.crc32c)}: not ` +
            `the same bytes`,
        );
      }
      assertInside(this.cache.dir, f.path, 'fixture');
      this.#fixtures.set(spec.sizeBytes, f.path);
    }
    if (this.#ended) return;
    const worker = await WorkerProcess.start(role, this.#dir, this.n);
    this.#worker = worker;
    if (this.#ended) {
      await worker.kill();
      return;
    }
    worker.on((m) => this.#send({ type: 'from-worker', msg: m }));
    void worker.exited.then((e) => {
      this.#send({ type: 'worker-exit', code: e.code, signal: e.signal });
      this.opts.log(`session ${this.n}: ${role} worker exited (code ${e.code}, signal ${e.signal})`);
    });
    this.#send({ type: 'welcome', pid: worker.pid, host: hostInfo() });
    this.opts.log(
      `session ${this.n}: ${role} worker pid ${worker.pid} for ` +
        `${formatHostPort(this.socket.remoteAddress ?? '?', this.socket.remotePort ?? 0)}`,
    );
  }

  /**
   * The message with this host's fixture path, and the PEM it carries (handed to the worker over IPC, never written
   * here).
   */
  async #localize(msg: OrchestratorMessage, files: CarriedFiles): Promise<OrchestratorMessage> {
    if (msg.type === 'serve') {
      const fixturePath = this.#fixtures.get(msg.sizeBytes);
      if (fixturePath === undefined) throw new Error(`no fixture of ${msg.sizeBytes} bytes was announced in hello`);
      return { ...msg, cert: carried(files.cert, 'certificate'), key: carried(files.key, 'key'), fixturePath };
    }
    if (msg.type === 'receive') return { ...msg, ca: carried(files.ca, 'CA certificate') };
    // An agent runs raw transfers only (runner/agent-endpoint.ts refuses other protocols before a run).
    if (msg.type !== 'shutdown' && msg.type !== 'gc')
      throw new Error(`a ${msg.type} request is not supported through an agent: it runs --protocol raw only`);
    return msg;
  }

  async #end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#worker?.kill();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
    this.opts.log(`session ${this.n}: ended`);
  }

  /** Stops the session from our side (the agent is shutting down). */
  async close(): Promise<void> {
    this.socket.destroy();
    await this.#end();
  }
}

/** The agent: a mutual-TLS control server that runs one worker per orchestrator connection. */
export class Agent {
  readonly #sessions = new Set<Session>();
  #count = 0;
  private constructor(
    readonly server: Server,
    readonly opts: AgentOptions,
  ) {}

  static async start(opts: AgentOptions): Promise<Agent> {
    const cache = new FixtureCache(opts.fixturesDir);
    // rejectUnauthorized is ours to apply (below), so a refused client hears why and the log names it.
    const server = createServer({
      cert: opts.cert,
      key: opts.key,
      ca: opts.ca,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
    });
    const agent = new Agent(server, opts);
    server.on('secureConnection', (socket: TLSSocket) => {
      socket.on('error', () => undefined);
      const from = formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
      if (!socket.authorized) {
        // Nothing it sends is read: one line of why, then the door.
        const why =
          `its certificate is not from this agent's --ca (` +
          `${String(socket.authorizationError ?? 'no certificate')})`;
        opts.log(`refused a control connection from ${from}: ${why}`);
        socket.end(`${JSON.stringify({ type: 'refused', message: `your ${why.slice(4)}` } satisfies FromAgent)}\n`);
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
      // A vanished orchestrator host (no FIN, no RST) still ends the session, after the keepalive probes.
      socket.setKeepAlive(true, 10_000);
      const session = new Session(++agent.#count, socket, opts, cache);
      agent.#sessions.add(session);
      void session.done.then(() => agent.#sessions.delete(session));
    });
    server.on('tlsClientError', (err) => {
      opts.log(`refused a control connection: ${err.message}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return agent;
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.server.close();
    await Promise.all([...this.#sessions].map((s) => s.close()));
  }
}

/** A PEM the request must carry. */
function carried(text: string | undefined, what: string): string {
  if (text === undefined) throw new Error(`the request needs a ${what} but carries none`);
  return text;
}
