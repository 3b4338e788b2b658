/** The echo's sender worker side: a TLS server that writes random bytes and checks what comes back. */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { crc32c } from '@node-rs/crc32';
import type { StreamError } from '../../outcome.ts';
import { workerChannel } from '../../transfer/channel.ts';
import { nowMs } from '../../transfer/messages.ts';
import { pinnedTlsOptions, streamError } from '../../transfer/tls-options.ts';
import { UsageMeter } from '../../transfer/usage.ts';
import type { WorkerHandlers } from '../types.ts';
import type { EchoOrchestratorMessage, EchoSendRequest } from './messages.ts';

function send(req: EchoSendRequest): void {
  const usage = new UsageMeter();
  const server = createServer({ key: req.key, cert: req.cert, ...pinnedTlsOptions(req.tls) });
  let handled = false;
  const report = (
    socket: TLSSocket | null,
    r: {
      bytesWritten: number;
      bytesEchoed: number;
      crc32cSent: number;
      crc32cEchoed: number;
      firstByteAtMs: number | null;
      error: StreamError | null;
    },
  ): void => {
    server.close();
    workerChannel().send({
      type: 'echo-checked',
      id: req.id,
      ...r,
      doneAtMs: nowMs(),
      negotiated: { protocol: socket?.getProtocol() ?? null, suite: socket?.getCipher()?.standardName ?? null },
      ...usage.stop(),
    });
  };
  server.on('tlsClientError', (err) => {
    if (handled) return;
    handled = true;
    report(null, {
      bytesWritten: 0,
      bytesEchoed: 0,
      crc32cSent: 0,
      crc32cEchoed: 0,
      firstByteAtMs: null,
      error: streamError(err, 'handshake'),
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    if (handled) return void socket.destroy();
    handled = true;
    let sent = 0;
    let crcSent = 0;
    let echoed = 0;
    let crcEchoed = 0;
    let error: StreamError | null = null;
    let done = false;
    const firstByteAtMs = nowMs();
    const finish = (): void => {
      if (done) return;
      done = true;
      report(socket, {
        bytesWritten: sent,
        bytesEchoed: echoed,
        crc32cSent: crcSent,
        crc32cEchoed: crcEchoed,
        firstByteAtMs,
        error,
      });
      socket.end();
    };
    socket.on('data', (chunk: Buffer) => {
      echoed += chunk.length;
      crcEchoed = crc32c(chunk, crcEchoed);
      if (echoed >= req.sizeBytes) finish();
    });
    socket.on('error', (err) => {
      error ??= streamError(err, 'transfer');
      finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    // Write in order, honouring backpressure; the echo comes back meanwhile.
    const writeNext = (): void => {
      while (sent < req.sizeBytes && !socket.destroyed) {
        const piece = randomBytes(Math.min(req.chunkBytes, req.sizeBytes - sent));
        sent += piece.length;
        crcSent = crc32c(piece, crcSent);
        if (!socket.write(piece)) return void socket.once('drain', writeNext);
      }
    };
    writeNext();
  });
  server.on('error', (err) =>
    workerChannel().send({ type: 'fatal', id: req.id, message: `echo sender: ${String(err)}` }),
  );
  server.listen(0, req.host, () => {
    const { port, address } = server.address() as AddressInfo;
    workerChannel().send({ type: 'listening', id: req.id, port, address });
  });
}

export const handlers: WorkerHandlers<EchoOrchestratorMessage> = { 'echo-send': send };
