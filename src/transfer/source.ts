import { open, readFile } from 'node:fs/promises';
import type { SourceName } from './strategies.ts';

/** Reads happen in blocks of at least this much, whatever the write size. */
const MIN_READ_BYTES = 1024 * 1024;

/**
 * Where the sender's bytes come from: blocks in file order. The sender slices
 * each block into write-sized pieces, so a block is a whole number of chunks.
 */
export interface FixtureSource {
  blocks(chunkBytes: number): AsyncIterable<Buffer>;
}

export function readBlockBytes(chunkBytes: number): number {
  return chunkBytes * Math.max(1, Math.ceil(MIN_READ_BYTES / chunkBytes));
}

/** Streams from disk with one block of read-ahead: memory stays at two blocks. */
class FileSource implements FixtureSource {
  constructor(readonly path: string) {}

  async *blocks(chunkBytes: number): AsyncIterable<Buffer> {
    const handle = await open(this.path, 'r');
    let next: Promise<Buffer> | undefined;
    try {
      const blockBytes = readBlockBytes(chunkBytes);
      let position = 0;
      // Fresh buffers each time: a written buffer stays referenced by the TLS
      // socket until it is encrypted, so it must not be refilled.
      const readAt = async (pos: number): Promise<Buffer> => {
        const buf = Buffer.allocUnsafeSlow(blockBytes);
        let got = 0;
        while (got < blockBytes) {
          const { bytesRead } = await handle.read(buf, got, blockBytes - got, pos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return got === blockBytes ? buf : buf.subarray(0, got);
      };
      next = readAt(position);
      for (;;) {
        const block = await next;
        if (block.length === 0) return;
        position += block.length;
        next = readAt(position);
        yield block;
      }
    } finally {
      // The consumer may stop early (a fault, an error): let the read-ahead settle first.
      await next?.catch(() => undefined);
      await handle.close();
    }
  }
}

/** The whole fixture pre-loaded: no disk on the timed path. */
class MemorySource implements FixtureSource {
  constructor(readonly image: Buffer) {}

  async *blocks(chunkBytes: number): AsyncIterable<Buffer> {
    const blockBytes = readBlockBytes(chunkBytes);
    for (let off = 0; off < this.image.length; off += blockBytes) {
      yield this.image.subarray(off, Math.min(off + blockBytes, this.image.length));
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
