/**
 * The receiver worker process (the "replica"): connects, verifies the server
 * certificate with the run's CA, counts and checksums every byte, watches for
 * close_notify, and reports what it saw. Classification happens in the
 * orchestrator (outcome.ts), from this report alone.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { crc32c } from '@node-rs/crc32';
import type { StreamError } from '../outcome.ts';
import { CloseNotifyDetector, TRACE_TAIL_BYTES } from './close-notify.ts';
import { nowMs, type Negotiated, type OrchestratorMessage, type ReceiveRequest, type ReceiverReport, type WorkerMessage } from './messages.ts';
import { RECEIVER_MODES_TABLE } from './receiver-modes.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from './tls-options.ts';
import { UsageMeter } from './usage.ts';

function send(msg: WorkerMessage): void {
  process.send?.(msg);
}

function receive(req: ReceiveRequest): void {
  const usage = new UsageMeter();
  const mode = RECEIVER_MODES_TABLE[req.mode];
  const closeNotify = new CloseNotifyDetector();
  const armAt = Math.max(0, req.bytesExpected - TRACE_TAIL_BYTES);
  const startedAt = nowMs();
  let handshakeMs: number | null = null;
  let negotiated: Negotiated = { protocol: null, suite: null };
  let bytesReceived = 0;
  let crc = 0;
  let doneAtMs: number | null = null;
  let error: StreamError | null = null;
  let secure = false;

  const socket = connect({
    host: req.host,
    port: req.port,
    servername: req.servername,
    ca: readFileSync(req.caPath),
    ...pinnedTlsOptions(req.tls),
  });

  const progress = setInterval(() => send({ type: 'progress', id: req.id, bytes: bytesReceived }), req.progressIntervalMs);

  socket.once('secureConnect', () => {
    secure = true;
    handshakeMs = nowMs() - startedAt;
    negotiated = { protocol: socket.getProtocol(), suite: socket.getCipher()?.name ?? null };
    const mismatch = negotiationMismatch(req.tls, negotiated.protocol, negotiated.suite);
    if (mismatch) {
      error = { code: 'SUITE_MISMATCH', message: mismatch, phase: 'handshake' };
      socket.destroy();
      return;
    }
    if (armAt === 0) closeNotify.arm(socket);
  });

  socket.on('data', (chunk: Buffer) => {
    bytesReceived += chunk.length;
    crc = crc32c(chunk, crc);
    if (!closeNotify.armed && bytesReceived >= armAt) closeNotify.arm(socket);
    if (mode.doneOnCount && bytesReceived >= req.bytesExpected && doneAtMs === null) {
      doneAtMs = nowMs();
      socket.end();
    }
  });

  socket.on('end', () => {
    doneAtMs ??= nowMs();
  });

  socket.on('error', (err) => {
    error ??= { code: errorCode(err), message: err.message, phase: secure ? 'transfer' : 'handshake' };
    // After the handshake an SSL error does not destroy the socket by itself;
    // without this, 'close' waits for an idle timeout (NODE-TLS-FACTS.md).
    socket.destroy();
  });

  socket.on('close', () => {
    clearInterval(progress);
    const report: ReceiverReport = {
      type: 'received',
      id: req.id,
      bytesReceived,
      crc32c: crc,
      closeNotify: closeNotify.observe(),
      handshakeMs,
      doneAtMs: doneAtMs ?? nowMs(),
      negotiated,
      error,
      ...usage.stop(),
    };
    send(report);
  });
}

process.on('message', (msg: OrchestratorMessage) => {
  if (msg.type === 'receive') {
    try {
      receive(msg);
    } catch (err) {
      send({ type: 'fatal', id: msg.id, message: String(err) });
    }
  } else if (msg.type === 'shutdown') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
