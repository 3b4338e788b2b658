import type { ChildProcess, ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { spawnTied } from './tied-spawn.ts';
import { open, readFile } from 'node:fs/promises';
import { createServer, isIP } from 'node:net';
import type { StreamError } from '../outcome.ts';
import { nowMs, type ServeRequest, type SenderReport, type WorkerMessage } from '../transfer/messages.ts';
import type { SenderPeerName } from '../transfer/strategies.ts';
import { heardFrom, opensslError, type Heard } from './receiver-peers.ts';
import type { Worker } from './worker-interface.ts';
import { SourceGuard } from '../transfer/source-guard.ts';
import { GNUTLS_SENDER } from './gnutls-sender-build.ts';
import type { NativeProgram } from './native-build.ts';
import { nativeError, OPENSSL_NATIVE, parseReportLine, type NativeSendLine } from './openssl-native.ts';
import { gnutlsPriority, suiteFromGnutls } from '../tls/gnutls-priority.ts';

/** What a sender said at the end; CPU and memory are null where the sender is not ours to measure. */
export type SenderResult = Omit<SenderReport, 'cpuMs' | 'rssPeakBytes'> & {
  readonly cpuMs: number | null;
  readonly rssPeakBytes: number | null;
};

export interface SendContext {
  readonly request: Omit<ServeRequest, 'type'>;
  readonly worker: Worker;
  /** Resolves with the idle time when the watchdog fires. */
  readonly stall: Promise<number>;
}

/** A sender that is listening (or failed to), its final word to come, and a way to stop it if that never comes. */
export interface Serving {
  /** `fixture-error`: the sender found its fixture file changed and served nothing. */
  readonly listening:
    | Heard<{ readonly port: number; /** The address it bound. */ readonly address: string }>
    | { readonly kind: 'fixture-error'; readonly detail: string };
  readonly sent: Promise<Heard<SenderResult>>;
  readonly stop: () => void;
}

/**
 * Who sends: the suite's own Node worker with the scenario's shutdown
 * strategy, or another TLS stack's server with its own way of ending. One entry per peer.
 */
export interface SenderPeer {
  readonly description: string;
  readonly serve: (ctx: SendContext) => Promise<Serving>;
}

const nodeSender: SenderPeer = {
  description: 'the suite sender worker (node:tls): the scenario shutdown strategy and write path',
  serve: async ({ request, worker, stall }) => {
    const sent = heardFrom(
      worker.next((m): m is SenderReport => m.type === 'sent' && m.id === request.id, 2 ** 31 - 1),
      'sender',
      stall,
    );
    const listeningP = worker.next(
      (m): m is Extract<WorkerMessage, { type: 'listening' | 'fixture-error' }> =>
        (m.type === 'listening' || m.type === 'fixture-error') && m.id === request.id,
      2 ** 31 - 1,
    );
    worker.post({ type: 'serve', ...request });
    const listening = await heardFrom(listeningP, 'sender', stall);
    if (listening.kind === 'report' && listening.report.type === 'fixture-error') {
      return fixtureFailed(listening.report.message);
    }
    return {
      listening:
        listening.kind === 'report' && listening.report.type === 'listening'
          ? { kind: 'report', report: { port: listening.report.port, address: listening.report.address } }
          : (listening as Exclude<typeof listening, { kind: 'report' }>),
      sent,
      stop: () => undefined,
    };
  },
};

/** A port free right now on `host` (the kernel's choice), for a server that cannot report the one it got. */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether a TCP socket listens on `port`, from the kernel's tables (connecting would use up s_server's one accept). */
async function isListening(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'latin1').catch(() => '');
    // local_address is column 2, st is column 4; 0A = LISTEN
    if (text.split('\n').some((line) => line.split(/\s+/)[2]?.endsWith(hex.trim()) && line.split(/\s+/)[4] === '0A'))
      return true;
  }
  return false;
}

/** Where an open file's offset stands (Linux: /proc/self/fdinfo), 0 if unknown. */
async function fileOffset(fd: number): Promise<number> {
  const info = await readFile(`/proc/self/fdinfo/${fd}`, 'latin1').catch(() => '');
  return Number(/^pos:\s*(\d+)/m.exec(info)?.[1] ?? 0);
}

