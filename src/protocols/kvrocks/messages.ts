/**
 * IPC messages of the Kvrocks full-sync emulation (added to the unions in
 * src/transfer/messages.ts through ../maps.ts). Times are nowMs() (CLOCK_MONOTONIC), comparable
 * across the processes of one host.
 */
import type { Observed, StreamError } from '../../outcome.ts';
import type { ClientParams, Negotiated, ProcessUsage, ServerParams } from '../../transfer/endpoints.ts';
import type { ShutdownStrategyName, WritePathName } from '../../transfer/strategies.ts';

/** How many connections the replica opens for the files: Kvrocks uses 4 when there are more than 20 files. */
export const KVROCKS_STREAMS = [1, 4] as const;
export type KvrocksStreams = (typeof KVROCKS_STREAMS)[number];

export interface KvrocksServedFile {
  readonly name: string;
  readonly path: string;
  readonly sizeBytes: number;
}

/**
 * Master: serve this checkpoint until told to stop (`kvrocks-stop`) or until
 * `expectConnections` connections have come, whichever is first. One request
 * covers the whole sync, retries included: the orchestrator cannot know how
 * many attempts the replica will make, so the stop message is the normal end
 * and `expectConnections` a cap (maxAttempts x (1 + streams)).
 */
export interface KvrocksServeRequest extends ServerParams {
  readonly type: 'kvrocks-serve';
  readonly files: readonly KvrocksServedFile[];
  /** Bytes per write, at most 16 KiB (MAX_WRITE_BYTES). */
  readonly chunkBytes: number;
  readonly shutdown: ShutdownStrategyName;
  readonly writePath: WritePathName;
  readonly expectConnections: number;
}

export interface KvrocksStopRequest {
  readonly type: 'kvrocks-stop';
  readonly id: number;
}

/** What the replica should end up with: used only to judge what it accepted, never to decide. */
export interface KvrocksExpectedFile {
  readonly name: string;
  readonly sizeBytes: number;
  readonly crc32c: number;
}

export interface KvrocksFetchRequest extends ClientParams {
  readonly type: 'kvrocks-fetch';
  readonly files: readonly KvrocksExpectedFile[];
  readonly streams: KvrocksStreams;
  readonly maxAttempts: number;
  /** Wait between a failed attempt and the next (Kvrocks: 10 s). */
  readonly retryDelayMs: number;
  /** How often to send `progress`: bytes of the current attempt, all connections. */
  readonly progressIntervalMs: number;
  /** After a connection's count is met, how long to wait for its end, only to see how it ends. */
  readonly closeGraceMs: number;
}

/** One connection the master accepted. */
export interface KvrocksConnectionServed {
  readonly acceptedAtMs: number;
  /** The replica's port: matches KvrocksConnectionFetched.localPort. */
  readonly remotePort: number | null;
  /** null: no command came (the handshake failed, or the peer left first). */
  readonly command: 'fetch-meta' | 'fetch-file' | 'invalid' | null;
  /** The files asked for (fetch-file). */
  readonly files: readonly string[];
  /** The `-ERR ...` line the master answered with, if it did. */
  readonly errorLine: string | null;
  /** File bytes handed to write() (size lines not counted). */
  readonly fileBytesWritten: number;
  /** When the first size line was written (fetch-file). */
  readonly firstByteAtMs: number | null;
  readonly negotiated: Negotiated;
  readonly error: StreamError | null;
}

export interface KvrocksServeReport extends ProcessUsage {
  readonly type: 'kvrocks-served';
  readonly id: number;
  /** In the order they were accepted. */
  readonly connections: readonly KvrocksConnectionServed[];
  /** stop: told to; max-connections: the cap was reached; exit: the `exit` strategy ends the process. */
  readonly endedBy: 'stop' | 'max-connections' | 'exit';
}

export interface KvrocksFileFetched {
  readonly name: string;
  /** Index of the connection (within its attempt) that carried it. */
  readonly connection: number;
  /** The master's size line; null if it never came. */
  readonly declaredBytes: number | null;
  readonly bytesReceived: number;
  /** The count was met: the replica accepted the file. */
  readonly complete: boolean;
  readonly crc32c: number;
  /** Against the oracle; null for a file the oracle does not list. */
  readonly crcMatch: boolean | null;
}

export interface KvrocksConnectionFetched {
  readonly index: number;
  readonly localPort: number | null;
  readonly files: readonly string[];
  /** File bytes received (size lines not counted). */
  readonly bytesReceived: number;
  readonly handshakeMs: number | null;
  readonly negotiated: Negotiated;
  /**
   * Observed on its own with one file connection. With several, the trace is
   * counted for all (CloseNotifyTally): set when the count settles it for
   * every connection (all or none sent it), else null; the attempt says the rest.
   */
  readonly closeNotify: Observed;
  readonly error: StreamError | null;
}

export interface KvrocksAttemptFetched {
  /** 1-based. */
  readonly attempt: number;
  readonly ok: boolean;
  readonly startedAtMs: number;
  /** First file byte received on any connection. */
  readonly firstByteAtMs: number | null;
  /** Every count met (ok), or the failure. */
  readonly doneAtMs: number;
  /** The master's file list; null if `_fetch_meta` failed. */
  readonly metaFiles: readonly string[] | null;
  readonly filesComplete: number;
  readonly bytesReceived: number;
  /** The first failure, which failed the attempt. */
  readonly error: StreamError | null;
  /** Did every file connection end with the master's close_notify? null where that could not be observed. */
  readonly closeNotify: Observed;
  readonly files: readonly KvrocksFileFetched[];
  readonly connections: readonly KvrocksConnectionFetched[];
}

/**
 * The replica begins attempt `attempt` (1-based): so the orchestrator knows how far it got even if it never reports.
 */
export interface KvrocksAttemptStarted {
  readonly type: 'kvrocks-attempt';
  readonly id: number;
  readonly attempt: number;
}

export interface KvrocksFetchReport extends ProcessUsage {
  readonly type: 'kvrocks-fetched';
  readonly id: number;
  readonly attempts: readonly KvrocksAttemptFetched[];
  /** From the request to the last attempt's end, retry waits included. */
  readonly durationMs: number;
}

export type KvrocksOrchestratorMessage = KvrocksServeRequest | KvrocksStopRequest | KvrocksFetchRequest;
export type KvrocksWorkerMessage = KvrocksServeReport | KvrocksAttemptStarted | KvrocksFetchReport;

declare module '../maps.ts' {
  interface ProtocolMessageMap {
    kvrocks: { toWorker: KvrocksOrchestratorMessage; fromWorker: KvrocksWorkerMessage };
  }
}
