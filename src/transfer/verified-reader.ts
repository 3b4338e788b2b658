import { processChecker, type Checker } from './checker.ts';
import type { CheckResult } from './checker-ring.ts';
import { CRC32C, crc32c } from './crc32c.ts';
import { onreadBytes, type ReadPath } from './read-path.ts';

/** What the reader needs of a socket: a TLS socket or a plain node:net one. */
export interface ReadableSocket {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The `onread` option of tls.connect and net.connect. */
export interface OnreadOption {
  readonly onread: {
    readonly buffer: Uint8Array | (() => Uint8Array);
    readonly callback: (bytesRead: number, buf: Uint8Array) => boolean;
  };
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
 * Where the bytes a read loop takes are checked. Both compute the CRC32C of
 * every byte and give the same result; they differ in what the read loop pays.
 */
export interface Verifier {
  /** Whether `reserve` can ever give memory (false: onread reads into one reused buffer, checked in place). */
  readonly reserves: boolean;
  /** onread: a free part to read into directly (no copy), or null (read into the reused buffer and push it). */
  reserve(min: number, max: number): Buffer | null;
  /** `n` bytes were read into what `reserve` gave. */
  commit(n: number): void;
  /** A read already in memory. false: some of it waits for room; pause reading until `onRoom`. */
  push(chunk: Uint8Array): boolean;
  onRoom(cb: () => void): void;
  /** The count is met: check what is pending now. */
  flush(): void;
  /** The stream ended: its count and CRC32C once every byte is checked. */
  finish(): Promise<CheckResult>;
}

/**
 * CRC32C on the read loop itself, over each read while it is still in the
 * cache: with the native kernel (~50 GB/s) that costs the loop less than
 * copying the bytes anywhere else would (a copy runs at memcpy speed and the
 * other thread then reads them again, on a machine with no spare core).
 */
export class InlineVerifier implements Verifier {
  readonly reserves = false;
  #crc = 0;
  #bytes = 0;
  #fin = 0;

  reserve(): null {
    return null;
  }

  commit(): void {
    throw new Error('InlineVerifier.commit: nothing was reserved');
  }

  push(chunk: Uint8Array): boolean {
    this.#crc = crc32c(chunk, this.#crc);
    this.#bytes += chunk.length;
    return true;
  }

  onRoom(): void {}

  flush(): void {}

  finish(): Promise<CheckResult> {
    // Each byte was checked as it was read: no check ends after the stream's own last read.
    const result: CheckResult = { fin: ++this.#fin, bytes: this.#bytes, crc32c: this.#crc, checkedAtMs: null };
    this.#crc = 0;
    this.#bytes = 0;
    return Promise.resolve(result);
  }
}

/** The checker thread fed through the shared ring (checker-ring.ts): the read loop only hands bytes over. */
export class ThreadVerifier implements Verifier {
  readonly reserves = true;
  readonly #checker: Checker;

  constructor(checker: Checker) {
    this.#checker = checker;
  }

  reserve(min: number, max: number): Buffer | null {
    return this.#checker.writer.reserve(min, max);
  }

  commit(n: number): void {
    this.#checker.writer.commit(n);
  }

  push(chunk: Uint8Array): boolean {
    return this.#checker.writer.push(chunk);
  }

  onRoom(cb: () => void): void {
    this.#checker.writer.onRoom(cb);
  }

  flush(): void {
    this.#checker.writer.flush();
  }

  async finish(): Promise<CheckResult> {
    return this.#checker.result(await this.#checker.writer.finish());
  }
}

export type VerifierName = 'inline' | 'thread';

/** Test and benchmark knob: forces one verifier (default: by the CRC32C this process has). */
export const VERIFIER_ENV = 'TLS_SST_BENCH_VERIFIER';

export const VERIFIERS: Readonly<Record<VerifierName, () => Verifier>> = {
  inline: () => new InlineVerifier(),
  thread: () => new ThreadVerifier(processChecker()),
};

/**
 * Inline when this process has the native CRC32C (it is cheaper than any
 * hand-over, measured: README "Reading and verifying every byte"); the
 * checker thread when only the portable one is here (~6 GB/s: inline it
 * would cost the loop ~25%).
 */
export function defaultVerifier(): VerifierName {
  const forced = process.env[VERIFIER_ENV];
  if (forced === 'inline' || forced === 'thread') return forced;
  return CRC32C.native ? 'inline' : 'thread';
}

/**
 * The receiver's read loop, over any socket (TLS or plain TCP), by the
 * scenario's read path. It counts every byte and gives each read to its
 * verifier: `data` pushes each chunk; `onread` reads into what the verifier
 * reserves (the ring of the thread verifier: no copy at all) while there is
 * room, else into one reused buffer that it then pushes. When the verifier
 * has no room (the ring is full), reading pauses until it has.
 *
 * Create it before connecting: `connectOptions()` goes into connect()
 * (onread can only be set there), then `attach(socket)`.
 */
export class VerifiedReader {
  readonly #verifier: Verifier;
  readonly #readPath: ReadPath;
  readonly #hooks: ReaderHooks;
  #socket: ReadableSocket | null = null;
  #inPrefix: boolean;
  #bytes = 0;
  #pauses = 0;
  #scratch: Buffer | null = null;

  constructor(verifier: Verifier, readPath: ReadPath, hooks: ReaderHooks) {
    this.#verifier = verifier;
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
    const verifier = this.#verifier;
    const min = Math.min(MIN_DIRECT_READ, size);
    const scratch = (this.#scratch = Buffer.allocUnsafe(size));
    // One buffer for every read, checked in place: no call per read to choose the next buffer.
    if (!verifier.reserves) return { onread: { buffer: scratch, callback: (n) => this.#take(scratch.subarray(0, n)) } };
    // Node asks for the next buffer after each read; the ring's free part when there is one.
    return {
      onread: {
        buffer: () => (this.#inPrefix ? null : verifier.reserve(min, size)) ?? scratch,
        callback: (n, buf) => {
          if (buf.buffer === scratch.buffer) return this.#take(scratch.subarray(0, n));
          verifier.commit(n);
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
    this.#verifier.flush();
  }

  /** After the socket's end or close: waits until every byte read is checked. */
  async finish(): Promise<ReadResult> {
    const checked = await this.#verifier.finish();
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
    const handed = this.#verifier.push(chunk);
    this.#hooks.onPayload(this.#bytes);
    if (handed) return true;
    this.#pauses++;
    this.#verifier.onRoom(() => this.#socket?.resume());
    return false;
  }
}
