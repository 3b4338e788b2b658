import { isIP } from 'node:net';
import { usageError } from '../errors.ts';
import { splitList } from './units.ts';

/**
 * Parsers of flag and config values, shared by every command's option table:
 * each throws a usage error naming the flag, the value and what is accepted.
 */

export function oneOf<T extends string>(choices: readonly T[]) {
  return (text: string, flag: string): T => {
    if ((choices as readonly string[]).includes(text)) return text as T;
    throw usageError(`${flag} "${text}" is not accepted: expected one of ${choices.join(', ')}`);
  };
}

export function listOf<T extends string>(choices: readonly T[]) {
  const one = oneOf(choices);
  return (text: string, flag: string): T[] => [...new Set(splitList(text, flag).map((s) => one(s, flag)))];
}

export function integer(min: number, max: number) {
  return (text: string, flag: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw usageError(`${flag} "${text}" is not accepted: expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

export function bool(text: string, flag: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw usageError(`${flag} "${text}" is not accepted: expected true or false`);
}

export function folderPath(text: string, flag: string): string {
  if (text.trim() === '') throw usageError(`${flag} "" is not accepted: expected a folder path`);
  return text;
}

/** An address to bind and connect to: an IPv4 or IPv6 literal (node:net isIP) or `localhost`; no DNS names. */
export function hostAddress(text: string, flag: string): string {
  if (text === 'localhost' || isIP(text) !== 0) return text;
  throw usageError(
    `${flag} "${text}" is not accepted: expected an IPv4 or IPv6 address (e.g. 127.0.0.1, ::1) or localhost`,
  );
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** HOST:PORT, an IPv6 host in brackets ([::1]:7000); `allowZero`: port 0 (any free port). */
export function hostPort(allowZero: boolean) {
  return (text: string, flag: string): HostPort => {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
    const port = Number(m?.[3]);
    if (!m || port > 65535 || (port === 0 && !allowZero)) {
      throw usageError(
        `${flag} "${text}" is not accepted: expected HOST:PORT with PORT ${allowZero ? '0' : '1'} to 65535, ` +
          `e.g. 10.77.0.2:7000 or [::1]:7000`,
      );
    }
    return { host: m[1] ?? m[2]!, port };
  };
}

/** A path to a file that is checked later (when the run starts). */
export function filePath(text: string, flag: string): string {
  if (text.trim() === '') throw usageError(`${flag} "" is not accepted: expected a file path`);
  return text;
}

/** `5%` or a fraction such as 0.05; NaN when the text is neither. */
function fraction(text: string): number {
  const m = /^(\d+(?:\.\d*)?|\.\d+)(%?)$/.exec(text.trim());
  return m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
}

/** A share given as `5%` or `0.05`, checked by `ok`; `accepted` is what the error says is expected. */
export function parseFraction(text: string, flag: string, accepted: string, ok: (v: number) => boolean): number {
  const value = fraction(text);
  if (!ok(value)) throw usageError(`${flag} "${text}" is not accepted: expected ${accepted}`);
  return value;
}

/** A significance level such as 0.05 (or 5%), above 0 and below 1. */
export function parseAlpha(text: string, flag: string): number {
  const value = fraction(text);
  if (!(value > 0 && value < 1))
    throw usageError(
      `${flag} "${text}" is not accepted: expected a significance level above 0 and below 1, such as 0.05 or 0.01`,
    );
  return value;
}
