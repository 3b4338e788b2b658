import { stat } from 'node:fs/promises';
import { fileCrc32c } from '../fixtures/cache.ts';
import { hex } from '../outcome.ts';

/** What the sender must serve: the fixture as the manifest records it. */
export interface ExpectedFixture {
  readonly path: string;
  readonly sizeBytes: number;
  readonly crc32c: number;
}

/**
 * Checks, when a transfer starts, that the fixture file still holds the bytes
 * the receiver will be told to expect: a file removed (`fixtures clean`),
 * truncated or changed in place under a run is the run's input failing, not
 * TLS. The size is checked every time; the CRC32C once per version of the
 * file (device, inode, size, mtime, ctime), so an unchanged file costs one
 * stat. Any write, truncate or utimes moves ctime, which no caller can set.
 */
export class SourceGuard {
  /** Path -> the version last found to match. */
  readonly #good = new Map<string, string>();

  /** null when the file matches; else one line saying how it differs. */
  async check(f: ExpectedFixture): Promise<string | null> {
    const st = await stat(f.path).catch((err: NodeJS.ErrnoException) => err);
    if (st instanceof Error)
      return `fixture ${f.path} cannot be read (${st.code ?? st.message}): it was removed or replaced during the run`;
    if (st.size !== f.sizeBytes)
      return (
        `fixture ${f.path} is ${st.size} bytes, expected ${f.sizeBytes}: it was truncated or rewritten during ` +
        `the run`
      );
    const version = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    if (this.#good.get(f.path) === version) return null;
    const crc = await fileCrc32c(f.path).catch(() => null);
    if (crc !== f.crc32c) {
      this.#good.delete(f.path);
      return (
        `fixture ${f.path} has CRC32C ${crc === null ? 'unreadable' : hex(crc)}, expected ${hex(f.crc32c)}: it ` +
        `changed during the run`
      );
    }
    this.#good.set(f.path, version);
    return null;
  }

  /** Whether the file is still the version last found good (a change while a transfer read it). */
  async unchanged(path: string): Promise<boolean> {
    const st = await stat(path).catch(() => null);
    return st !== null && this.#good.get(path) === `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  }
}
