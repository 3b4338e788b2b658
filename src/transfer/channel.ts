import { connect, type Socket } from 'node:net';
import type { OrchestratorMessage, WorkerMessage } from './messages.ts';

/** Where a worker started without an IPC channel (under a profiler) finds the orchestrator: a loopback port. */
export const CONTROL_PORT_ENV = 'TLS_SST_BENCH_CONTROL_PORT';

/**
 * The worker's line to the orchestrator. Normally Node's IPC channel (the
 * worker is forked). A profiler such as Clinic.js starts the worker itself,
 * with stdio only, so the IPC channel cannot reach it: then the same messages
 * go as JSON lines over a loopback TCP connection to CONTROL_PORT_ENV.
 */
export interface WorkerChannel {
  send(msg: WorkerMessage): void;
  onMessage(handler: (msg: OrchestratorMessage) => void): void;
  /** The orchestrator went away: the worker should exit. */
  onClose(handler: () => void): void;
}

function ipcChannel(): WorkerChannel {
  return {
    send: (msg) => {
      if (process.connected) process.send?.(msg);
    },
    onMessage: (handler) => process.on('message', handler),
    onClose: (handler) => process.on('disconnect', handler),
  };
}

/**
 * Messages as JSON lines over a socket, both ways: `send` writes one line,
 * every complete line read goes to the handlers. Both ends of the control
 * connection use it (here and src/runner/workers.ts).
 */
export function jsonLines<In, Out>(socket: Socket): { send(msg: Out): void; onMessage(handler: (msg: In) => void): void } {
  const handlers: ((msg: In) => void)[] = [];
  let buffered = '';
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  socket.on('data', (text: string) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line) for (const h of handlers) h(JSON.parse(line) as In);
    }
  });
  socket.on('error', () => undefined);
  return {
    send: (msg) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(msg)}\n`);
    },
    onMessage: (handler) => void handlers.push(handler),
  };
}

function socketChannel(port: number): WorkerChannel {
  const socket: Socket = connect({ host: '127.0.0.1', port });
  const lines = jsonLines<OrchestratorMessage, WorkerMessage>(socket);
  return { ...lines, onClose: (handler) => void socket.on('close', handler) };
}

let channel: WorkerChannel | null = null;

/** This worker's channel (one per process). */
export function workerChannel(): WorkerChannel {
  if (!channel) {
    const port = process.env[CONTROL_PORT_ENV];
    channel = process.send === undefined && port !== undefined ? socketChannel(Number(port)) : ipcChannel();
  }
  return channel;
}
