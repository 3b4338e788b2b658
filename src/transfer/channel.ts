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

/** How a JSON-lines reader treats what it reads. */
export interface LineRules<In> {
  /** Turns one parsed line into a message, or throws an Error saying what is wrong with it. */
  readonly parse: (value: unknown) => In;
  /** A line longer than this (without its newline) is refused before it is all in memory. */
  readonly maxLineChars: number;
  /**
   * The first line that is not JSON, too long, or refused by `parse`: one
   * line of why. Nothing after it is read (the peer broke the contract; the
   * connection is the caller's to end).
   */
  readonly onBad: (why: string) => void;
}

/**
 * For our own processes over loopback (a worker under a profiler): no peer to distrust, but a broken line still ends
 * the link, not the process.
 */
export function trustedLines<In>(socket: Socket): LineRules<In> {
  return { parse: (value) => value as In, maxLineChars: 64 * 2 ** 20, onBad: () => socket.destroy() };
}

/**
 * Messages as JSON lines over a socket, both ways: `send` writes one line,
 * every complete line read is checked by `rules` and goes to the handlers.
 * Both ends of the control connection use it (here, src/runner/workers.ts,
 * and the agent's channel).
 */
export function jsonLines<In, Out>(
  socket: Socket,
  rules: LineRules<In>,
): { send(msg: Out): void; onMessage(handler: (msg: In) => void): void } {
  const handlers: ((msg: In) => void)[] = [];
  let buffered = '';
  let broken = false;
  const bad = (why: string): void => {
    broken = true;
    buffered = '';
    rules.onBad(why);
  };
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  socket.on('data', (text: string) => {
    if (broken) return;
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      if (line.length > rules.maxLineChars) return bad(`a line longer than ${rules.maxLineChars} characters`);
      let msg: In;
      try {
        msg = rules.parse(JSON.parse(line));
      } catch (err) {
        const shown = `${JSON.stringify(line.slice(0, 80))}${line.length > 80 ? '...' : ''}`;
        return bad(
          err instanceof SyntaxError
            ? `a line that is not JSON: ${shown}`
            : `a bad message (${(err as Error).message}): ${shown}`,
        );
      }
      for (const h of handlers) h(msg);
      if (broken) return;
    }
    // Refused before it is all in memory: a peer cannot make us buffer an endless line.
    if (buffered.length > rules.maxLineChars) bad(`a line longer than ${rules.maxLineChars} characters`);
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
  const lines = jsonLines<OrchestratorMessage, WorkerMessage>(socket, trustedLines(socket));
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
