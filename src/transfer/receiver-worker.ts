/**
 * The receiver worker process (the "replica"): connects, verifies the server
 * certificate with the run's CA, counts and checksums every byte, watches for
 * close_notify, and reports what it saw. Classification happens in the
 * orchestrator (outcome.ts), from this report alone.
 */
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { connect, TLSSocket, type ConnectionOptions } from 'node:tls';
import { crc32c } from '@node-rs/crc32';
import type { StreamError } from '../outcome.ts';
import { CloseNotifyDetector, STDERR_PATH_ENV, TRACE_TAIL_BYTES } from './close-notify.ts';
import { workerChannel } from './channel.ts';
import { nowMs, readyMessage, type Negotiated, type OrchestratorMessage, type ReceiveRequest, type ReceiverReport, type WorkerMessage } from './messages.ts';
import { ACK, RECEIVER_MODES_TABLE } from './receiver-modes.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from './tls-options.ts';
import { collectGarbage, UsageMeter } from './usage.ts';
import { onKvrocksFetch } from '../kvrocks/replica.ts';

function send(msg: WorkerMessage): void {
  workerChannel().send(msg);
}

/** A size line is digits and CRLF; more than this many bytes without CRLF is not one. */
const MAX_SIZE_LINE = 24;

function receive(req: ReceiveRequest): void {
  const usage = new UsageMeter();
  const mode = RECEIVER_MODES_TABLE[req.mode];
  const tcp = req.transport === 'tcp';
  // The tcp reference lane has no TLS, hence no close_notify to see.
  const closeNotify = new CloseNotifyDetector(req.detectCloseNotify === false || tcp ? null : (process.env[STDERR_PATH_ENV] ?? null));
  const armAt = Math.max(0, req.bytesExpected - TRACE_TAIL_BYTES);
  const startedAt = nowMs();
  let handshakeMs: number | null = null;
  let negotiated: Negotiated = { protocol: null, suite: null };
  let bytesReceived = 0;
  let crc = 0;
  let doneAtMs: number | null = null;
  let error: StreamError | null = null;
  let secure = false;
  // Framed modes: the size line comes first.
  let header: Buffer | null = mode.framed ? Buffer.alloc(0) : null;
  let declaredBytes: number | null = null;
  let graceTimer: NodeJS.Timeout | null = null;
  let cutByUs = false;

  // allowHalfOpen is honoured by tls.connect but missing from @types/node 20's ConnectionOptions.
  // framed-ack writes its ack after the count; it must still be able to after the peer's FIN.
  const socket = tcp
    ? connectTcp({ host: req.host, port: req.port, allowHalfOpen: mode.ack })
    : connect({ host: req.host, port: req.port, servername: req.servername, ca: readFileSync(req.caPath), allowHalfOpen: mode.ack, ...pinnedTlsOptions(req.tls) } as ConnectionOptions);

  const progress = setInterval(() => send({ type: 'progress', id: req.id, bytes: bytesReceived }), req.progressIntervalMs);

  socket.once(tcp ? 'connect' : 'secureConnect', () => {
    secure = true;
    handshakeMs = nowMs() - startedAt;
    if (!(socket instanceof TLSSocket)) return;
    negotiated = { protocol: socket.getProtocol(), suite: socket.getCipher()?.name ?? null };
    const mismatch = negotiationMismatch(req.tls, negotiated.protocol, negotiated.suite);
    if (mismatch) {
      error = { code: 'SUITE_MISMATCH', message: mismatch, phase: 'handshake' };
      socket.destroy();
      return;
    }
    if (armAt === 0) closeNotify.arm(socket);
  });

  const countMet = (): void => {
    doneAtMs = nowMs();
    if (mode.ack) socket.write(ACK);
    // The count decides; wait a little for the end only to see how it ends.
    graceTimer = setTimeout(() => {
      cutByUs = true;
      socket.destroy();
    }, req.closeGraceMs);
  };

  const onPayload = (chunk: Buffer): void => {
    bytesReceived += chunk.length;
    crc = crc32c(chunk, crc);
    if (!closeNotify.armed && bytesReceived >= armAt && socket instanceof TLSSocket) closeNotify.arm(socket);
    if (declaredBytes !== null && doneAtMs === null && bytesReceived >= declaredBytes) countMet();
  };

  socket.on('data', (chunk: Buffer) => {
    if (header === null) return onPayload(chunk);
    header = Buffer.concat([header, chunk]);
    const eol = header.indexOf('\r\n');
    if (eol < 0) {
      if (header.length > MAX_SIZE_LINE) {
        error = { code: 'BAD_SIZE_LINE', message: 'no size line at the start of a framed stream', phase: 'transfer' };
        socket.destroy();
      }
      return;
    }
    declaredBytes = Number(header.subarray(0, eol).toString('latin1'));
    const rest = header.subarray(eol + 2);
    header = null;
    if (declaredBytes === 0) countMet();
    if (rest.length > 0) onPayload(rest);
  });

  socket.on('end', () => {
    closeNotify.markEnd();
    doneAtMs ??= nowMs();
    if (mode.ack) socket.end();
  });

  socket.on('error', (err) => {
    error ??= { code: errorCode(err), message: err.message, phase: secure ? 'transfer' : 'handshake' };
    // After the handshake an SSL error does not destroy the socket by itself;
    // without this, 'close' waits for an idle timeout (NODE-TLS-FACTS.md).
    socket.destroy();
  });

  socket.on('close', () => {
    clearInterval(progress);
    if (graceTimer) clearTimeout(graceTimer);
    const report: ReceiverReport = {
      type: 'received',
      id: req.id,
      bytesReceived,
      crc32c: crc,
      // We cut a stream whose end had not come: how it would have ended is unknown.
      closeNotify: cutByUs ? null : closeNotify.observe(),
      declaredBytes,
      handshakeMs,
      doneAtMs: doneAtMs ?? nowMs(),
      negotiated,
      error,
      ...usage.stop(),
    };
    send(report);
  });
}

workerChannel().onMessage((msg: OrchestratorMessage) => {
  if (msg.type === 'receive') {
    try {
      receive(msg);
    } catch (err) {
      send({ type: 'fatal', id: msg.id, message: String(err) });
    }
  } else if (msg.type === 'kvrocks-fetch') {
    onKvrocksFetch(msg);
  } else if (msg.type === 'shutdown') {
    process.exit(0);
  } else if (msg.type === 'gc') {
    collectGarbage(send);
  }
});
workerChannel().onClose(() => process.exit(0));
send(readyMessage());
