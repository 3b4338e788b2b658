import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** Set by esbuild's `define` in the worker bundles (which live under node_modules/.cache, not src/). */
declare const TLS_SST_BENCH_ROOT: string | undefined;

/** The project's root folder (where package.json is), wherever the CLI is run from, in src/ and in a bundle alike. */
export const PROJECT_ROOT =
  typeof TLS_SST_BENCH_ROOT === 'string' ? TLS_SST_BENCH_ROOT : fileURLToPath(new URL('..', import.meta.url));

/** esbuild's `define` for a bundle of src/ code: PROJECT_ROOT stays the project's root. */
export function bundleDefine(): Record<string, string> {
  return { TLS_SST_BENCH_ROOT: JSON.stringify(PROJECT_ROOT) };
}
export const DEFAULT_FIXTURES_DIR = join(PROJECT_ROOT, 'fixtures');
export const DEFAULT_RESULTS_DIR = join(PROJECT_ROOT, 'results');
/** What the suite builds for itself: worker bundles, compiled peers, the CRC32C addon. */
export const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'tls-sst-bench');

/**
 * Where run folders go: the project's results/ by default; a given --out is relative to the current directory, like any
 * path a user types.
 */
export function outRootOf(out: string | null): string {
  return out === null ? DEFAULT_RESULTS_DIR : resolve(out);
}
