/**
 * The sender worker process (the "master"): serves one fixture per request over
 * TLS, writes it in chunks that honour backpressure, and ends the stream by the
 * scenario's shutdown strategy. It reports times and usage; it never classifies.
 */
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { StreamError } from '../outcome.ts';
import { nowMs, type Negotiated, type OrchestratorMessage, type SenderReport, type ServeRequest, type WorkerMessage } from './messages.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from './shutdown.ts';
import { SourceCache } from './source.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from './tls-options.ts';
import { UsageMeter } from './usage.ts';

const sources = new SourceCache();

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

/** Waits for 'drain'; fails if the socket closes or errors first, so a dead peer cannot hang the loop. */
function drained(socket: TLSSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      socket.off('error', onError);
    };
    const onDrain = (): void => (cleanup(), resolve());
    const onClose = (): void => (cleanup(), reject(Object.assign(new Error('socket closed while waiting for drain'), { code: 'ERR_SOCKET_CLOSED' })));
    const onError = (err: Error): void => (cleanup(), reject(err));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
    socket.on('error', onError);
  });
}

async function serve(req: ServeRequest): Promise<void> {
  const server = createServer({
    key: readFileSync(req.keyPath),
    cert: readFileSync(req.certPath),
    ...pinnedTlsOptions(req.tls),
  });
  const source = await sources.get(req.source, req.fixturePath);
  let usage: UsageMeter | null = null;
  let error: StreamError | null = null;
  let negotiated: Negotiated = { protocol: null, suite: null };
  let bytesWritten = 0;
  let firstByteAtMs: number | null = null;
  let reported = false;

  const report = (): void => {
    if (reported) return;
    reported = true;
    const u = (usage ?? new UsageMeter()).stop();
    const msg: SenderReport = { type: 'sent', id: req.id, bytesWritten, firstByteAtMs, negotiated, error, ...u };
    send(msg);
  };

  // A handshake failure shows up on the server, not on a socket.
  server.on('tlsClientError', (err) => {
    error = { code: errorCode(err), message: err.message, phase: 'handshake' };
    server.close();
    report();
  });

  server.on('secureConnection', (socket: TLSSocket) => {
    server.close(); // one connection per request
    usage = new UsageMeter();
    const cipher = socket.getCipher();
    negotiated = { protocol: socket.getProtocol(), suite: cipher?.name ?? null };
    socket.on('error', (err) => {
      error ??= { code: errorCode(err), message: err.message, phase: 'transfer' };
      socket.destroy();
    });
    const mismatch = negotiationMismatch(req.tls, negotiated.protocol, negotiated.suite);
    if (mismatch) {
      error = { code: 'SUITE_MISMATCH', message: mismatch, phase: 'handshake' };
      socket.destroy();
      report();
      return;
    }
    if (req.maxFragment < 16384 && !socket.setMaxSendFragment(req.maxFragment)) {
      error = { code: 'ERR_MAX_FRAGMENT', message: `setMaxSendFragment(${req.maxFragment}) refused`, phase: 'handshake' };
      socket.destroy();
      report();
      return;
    }
    writeAll(socket, req, source)
      .then(async () => {
        if (req.fault?.kind === 'stall') return new Promise<never>(() => {}); // hang on purpose
        await SHUTDOWN_STRATEGIES_TABLE[req.shutdown].finish(socket);
      })
      .catch((err: unknown) => {
        error ??= { code: errorCode(err), message: err instanceof Error ? err.message : String(err), phase: 'transfer' };
        socket.destroy();
      })
      .finally(report);
  });

  async function writeAll(socket: TLSSocket, r: ServeRequest, src: typeof source): Promise<void> {
    const limit = r.fault?.kind === 'stall' ? r.fault.atByte : Infinity;
    for await (const { bytes: block, release } of src.blocks(r.chunkBytes)) {
      for (let off = 0; off < block.length; off += r.chunkBytes) {
        const end = Math.min(off + r.chunkBytes, block.length);
        let piece = block.subarray(off, end);
        if (bytesWritten + piece.length > limit) piece = piece.subarray(0, limit - bytesWritten);
        if (piece.length === 0) return;
        firstByteAtMs ??= nowMs();
        bytesWritten += piece.length;
        // The callback of a block's last piece runs once TLS has taken all of
        // the block (callbacks run in order), so its buffer can be reused.
        const flushed = end === block.length ? socket.write(piece, release) : socket.write(piece);
        if (!flushed) await drained(socket);
      }
    }
  }

  server.listen(0, req.host, () => {
    send({ type: 'listening', id: req.id, port: (server.address() as AddressInfo).port });
  });
}

process.on('message', (msg: OrchestratorMessage) => {
  if (msg.type === 'serve') {
    serve(msg).catch((err: unknown) => send({ type: 'fatal', id: msg.id, message: String(err) }));
  } else if (msg.type === 'shutdown') {
    process.disconnect?.();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
