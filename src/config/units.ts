import { usageError } from '../errors.ts';

/** Decimal (10^n) and binary (2^n) units; B is bytes. Case matters: `mb` is not a unit. */
const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
};
const UNIT_NAMES = Object.keys(UNITS).join(' ');
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/;

export interface ByteBounds {
  readonly min: number;
  readonly max: number;
}

/**
 * Parses `64MB`, `1.5GB`, `16KiB` or a bare byte count into whole bytes.
 * `what` names the flag in the error, so the user learns which value was wrong.
 */
export function parseBytes(text: string, what: string, bounds: ByteBounds): number {
  const trimmed = text.trim();
  const match = SIZE_RE.exec(trimmed);
  const accepted =
    `a number with a unit (${UNIT_NAMES}) between ${formatBytes(bounds.min)} and ${formatBytes(bounds.max)}, ` +
    `e.g. 64MB or 16KiB`;
  if (!match) throw usageError(`${what} "${text}" is not a size: expected ${accepted}`);
  const [, num = '', unitText = ''] = match;
  const unit = unitText === '' ? 'B' : unitText;
  const factor = UNITS[unit];
  if (factor === undefined) throw usageError(`${what} "${text}" has unknown unit "${unit}": expected ${accepted}`);
  const bytes = Number(num) * factor;
  if (!Number.isSafeInteger(bytes))
    throw usageError(`${what} "${text}" is not a whole number of bytes: expected ${accepted}`);
  if (bytes < bounds.min || bytes > bounds.max)
    throw usageError(`${what} "${text}" is out of range: expected ${accepted}`);
  return bytes;
}

/** Comma-separated list of sizes, duplicates removed, order kept. */
export function parseBytesList(text: string, what: string, bounds: ByteBounds): number[] {
  const items = splitList(text, what);
  return [...new Set(items.map((item) => parseBytes(item, what, bounds)))];
}

export function splitList(text: string, what: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === '')) {
    throw usageError(`${what} "${text}" has an empty item: expected a comma-separated list`);
  }
  return items;
}

/**
 * The shortest exact name of a byte count: 64000000 -> 64MB, 16384 -> 16KiB,
 * 1000 -> 1KB, 1500 -> 1500B. Used in scenario ids, so it must be stable.
 */
export function formatBytes(bytes: number): string {
  let best = `${bytes}B`;
  let bestNum = bytes;
  for (const [unit, factor] of Object.entries(UNITS)) {
    if (factor === 1 || bytes % factor !== 0) continue;
    const n = bytes / factor;
    if (n < bestNum) {
      bestNum = n;
      best = `${n}${unit}`;
    }
  }
  return best;
}

/** Human-readable, rounded (for tables, never for ids): 67108864 -> "67.1 MB". */
export function humanBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} B`;
}

/** Milliseconds from `30s`, `500ms`, `2m` or a bare number of seconds. */
export function parseDurationMs(text: string, what: string, bounds: { min: number; max: number }): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const accepted = `a duration such as 500ms, 30s or 2m, between ${bounds.min} ms and ${bounds.max} ms`;
  if (!m) throw usageError(`${what} "${text}" is not a duration: expected ${accepted}`);
  const factor = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000;
  const ms = Number(m[1]) * factor;
  if (ms < bounds.min || ms > bounds.max) throw usageError(`${what} "${text}" is out of range: expected ${accepted}`);
  return Math.round(ms);
}
