import type { TLSSocket } from 'node:tls';
import type { ShutdownStrategyName } from './strategies.ts';

/**
 * How the sender ends the stream once its last write() has been issued. One
 * entry per strategy; adding one is an entry here, its name in strategies.ts,
 * and a test of what the receiver then sees.
 */
export interface ShutdownStrategy {
  readonly description: string;
  /** Ends the stream; resolves when the sender is done with the socket. */
  readonly finish: (socket: TLSSocket) => Promise<void>;
}

/** Resolves when the socket has closed (at once if it already has). */
export function closed(socket: TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed && socket.closed) return resolve();
    socket.once('close', () => resolve());
  });
}

export const SHUTDOWN_STRATEGIES_TABLE: Readonly<Record<ShutdownStrategyName, ShutdownStrategy>> = {
  end: {
    description: 'socket.end(): TLS close_notify, then FIN once every byte is flushed; wait for close',
    finish: (socket) => {
      socket.end();
      return closed(socket);
    },
  },
};
