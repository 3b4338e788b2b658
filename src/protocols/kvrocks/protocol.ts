/**
 * The Kvrocks full-sync wire protocol (BACKGROUND.md): pure encoding and
 * parsing, shared by the master and the replica.
 */
import { sizeLine } from '../../transfer/receiver-modes.ts';

export const FETCH_META = '_fetch_meta';
export const FETCH_FILE = '_fetch_file';
/** The master reads 16 KiB from the file and writes it: no write is larger. */
export const MAX_WRITE_BYTES = 16 * 1024;
/** The replica reads at most this much per read (Kvrocks: SSL_read into a 4 KiB buffer). */
export const READ_BYTES = 4096;
/** A command line longer than this is refused; a checkpoint of thousands of files still fits. */
export const MAX_COMMAND_BYTES = 1024 * 1024;
/** A size line is digits and CRLF; more than this without LF is not one. */
export const MAX_SIZE_LINE_BYTES = 24;
/** The file list line of `_fetch_meta` can be long; an error line is short. */
export const MAX_META_LINE_BYTES = 1024 * 1024;

export type KvrocksCommand =
  | { readonly kind: 'fetch-meta' }
  | { readonly kind: 'fetch-file'; readonly names: readonly string[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/** One inline command line, without its line end. Command names are case-insensitive, as in Redis. */
export function parseCommand(line: string): KvrocksCommand {
  const words = line.trim().split(/ +/);
  const name = (words[0] ?? '').toLowerCase();
  if (name === FETCH_META) {
    return words.length === 1 ? { kind: 'fetch-meta' } : { kind: 'invalid', reason: `${FETCH_META} takes no argument` };
  }
  if (name === FETCH_FILE) {
    const list = words[1];
    if (words.length !== 2 || list === undefined)
      return { kind: 'invalid', reason: `${FETCH_FILE} takes one argument: a comma-separated file list` };
    const names = list.split(',');
    if (names.some((n) => n === '')) return { kind: 'invalid', reason: `${FETCH_FILE} file list has an empty name` };
    return { kind: 'fetch-file', names };
  }
  return { kind: 'invalid', reason: `unknown command '${printable(words[0] ?? '')}'` };
}

export function commandLine(cmd: Exclude<KvrocksCommand, { kind: 'invalid' }>): Buffer {
  return Buffer.from(
    cmd.kind === 'fetch-meta' ? `${FETCH_META}\r\n` : `${FETCH_FILE} ${cmd.names.join(',')}\r\n`,
    'latin1',
  );
}

export function metaLine(names: readonly string[]): Buffer {
  return Buffer.from(`${names.join(',')}\r\n`, 'latin1');
}

/** `-ERR <message>\r\n`; the message is kept to one printable line. */
export function errorLine(message: string): Buffer {
  return Buffer.from(`-ERR ${printable(message)}\r\n`, 'latin1');
}

export { sizeLine };

/** A size line's value (without its line end), or null if it is not a decimal byte count. */
export function parseSizeLine(line: string): number | null {
  if (!/^\d{1,16}$/.test(line)) return null;
  const n = Number(line);
  return Number.isSafeInteger(n) ? n : null;
}

/** A line read up to LF, with a trailing CR removed. */
export function lineText(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/**
 * Which files go over which connection: file i over connection i mod n.
 * Connections that would get no file are not opened.
 */
export function assignFiles<T>(files: readonly T[], streams: number): T[][] {
  const groups: T[][] = Array.from({ length: Math.min(streams, files.length) }, () => []);
  files.forEach((f, i) => groups[i % groups.length]?.push(f));
  return groups;
}

function printable(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\xff]/g, '?').slice(0, 200);
}
