import type { ChildProcessByStdio } from 'node:child_process';
import { spawnTied } from './tied-spawn.ts';
import { readFile, rm } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { crc32c } from '../transfer/crc32c.ts';
import type { Observed, StreamError } from '../outcome.ts';
import { SERVER_NAME } from '../tls/certs.ts';
import { gnutlsPriority } from '../tls/gnutls-priority.ts';
import { nowMs, type ReceiveRequest, type ReceiverReport } from '../transfer/messages.ts';
import type { ReceiverPeerName } from '../transfer/strategies.ts';
import type { Readable, Writable } from 'node:stream';
import type { Worker } from './worker-interface.ts';
import { errnoName, nativeError, OPENSSL_NATIVE, parseReportLine, type NativeRecvLine } from './openssl-native.ts';

/** What a process said, or how it failed to say it. */
export type Heard<T> =
  | { readonly kind: 'report'; readonly report: T }
  | { readonly kind: 'exited'; readonly role: 'sender' | 'receiver'; readonly detail: string }
  | { readonly kind: 'stalled'; readonly ms: number };

/** A report, a failure, or the watchdog: whichever comes first. */
export function heardFrom<T>(p: Promise<T>, role: 'sender' | 'receiver', stall: Promise<number>): Promise<Heard<T>> {
  return Promise.race([
    p.then(
      (report): Heard<T> => ({ kind: 'report', report }),
      (err: unknown): Heard<T> => ({ kind: 'exited', role, detail: err instanceof Error ? err.message : String(err) }),
    ),
    stall.then((ms): Heard<T> => ({ kind: 'stalled', ms })),
  ]);
}

export interface ReceiveContext {
  readonly request: Omit<ReceiveRequest, 'type'>;
  readonly worker: Worker;
  readonly tempDir: string;
  /** Resolves with the idle time when the watchdog fires. */
  readonly stall: Promise<number>;
  /** Feeds the watchdog and the progress bar. */
  readonly progress: (bytes: number) => void;
}

/**
 * Who receives: the suite's own Node worker, or another TLS stack's client,
 * so the same sender behaviour can be seen through other eyes. One entry per peer.
 */
export interface ReceiverPeer {
  readonly description: string;
  readonly receive: (ctx: ReceiveContext) => Promise<Heard<ReceiverReport>>;
}

const nodeReceiver: ReceiverPeer = {
  description: 'the suite receiver worker (node:tls): count, CRC32C, close_notify by trace',
  receive: ({ request, worker, stall, progress }) => {
    const off = worker.on((m) => {
      if (m.type === 'progress' && m.id === request.id) progress(m.bytes);
    });
    const report = worker.next((m): m is ReceiverReport => m.type === 'received' && m.id === request.id, 2 ** 31 - 1);
    worker.post({ type: 'receive', ...request });
    return heardFrom(report, 'receiver', stall).finally(off);
  },
};

/** OpenSSL's `-msg` line for a close_notify alert the client received. */
const RECEIVED_CLOSE_NOTIFY = /^<<< .*Alert.*close_notify/m;
/** OpenSSL 3 error lines: `...:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:...`. */
const OPENSSL_ERROR = /error:([0-9A-F]{8}):[^:\n]*:[^:\n]*:([^:\n]+)/;
/** A system call error, e.g. `read:errno=104` on an RST. */
const ERRNO = /errno=(\d+)/;

/** The error s_client printed: an OpenSSL code, or an errno by its name (104 -> ECONNRESET). */
export function opensslError(stderr: string, exitCode: number | null): { code: string; message: string } | null {
  const ssl = OPENSSL_ERROR.exec(stderr);
  if (ssl) return { code: ssl[1]!, message: ssl[0] };
  const errno = ERRNO.exec(stderr);
  if (errno) {
    const n = Number(errno[1]);
    return {
      code: errnoName(n),
      message:
        stderr
          .trim()
          .split('\n')
          .find((l) => ERRNO.test(l)) ?? `errno=${n}`,
    };
  }
  if (exitCode === 0) return null;
  return { code: `EXIT_${exitCode}`, message: stderr.trim().split('\n').pop() || `s_client exited ${exitCode}` };
}

