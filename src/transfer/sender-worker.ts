/**
 * The sender worker process (the "master"): serves one fixture per request over
 * TLS, writes it in chunks (honouring backpressure, or not: the write path),
 * and ends the stream by the scenario's shutdown strategy. It reports times
 * and usage; it never classifies.
 */
import { readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { StreamError } from '../outcome.ts';
import { workerChannel } from './channel.ts';
import {
  nowMs,
  readyMessage,
  type Negotiated,
  type OrchestratorMessage,
  type SenderReport,
  type ServeRequest,
  type WorkerMessage,
} from './messages.ts';
import { ACK, RECEIVER_MODES_TABLE, sizeLine } from './receiver-modes.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from './shutdown.ts';
import { FixtureChangedError, SourceCache, type FixtureSource, type SourceBlock } from './source.ts';
import { BUFFERED_TAIL_BYTES } from './strategies.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from './tls-options.ts';
import { collectGarbage, UsageMeter } from './usage.ts';
import { DrainWaiter, TrackedWrites, writeInPieces } from './write-path.ts';
import { HANDLERS } from '../protocols/sender-handlers.ts';
import { dispatchProtocolMessage } from '../protocols/worker-handlers.ts';

const sources = new SourceCache();

function send(msg: WorkerMessage): void {
  workerChannel().send(msg);
}

/** Resolves when the receiver's `+OK\r\n` has arrived; rejects if the stream ends first. */
function ackReceived(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      if (got.length >= ACK.length) {
        socket.off('data', onData);
        if (got.subarray(0, ACK.length).equals(ACK)) resolve();
        else reject(Object.assign(new Error(`bad ack ${JSON.stringify(got.toString('latin1'))}`), { code: 'BAD_ACK' }));
      }
    };
    socket.on('data', onData);
    socket.once('end', () => reject(Object.assign(new Error('stream ended before the ack'), { code: 'NO_ACK' })));
    socket.once('close', () => reject(Object.assign(new Error('socket closed before the ack'), { code: 'NO_ACK' })));
  });
}

