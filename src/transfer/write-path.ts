/**
 * The write path shared by the sender worker and the Kvrocks master: waiting
 * for 'drain', and counting writes issued and taken so that a shutdown
 * strategy can wait for the last one. No side effects on import.
 */
import type { Socket } from 'node:net';

const closedWhileWaiting = (): Error =>
  Object.assign(new Error('socket closed while waiting for drain'), { code: 'ERR_SOCKET_CLOSED' });

/** Waits for 'drain'; fails if the socket closes or errors first, so a dead peer cannot hang the loop. */
export function drained(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    const onDrain = (): void => (cleanup(), resolve());
    const onClose = (): void => (cleanup(), reject(closedWhileWaiting()));
    const onError = (err: Error): void => (cleanup(), reject(err));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
    socket.on('error', onError);
  });
}

/**
 * drained() for a write loop: the same promise semantics, with the listeners
 * attached once per socket instead of three on and three off per wait. At
 * 16 KiB writes a TLS socket is full after nearly every write, and that
 * listener churn cost ~8% of throughput against a bare pipe (bench:baseline).
 * An 'error' needs no listener: the sockets here are destroyed on error, so
 * 'close' follows.
 */
export class DrainWaiter {
  #pending: { resolve: () => void; reject: (err: Error) => void } | null = null;
  #closed = false;

  constructor(socket: Socket) {
    socket.on('drain', () => {
      const p = this.#pending;
      this.#pending = null;
      p?.resolve();
    });
    socket.once('close', () => {
      this.#closed = true;
      const p = this.#pending;
      this.#pending = null;
      p?.reject(closedWhileWaiting());
    });
  }

  /** Calls `onDrain` at the next 'drain' (inside its emit), or `onClosed` if the socket closes first. */
  next(onDrain: () => void, onClosed: (err: Error) => void): void {
    if (this.#closed) onClosed(closedWhileWaiting());
    else this.#pending = { resolve: onDrain, reject: onClosed };
  }

  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.next(resolve, reject));
  }
}

export interface PieceOptions {
  readonly chunkBytes: number;
  /** Honour backpressure: go on only at 'drain' when a write returns false (the `buffered` write path does not). */
  readonly wait: boolean;
  /** Runs once TLS has taken the last piece (so the bytes' buffer can be reused). */
  readonly release?: () => void;
  /** Bytes that may still be written (a stall fault stops at its byte); default: all of them. */
  readonly budget?: () => number;
  /** Told each piece's length before it is written. */
  readonly onPiece?: (bytes: number) => void;
}

/**
 * Writes `bytes` through `out` in pieces of `chunkBytes`. With `wait`, it
 * stops at a full socket and goes on inside the 'drain' that follows, by
 * callback: at 16 KiB writes a TLS socket is full after nearly every write,
 * and an `await` per wait (a promise and a microtask hop each) cost the
 * sender ~6% of its throughput against a bare pipe (bench:baseline, swap
 * runs). Returns null when every piece went at once, else a promise of that
 * (rejected if the socket closes while waiting).
 */
export function writeInPieces(
  out: TrackedWrites,
  drain: DrainWaiter,
  bytes: Buffer,
  opts: PieceOptions,
): Promise<void> | null {
  const { chunkBytes, wait, release, budget, onPiece } = opts;
  let off = 0;
  /** Writes until the bytes (or the budget) are done (true) or the socket is full (false). */
  const pump = (): boolean => {
    while (off < bytes.length) {
      const left = budget ? budget() : Infinity;
      if (left <= 0) return true;
      const end = Math.min(off + chunkBytes, bytes.length);
      const piece = bytes.subarray(off, Math.min(end, off + left));
      onPiece?.(piece.length);
      // The last piece is taken once TLS has all of the bytes (callbacks run in order).
      const flushed = end === bytes.length && release ? out.write(piece, release) : out.write(piece);
      off = end;
      if (!flushed && wait) return false;
    }
    return true;
  };
  if (pump()) return null;
  return new Promise((resolve, reject) => {
    const resume = (): void => (pump() ? resolve() : drain.next(resume, reject));
    drain.next(resume, reject);
  });
}

/**
 * Counts writes issued and taken (their callbacks run in order), so a
 * strategy can wait for the last one without a promise per write: a promise
 * is made only when `lastWriteTaken()` is asked while writes are pending.
 */
export class TrackedWrites {
  #issued = 0;
  #taken = 0;
  #waiter: { target: number; resolve: () => void } | null = null;
  /** One callback shared by every write that has no `onTaken` of its own. */
  readonly #onTaken = (): void => {
    this.#taken += 1;
    if (this.#waiter && this.#taken >= this.#waiter.target) this.#waiter.resolve();
  };

  constructor(readonly socket: Socket) {}

  /**
   * socket.write(piece), counted. `onTaken` runs when TLS has taken this
   * piece (and, callbacks running in order, every earlier one), before the
   * write is counted as taken. Returns what socket.write() returns.
   */
  write(piece: Buffer, onTaken?: () => void): boolean {
    this.#issued += 1;
    const taken = this.#onTaken;
    return this.socket.write(piece, onTaken ? () => (onTaken(), taken()) : taken);
  }

  /** Resolves once every write issued so far has been taken. */
  lastWriteTaken(): Promise<void> {
    if (this.#taken >= this.#issued) return Promise.resolve();
    return new Promise((resolve) => (this.#waiter = { target: this.#issued, resolve }));
  }
}
