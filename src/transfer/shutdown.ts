import type { Socket } from 'node:net';
import type { ShutdownStrategyName } from './strategies.ts';

export interface ShutdownContext {
  /** A TLS socket; a plain one for the tcp reference lane (which ends by `end` only). */
  readonly socket: Socket;
  /** Resolves when TLS has taken the last byte written (the last write's callback). */
  readonly lastWriteTaken: Promise<void>;
}

/**
 * How the sender ends the stream once its last write() has returned. One entry
 * per strategy; adding one is an entry here, its name in strategies.ts, and a
 * test of what the receiver then sees (test/e2e/shutdown-outcomes.test.ts).
 */
export interface ShutdownStrategy {
  readonly description: string;
  /** Ends the stream; resolves when the sender is done with the socket. */
  readonly finish: (ctx: ShutdownContext) => Promise<void>;
  /** The sender process does not survive it: the orchestrator waits for the exit and starts a new one. */
  readonly endsProcess?: true;
}

/** Resolves when the socket has closed (at once if it already has). */
export function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) return resolve();
    socket.once('close', () => resolve());
  });
}

function finished(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.writableFinished) return resolve();
    socket.once('finish', () => resolve());
    socket.once('close', () => resolve());
  });
}

/** The TCP socket under a server-side TLS socket (Node keeps it as `_parent`). */
function rawSocket(socket: Socket): Socket {
  const raw = (socket as Socket & { _parent?: Socket })._parent;
  if (!raw) throw new Error('no raw socket under this TLS socket');
  return raw;
}

export const SHUTDOWN_STRATEGIES_TABLE: Readonly<Record<ShutdownStrategyName, ShutdownStrategy>> = {
  end: {
    description: "end(): close_notify, then FIN once every byte is flushed; done at 'finish'",
    finish: ({ socket }) => {
      socket.end();
      return finished(socket);
    },
  },
  'end-wait-close': {
    description: 'end(), then wait until the peer closes too (the full close handshake)',
    finish: ({ socket }) => {
      socket.end();
      return closed(socket);
    },
  },
  'end-destroy': {
    description: 'end() then destroy() at once: destroy wins, no close_notify, buffered data dropped',
    finish: ({ socket }) => {
      socket.end();
      socket.destroy();
      return closed(socket);
    },
  },
  destroy: {
    description: 'destroy() right after the last write() returns: whatever is still buffered is dropped',
    finish: ({ socket }) => {
      socket.destroy();
      return closed(socket);
    },
  },
  'destroy-deferred': {
    description:
      'destroy() one event-loop turn after the last write() returns (setImmediate), as code that closes from a ' +
      'later callback does: what the kernel took in that turn arrives, the rest is dropped; fails only above ' +
      'the socket buffers',
    finish: async ({ socket }) => {
      await new Promise((resolve) => setImmediate(resolve));
      socket.destroy();
      await closed(socket);
    },
  },
  'destroy-after-flush': {
    description: "destroy() in the last write's callback: every byte out, no close_notify",
    finish: async ({ socket, lastWriteTaken }) => {
      await lastWriteTaken;
      socket.destroy();
      await closed(socket);
    },
  },
  'tcp-fin': {
    description: 'after the last write is taken, end the TCP socket under TLS: FIN without close_notify',
    finish: async ({ socket, lastWriteTaken }) => {
      await lastWriteTaken;
      rawSocket(socket).end();
      await closed(socket);
    },
  },
  reset: {
    description: 'after the last write is taken, reset the TCP socket under TLS (RST)',
    finish: async ({ socket, lastWriteTaken }) => {
      await lastWriteTaken;
      rawSocket(socket).resetAndDestroy();
      await closed(socket);
    },
  },
  exit: {
    description: 'the sender process exits right after the last write() returns',
    // The worker reports first; see sender-worker.ts.
    finish: () => {
      process.exit(0);
    },
    endsProcess: true,
  },
  'half-close': {
    description: "end() with the read side kept open (allowHalfOpen), then wait for the peer's FIN and close",
    finish: async ({ socket }) => {
      socket.end();
      await new Promise<void>((resolve) => {
        socket.once('end', () => resolve());
        socket.once('close', () => resolve());
      });
      socket.destroy();
      await closed(socket);
    },
  },
};