/** An external sender's process: its stderr so far, whether it has exited, and its exit code when it has. */
function watch(child: ChildProcess): {
  readonly closed: Promise<number | null>;
  readonly stderr: () => string;
  readonly exited: () => boolean;
} {
  let stderr = '';
  let exited = false;
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
  const closed = new Promise<number | null>((resolve) => {
    child.once('error', (err: Error) => {
      stderr += `${err.message}\n`;
      exited = true;
      resolve(null);
    });
    child.once('close', (code: number | null) => {
      exited = true;
      resolve(code);
    });
  });
  return { closed, stderr: () => stderr, exited: () => exited };
}

/** A sender that never listened: both of its words are that failure. */
function neverListened(detail: string): Serving {
  return {
    listening: { kind: 'exited', role: 'sender', detail },
    sent: Promise.resolve({ kind: 'exited', role: 'sender', detail }),
    stop: () => undefined,
  };
}

/** A sender that found its fixture changed and served nothing. */
function fixtureFailed(detail: string): Serving {
  return {
    listening: { kind: 'fixture-error', detail },
    sent: Promise.resolve({ kind: 'exited', role: 'sender', detail }),
    stop: () => undefined,
  };
}

const LISTEN_TIMEOUT_MS = 5000;

/**
 * `openssl s_server` as the sender: one connection (-naccept 1), the fixture
 * fed on stdin, -quiet so stdin is data, not commands, -nbio because with a
 * blocking socket it stalled after the first 16 KiB record in about 1 of 6
 * transfers (seen with Node, OpenSSL and GnuTLS receivers alike). At stdin EOF it sends
 * close_notify and closes (checked: the receiver sees every byte and the
 * alert), so it plays `end` only. -quiet also hides the port it listens on,
 * so it is given a free one and watched for in /proc/net/tcp. bytesWritten
 * is how far it read its stdin (the fixture file's offset); the timed span starts when it listens
 * (so it includes the receiver's start and the handshake); its CPU and memory
 * are not measured.
 */
