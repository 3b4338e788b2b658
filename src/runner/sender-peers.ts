import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { createServer, isIP } from 'node:net';
import type { StreamError } from '../outcome.ts';
import { nowMs, type ServeRequest, type SenderReport, type WorkerMessage } from '../transfer/messages.ts';
import type { SenderPeerName } from '../transfer/strategies.ts';
import { heardFrom, opensslError, type Heard } from './receiver-peers.ts';
import type { Worker } from './workers.ts';

/** What a sender said at the end; CPU and memory are null where the sender is not ours to measure. */
export type SenderResult = Omit<SenderReport, 'cpuMs' | 'rssPeakBytes'> & { readonly cpuMs: number | null; readonly rssPeakBytes: number | null };

export interface SendContext {
  readonly request: Omit<ServeRequest, 'type'>;
  readonly worker: Worker;
  /** Resolves with the idle time when the watchdog fires. */
  readonly stall: Promise<number>;
}

/** A sender that is listening (or failed to), its final word to come, and a way to stop it if that never comes. */
export interface Serving {
  readonly listening: Heard<{ readonly port: number; /** The address it bound. */ readonly address: string }>;
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
    const sent = heardFrom(worker.next((m): m is SenderReport => m.type === 'sent' && m.id === request.id, 2 ** 31 - 1), 'sender', stall);
    const listeningP = worker.next((m): m is Extract<WorkerMessage, { type: 'listening' }> => m.type === 'listening' && m.id === request.id, 2 ** 31 - 1);
    worker.post({ type: 'serve', ...request });
    const listening = await heardFrom(listeningP, 'sender', stall);
    return { listening: listening.kind === 'report' ? { kind: 'report', report: { port: listening.report.port, address: listening.report.address } } : listening, sent, stop: () => undefined };
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
    if (text.split('\n').some((line) => line.split(/\s+/)[2]?.endsWith(hex.trim()) && line.split(/\s+/)[4] === '0A')) return true;
  }
  return false;
}

/** Where an open file's offset stands (Linux: /proc/self/fdinfo), 0 if unknown. */
async function fileOffset(fd: number): Promise<number> {
  const info = await readFile(`/proc/self/fdinfo/${fd}`, 'latin1').catch(() => '');
  return Number(/^pos:\s*(\d+)/m.exec(info)?.[1] ?? 0);
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
    const version = request.tls.tlsVersion === '1.3' ? ['-tls1_3', '-ciphersuites', request.tls.suite] : ['-tls1_2', '-cipher', request.tls.suite];
    const accept = isIP(request.host) === 6 ? `[${request.host}]:${port}` : `${request.host}:${port}`;
    const args = ['s_server', '-accept', accept, '-naccept', '1', '-quiet', '-cert', request.certPath, '-key', request.keyPath, ...version, '-max_send_frag', String(request.maxFragment), '-nbio'];
    // The fixture file itself is its stdin: no pipe in the data path, and the
    // file offset, shared with this process's descriptor, tells how much it read.
    const fixture = await open(request.fixturePath, 'r');
    const child = spawn('openssl', args, { stdio: [fixture.fd, 'ignore', 'pipe'] });
    let stderr = '';
    let exited = false;
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const closed = new Promise<number | null>((resolve) => {
      child.once('error', (err) => {
        stderr += `${err.message}\n`;
        exited = true;
        resolve(null);
      });
      child.once('close', (code) => {
        exited = true;
        resolve(code);
      });
    });
    const deadline = nowMs() + LISTEN_TIMEOUT_MS;
    while (!exited && !(await isListening(port)) && nowMs() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (exited || nowMs() >= deadline) {
      child.kill('SIGKILL');
      const code = await closed;
      await fixture.close();
      const detail = `openssl s_server did not listen on ${request.host}:${port} (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`;
      return { listening: { kind: 'exited', role: 'sender', detail }, sent: Promise.resolve({ kind: 'exited', role: 'sender', detail }), stop: () => undefined };
    }
    const listeningAtMs = nowMs();
    const done = closed.then(async (code): Promise<SenderResult> => {
      const read = await fileOffset(fixture.fd);
      await fixture.close();
      const e = opensslError(stderr, code);
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
    return { listening: { kind: 'report', report: { port, address: request.host } }, sent: heardFrom(done, 'sender', stall), stop: () => void (exited || child.kill('SIGKILL')) };
  },
};

export const SENDER_PEERS: Readonly<Record<SenderPeerName, SenderPeer>> = {
  node: nodeSender,
  openssl: opensslSender,
};
