import type { Observed, StreamError } from '../outcome.ts';
import type { ReceiverModeName, ShutdownStrategyName, SourceName, WritePathName } from './strategies.ts';
import type { ReadPath } from './read-path.ts';
import type { ProtocolOrchestratorMessage, ProtocolWorkerMessage } from '../protocols/maps.ts';
import type { ClientParams, Negotiated, ProcessUsage, SenderFault, ServerParams } from './endpoints.ts';

export type {
  ClientParams,
  Negotiated,
  ProcessUsage,
  SenderFault,
  ServerParams,
  TlsParams,
  Transport,
} from './endpoints.ts';

/**
 * The IPC contract between the orchestrator and its two worker processes.
 * Times are milliseconds on CLOCK_MONOTONIC (process.hrtime), which every
 * process on the host shares, so a sender time and a receiver time subtract.
 */

export interface ServeRequest extends ServerParams {
  readonly type: 'serve';
  readonly fixturePath: string;
  readonly sizeBytes: number;
  /** The fixture's CRC32C as the manifest records it: the sender checks its file against it before serving. */
  readonly fixtureCrc32c: number;
  readonly source: SourceName;
  readonly chunkBytes: number;
  readonly maxFragment: number;
  readonly shutdown: ShutdownStrategyName;
  readonly writePath: WritePathName;
  /** The receiver's mode decides the framing (size line) and whether to wait for an ack. */
  readonly receiverMode: ReceiverModeName;
  readonly fault?: SenderFault;
}

export interface ReceiveRequest extends ClientParams {
  readonly type: 'receive';
  readonly mode: ReceiverModeName;
  readonly bytesExpected: number;
  readonly crc32cExpected: number;
  readonly progressIntervalMs: number;
  /** After the count is met (framed modes), how long to wait for the end to see close_notify. */
  readonly closeGraceMs: number;
  /** false: no close_notify detection (closeNotify is then null); only for measuring what detection costs. */
  readonly detectCloseNotify?: boolean;
  /** How the receiver reads (the scenario's read path); external peers read their own way. */
  readonly readPath: ReadPath;
}

/**
 * `gc`: collect garbage now (the worker was started with --expose-gc) and say how big you are; for the soak benchmark.
 */
export type CoreOrchestratorMessage =
  ServeRequest | ReceiveRequest | { readonly type: 'shutdown' } | { readonly type: 'gc' };
/** The core messages and every protocol's own (src/protocols/maps.ts). */
export type OrchestratorMessage = CoreOrchestratorMessage | ProtocolOrchestratorMessage;

export interface SenderReport extends ProcessUsage {
  readonly type: 'sent';
  readonly id: number;
  readonly bytesWritten: number;
  /** null when no byte was written (handshake failed). */
  readonly firstByteAtMs: number | null;
  readonly negotiated: Negotiated;
  readonly error: StreamError | null;
  /** Set when the fixture file changed while it was being sent: what was sent is not the fixture. */
  readonly fixtureError?: string;
}

export interface ReceiverReport {
  /** null where the receiver is not ours to measure (an external peer). */
  readonly cpuMs: number | null;
  readonly rssPeakBytes: number | null;
  readonly type: 'received';
  readonly id: number;
  readonly bytesReceived: number;
  readonly crc32c: number;
  readonly closeNotify: Observed;
  /** The size line of a framed stream, as received (null: unframed, or it never came). */
  readonly declaredBytes: number | null;
  /** How often reading waited for the checker thread (its ring was full); absent for external peers. */
  readonly readPauses?: number;
  readonly handshakeMs: number | null;
  /** When the receiver had all it would accept, verified: the end of the timed span. */
  readonly doneAtMs: number;
  readonly negotiated: Negotiated;
  readonly error: StreamError | null;
}

export type WorkerMessage =
  | ReadyMessage
  | {
      readonly type: 'gc-done';
      readonly rssBytes: number;
      readonly heapUsedBytes: number;
      readonly heapTotalBytes: number;
      readonly externalBytes: number;
    }
  | {
      readonly type: 'listening';
      readonly id: number;
      readonly port: number;
      /** The address the server bound, as the kernel reports it. */ readonly address: string;
    }
  | { readonly type: 'progress'; readonly id: number; readonly bytes: number }
  /**
   * Instead of 'listening': the fixture on disk is not the one expected (removed, truncated, changed), so nothing is
   * served.
   */
  | { readonly type: 'fixture-error'; readonly id: number; readonly message: string }
  | SenderReport
  | ReceiverReport
  /** Every protocol's own (src/protocols/maps.ts). */
  | ProtocolWorkerMessage
  | { readonly type: 'fatal'; readonly id: number | null; readonly message: string };

/** A worker's first word: its pid and the Node and OpenSSL versions it runs on (the --node runtime axis). */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly pid: number;
  readonly node: string;
  readonly openssl: string;
}

/** Sent by each worker when it is up, from its own process. */
export function readyMessage(): ReadyMessage {
  return { type: 'ready', pid: process.pid, node: process.versions.node, openssl: process.versions.openssl ?? 'none' };
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