async function serve(req: ServeRequest): Promise<void> {
  const mode = RECEIVER_MODES_TABLE[req.receiverMode];
  const fixture = { path: req.fixturePath, sizeBytes: req.sizeBytes, crc32c: req.fixtureCrc32c };
  let source: FixtureSource;
  try {
    source = await sources.getChecked(req.source, fixture);
  } catch (err) {
    if (!(err instanceof FixtureChangedError)) throw err;
    send({ type: 'fixture-error', id: req.id, message: err.message });
    return;
  }
  let fixtureError: string | null = null;
  /**
   * The check after the last read, started then but awaited only before the report: it must not delay the shutdown
   * strategy.
   */
  let fixtureCheck: Promise<string | null> | null = null;
  const tcp = req.transport === 'tcp';
  // half-close keeps reading after its own end(); every other strategy lets Node close on the peer's FIN.
  const allowHalfOpen = req.shutdown === 'half-close';
  const server: Server = tcp
    ? createTcpServer({ allowHalfOpen })
    : createServer({ key: req.key, cert: req.cert, allowHalfOpen, ...pinnedTlsOptions(req.tls) });
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
    const msg: SenderReport = {
      type: 'sent',
      id: req.id,
      bytesWritten,
      firstByteAtMs,
      negotiated,
      error,
      ...u,
      ...(fixtureError !== null ? { fixtureError } : {}),
    };
    send(msg);
  };

  // A handshake failure shows up on the server, not on a socket.
  server.on('tlsClientError', (err) => {
    error = { code: errorCode(err), message: err.message, phase: 'handshake' };
    server.close();
    report();
  });

  /** The request's one connection: no other is taken, and an error on it is the transfer's. */
  const accept = (socket: Socket): void => {
    server.close(); // one connection per request
    usage = new UsageMeter();
    socket.on('error', (err) => {
      error ??= { code: errorCode(err), message: err.message, phase: 'transfer' };
      socket.destroy();
    });
  };

  /** Writes the fixture and ends the stream by the strategy, then reports. */
  const stream = (socket: Socket): void => {
    const ack = mode.ack ? ackReceived(socket) : null;
    ack?.catch(() => undefined); // observed below; a stream that dies first is reported by the socket
    writeAll(socket, source)
      .then(async (lastWriteTaken) => {
        if (req.fault?.kind === 'stall') return new Promise<never>(() => {}); // hang on purpose
        if (ack) await ack;
        if (req.shutdown === 'exit') report(); // the process is about to end: speak first
        await SHUTDOWN_STRATEGIES_TABLE[req.shutdown].finish({ socket, lastWriteTaken: lastWriteTaken() });
      })
      .catch((err: unknown) => {
        error ??= {
          code: errorCode(err),
          message: err instanceof Error ? err.message : String(err),
          phase: 'transfer',
        };
        socket.destroy();
      })
      .finally(async () => {
        fixtureError = (await fixtureCheck?.catch(() => null)) ?? null;
        report();
      });
  };

  // The tcp reference lane: the same stream on a plain socket, nothing negotiated.
  if (tcp) {
    server.on('connection', (socket: Socket) => {
      accept(socket);
      stream(socket);
    });
  }

  server.on('secureConnection', (socket: TLSSocket) => {
    accept(socket);
    const cipher = socket.getCipher();
    negotiated = { protocol: socket.getProtocol(), suite: cipher?.name ?? null };
    const mismatch = negotiationMismatch(req.tls, negotiated.protocol, negotiated.suite);
    if (mismatch) {
      error = { code: 'SUITE_MISMATCH', message: mismatch, phase: 'handshake' };
      socket.destroy();
      report();
      return;
    }
    if (req.maxFragment < 16384 && !socket.setMaxSendFragment(req.maxFragment)) {
      error = {
        code: 'ERR_MAX_FRAGMENT',
        message: `setMaxSendFragment(${req.maxFragment}) refused`,
        phase: 'handshake',
      };
      socket.destroy();
      report();
      return;
    }
    stream(socket);
  });

  /**
   * Writes the (framed) fixture; resolves once the last write() has returned,
   * with a function that tells when TLS has taken it. (Not the promise itself:
   * an async function would adopt it and resolve only after the flush.)
   */
  async function writeAll(socket: Socket, src: FixtureSource): Promise<() => Promise<void>> {
    // Counts writes issued and taken, so the strategies can wait for the last one.
    const out = new TrackedWrites(socket);
    const drain = new DrainWaiter(socket);
    const limit = req.fault?.kind === 'stall' ? req.fault.atByte : Infinity;
    /** Writes a block in chunk-sized pieces; with `wait`, honours backpressure. null: all written at once. */
    const writeBlock = (block: SourceBlock, wait: boolean): Promise<void> | null =>
      writeInPieces(out, drain, block.bytes, {
        chunkBytes: req.chunkBytes,
        wait,
        release: block.release,
        budget: () => limit - bytesWritten,
        onPiece: (n) => (bytesWritten += n),
      });
    // `buffered`: naive code writes the end of the file in one go, without
    // waiting for 'drain'. That tail is read first and then written in one
    // synchronous run, so nothing gets flushed between its writes.
    const bufferedFrom = req.writePath === 'buffered' ? req.sizeBytes - BUFFERED_TAIL_BYTES : Infinity;
    const tail: SourceBlock[] = [];
    let position = 0;
    firstByteAtMs = nowMs();
    if (mode.framed) out.write(sizeLine(req.sizeBytes));
    for await (const block of src.blocks(req.chunkBytes)) {
      if (position + block.bytes.length > bufferedFrom) tail.push(block);
      else await writeBlock(block, true); // null (no wait needed) is awaited once per block, not per write
      position += block.bytes.length;
      if (bytesWritten >= limit) break;
    }
    for (const block of tail) void writeBlock(block, false);
    // Every byte has been read: had the file changed meanwhile, what went out is not the fixture.
    if (req.source === 'file') fixtureCheck = sources.changedSince(fixture);
    return () => out.lastWriteTaken();
  }

  server.listen(0, req.host, () => {
    const { port, address } = server.address() as AddressInfo;
    send({ type: 'listening', id: req.id, port, address });
  });
}

workerChannel().onMessage((msg: OrchestratorMessage) => {
  if (msg.type === 'serve') {
    serve(msg).catch((err: unknown) => send({ type: 'fatal', id: msg.id, message: String(err) }));
  } else if (dispatchProtocolMessage(HANDLERS, msg)) {
    // a protocol's own request (src/protocols/<name>/, its sender module)
  } else if (msg.type === 'shutdown') {
    process.exit(0);
  } else if (msg.type === 'gc') {
    collectGarbage(send);
  }
});
workerChannel().onClose(() => process.exit(0));
send(readyMessage());