/**
 * `openssl s_client` as the receiver: what OpenSSL 3 (the stack of the Kvrocks
 * incident) reports for the same sender behaviour. Data comes on stdout and is
 * counted and checksummed here; `-msg` goes to a file so close_notify is
 * observed, not guessed. An unclean end shows as error 0A000126 ("unexpected
 * eof while reading") and exit code 1. Its CPU and memory are not measured.
 */
const opensslReceiver: ReceiverPeer = {
  description: 'openssl s_client (OpenSSL 3): exit code and error line, close_notify from -msg',
  receive: ({ request, tempDir, stall, progress }) => {
    const msgPath = join(tempDir, `s_client-${request.id}.msg`);
    const version =
      request.tls.tlsVersion === '1.3'
        ? ['-tls1_3', '-ciphersuites', request.tls.suite]
        : ['-tls1_2', '-cipher', request.tls.suite];
    // -quiet implies -ign_eof: stdin at EOF does not end the session; the server's end does.
    const args = (pem: readonly string[]): string[] => [
      's_client',
      '-connect',
      `${isIPv6(request.host) ? `[${request.host}]` : request.host}:${request.port}`,
      '-servername',
      SERVER_NAME,
      '-CAfile',
      pem[0]!,
      '-verify_return_error',
      '-quiet',
      ...version,
      '-msg',
      '-msgfile',
      msgPath,
    ];
    // The CA on a pipe (fd 3): the run's certificates are never files.
    const child = spawnTied('openssl', args, ['pipe', 'pipe', 'pipe'], [request.ca]) as ChildProcessByStdio<
      Writable,
      Readable,
      Readable
    >;
    return externalReceive(child, request, stall, progress, async (stderr, code, bytes) => {
      const msg = await readFile(msgPath, 'latin1').catch(() => '');
      await rm(msgPath, { force: true });
      const e = opensslError(stderr, code);
      const handshakeDone = bytes > 0 || /^<<< .*Handshake.*Finished/m.test(msg);
      return {
        error: e ? { ...e, phase: handshakeDone ? 'transfer' : 'handshake' } : null,
        closeNotify: msg === '' ? null : RECEIVED_CLOSE_NOTIFY.test(msg),
      };
    });
  },
};

/**
 * What gnutls-cli 3.7 prints on stderr for an error (`*** Fatal error: <text>`),
 * by the GnuTLS error it stands for (gnutls_strerror's text). Each ending
 * checked against the real program; see README "How other TLS stacks see the end".
 */
const GNUTLS_ERRORS: Readonly<Record<string, string>> = {
  'The TLS connection was non-properly terminated.': 'GNUTLS_E_PREMATURE_TERMINATION',
  'Error decoding the received TLS packet.': 'GNUTLS_E_UNEXPECTED_PACKET_LENGTH',
  'Error in the pull function.': 'GNUTLS_E_PULL_ERROR',
  'A TLS fatal alert has been received.': 'GNUTLS_E_FATAL_ALERT_RECEIVED',
  'Error in the certificate.': 'GNUTLS_E_CERTIFICATE_ERROR',
  'Decryption has failed.': 'GNUTLS_E_DECRYPTION_FAILED',
  'An unexpected TLS packet was received.': 'GNUTLS_E_UNEXPECTED_PACKET',
  'No supported cipher suites have been found.': 'GNUTLS_E_NO_CIPHER_SUITES',
  'Could not negotiate a supported cipher suite.': 'GNUTLS_E_UNKNOWN_CIPHER_SUITE',
};
const GNUTLS_FATAL = /^\*\*\* Fatal error: (.*)$/m;
/** The informational line (its --logfile) for a close_notify gnutls-cli received. */
const GNUTLS_CLOSE_NOTIFY = /^- Peer has closed the GnuTLS connection$/m;
const GNUTLS_HANDSHAKE_DONE = /^- Handshake was completed$/m;

