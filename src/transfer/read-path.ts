import { formatBytes, parseBytes, splitList, type ByteBounds } from '../config/units.ts';
import { usageError } from '../errors.ts';

/**
 * How the receiver takes bytes off its socket (the read-path axis):
 * - `data`: `'data'` events, a new Buffer per read: what most code does;
 * - `onread:SIZE`: `onread` given to `connect`, reads land in memory the
 *   receiver hands out (here: straight into the checker's ring), at most SIZE
 *   bytes a read. Node's own TLS benchmarks read this way.
 * The value is canonical (`onread:64KiB`, never `onread:65536`), so it can
 * stand as is in scenario ids, CSV rows and groupings.
 */
export type ReadPath = 'data' | `onread:${string}`;

export const READ_PATH_KINDS = ['data', 'onread'] as const;
export type ReadPathKind = (typeof READ_PATH_KINDS)[number];

export const DEFAULT_READ_PATH: ReadPath = 'data';
/** onread's buffer when no size is given: Node's own default read size. */
export const DEFAULT_ONREAD_BYTES = 64 * 1024;
/** Less than a TLS record per read only adds calls; more than 1 MiB never fills (a TLS read is one record, 16 KiB). */
export const ONREAD_BOUNDS: ByteBounds = { min: 16 * 1024, max: 2 ** 20 };

const ACCEPTED =
  `data, onread or onread:SIZE with SIZE ${formatBytes(ONREAD_BOUNDS.min)} to ${formatBytes(ONREAD_BOUNDS.max)} ` +
  `(e.g. onread:64KiB)`;

export function parseReadPath(text: string, flag: string): ReadPath {
  const t = text.trim();
  if (t === 'data') return 'data';
  if (t === 'onread') return `onread:${formatBytes(DEFAULT_ONREAD_BYTES)}`;
  const m = /^onread:(.+)$/.exec(t);
  if (!m) throw usageError(`${flag} "${text}" is not accepted: expected ${ACCEPTED}`);
  const bytes = (() => {
    try {
      return parseBytes(m[1]!, flag, ONREAD_BOUNDS);
    } catch {
      throw usageError(`${flag} "${text}" is not accepted: expected ${ACCEPTED}`);
    }
  })();
  return `onread:${formatBytes(bytes)}`;
}

export function parseReadPaths(text: string, flag: string): ReadPath[] {
  return [...new Set(splitList(text, flag).map((item) => parseReadPath(item, flag)))];
}

export function readPathKind(path: ReadPath): ReadPathKind {
  return path === 'data' ? 'data' : 'onread';
}

/** The onread buffer size of a read path (null for `data`). */
export function onreadBytes(path: ReadPath): number | null {
  if (path === 'data') return null;
  return parseBytes(path.slice('onread:'.length), 'read path', ONREAD_BOUNDS);
}
