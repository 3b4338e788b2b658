import { open, readFile } from 'node:fs/promises';
import type { SourceName } from './strategies.ts';

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
      await next?.then((b) => b.release(), () => undefined);
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
  #image: { path: string; buf: Buffer } | null = null;

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
