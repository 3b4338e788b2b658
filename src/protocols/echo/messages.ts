/** IPC messages of the echo protocol (added to the unions in src/transfer/messages.ts through ../maps.ts). */
import type { StreamError } from '../../outcome.ts';
import type { ClientParams, Negotiated, ProcessUsage, ServerParams } from '../../transfer/endpoints.ts';

/**
 * Sender worker: listen, and on the first connection send `sizeBytes` in writes of `chunkBytes`, then read them back
 * and check them.
 */
export interface EchoSendRequest extends ServerParams {
  readonly type: 'echo-send';
  readonly sizeBytes: number;
  readonly chunkBytes: number;
}

/** Receiver worker: connect, and write back every byte as it comes, until `sizeBytes` went back or the stream ends. */
export interface EchoReturnRequest extends ClientParams {
  readonly type: 'echo-return';
  readonly sizeBytes: number;
  readonly progressIntervalMs: number;
}

export interface EchoSenderReport extends ProcessUsage {
  readonly type: 'echo-checked';
  readonly id: number;
  readonly bytesWritten: number;
  /** Bytes that came back. */
  readonly bytesEchoed: number;
  /** CRC32C of what was sent and of what came back, in order. */
  readonly crc32cSent: number;
  readonly crc32cEchoed: number;
  readonly firstByteAtMs: number | null;
  /** When the last byte came back (or the stream ended). */
  readonly doneAtMs: number;
  readonly negotiated: Negotiated;
  readonly error: StreamError | null;
}

export interface EchoReceiverReport extends ProcessUsage {
  readonly type: 'echo-returned';
  readonly id: number;
  readonly bytesReceived: number;
  readonly handshakeMs: number | null;
  readonly error: StreamError | null;
}

export type EchoOrchestratorMessage = EchoSendRequest | EchoReturnRequest;
export type EchoWorkerMessage = EchoSenderReport | EchoReceiverReport;

declare module '../maps.ts' {
  interface ProtocolMessageMap {
    echo: { toWorker: EchoOrchestratorMessage; fromWorker: EchoWorkerMessage };
  }
}
