import { constants as osConstants } from 'node:os';
import { usageError } from '../errors.ts';
import type { StreamError } from '../outcome.ts';
import { NativeProgram } from './native-build.ts';

/** peers/openssl-native.c: the native OpenSSL sender and receiver (one program, `send` and `recv`). */
export const OPENSSL_NATIVE = new NativeProgram({
  name: 'openssl-native',
  libs: ['-lssl', '-lcrypto'],
  pkgConfig: 'openssl',
  header: '/usr/include/openssl/ssl.h',
  devPackage: 'libssl-dev',
  devFiles: 'the OpenSSL development files',
});

let toolchainChecked = false;

/**
 * Throws a usage error (exit 2) naming the package to install when a peer flag needs the program and it cannot be built
 * here.
 */
export function checkOpensslNativeToolchain(flag: string): void {
  if (toolchainChecked) return;
  const missing = OPENSSL_NATIVE.missingToolchain();
  if (missing !== null) throw usageError(`${flag} "openssl-native" needs ${missing}`);
  toolchainChecked = true;
}

/** The native side's error: OpenSSL's hex code as is, ERRNO_<n> by its name (104 -> ECONNRESET). */
interface NativeError {
  readonly code: string;
  readonly message: string;
  readonly phase: 'handshake' | 'transfer';
}

/** The report line of `openssl-native send`. */
export interface NativeSendLine {
  readonly bytesWritten: number;
  readonly firstByteAtMs: number | null;
  readonly protocol: string | null;
  readonly suite: string | null;
  readonly error: NativeError | null;
}

/** The report line of `openssl-native recv`. */
export interface NativeRecvLine {
  readonly bytesReceived: number;
  readonly crc32c: number;
  readonly handshakeMs: number | null;
  readonly firstByteAtMs: number | null;
  readonly lastByteAtMs: number | null;
  readonly closeNotify: boolean;
  readonly protocol: string | null;
  readonly suite: string | null;
  readonly error: NativeError | null;
}

/** The JSON report line a peer program printed at exit, or null when it printed none (it crashed or was killed). */
export function parseReportLine<T>(stdout: string): T | null {
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) return null;
  try {
    return JSON.parse(line) as T;
  } catch {
    return null;
  }
}

/** A system call error number by its name (104 -> ECONNRESET), as Node's errors name them. */
export function errnoName(n: number): string {
  return Object.entries(osConstants.errno).find(([, v]) => v === n)?.[0] ?? `errno ${n}`;
}

/** The program's error in this suite's terms: ERRNO_104 becomes ECONNRESET, so outcomes classify alike. */
export function nativeError(e: NativeError | null): StreamError | null {
  if (e === null) return null;
  const errno = /^ERRNO_(\d+)$/.exec(e.code);
  return { code: errno ? errnoName(Number(errno[1])) : e.code, message: e.message, phase: e.phase };
}