const opensslSender: SenderPeer = {
  description: 'openssl s_server (OpenSSL 3): the fixture on stdin, close_notify at its EOF',
  serve: async ({ request, stall }) => {
    const port = await freePort(request.host);
    const version =
      request.tls.tlsVersion === '1.3'
        ? ['-tls1_3', '-ciphersuites', request.tls.suite]
        : ['-tls1_2', '-cipher', request.tls.suite];
    const accept = isIP(request.host) === 6 ? `[${request.host}]:${port}` : `${request.host}:${port}`;
    const args = (pem: readonly string[]): string[] => [
      's_server',
      '-accept',
      accept,
      '-naccept',
      '1',
      '-quiet',
      '-cert',
      pem[0]!,
      '-key',
      pem[1]!,
      ...version,
      '-max_send_frag',
      String(request.maxFragment),
      '-nbio',
    ];
    // The fixture file itself is its stdin: no pipe in the data path, and the
    // file offset, shared with this process's descriptor, tells how much it read.
    const fixture = await open(request.fixturePath, 'r');
    // Certificate and key on pipes (fd 3, 4): no key file, and s_server dies with us.
    const child = spawnTied('openssl', args, [fixture.fd, 'ignore', 'pipe'], [request.cert, request.key]);
    const { closed, stderr, exited } = watch(child);
    const deadline = nowMs() + LISTEN_TIMEOUT_MS;
    while (!exited() && !(await isListening(port)) && nowMs() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (exited() || nowMs() >= deadline) {
      child.kill('SIGKILL');
      const code = await closed;
      await fixture.close();
      return neverListened(
        `openssl s_server did not listen on ${request.host}:${port} (exit ${code}): ` +
          `${stderr().trim().split('\n').pop() ?? ''}`,
      );
    }
    const listeningAtMs = nowMs();
    const done = closed.then(async (code): Promise<SenderResult> => {
      const read = await fileOffset(fixture.fd);
      await fixture.close();
      const e = opensslError(stderr(), code);
      const error: StreamError | null = e ? { ...e, phase: 'transfer' } : null;
      return {
        type: 'sent',
        id: request.id,
        bytesWritten: read,
        firstByteAtMs: listeningAtMs,
        negotiated: { protocol: null, suite: null },
        error,
        cpuMs: null,
        rssPeakBytes: null,
      };
    });
    return {
      listening: { kind: 'report', report: { port, address: request.host } },
      sent: heardFrom(done, 'sender', stall),
      stop: () => void (exited() || child.kill('SIGKILL')),
    };
  },
};

/** The JSON line peers/gnutls-sender.c prints at exit. */
interface GnutlsSenderLine {
  readonly bytesWritten: number;
  readonly firstByteAtMs: number | null;
  readonly protocol: string | null;
  readonly kx: string | null;
  readonly cipher: string | null;
  readonly mac: string | null;
  readonly iana: string | null;
  readonly error: { readonly code: string; readonly message: string; readonly phase: 'handshake' | 'transfer' } | null;
}

/**
 * A sender that is one of our C programs (peers/): built on first use, it
 * listens on port 0 and prints "listening <port>", takes one connection, and
 * at exit prints one JSON line that `result` turns into the sender's word.
 */
async function serveNative(
  program: NativeProgram,
  /** Its arguments, given the /dev/fd paths of the certificate and key pipes. */
  args: (pem: readonly string[]) => readonly string[],
  { request, stall }: SendContext,
  result: (
    stdout: string,
    code: number | null,
    stderr: string,
  ) => Omit<SenderResult, 'type' | 'id' | 'cpuMs' | 'rssPeakBytes'>,
): Promise<Serving> {
  const binary = await program.binary().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  // A build that fails here (the toolchain was checked at config time) is this transfer's sender failing.
  if (binary instanceof Error) return neverListened(binary.message);
  // Certificate and key on pipes: no key file, and the peer dies with us.
  const child = spawnTied(binary, args, ['ignore', 'pipe', 'pipe'], [request.cert, request.key]) as ChildProcessByStdio<
    null,
    Readable,
    Readable
  >;
  const { closed, stderr, exited } = watch(child);
  let stdout = '';
  let onLine: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve) => (onLine = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('latin1');
    const m = /^listening (\d+)$/m.exec(stdout);
    if (m) onLine(Number(m[1]));
  });
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    port,
    closed.then(() => null),
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), LISTEN_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (first === null) {
    child.kill('SIGKILL');
    const code = await closed;
    return neverListened(
      `${program.spec.name} did not listen on ${request.host} (exit ${code}): ` +
        `${stderr().trim().split('\n').pop() ?? ''}`,
    );
  }
  const done = closed.then((code): SenderResult => ({
    type: 'sent',
    id: request.id,
    ...result(stdout, code, stderr()),
    cpuMs: null,
    rssPeakBytes: null,
  }));
  return {
    listening: { kind: 'report', report: { port: first, address: request.host } },
    sent: heardFrom(done, 'sender', stall),
    stop: () => void (exited() || child.kill('SIGKILL')),
  };
}

