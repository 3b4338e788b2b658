import type { Checker } from './checker.ts';
import type { CheckResult } from './checker-ring.ts';
import { onreadBytes, type ReadPath } from './read-path.ts';

/** What the reader needs of a socket: a TLS socket or a plain node:net one. */
export interface ReadableSocket {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The `onread` option of tls.connect and net.connect. */
export interface OnreadOption {
  readonly onread: { readonly buffer: () => Uint8Array; readonly callback: (bytesRead: number, buf: Uint8Array) => boolean };
}

export interface ReaderHooks {
  /**
   * Bytes before the payload (a framed stream's size line): gets each read
   * until it returns the payload bytes that followed, or null while it wants
   * more. Absent: every byte is payload.
   */
  readonly prefix?: (chunk: Buffer) => Buffer | null;
  /** After each read is handed over: the payload bytes so far. */
  readonly onPayload: (bytes: number) => void;
}

/** A stream's verdict: the reader's count and the checker's count, CRC32C and time. */
export interface ReadResult extends CheckResult {
  /** Payload bytes the read loop took (the checker's `bytes` must equal it). */
  readonly bytesRead: number;
  /** How often reading waited for the checker (the ring was full). */
  readonly pauses: number;
}

/** onread never reads less than this into the ring (a smaller free part waits: one record is 16 KiB). */
const MIN_DIRECT_READ = 16 * 1024;

/**
 * The receiver's read loop, over any socket (TLS or plain TCP), by the
 * scenario's read path. It only counts and hands bytes to the checker thread
 * (src/transfer/checker-ring.ts); the CRC32C of every byte is computed there.
 * `data`: each chunk is copied into the ring. `onread`: the socket reads
 * straight into the ring (no copy at all) while there is room.
 * When the ring is full, reading pauses until the checker has made room.
 *
 * Create it before connecting: `connectOptions()` goes into connect()
 * (onread can only be set there), then `attach(socket)`.
 */
export class VerifiedReader {
  readonly #checker: Checker;
  readonly #readPath: ReadPath;
  readonly #hooks: ReaderHooks;
  #socket: ReadableSocket | null = null;
  #inPrefix: boolean;
  #bytes = 0;
  #pauses = 0;
  #scratch: Buffer | null = null;

  constructor(checker: Checker, readPath: ReadPath, hooks: ReaderHooks) {
    this.#checker = checker;
    this.#readPath = readPath;
    this.#hooks = hooks;
    this.#inPrefix = hooks.prefix !== undefined;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** What connect() needs for this read path ({} for `data`). */
  connectOptions(): OnreadOption | Record<string, never> {
    const size = onreadBytes(this.#readPath);
    if (size === null) return {};
    const writer = this.#checker.writer;
    const min = Math.min(MIN_DIRECT_READ, size);
    // Node asks for the next buffer before each read; the ring's free part when there is one.
    const scratch = (this.#scratch = Buffer.allocUnsafe(size));
    return {
      onread: {
        buffer: () => (this.#inPrefix ? null : writer.reserve(min, size)) ?? scratch,
        callback: (n, buf) => {
          if (buf.buffer === scratch.buffer) return this.#take(scratch.subarray(0, n));
          writer.commit(n);
          this.#bytes += n;
          this.#hooks.onPayload(this.#bytes);
          return true;
        },
      },
    };
  }

  attach(socket: ReadableSocket): void {
    this.#socket = socket;
    if (this.#scratch === null) {
      socket.on('data', (chunk) => {
        if (!this.#take(chunk)) socket.pause();
      });
    }
  }

  /** The count is met (framed): have the checker check the tail now rather than wait for more. */
  flush(): void {
    this.#checker.writer.flush();
  }

  /** After the socket's end or close: waits until every byte read is checked. */
  async finish(): Promise<ReadResult> {
    const fin = await this.#checker.writer.finish();
    const checked = await this.#checker.result(fin);
    return { ...checked, bytesRead: this.#bytes, pauses: this.#pauses };
  }

  /** A read that is not in the ring yet: false when reading must pause. */
  #take(chunk: Buffer): boolean {
    if (this.#inPrefix) {
      const rest = this.#hooks.prefix!(chunk);
      if (rest === null) return true;
      this.#inPrefix = false;
      chunk = rest;
      if (chunk.length === 0) return true;
    }
    this.#bytes += chunk.length;
    const handed = this.#checker.writer.push(chunk);
    this.#hooks.onPayload(this.#bytes);
    if (handed) return true;
    this.#pauses++;
    this.#checker.writer.onRoom(() => this.#socket?.resume());
    return false;
  }
}
