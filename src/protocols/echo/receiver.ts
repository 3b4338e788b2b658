/** The echo's receiver worker side: a TLS client that writes back every byte it reads. */
import { connect } from 'node:tls';
import type { StreamError } from '../../outcome.ts';
import { workerChannel } from '../../transfer/channel.ts';
import { nowMs } from '../../transfer/messages.ts';
import { pinnedTlsOptions, streamError } from '../../transfer/tls-options.ts';
import { UsageMeter } from '../../transfer/usage.ts';
import type { WorkerHandlers } from '../types.ts';
import type { EchoOrchestratorMessage, EchoReturnRequest } from './messages.ts';

function giveBack(req: EchoReturnRequest): void {
  const usage = new UsageMeter();
  const startedAt = nowMs();
  let received = 0;
  let handshakeMs: number | null = null;
  let error: StreamError | null = null;
  let reported = false;
  const progress = setInterval(
    () => workerChannel().send({ type: 'progress', id: req.id, bytes: received }),
    req.progressIntervalMs,
  );
  const socket = connect(
    { host: req.host, port: req.port, servername: req.servername, ca: req.ca, ...pinnedTlsOptions(req.tls) },
    () => {
      handshakeMs = nowMs() - startedAt;
    },
  );
  const report = (): void => {
    if (reported) return;
    reported = true;
    clearInterval(progress);
    workerChannel().send({
      type: 'echo-returned',
      id: req.id,
      bytesReceived: received,
      handshakeMs,
      error,
      ...usage.stop(),
    });
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    socket.write(chunk);
  });
  socket.on('error', (err) => {
    error ??= streamError(err, handshakeMs === null ? 'handshake' : 'transfer');
    report();
  });
  socket.on('close', report);
}

export const handlers: WorkerHandlers<EchoOrchestratorMessage> = { 'echo-return': giveBack };
