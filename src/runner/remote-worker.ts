import { hostname } from 'node:os';
import { connect, type TLSSocket } from 'node:tls';
import {
  estimateOffset,
  formatHostPort,
  toLocalTimes,
  type CarriedFiles,
  type ClockOffset,
  type ClockSample,
  type FromAgent,
  type AgentSessionInfo,
  type RemoteFixture,
  type ToAgent,
} from '../agent/control.ts';
import { BenchError } from '../errors.ts';
import { MAX_CONTROL_LINE_CHARS, fromAgentSchema } from '../agent/schemas.ts';
import { parseWith } from '../schema.ts';
import { jsonLines } from '../transfer/channel.ts';
import { nowMs, type OrchestratorMessage, type ReadyMessage, type WorkerMessage } from '../transfer/messages.ts';
import { WorkerEvents, type RemoteLauncher, type Worker, type WorkerExit, type WorkerRole } from './workers.ts';

/** Where the agent is and how we prove who we are (PEM text of our client certificate, its key, the agent's CA). */
export interface AgentEndpoint {
  readonly host: string;
  readonly port: number;
  readonly role: WorkerRole;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

const PINGS = 8;
/** A remote sender may first generate its fixtures: its welcome can take a while. */
const WELCOME_TIMEOUT_MS = 600_000;
const CONNECT_TIMEOUT_MS = 10_000;

/** Why a control connection failed, in the user's terms. */
function connectFailure(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  // Our check of the agent's certificate: wrong CA, or a host its certificate does not name.
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /CERT|SELF_SIGNED|ISSUER|SIGNATURE/.test(code)) {
    return (
      `its certificate does not verify (${err.message}): expected one from --agent-ca, naming the --agent host ` +
      `(agent certs --agent-host)`
    );
  }
  if (code === 'ECONNRESET' || /alert/i.test(err.message))
    return `refused the control connection (is our --agent-cert from its --ca?): ${err.message}`;
  return `cannot connect: ${err.message}`;
}

const stripMapped = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '');

/**
 * A worker on another host, run by an agent (src/agent/server.ts) for the
 * lifetime of one mutual-TLS control connection. Posts carry the files their
 * paths name; the worker's times come back converted to our clock.
 */
export class RemoteWorker extends WorkerEvents implements Worker {
  /** The agent's Node and OpenSSL: the agent runs its worker on its own binary. */
  #versions: Pick<ReadyMessage, 'node' | 'openssl'> | null = null;
  readonly #send: (msg: ToAgent) => void;
  #pid = -1;
  #offsetMs = 0;

  /** We are ending the session (kill, stop): its close is expected. */
  #closing = false;

