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
  throw usageError(`${flag} "${text}" is not accepted: expected an IPv4 or IPv6 address (e.g. 127.0.0.1, ::1) or localhost`);
}
