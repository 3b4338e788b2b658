import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { Observed } from '../outcome.ts';

/** The environment variable through which the orchestrator tells a worker where its fd 2 goes. */
export const STDERR_PATH_ENV = 'TLS_SST_BENCH_STDERR_PATH';

/** How close to the end of the stream tracing starts: a few records, no measurable cost. */
export const TRACE_TAIL_BYTES = 256 * 1024;

/**
 * Whether the peer's close_notify arrived, found with OpenSSL's message trace.
 *
 * Node has no API for it: a close_notify and a bare TCP FIN both end up as
 * 'end'. `enableTrace()` makes OpenSSL print every record, synchronously, to
 * fd 2 (not through process.stderr). The orchestrator points this worker's fd 2
 * at a file, so after 'end' the worker reads what was appended since tracing
 * began and looks for a *Received* alert record `close notify(0)`. Tracing is
 * switched on only for the last TRACE_TAIL_BYTES, so it costs nothing
 * measurable (NODE-TLS-FACTS.md).
 */
export class CloseNotifyDetector {
  readonly #path: string | null;
  #offset: number | null = null;
  /** The trace's size when the socket ended: what was received before we could send our own close_notify. */
  #endOffset: number | null = null;

  /** `null`: detection off (observe() says null). */
  constructor(stderrPath: string | null = process.env[STDERR_PATH_ENV] ?? null) {
    this.#path = stderrPath;
  }

  get armed(): boolean {
    return this.#offset !== null;
  }

  /** Starts tracing on `socket`; call once, late in the stream. */
  arm(socket: TLSSocket): void {
    if (this.#path === null || this.#offset !== null) return;
    this.#offset = statSync(this.#path).size;
    socket.enableTrace();
  }

  /** Call first thing in the socket's 'end': marks where the received part of the trace ends. */
  markEnd(): void {
    if (this.#path === null || this.#offset === null || this.#endOffset !== null) return;
    this.#endOffset = statSync(this.#path).size;
  }

  /** true/false once armed and traced; null when this path could not observe it. */
  observe(): Observed {
    if (this.#path === null || this.#offset === null) return null;
    const trace = readFrom(this.#path, this.#offset);
    return receivedCloseNotify(trace, this.#endOffset === null ? trace.length : this.#endOffset - this.#offset);
  }
}

/**
 * close_notify over several sockets of one process at once (a Kvrocks sync
 * over 4 connections). The trace is per process (fd 2), so a record cannot be
 * told to belong to one socket; it can be counted. Each socket is armed late
 * in its stream, as with one; once every one has ended, the received
 * close_notify alerts since the first arm are counted: as many as sockets
 * that ended means each sent one; none means none did; in between, at least
 * one did not (which one is unknown). Only a trace with record headers
 * (OpenSSL 3.0) tells received from sent; without them the count is unknown.
 */
export class CloseNotifyTally {
  readonly #path: string | null;
  #offset: number | null = null;
  #armed = 0;

  constructor(stderrPath: string | null = process.env[STDERR_PATH_ENV] ?? null) {
    this.#path = stderrPath;
  }

  /** Starts tracing on `socket` (once per socket, late in its stream); the count starts at the first. */
  arm(socket: TLSSocket): void {
    if (this.#path === null) return;
    this.#offset ??= statSync(this.#path).size;
    this.#armed += 1;
    socket.enableTrace();
  }

  get armed(): number {
    return this.#armed;
  }

  /**
   * Received close_notify alerts since the first arm; null when detection is off, nothing was armed, or the trace has
   * no direction.
   */
  received(): number | null {
    if (this.#path === null || this.#offset === null) return null;
    const trace = readFrom(this.#path, this.#offset);
    if (!RECORD_HEADER.test(trace)) return null;
    return countReceivedCloseNotify(trace);
  }

  /**
   * What the count says about `ended` sockets, all armed, each ended by its
   * peer: every one sent close_notify (true), none did (false), or some
   * did not (false for the group; per socket unknown).
   */
  verdict(ended: number): Observed {
    const n = this.received();
    if (n === null || ended === 0 || this.#armed !== ended) return null;
    return n >= ended;
  }
}

/** Pure: how many received close_notify alerts a trace with record headers holds. */
export function countReceivedCloseNotify(trace: string): number {
  return trace
    .split(/^(?=(?:Sent|Received) Record$)/m)
    .filter((record) => record.startsWith('Received Record') && record.includes(CLOSE_NOTIFY)).length;
}

const RECORD_HEADER = /^(?:Sent|Received) Record$/m;
const CLOSE_NOTIFY = 'description=close notify(0)';

/**
 * Pure: does an OpenSSL trace contain a received close_notify alert?
 * OpenSSL 3.0 (Node 20, 22) heads each record `Sent Record` / `Received
 * Record`. OpenSSL 3.5 (Node 24) prints the messages without those headers, so
 * the direction is lost; then only the first `receivedBefore` characters
 * count: the trace written before the socket's 'end', when the receiver has
 * not sent a close_notify of its own yet.
 */
export function receivedCloseNotify(trace: string, receivedBefore = trace.length): boolean {
  if (!RECORD_HEADER.test(trace)) return trace.slice(0, receivedBefore).includes(CLOSE_NOTIFY);
  return trace
    .split(/^(?=(?:Sent|Received) Record$)/m)
    .some((record) => record.startsWith('Received Record') && record.includes(CLOSE_NOTIFY));
}

function readFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const buf = Buffer.alloc(Math.max(0, size - offset));
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return buf.subarray(0, done).toString('latin1');
  } finally {
    closeSync(fd);
  }
}