/** The report line, or an error naming the program that printed none (it crashed or was killed). */
function reportLine<T>(name: string, stdout: string, code: number | null, stderr: string): T {
  const line = parseReportLine<T>(stdout);
  if (line === null)
    throw new Error(`${name} printed no report (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
  return line;
}

/**
 * peers/gnutls-sender.c (GnuTLS 3.7, built on first use) as the sender: it
 * listens on port 0 and prints the port, takes one connection, is pinned to
 * the suite by the same priority string as gnutls-cli, writes the fixture in
 * chunks of the scenario's size with gnutls_record_send, and ends as the
 * scenario says: `end` = gnutls_bye(GNUTLS_SHUT_WR) (close_notify) then
 * close; `destroy-after-flush` = close() once every record is sent (no
 * close_notify); `tcp-fin` = shutdown(SHUT_WR) once every record is sent,
 * then wait for the client to close. Its report gives bytes written, the
 * first-byte time on Node's clock (CLOCK_MONOTONIC), and the negotiated
 * protocol and suite (GnuTLS's parts mapped back to this suite's names, so
 * requested and negotiated compare). Its CPU and memory are not measured.
 */
const gnutlsSender: SenderPeer = {
  description:
    'peers/gnutls-sender.c (GnuTLS 3.7): gnutls_record_send, then gnutls_bye (end), close ' +
    '(destroy-after-flush) or shutdown(SHUT_WR) (tcp-fin)',
  serve: (ctx) => {
    const { request } = ctx;
    const args = (pem: readonly string[]): string[] => [
      '--host',
      request.host,
      '--port',
      '0',
      '--cert',
      pem[0]!,
      '--key',
      pem[1]!,
      '--priority',
      gnutlsPriority(request.tls.suite, request.tls.tlsVersion),
      '--file',
      request.fixturePath,
      '--chunk',
      String(request.chunkBytes),
      '--end',
      request.shutdown,
    ];
    return serveNative(GNUTLS_SENDER, args, ctx, (stdout, code, stderr) => {
      const line = reportLine<GnutlsSenderLine>('gnutls-sender', stdout, code, stderr);
      const suite =
        line.protocol && line.cipher
          ? (suiteFromGnutls(line.protocol, line.kx ?? '', line.cipher, line.mac ?? '') ?? line.iana)
          : null;
      return {
        bytesWritten: line.bytesWritten,
        firstByteAtMs: line.firstByteAtMs,
        negotiated: { protocol: line.protocol, suite },
        error: line.error,
      };
    });
  },
};

/**
 * peers/openssl-native.c `send` (the system OpenSSL 3, built on first use):
 * pinned like Node (min = max version, one suite), SSL_write_ex of the
 * scenario's chunk size on a blocking socket, then `end` = SSL_shutdown
 * (close_notify) and close, `destroy-after-flush` = close() after the last
 * record (no close_notify), `tcp-fin` = shutdown(SHUT_WR) after the last
 * record, then wait for the client to close. OpenSSL names the negotiated
 * suite as Node does. Its CPU and memory are not measured.
 */
const opensslNativeSender: SenderPeer = {
  description:
    'peers/openssl-native.c send (OpenSSL 3): SSL_write_ex, then SSL_shutdown (end), close ' +
    '(destroy-after-flush) or shutdown(SHUT_WR) (tcp-fin)',
  serve: (ctx) => {
    const { request } = ctx;
    const args = (pem: readonly string[]): string[] => [
      'send',
      '--host',
      request.host,
      '--port',
      '0',
      '--cert',
      pem[0]!,
      '--key',
      pem[1]!,
      '--tls',
      request.tls.tlsVersion,
      '--suite',
      request.tls.suite,
      '--file',
      request.fixturePath,
      '--chunk',
      String(request.chunkBytes),
      '--end',
      request.shutdown,
    ];
    return serveNative(OPENSSL_NATIVE, args, ctx, (stdout, code, stderr) => {
      const line = reportLine<NativeSendLine>('openssl-native send', stdout, code, stderr);
      return {
        bytesWritten: line.bytesWritten,
        firstByteAtMs: line.firstByteAtMs,
        negotiated: { protocol: line.protocol, suite: line.suite },
        error: nativeError(line.error),
      };
    });
  },
};

/** One guard for the external senders, which read the fixture file from this process's side (kept per file version). */
const externalGuard = new SourceGuard();

/**
 * An external sender reads the fixture file as it is: checked here first, as
 * the Node sender checks its own (a changed file is a fixture error, never
 * bytes that pass for a TLS finding).
 */
function checkedFixture(peer: SenderPeer): SenderPeer {
  return {
    description: peer.description,
    serve: async (ctx) => {
      const detail = await externalGuard.check({
        path: ctx.request.fixturePath,
        sizeBytes: ctx.request.sizeBytes,
        crc32c: ctx.request.fixtureCrc32c,
      });
      return detail === null ? peer.serve(ctx) : fixtureFailed(detail);
    },
  };
}

export const SENDER_PEERS: Readonly<Record<SenderPeerName, SenderPeer>> = {
  node: nodeSender,
  openssl: checkedFixture(opensslSender),
  gnutls: checkedFixture(gnutlsSender),
  'openssl-native': checkedFixture(opensslNativeSender),
};
