/**
 * echo, for the suite's own tests: the sender writes random bytes, the
 * receiver writes each byte back, and the sender checks that what came back
 * is what it sent. It shows that a protocol is one folder and one registry
 * line: it runs through the same matrix, orchestrator, reports and compare.
 * Registered only when TLS_SST_BENCH_TEST_PROTOCOLS names it.
 */
import { usageError } from '../../errors.ts';
import { completeKind, errorOutcome, hex, isDelivered, type Outcome } from '../../outcome.ts';
import { heardFrom, type Heard } from '../../runner/receiver-peers.ts';
import { Watchdog } from '../../runner/watchdog.ts';
import { SERVER_NAME } from '../../tls/certs.ts';
import { nowMs, type WorkerMessage } from '../../transfer/messages.ts';
import type { Protocol } from '../types.ts';
import type { EchoReceiverReport, EchoSenderReport } from './messages.ts';

/** What the record of an echo says beyond the shared fields. */
export interface EchoDetail {
  readonly bytesEchoed: number;
  /** Did what came back match what was sent (count and CRC32C)? */
  readonly echoMatched: boolean;
}

declare module '../maps.ts' {
  interface ProtocolParamsMap {
    echo: Record<never, never>;
  }
  interface ProtocolDetailMap {
    echo: EchoDetail;
  }
}

/** Far from the other protocols' ids: 'progress' messages carry the id, on the same workers. */
let nextId = 2_000_000_001;
const NO_TIMEOUT = 2 ** 31 - 1;

/** Pure: how an echo ended, from the sender's check (or how the workers failed). */
export function echoOutcome(
  sizeBytes: number,
  checked: Heard<EchoSenderReport>,
  returned: Heard<EchoReceiverReport> | null,
): Outcome {
  const c = checked.kind === 'report' ? checked.report : null;
  const base = {
    bytesExpected: sizeBytes,
    bytesReceived: c?.bytesEchoed ?? 0,
    errorCode: c?.error?.code ?? null,
    errorMessage: c?.error?.message ?? null,
  };
  if (checked.kind === 'stalled')
    return {
      ...base,
      kind: 'stalled',
      stalledForMs: checked.ms,
      errorCode: 'STALLED',
      errorMessage: `no progress for ${Math.round(checked.ms)} ms`,
    };
  if (checked.kind === 'exited')
    return {
      ...base,
      kind: 'worker-crashed',
      role: checked.role,
      errorCode: 'WORKER_EXIT',
      errorMessage: checked.detail,
    };
  if (returned?.kind === 'exited')
    return {
      ...base,
      kind: 'worker-crashed',
      role: returned.role,
      errorCode: 'WORKER_EXIT',
      errorMessage: returned.detail,
    };
  const r = checked.report;
  const error = r.error ?? (returned?.kind === 'report' ? returned.report.error : null);
  if (r.bytesEchoed < sizeBytes)
    return error ? errorOutcome(base, error) : { ...base, kind: 'truncated', bytesLost: sizeBytes - r.bytesEchoed };
  if (r.bytesEchoed > sizeBytes || r.crc32cEchoed !== r.crc32cSent) {
    return {
      ...base,
      kind: 'corrupt',
      errorCode: 'CRC_MISMATCH',
      errorMessage: `echoed crc32c ${hex(r.crc32cEchoed)} != sent ${hex(r.crc32cSent)}`,
    };
  }
  // The sender ends the connection once it has everything back: close_notify is not watched here.
  return { ...base, kind: completeKind(null) };
}

