import type { FixtureProfile } from '../fixtures/types.ts';
import type { WorkerRole } from '../runner/worker-role.ts';
import type { OrchestratorMessage, WorkerMessage } from '../transfer/messages.ts';

/**
 * The control channel between an orchestrator and a remote agent: JSON lines
 * over one mutual-TLS connection per session (one worker per session). Worker
 * messages travel wrapped; paths in them are the orchestrator's, so the files
 * they name travel with them and the agent rewrites the paths to its copies.
 */

/** A fixture the remote sender must serve: generated there from its spec and checked against the CRC. */
export interface RemoteFixture {
  readonly sizeBytes: number;
  readonly seed: number;
  readonly profile: FixtureProfile;
  readonly crc32c: number;
}

/** The contents of the files a worker message names (PEM text). */
export interface CarriedFiles {
  /** For `serve`: the data connection's server certificate and its key. */
  readonly cert?: string;
  readonly key?: string;
  /** For `receive`: the CA that signed the data connection's server certificate. */
  readonly ca?: string;
}

export type ToAgent =
  | { readonly type: 'hello'; readonly role: WorkerRole; readonly fixtures: readonly RemoteFixture[] }
  | { readonly type: 'ping'; readonly seq: number }
  | { readonly type: 'to-worker'; readonly msg: OrchestratorMessage; readonly files?: CarriedFiles };

/** What the agent says about its host, for the run's context. */
export interface HostInfo {
  readonly hostname: string;
  readonly node: string;
  readonly openssl: string;
  readonly kernel: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cores: number;
}

export type FromAgent =
  | { readonly type: 'welcome'; readonly pid: number; readonly host: HostInfo }
  | { readonly type: 'pong'; readonly seq: number; readonly atMs: number }
  | { readonly type: 'from-worker'; readonly msg: WorkerMessage }
  | { readonly type: 'worker-exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly type: 'refused'; readonly message: string };

/** One ping: when we sent it, when the answer came (our clock), and the agent's clock in between. */
export interface ClockSample {
  readonly sentMs: number;
  readonly receivedMs: number;
  readonly remoteMs: number;
}

/** remote clock - local clock, from the sample with the smallest round trip; the true value is within ± uncertainty. */
export interface ClockOffset {
  readonly offsetMs: number;
  readonly rttMs: number;
  readonly uncertaintyMs: number;
  readonly samples: number;
}

/**
 * Cristian's estimate: the agent read its clock somewhere inside the round
 * trip, so assuming the middle errs by at most half the round trip. The
 * sample with the smallest round trip bounds it best.
 */
export function estimateOffset(samples: readonly ClockSample[]): ClockOffset {
  if (samples.length === 0) throw new Error('estimateOffset: no samples');
  const best = samples.reduce((a, b) => (b.receivedMs - b.sentMs < a.receivedMs - a.sentMs ? b : a));
  const rttMs = best.receivedMs - best.sentMs;
  return {
    offsetMs: best.remoteMs - (best.sentMs + best.receivedMs) / 2,
    rttMs,
    uncertaintyMs: rttMs / 2,
    samples: samples.length,
  };
}

/** A time the remote worker reported, on the orchestrator's clock. */
export function toLocalTimes(msg: WorkerMessage, offsetMs: number): WorkerMessage {
  if (msg.type === 'sent' && msg.firstByteAtMs !== null) return { ...msg, firstByteAtMs: msg.firstByteAtMs - offsetMs };
  if (msg.type === 'received') return { ...msg, doneAtMs: msg.doneAtMs - offsetMs };
  return msg;
}

/** One session as the run's context records it. */
export interface AgentSessionInfo {
  /** The agent's host as it describes itself, and its address as we reached it. */
  readonly agent: HostInfo & { readonly address: string };
  /** Our side of the control connection. */
  readonly orchestrator: { readonly hostname: string; readonly address: string };
  /** The worker's pid on the agent's host. */
  readonly workerPid: number;
  readonly clock: ClockOffset;
}

/** HOST:PORT as written (an IPv6 host in brackets). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The run's agent in results.json: where it was, what it ran, and every session (replacements too). */
export interface AgentRunContext {
  /** --agent as given. */
  readonly agent: string;
  readonly role: WorkerRole;
  /** The address the data connection used: the sender listened there and the receiver connected to it. */
  readonly dataHost: string;
  readonly sessions: readonly AgentSessionInfo[];
}
