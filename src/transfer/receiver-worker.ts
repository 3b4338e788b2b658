/**
 * The receiver worker process (the "replica"): connects, verifies the server
 * certificate with the run's CA, counts every byte and hands it to the checker
 * thread (CRC32C off the read loop: verified-reader.ts), watches for
 * close_notify, and reports what it saw once every byte is checked. Classification happens in the
 * orchestrator (outcome.ts), from this report alone.
 */
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { connect, TLSSocket, type ConnectionOptions } from 'node:tls';
import type { StreamError } from '../outcome.ts';
import { CloseNotifyDetector, STDERR_PATH_ENV, TRACE_TAIL_BYTES } from './close-notify.ts';
import { workerChannel } from './channel.ts';
import {
  nowMs,
  readyMessage,
  type Negotiated,
  type OrchestratorMessage,
  type ReceiveRequest,
  type ReceiverReport,
  type WorkerMessage,
} from './messages.ts';
import { ACK, RECEIVER_MODES_TABLE } from './receiver-modes.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from './tls-options.ts';
import { collectGarbage, UsageMeter } from './usage.ts';
import { defaultVerifier, VerifiedReader, VERIFIERS } from './verified-reader.ts';
import { HANDLERS } from '../protocols/receiver-handlers.ts';
import { dispatchProtocolMessage } from '../protocols/worker-handlers.ts';

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
  const closeNotify = new CloseNotifyDetector(
    req.detectCloseNotify === false || tcp ? null : (process.env[STDERR_PATH_ENV] ?? null),
  );
  const armAt = Math.max(0, req.bytesExpected - TRACE_TAIL_BYTES);
  const startedAt = nowMs();
  let handshakeMs: number | null = null;
  let negotiated: Negotiated = { protocol: null, suite: null };
  let doneAtMs: number | null = null;
  let error: StreamError | null = null;
  let secure = false;
  // Framed modes: the size line comes first.
  let header = Buffer.alloc(0);
  let declaredBytes: number | null = null;
  let graceTimer: NodeJS.Timeout | null = null;
  let cutByUs = false;

  const countMet = (): void => {
    doneAtMs = nowMs();
    // The checker checks the tail now; the stream's time ends when it has.
    reader.flush();
    if (mode.ack) socket.write(ACK);
    // The count decides; wait a little for the end only to see how it ends.
    graceTimer = setTimeout(() => {
      cutByUs = true;
      socket.destroy();
    }, req.closeGraceMs);
  };

  /** A framed stream's size line: the payload that followed it, or null while it is incomplete. */
  const sizeLine = (chunk: Buffer): Buffer | null => {
    header = Buffer.concat([header, chunk]);
    const eol = header.indexOf('\r\n');
    if (eol < 0) {
      if (header.length > MAX_SIZE_LINE) {
        error = { code: 'BAD_SIZE_LINE', message: 'no size line at the start of a framed stream', phase: 'transfer' };
        socket.destroy();
      }
      return null;
    }
    declaredBytes = Number(header.subarray(0, eol).toString('latin1'));
    if (declaredBytes === 0) countMet();
    return header.subarray(eol + 2);
  };

  // Hot path: a count and two comparisons per read; the bytes themselves are checked off this thread.
  const reader = new VerifiedReader(VERIFIERS[defaultVerifier()](), req.readPath, {
    ...(mode.framed ? { prefix: sizeLine } : {}),
    onPayload: (bytes) => {
      if (bytes >= armAt && !closeNotify.armed && socket instanceof TLSSocket) closeNotify.arm(socket);
      if (declaredBytes !== null && doneAtMs === null && bytes >= declaredBytes) countMet();
    },
  });

  // framed-ack writes its ack after the count; it must still be able to after the peer's FIN.
  const plain = { host: req.host, port: req.port, allowHalfOpen: mode.ack, ...reader.connectOptions() };
  // The tcp lane: the same reader and checks on a node:net socket, no TLS.
  // allowHalfOpen is honoured by tls.connect but missing from @types/node 20's ConnectionOptions.
  const socket = tcp
    ? connectTcp(plain)
    : connect({ ...plain, servername: req.servername, ca: req.ca, ...pinnedTlsOptions(req.tls) } as ConnectionOptions);
  reader.attach(socket);

  const progress = setInterval(
    () => send({ type: 'progress', id: req.id, bytes: reader.bytes }),
    req.progressIntervalMs,
  );

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

  socket.on('end', () => {
    closeNotify.markEnd();
    doneAtMs ??= nowMs();
    reader.flush();
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
    // We cut a stream whose end had not come: how it would have ended is unknown.
    const observed = cutByUs ? null : closeNotify.observe();
    const endedAtMs = doneAtMs ?? nowMs();
    // Outcomes need the CRC of every byte: the report waits for the checker.
    void reader.finish().then(
      (checked) => {
        const mismatch: StreamError | null =
          checked.bytes === checked.bytesRead
            ? null
            : {
                code: 'CHECKER_MISMATCH',
                message: `read ${checked.bytesRead} bytes but the checker saw ${checked.bytes}`,
                phase: 'transfer',
              };
        const report: ReceiverReport = {
          type: 'received',
          id: req.id,
          bytesReceived: checked.bytes,
          crc32c: checked.crc32c,
          closeNotify: observed,
          declaredBytes,
          handshakeMs,
          doneAtMs: Math.max(endedAtMs, checked.checkedAtMs ?? 0),
          readPauses: checked.pauses,
          negotiated,
          error: error ?? mismatch,
          ...usage.stop(),
        };
        send(report);
      },
      (err: unknown) => send({ type: 'fatal', id: req.id, message: `checker: ${String(err)}` }),
    );
  });
}

workerChannel().onMessage((msg: OrchestratorMessage) => {
  if (msg.type === 'receive') {
    try {
      receive(msg);
    } catch (err) {
      send({ type: 'fatal', id: msg.id, message: String(err) });
    }
  } else if (dispatchProtocolMessage(HANDLERS, msg)) {
    // a protocol's own request (src/protocols/<name>/, its receiver module)
  } else if (msg.type === 'shutdown') {
    process.exit(0);
  } else if (msg.type === 'gc') {
    collectGarbage(send);
  }
});
workerChannel().onClose(() => process.exit(0));
send(readyMessage());
