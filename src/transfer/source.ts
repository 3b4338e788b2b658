import { open, readFile } from 'node:fs/promises';
import { crc32c } from './crc32c.ts';
import { hex } from '../outcome.ts';
import { SourceGuard, type ExpectedFixture } from './source-guard.ts';
import type { SourceName } from './strategies.ts';

/** The fixture on disk is not the one the run expects: the sender serves nothing rather than other bytes. */
export class FixtureChangedError extends Error {}

/** Reads happen in blocks of at least this much, whatever the write size. */
const MIN_READ_BYTES = 1024 * 1024;
/** Read buffers kept for reuse by a file source: the read-ahead plus what TLS still holds. */
const POOL_BLOCKS = 4;

/** A block of the fixture; `release()` once nothing refers to its bytes any more. */
export interface SourceBlock {
  readonly bytes: Buffer;
  readonly release: () => void;
}

/**
 * Where the sender's bytes come from: blocks in file order. The sender slices
 * each block into write-sized pieces, so a block is a whole number of chunks.
 */
export interface FixtureSource {
  blocks(chunkBytes: number): AsyncIterable<SourceBlock>;
}

export function readBlockBytes(chunkBytes: number): number {
  return chunkBytes * Math.max(1, Math.ceil(MIN_READ_BYTES / chunkBytes));
}

const noop = (): void => undefined;

/**
 * Released read buffers of one block size, shared by every file source of the
 * process (a worker serves many transfers in turn, a Kvrocks master several
 * files at once), so a transfer starts with warm buffers. Per transfer, every
 * transfer allocated fresh 1 MiB blocks: glibc then keeps freed ones in its heap
 * once its mmap threshold has moved up, a one-off step of ~10 MiB of RSS that the
 * soak benchmark saw in the sender.
 */
class BlockPool {
  #blockBytes = 0;
  #free: Buffer[] = [];

  take(blockBytes: number): Buffer {
    if (blockBytes !== this.#blockBytes) {
      this.#blockBytes = blockBytes;
      this.#free = [];
    }
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(blockBytes);
  }

  /** Keeps `buf` for reuse; call once, when nothing refers to its bytes any more. */
  give(buf: Buffer): void {
    if (buf.length === this.#blockBytes && this.#free.length < POOL_BLOCKS) this.#free.push(buf);
  }
}

const blockPool = new BlockPool();

/**
 * Streams from disk with one block of read-ahead. Buffers are recycled once
 * released: a fresh 1 MiB buffer per read costs page faults that showed up as
 * ~10% of the sender's throughput. Memory stays at a few blocks.
 */
class FileSource implements FixtureSource {
  constructor(readonly path: string) {}

  async *blocks(chunkBytes: number): AsyncIterable<SourceBlock> {
    const blockBytes = readBlockBytes(chunkBytes);
    const handle = await open(this.path, 'r');
    let next: Promise<SourceBlock> | undefined;
    const readAt = async (pos: number): Promise<SourceBlock> => {
      const buf = blockPool.take(blockBytes);
      let got = 0;
      while (got < blockBytes) {
        const { bytesRead } = await handle.read(buf, got, blockBytes - got, pos + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      let released = false;
      const release = (): void => {
        if (!released) blockPool.give(buf);
        released = true;
      };
      return { bytes: got === blockBytes ? buf : buf.subarray(0, got), release };
    };
    try {
      let position = 0;
      next = readAt(position);
      for (;;) {
        const block = await next;
        if (block.bytes.length === 0) {
          block.release();
          return;
        }
        position += block.bytes.length;
        next = readAt(position);
        yield block;
      }
    } finally {
      // The consumer may stop early (a fault, an error): let the read-ahead
      // settle first; nobody got its block, so its buffer can go back.
      await next?.then(
        (b) => b.release(),
        () => undefined,
      );
      await handle.close();
    }
  }
}

/** The whole fixture pre-loaded: no disk on the timed path. */
class MemorySource implements FixtureSource {
  constructor(readonly image: Buffer) {}

  async *blocks(chunkBytes: number): AsyncIterable<SourceBlock> {
    const blockBytes = readBlockBytes(chunkBytes);
    for (let off = 0; off < this.image.length; off += blockBytes) {
      yield { bytes: this.image.subarray(off, Math.min(off + blockBytes, this.image.length)), release: noop };
    }
  }
}

/** Keeps one memory image (the last one asked for), so a worker never holds two big files. */
export class SourceCache {
  #image: { path: string; buf: Buffer; crc32c?: number } | null = null;
  readonly #guard = new SourceGuard();

  /**
   * The source of `f`, checked against what the receiver will expect; throws
   * FixtureChangedError when it differs. A file source is checked at each
   * transfer (see SourceGuard); a memory image when it is loaded, on the
   * bytes read (afterwards it is ours and cannot change).
   */
  async getChecked(kind: SourceName, f: ExpectedFixture): Promise<FixtureSource> {
    if (kind === 'file') {
      const why = await this.#guard.check(f);
      if (why !== null) throw new FixtureChangedError(why);
      return this.get(kind, f.path);
    }
    if (this.#image?.path === f.path && this.#image.crc32c === f.crc32c) return new MemorySource(this.#image.buf);
    this.#image = null;
    const buf = await readFile(f.path).catch((err: NodeJS.ErrnoException) => {
      throw new FixtureChangedError(
        `fixture ${f.path} cannot be read (${err.code ?? err.message}): it was removed or replaced during the run`,
      );
    });
    const crc = crc32c(buf);
    if (buf.length !== f.sizeBytes || crc !== f.crc32c) {
      throw new FixtureChangedError(
        `fixture ${f.path} read into memory is ${buf.length} bytes with CRC32C ${hex(crc)}, expected ` +
          `${f.sizeBytes} bytes with ${hex(f.crc32c)}: it changed during the run`,
      );
    }
    this.#image = { path: f.path, buf, crc32c: crc };
    return new MemorySource(buf);
  }

  /**
   * After a file transfer: null if the file is still the version checked at its start, else why not (it changed while
   * being sent).
   */
  async changedSince(f: ExpectedFixture): Promise<string | null> {
    return (await this.#guard.unchanged(f.path)) ? null : `fixture ${f.path} changed while it was being sent`;
  }

  async get(kind: SourceName, path: string): Promise<FixtureSource> {
    if (kind === 'file') {
      this.#image = null;
      return new FileSource(path);
    }
    if (this.#image?.path !== path) {
      this.#image = null;
      this.#image = { path, buf: await readFile(path) };
    }
    return new MemorySource(this.#image.buf);
  }
}
