/**
 * The Kvrocks master, run inside the sender worker: a TLS server that answers
 * one command per connection. `_fetch_meta` gets the checkpoint's file list;
 * `_fetch_file a,b,...` gets, per file, a size line and the raw bytes in
 * writes of at most 16 KiB, and the connection is then ended by the
 * scenario's shutdown strategy. It serves until told to stop, so that one
 * request covers a sync and all its retries.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { StreamError } from '../../outcome.ts';
import { nowMs, type Negotiated, type WorkerMessage } from '../../transfer/messages.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from '../../transfer/shutdown.ts';
import { SourceCache } from '../../transfer/source.ts';
import { BUFFERED_TAIL_BYTES } from '../../transfer/strategies.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from '../../transfer/tls-options.ts';
import { UsageMeter } from '../../transfer/usage.ts';
import { DrainWaiter, TrackedWrites, writeInPieces } from '../../transfer/write-path.ts';
import type {
  KvrocksConnectionServed,
  KvrocksServedFile,
  KvrocksServeReport,
  KvrocksServeRequest,
  KvrocksStopRequest,
} from './messages.ts';
import {
  errorLine,
  MAX_COMMAND_BYTES,
  MAX_WRITE_BYTES,
  metaLine,
  parseCommand,
  sizeLine,
  type KvrocksCommand,
} from './protocol.ts';
import { workerChannel } from '../../transfer/channel.ts';

/** After a stop, connections still open get this long to finish before they are destroyed. */
const STOP_GRACE_MS = 2000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function send(msg: WorkerMessage): void {
  workerChannel().send(msg);
}

function streamError(err: unknown, phase: StreamError['phase']): StreamError {
  return { code: errorCode(err), message: err instanceof Error ? err.message : String(err), phase };
}

/** Serve requests in progress, by id, so that `kvrocks-stop` finds its server. */
const sessions = new Map<number, MasterSession>();

/** The sender worker's entry point for the master's messages. */
export function onKvrocksMasterMessage(msg: KvrocksServeRequest | KvrocksStopRequest): void {
  if (msg.type === 'kvrocks-stop') {
    sessions.get(msg.id)?.stop();
    return;
  }
  try {
    if (!Number.isSafeInteger(msg.chunkBytes) || msg.chunkBytes < 1 || msg.chunkBytes > MAX_WRITE_BYTES) {
      throw new RangeError(`chunkBytes ${msg.chunkBytes}: the master writes 1 to ${MAX_WRITE_BYTES} bytes at a time`);
    }
    sessions.set(msg.id, new MasterSession(msg));
  } catch (err) {
    send({ type: 'fatal', id: msg.id, message: String(err) });
  }
}

class MasterSession {
  readonly #req: KvrocksServeRequest;
  readonly #files: ReadonlyMap<string, KvrocksServedFile>;
  readonly #server: Server;
  readonly #usage = new UsageMeter();
  readonly #sources = new SourceCache();
  readonly #connections: Mutable<KvrocksConnectionServed>[] = [];
  /** Sockets whose handling has not settled yet. */
  readonly #inFlight = new Set<TLSSocket>();
  #accepted = 0;
  #ending: KvrocksServeReport['endedBy'] | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  #reported = false;

