import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** The project's root folder (where package.json is), wherever the CLI is run from. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_FIXTURES_DIR = join(PROJECT_ROOT, 'fixtures');
export const DEFAULT_RESULTS_DIR = join(PROJECT_ROOT, 'results');

/** Where run folders go: the project's results/ by default; a given --out is relative to the current directory, like any path a user types. */
export function outRootOf(out: string | null): string {
  return out === null ? DEFAULT_RESULTS_DIR : resolve(out);
}