export const echo: Protocol<'echo'> = {
  name: 'echo',
  description: 'test only: the receiver sends the bytes back, the sender checks them',
  options: [],
  faults: false,
  handlers: { sender: new URL('./sender.ts', import.meta.url), receiver: new URL('./receiver.ts', import.meta.url) },
  check(config) {
    if (config.faults.length > 0)
      throw usageError('--faults applies to --protocol raw only: an echo has no proxy in between');
  },
  expand: (_config, sizeBytes) => [
    {
      receiverMode: 'until-eof',
      receiverPeer: 'node',
      senderPeer: 'node',
      streams: 1,
      fileBytes: sizeBytes,
      params: { protocol: 'echo' },
    },
  ],
  readPathRefusal: (readPath) =>
    `--read-path "${readPath}" cannot be played by --protocol echo: its receiver reads its own way; use data`,
  peerLabel: () => 'echo',
  // Nothing to prepare: the sender makes its bytes as it goes.
  prepare: async () => ({
    async run(pair, t) {
      const s = t.scenario;
      const id = nextId++;
      const startedAt = nowMs();
      const tls = { tlsVersion: s.tlsVersion, suite: s.suite };
      let stalled: (ms: number) => void = () => undefined;
      const stall = new Promise<number>((resolve) => (stalled = resolve));
      const watchdog = new Watchdog(t.stallTimeoutMs, (ms) => stalled(ms));
      const offProgress = pair.receiver.on((m) => {
        if (m.type === 'progress' && m.id === id) {
          watchdog.progress(m.bytes);
          t.onProgress?.(m.bytes);
        }
      });
      const checkedP = heardFrom(
        pair.sender.next((m): m is EchoSenderReport => m.type === 'echo-checked' && m.id === id, NO_TIMEOUT),
        'sender',
        stall,
      );
      const listeningP = pair.sender.next(
        (m): m is Extract<WorkerMessage, { type: 'listening' }> => m.type === 'listening' && m.id === id,
        NO_TIMEOUT,
      );
      pair.sender.post({
        type: 'echo-send',
        id,
        tls,
        cert: t.certs.cert,
        key: t.certs.key,
        host: t.host,
        sizeBytes: s.sizeBytes,
        chunkBytes: s.chunkBytes,
      });
      const listening = await heardFrom(listeningP, 'sender', stall);
      let returned: Heard<EchoReceiverReport> | null = null;
      if (listening.kind === 'report') {
        t.onListening(listening.report.address);
        const returnedP = heardFrom(
          pair.receiver.next((m): m is EchoReceiverReport => m.type === 'echo-returned' && m.id === id, NO_TIMEOUT),
          'receiver',
          stall,
        );
        pair.receiver.post({
          type: 'echo-return',
          id,
          tls,
          host: t.host,
          port: listening.report.port,
          servername: SERVER_NAME,
          ca: t.certs.caCert,
          sizeBytes: s.sizeBytes,
          progressIntervalMs: 200,
        });
        returned = await returnedP;
      }
      const checked = listening.kind === 'report' ? await checkedP : listening;
      offProgress();
      watchdog.stop();
      const outcome = echoOutcome(s.sizeBytes, checked, returned);
      const c = checked.kind === 'report' ? checked.report : null;
      const r = returned?.kind === 'report' ? returned.report : null;
      if (!c || !r || !pair.sender.alive || !pair.receiver.alive) {
        if (!t.signal?.aborted) await pair.replace();
      }
      const durationMs = c?.firstByteAtMs != null && isDelivered(outcome) ? c.doneAtMs - c.firstByteAtMs : null;
      return {
        runId: t.runId,
        scenarioId: s.id,
        iteration: t.iteration,
        warmup: t.warmup,
        scenario: s,
        source: t.source,
        suiteNegotiated: c?.negotiated.suite ?? null,
        protocolNegotiated: c?.negotiated.protocol ?? null,
        bytesExpected: s.sizeBytes,
        bytesWritten: c?.bytesWritten ?? 0,
        bytesReceived: outcome.bytesReceived,
        handshakeMs: r?.handshakeMs ?? null,
        durationMs,
        mbPerSec: durationMs !== null && durationMs > 0 ? s.sizeBytes / 1e6 / (durationMs / 1000) : null,
        senderCpuMs: c?.cpuMs ?? null,
        receiverCpuMs: r?.cpuMs ?? null,
        senderRssPeakBytes: c?.rssPeakBytes ?? null,
        receiverRssPeakBytes: r?.rssPeakBytes ?? null,
        closeNotify: null,
        outcome,
        // The sender checks every byte: it knows of any loss.
        receiverNoticed: true,
        silentLoss: false,
        stoppedAt: null,
        fault: null,
        detail: {
          protocol: 'echo',
          bytesEchoed: c?.bytesEchoed ?? 0,
          echoMatched: c !== null && c.bytesEchoed === s.sizeBytes && c.crc32cEchoed === c.crc32cSent,
        },
        progress: [],
        wallMs: nowMs() - startedAt,
      };
    },
  }),
};