  private constructor(
    readonly role: WorkerRole,
    readonly socket: TLSSocket,
    lines: ReturnType<typeof jsonLines<FromAgent, ToAgent>>,
    where: string,
  ) {
    super();
    this.#send = lines.send;
    const exit = (e: WorkerExit): void => {
      if (this.recordExit(e)) socket.destroy();
    };
    lines.onMessage((m) => {
      if (m.type === 'worker-exit') exit({ code: m.code, signal: m.signal });
      else if (m.type === 'refused') this.emit({ type: 'fatal', id: null, message: `agent refused: ${m.message}` });
      else if (m.type === 'from-worker') this.emit(toLocalTimes(m.msg, this.#offsetMs));
    });
    // The control connection is the worker's lifeline: the agent kills it when the connection goes.
    socket.once('close', () => {
      // Not our doing: say so before the exit, so a record names the agent rather than "exited (code null)".
      if (!this.#closing && this.alive)
        this.emit({ type: 'fatal', id: null, message: `agent ${where}: control connection lost` });
      exit({ code: null, signal: null });
    });
  }

  get versions(): Pick<ReadyMessage, 'node' | 'openssl'> | null {
    return this.#versions;
  }

  /** The session broke its contract: say why (the record names it), then drop it, which ends the worker. */
  #lost(why: string): void {
    if (this.alive && !this.#closing) this.emit({ type: 'fatal', id: null, message: why });
    this.#closing = true;
    this.socket.destroy();
  }

  /**
   * Connects, asks for a worker of `endpoint.role` (with the fixtures it will
   * serve), measures the clock offset. An agent that cannot be reached,
   * refuses our certificate or fails to start the worker: one line naming it.
   */
  static async connect(
    endpoint: AgentEndpoint,
    fixtures: readonly RemoteFixture[],
  ): Promise<{ worker: RemoteWorker; info: AgentSessionInfo }> {
    const where = formatHostPort(endpoint.host, endpoint.port);
    const fail = (why: string): BenchError => new BenchError('AGENT', `agent ${where}: ${why}`);
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      cert: endpoint.cert,
      key: endpoint.key,
      ca: endpoint.ca,
      minVersion: 'TLSv1.3',
    });
    socket.setTimeout(CONNECT_TIMEOUT_MS);
    // A line we cannot use ends the session: before the welcome, the run fails naming it; after, the worker is lost.
    let badLine = (why: string): void => void socket.destroy(fail(`sent a bad control line: ${why}`));
    const lines = jsonLines<FromAgent, ToAgent>(socket, {
      parse: (value) => parseWith(fromAgentSchema, value, (why) => new Error(why)),
      maxLineChars: MAX_CONTROL_LINE_CHARS,
      onBad: (why) => badLine(why),
    });
    // Every failure before the welcome ends up here, once.
    const failed = new Promise<never>((_, reject) => {
      socket.on('timeout', () => reject(fail(`no answer for ${CONNECT_TIMEOUT_MS / 1000} s`)));
      socket.on('error', (err: NodeJS.ErrnoException) =>
        reject(err instanceof BenchError ? err : fail(connectFailure(err))),
      );
      socket.on('close', () =>
        reject(
          fail(
            'closed the control connection before the session started (did it refuse our certificate? ' +
              '--agent-cert must come from its --ca)',
          ),
        ),
      );
      lines.onMessage((m) => {
        if (m.type === 'refused') reject(fail(`refused the session: ${m.message}`));
      });
    });
    failed.catch(() => undefined);
    try {
      await Promise.race([new Promise((r) => socket.once('secureConnect', r)), failed]);
      socket.setTimeout(0);
      const worker = new RemoteWorker(endpoint.role, socket, lines, where);
      const welcome = new Promise<Extract<FromAgent, { type: 'welcome' }>>((resolve) =>
        lines.onMessage((m) => {
          if (m.type === 'welcome') resolve(m);
        }),
      );
      lines.send({ type: 'hello', role: endpoint.role, fixtures });
      const timer = setTimeout(
        () => socket.destroy(new Error(`no welcome within ${WELCOME_TIMEOUT_MS / 1000} s`)),
        WELCOME_TIMEOUT_MS,
      );
      const w = await Promise.race([welcome, failed]).finally(() => clearTimeout(timer));
      badLine = (why) => worker.#lost(`agent ${where} sent a bad control line: ${why}`);
      worker.#pid = w.pid;
      worker.#versions = { node: w.host.node, openssl: w.host.openssl };
      const clock = await Promise.race([worker.#measureClock(lines), failed]);
      worker.#offsetMs = clock.offsetMs;
      const info: AgentSessionInfo = {
        agent: { ...w.host, address: stripMapped(socket.remoteAddress) },
        orchestrator: { hostname: hostname(), address: stripMapped(socket.localAddress) },
        workerPid: w.pid,
        clock,
      };
      return { worker, info };
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  /** A few ping/pong round trips; the tightest gives the offset. */
  async #measureClock(lines: ReturnType<typeof jsonLines<FromAgent, ToAgent>>): Promise<ClockOffset> {
    const samples: ClockSample[] = [];
    for (let seq = 0; seq < PINGS; seq++) {
      const pong = new Promise<number>((resolve) =>
        lines.onMessage((m) => {
          if (m.type === 'pong' && m.seq === seq) resolve(m.atMs);
        }),
      );
      const sentMs = nowMs();
      lines.send({ type: 'ping', seq });
      const remoteMs = await pong;
      samples.push({ sentMs, receivedMs: nowMs(), remoteMs });
    }
    return estimateOffset(samples);
  }

  get pid(): number {
    return this.#pid;
  }

  post(msg: OrchestratorMessage): void {
    if (!this.alive) return;
    const files: CarriedFiles =
      msg.type === 'serve' ? { cert: msg.cert, key: msg.key } : msg.type === 'receive' ? { ca: msg.ca } : {};
    this.#send({ type: 'to-worker', msg, files });
  }

  /** Drops the control connection: the agent kills the worker. */
  async kill(): Promise<void> {
    this.#closing = true;
    this.socket.destroy();
    await this.exited;
  }

  async stop(graceMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.#closing = true;
    this.post({ type: 'shutdown' });
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A worker that could not be started again (the agent went away): every transfer records why, at once. */
class LostWorker implements Worker {
  readonly exited: Promise<WorkerExit> = Promise.resolve({ code: null, signal: null });
  readonly pid = -1;
  readonly alive = false;
  readonly versions = null;
  constructor(
    readonly role: WorkerRole,
    readonly reason: string,
  ) {}
  post(): void {}
  on(): () => void {
    return () => undefined;
  }
  onExit(listener: (e: WorkerExit) => void): () => void {
    listener({ code: null, signal: null });
    return () => undefined;
  }
  next<T extends WorkerMessage>(match: (m: WorkerMessage) => m is T, timeoutMs: number): Promise<T>;
  next(match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage>;
  next(): Promise<WorkerMessage> {
    return Promise.reject(new BenchError('WORKER', `${this.role} worker lost: ${this.reason}`));
  }
  async kill(): Promise<void> {}
  async stop(): Promise<void> {}
}

/**
 * The remote role of a WorkerPair: the first session must start (or the run
 * fails with one line); a replacement that cannot start becomes a LostWorker,
 * so the remaining transfers are recorded as crashed instead of hanging.
 */
export class AgentLauncher implements RemoteLauncher {
  /** Every session's context, the first one first. */
  readonly sessions: AgentSessionInfo[] = [];
  constructor(
    readonly endpoint: AgentEndpoint,
    readonly fixtures: readonly RemoteFixture[],
  ) {}

  get role(): WorkerRole {
    return this.endpoint.role;
  }

  async start(generation: number): Promise<Worker> {
    try {
      const { worker, info } = await RemoteWorker.connect(
        this.endpoint,
        this.endpoint.role === 'sender' ? this.fixtures : [],
      );
      this.sessions.push(info);
      return worker;
    } catch (err) {
      if (generation === 0) throw err;
      return new LostWorker(this.endpoint.role, err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * The address the data connection uses, both to listen and to connect: the
   * agent's host when the sender is there; our end of the control connection
   * (an address the agent reached us on) when the receiver is.
   */
  get dataHost(): string {
    return this.endpoint.role === 'sender'
      ? this.endpoint.host
      : (this.sessions[0]?.orchestrator.address ?? '127.0.0.1');
  }
}