/** The error gnutls-cli reported on stderr, by GnuTLS error name where the text is known. */
export function gnutlsError(stderr: string, exitCode: number | null): { code: string; message: string } | null {
  const fatal = GNUTLS_FATAL.exec(stderr);
  if (fatal) return { code: GNUTLS_ERRORS[fatal[1]!.trim()] ?? 'GNUTLS_ERROR', message: fatal[0] };
  if (exitCode === 0) return null;
  return { code: `EXIT_${exitCode}`, message: stderr.trim().split('\n').pop() || `gnutls-cli exited ${exitCode}` };
}

/**
 * `gnutls-cli` (GnuTLS 3.7) as the receiver. Verification stays on: the run's
 * CA, the name `localhost` (--verify-hostname, as the connection goes to an
 * address), TLS version and suite pinned by a priority string. Informational
 * lines go to --logfile (close_notify is read there), errors to stderr, data
 * alone to stdout. stdin stays open and silent: at its EOF gnutls-cli would
 * send its own close_notify and change the ending under test. gnutls-cli
 * writes what it receives one byte per write(2), about 1 MB/s here: keep its
 * sizes small; its throughput is the tool's, not GnuTLS's.
 */
const gnutlsReceiver: ReceiverPeer = {
  description: 'gnutls-cli (GnuTLS 3.7): fatal error line, close_notify from its log',
  receive: ({ request, tempDir, stall, progress }) => {
    const logPath = join(tempDir, `gnutls-cli-${request.id}.log`);
    const args = (pem: readonly string[]): string[] => [
      `--port=${request.port}`,
      `--x509cafile=${pem[0]!}`,
      `--verify-hostname=${SERVER_NAME}`,
      `--sni-hostname=${SERVER_NAME}`,
      `--priority=${gnutlsPriority(request.tls.suite, request.tls.tlsVersion)}`,
      `--logfile=${logPath}`,
      request.host,
    ];
    const child = spawnTied('gnutls-cli', args, ['pipe', 'pipe', 'pipe'], [request.ca]) as ChildProcessByStdio<
      Writable,
      Readable,
      Readable
    >;
    return externalReceive(child, request, stall, progress, async (stderr, code, bytes) => {
      const log = await readFile(logPath, 'latin1').catch(() => '');
      await rm(logPath, { force: true });
      const e = gnutlsError(stderr, code);
      const handshakeDone = bytes > 0 || GNUTLS_HANDSHAKE_DONE.test(log);
      return {
        error: e ? { ...e, phase: handshakeDone ? 'transfer' : 'handshake' } : null,
        closeNotify: log === '' ? null : GNUTLS_CLOSE_NOTIFY.test(log),
      };
    });
  },
};

/**
 * An external client's run: count and checksum its stdout, then `judge` its
 * stderr and exit code (and whatever file it wrote) into an error and close_notify.
 */
function externalReceive(
  child: ChildProcessByStdio<Writable, Readable, Readable>,
  request: ReceiveContext['request'],
  stall: Promise<number>,
  progress: (bytes: number) => void,
  judge: (
    stderr: string,
    code: number | null,
    bytes: number,
  ) => Promise<{ error: StreamError | null; closeNotify: Observed }>,
): Promise<Heard<ReceiverReport>> {
  let stderr = '';
  let bytes = 0;
  let crc = 0;
  // stdin is held open, never written: the peer's end is the sender's to make.
  child.stdin.on('error', () => undefined);
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  child.stdout.on('data', (d: Buffer) => {
    bytes += d.length;
    crc = crc32c(d, crc);
  });
  const timer = setInterval(() => progress(bytes), 200);
  const done = new Promise<ReceiverReport>((resolve, reject) => {
    child.once('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearInterval(timer);
      const doneAtMs = nowMs();
      child.stdin.destroy();
      void judge(stderr, code, bytes).then(({ error, closeNotify }) =>
        resolve({
          type: 'received',
          id: request.id,
          bytesReceived: bytes,
          crc32c: crc,
          closeNotify,
          declaredBytes: null,
          handshakeMs: null,
          doneAtMs,
          negotiated: { protocol: null, suite: null },
          error,
          cpuMs: null,
          rssPeakBytes: null,
        }),
      );
    });
  });
  return heardFrom(done, 'receiver', stall).then((h) => {
    if (h.kind !== 'report') child.kill('SIGKILL');
    return h;
  });
}