  constructor(req: KvrocksServeRequest) {
    this.#req = req;
    this.#files = new Map(req.files.map((f) => [f.name, f]));
    this.#server = createServer({
      key: req.key,
      cert: req.cert,
      // As in the normal sender: half-close keeps reading after its own end().
      allowHalfOpen: req.shutdown === 'half-close',
      ...pinnedTlsOptions(req.tls),
    });
    this.#server.on('tlsClientError', (err, socket) => {
      const c = this.#accept(socket);
      c.error = streamError(err, 'handshake');
      this.#maybeReport();
    });
    this.#server.on('secureConnection', (socket: TLSSocket) => this.#onConnection(socket));
    this.#server.on('error', (err) => send({ type: 'fatal', id: req.id, message: `kvrocks master: ${String(err)}` }));
    this.#server.listen(0, req.host, () => {
      const { port, address } = this.#server.address() as AddressInfo;
      send({ type: 'listening', id: req.id, port, address });
    });
  }

  stop(): void {
    if (this.#reported) return;
    this.#ending ??= 'stop';
    this.#server.close();
    // The replica has closed its side by now; a connection still open is stuck: end it.
    this.#graceTimer = setTimeout(() => {
      for (const s of this.#inFlight) s.destroy();
    }, STOP_GRACE_MS);
    this.#maybeReport();
  }

  #accept(socket: TLSSocket): Mutable<KvrocksConnectionServed> {
    const c: Mutable<KvrocksConnectionServed> = {
      acceptedAtMs: nowMs(),
      remotePort: socket.remotePort ?? null,
      command: null,
      files: [],
      errorLine: null,
      fileBytesWritten: 0,
      firstByteAtMs: null,
      negotiated: { protocol: null, suite: null },
      error: null,
    };
    this.#connections.push(c);
    this.#accepted += 1;
    if (this.#accepted >= this.#req.expectConnections) {
      this.#ending ??= 'max-connections';
      this.#server.close();
    }
    return c;
  }

  #onConnection(socket: TLSSocket): void {
    const c = this.#accept(socket);
    this.#inFlight.add(socket);
    socket.on('error', (err) => {
      c.error ??= streamError(err, 'transfer');
      socket.destroy();
    });
    this.#serveConnection(socket, c)
      .catch((err: unknown) => {
        c.error ??= streamError(err, 'transfer');
        socket.destroy();
      })
      .finally(() => {
        this.#inFlight.delete(socket);
        this.#maybeReport();
      });
  }

  async #serveConnection(socket: TLSSocket, c: Mutable<KvrocksConnectionServed>): Promise<void> {
    const cipher = socket.getCipher();
    const negotiated: Negotiated = { protocol: socket.getProtocol(), suite: cipher?.name ?? null };
    c.negotiated = negotiated;
    const mismatch = negotiationMismatch(this.#req.tls, negotiated.protocol, negotiated.suite);
    if (mismatch) {
      c.error = { code: 'SUITE_MISMATCH', message: mismatch, phase: 'handshake' };
      socket.destroy();
      return;
    }
    const line = await readCommandLine(socket);
    const cmd: KvrocksCommand =
      line === null ? { kind: 'invalid', reason: 'command line too long' } : parseCommand(line);
    c.command = cmd.kind;
    if (cmd.kind === 'fetch-meta') return endWith(socket, metaLine(this.#req.files.map((f) => f.name)));
    if (cmd.kind === 'invalid') return this.#refuse(socket, c, cmd.reason);
    c.files = cmd.names;
    const files: KvrocksServedFile[] = [];
    for (const name of cmd.names) {
      const f = this.#files.get(name);
      if (!f) return this.#refuse(socket, c, `no such file '${name}'`);
      files.push(f);
    }
    const lastWriteTaken = await this.#writeFiles(socket, files, c);
    const strategy = SHUTDOWN_STRATEGIES_TABLE[this.#req.shutdown];
    if (strategy.endsProcess) this.#report('exit'); // the process is about to end: speak first
    await strategy.finish({ socket, lastWriteTaken: lastWriteTaken() });
  }

  #refuse(socket: TLSSocket, c: Mutable<KvrocksConnectionServed>, reason: string): Promise<void> {
    const line = errorLine(reason);
    c.errorLine = line.toString('latin1').trimEnd();
    return endWith(socket, line);
  }

  /**
   * Writes each file's size line and bytes; resolves once the last write()
   * has returned, with a function that tells when TLS has taken it (as the
   * normal sender does, for the shutdown strategies).
   */
  async #writeFiles(
    socket: TLSSocket,
    files: readonly KvrocksServedFile[],
    c: Mutable<KvrocksConnectionServed>,
  ): Promise<() => Promise<void>> {
    const { chunkBytes } = this.#req;
    const out = new TrackedWrites(socket);
    const lines = files.map((f) => sizeLine(f.sizeBytes));
    const total = files.reduce((n, f, i) => n + (lines[i]?.length ?? 0) + f.sizeBytes, 0);
    // `buffered`: the last BUFFERED_TAIL_BYTES of this connection (size lines
    // included) are collected, then written in one synchronous run without
    // waiting for 'drain', as the normal sender's buffered path does.
    const bufferedFrom = this.#req.writePath === 'buffered' ? total - BUFFERED_TAIL_BYTES : Infinity;
    const tail: { bytes: Buffer; release?: () => void; file: boolean }[] = [];
    let position = 0;
    const drain = new DrainWaiter(socket);
    const countFile = (n: number): void => void (c.fileBytesWritten += n);
    const write = async (bytes: Buffer, wait: boolean, file: boolean, release?: () => void): Promise<void> => {
      await writeInPieces(out, drain, bytes, {
        chunkBytes,
        wait,
        ...(release ? { release } : {}),
        ...(file ? { onPiece: countFile } : {}),
      });
    };
    const put = async (bytes: Buffer, file: boolean, release?: () => void): Promise<void> => {
      if (position + bytes.length > bufferedFrom) tail.push(release ? { bytes, release, file } : { bytes, file });
      else await write(bytes, true, file, release);
      position += bytes.length;
    };
    c.firstByteAtMs = nowMs();
    for (const [i, f] of files.entries()) {
      await put(lines[i] ?? sizeLine(f.sizeBytes), false);
      let read = 0;
      const source = await this.#sources.get('file', f.path);
      for await (const block of source.blocks(chunkBytes)) {
        read += block.bytes.length;
        await put(block.bytes, true, block.release);
      }
      if (read !== f.sizeBytes)
        throw Object.assign(new Error(`${f.name}: read ${read} bytes, announced ${f.sizeBytes}`), {
          code: 'FILE_CHANGED',
        });
    }
    for (const t of tail) void write(t.bytes, false, t.file, t.release);
    return () => out.lastWriteTaken();
  }

  #maybeReport(): void {
    if (this.#ending !== null && this.#inFlight.size === 0) this.#report(this.#ending);
  }

  #report(endedBy: KvrocksServeReport['endedBy']): void {
    if (this.#reported) return;
    this.#reported = true;
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#server.close();
    sessions.delete(this.#req.id);
    const report: KvrocksServeReport = {
      type: 'kvrocks-served',
      id: this.#req.id,
      connections: this.#connections.map((c) => ({ ...c, files: [...c.files] })),
      endedBy,
      ...this.#usage.stop(),
    };
    send(report);
  }
}

/**
 * Reads one command line (up to LF; CR stripped); null if none within
 * MAX_COMMAND_BYTES. Rejects if the stream ends first. Anything after the
 * line is ignored, as Kvrocks hands the connection over to the file writer.
 */
function readCommandLine(socket: TLSSocket): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      const eol = got.indexOf(0x0a);
      if (eol >= 0 || got.length > MAX_COMMAND_BYTES) {
        cleanup();
        if (eol < 0) return resolve(null);
        const line = got.subarray(0, eol).toString('latin1');
        resolve(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(Object.assign(new Error('the peer ended before sending a command'), { code: 'NO_COMMAND' }));
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}

/** Writes a last line and ends cleanly (close_notify, FIN); resolves once it is flushed or the socket is gone. */
function endWith(socket: TLSSocket, line: Buffer): Promise<void> {
  return new Promise((resolve) => {
    socket.once('finish', () => resolve());
    socket.once('close', () => resolve());
    socket.end(line);
  });
}
