import type { OrchestratorMessage, ReadyMessage, WorkerMessage } from '../transfer/messages.ts';
import type { WorkerRole } from './worker-role.ts';

// A leaf: the protocols (src/protocols/) drive workers through these shapes, and
// workers.ts, which starts them, depends on the registry through worker-bundle.ts.

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * What runTransfer, the receiver peers and WorkerPair need of a worker: a
 * local child (WorkerProcess) or one on another host behind a remote agent
 * (src/runner/remote-worker.ts).
 */
export interface Worker {
  readonly role: WorkerRole;
  readonly exited: Promise<WorkerExit>;
  readonly pid: number;
  readonly alive: boolean;
  post(msg: OrchestratorMessage): void;
  on(listener: (msg: WorkerMessage) => void): () => void;
  /** Calls `listener` once when the worker exits (at once if it has); the returned function removes it. */
  onExit(listener: (e: WorkerExit) => void): () => void;
  /** The Node and OpenSSL versions the worker runs on, from its 'ready'; null if not known. */
  readonly versions: Pick<ReadyMessage, 'node' | 'openssl'> | null;
  next<T extends WorkerMessage>(match: (m: WorkerMessage) => m is T, timeoutMs: number): Promise<T>;
  next(match: (m: WorkerMessage) => boolean, timeoutMs: number): Promise<WorkerMessage>;
  kill(): Promise<void>;
  stop(graceMs?: number): Promise<void>;
}

/** The two workers of one transfer, as a protocol's run sees them (runner/workers.ts WorkerPair). */
export interface Pair {
  readonly sender: Worker;
  readonly receiver: Worker;
  /** The run's private folder (certificates, the workers' stderr). */
  readonly tempDir: string;
  /** Replaces both workers (after a stall or a crash), so the next transfer gets a clean pair. */
  replace(): Promise<void>;
}