/**
 * peers/openssl-native.c `recv` (the system OpenSSL 3, built on first use) as
 * the receiver: verifies the certificate with the run's CA and the name
 * `localhost`, pinned like Node, SSL_read_ex into 1 MiB, counts and
 * CRC32C-checks every byte itself (nothing crosses a pipe), and sees
 * close_notify with a message callback. `tolerant` sets
 * SSL_OP_IGNORE_UNEXPECTED_EOF, as servers that accept unclean ends do: an
 * EOF without close_notify then reads as a clean end instead of 0A000126.
 * The span ends at its last byte read and checked. Its CPU and memory are not measured.
 */
function opensslNativeReceiver(tolerant: boolean): ReceiverPeer {
  return {
    description:
      `peers/openssl-native.c recv (OpenSSL 3): SSL_read_ex into 1 MiB, count and CRC32C in C; ` +
      `SSL_OP_IGNORE_UNEXPECTED_EOF ${tolerant ? 'on' : 'off'}`,
    receive: async ({ request, stall, progress }) => {
      const binary = await OPENSSL_NATIVE.binary().catch((err: unknown) =>
        err instanceof Error ? err : new Error(String(err)),
      );
      if (binary instanceof Error) return { kind: 'exited', role: 'receiver', detail: binary.message };
      const args = (pem: readonly string[]): string[] => [
        'recv',
        '--host',
        request.host,
        '--port',
        String(request.port),
        '--ca',
        pem[0]!,
        '--servername',
        request.servername,
        '--tls',
        request.tls.tlsVersion,
        '--suite',
        request.tls.suite,
        ...(tolerant ? ['--ignore-unexpected-eof'] : []),
      ];
      // The CA on a pipe; the receiver dies with us.
      const child = spawnTied(binary, args, ['ignore', 'pipe', 'pipe'], [request.ca]) as ChildProcessByStdio<
        null,
        Readable,
        Readable
      >;
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
      let lineStart = 0;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('latin1');
        // Whole lines only: a chunk may end inside one.
        const end = stdout.lastIndexOf('\n') + 1;
        const counts = [...stdout.slice(lineStart, end).matchAll(/^progress (\d+)$/gm)];
        lineStart = Math.max(lineStart, end);
        if (counts.length > 0) progress(Number(counts[counts.length - 1]![1]));
      });
      const done = new Promise<ReceiverReport>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => {
          const line = parseReportLine<NativeRecvLine>(stdout);
          if (line === null)
            return reject(
              new Error(
                `openssl-native recv printed no report (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`,
              ),
            );
          resolve({
            type: 'received',
            id: request.id,
            bytesReceived: line.bytesReceived,
            crc32c: line.crc32c,
            closeNotify: line.closeNotify,
            declaredBytes: null,
            handshakeMs: line.handshakeMs,
            doneAtMs: line.lastByteAtMs ?? nowMs(),
            negotiated: { protocol: line.protocol, suite: line.suite },
            error: nativeError(line.error),
            cpuMs: null,
            rssPeakBytes: null,
          });
        });
      });
      const heard = await heardFrom(done, 'receiver', stall);
      if (heard.kind !== 'report') child.kill('SIGKILL');
      return heard;
    },
  };
}

export const RECEIVER_PEERS: Readonly<Record<ReceiverPeerName, ReceiverPeer>> = {
  node: nodeReceiver,
  openssl: opensslReceiver,
  gnutls: gnutlsReceiver,
  'openssl-native': opensslNativeReceiver(false),
  'openssl-native-tolerant': opensslNativeReceiver(true),
};
