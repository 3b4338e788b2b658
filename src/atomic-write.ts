import { rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes a file so that a reader sees the old content or the new, never half:
 * a temp file beside it, then rename (atomic on one filesystem).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
