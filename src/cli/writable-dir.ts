import { access, constants, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { usageError } from '../errors.ts';

/** Fails now, before any work, if results could not be written under `dir`. */
export async function assertWritableDir(dir: string, flag: string): Promise<void> {
  let probe = dir;
  for (;;) {
    const st = await stat(probe).catch(() => null);
    if (st) {
      if (!st.isDirectory()) throw usageError(`${flag} "${dir}" is not usable: ${probe} is not a folder`);
      try {
        await access(probe, constants.W_OK);
      } catch {
        throw usageError(`${flag} "${dir}" is not writable: expected a folder this user can write to`);
      }
      return;
    }
    const parent = dirname(probe);
    if (parent === probe) throw usageError(`${flag} "${dir}" is not usable: no existing parent folder`);
    probe = parent;
  }
}
