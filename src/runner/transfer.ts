import { locateStop } from '../fixtures/locate.ts';
import type { Fixture } from '../fixtures/types.ts';
import type { Scenario } from '../scenario.ts';
import { classify, isDelivered, type Outcome } from '../outcome.ts';
import { RECEIVER_MODES_TABLE } from '../transfer/receiver-modes.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from '../transfer/shutdown.ts';
import type { ProgressSample, TransferRecord } from '../results.ts';
import { SERVER_NAME, type CertPems } from '../tls/certs.ts';
import { nowMs, type ReceiverReport, type SenderFault, type Transport } from '../transfer/messages.ts';
import { SENDER_PEERS, type SenderResult } from './sender-peers.ts';
import type { SourceName } from '../transfer/strategies.ts';
import { heardFrom, RECEIVER_PEERS, type Heard } from './receiver-peers.ts';
import { Watchdog } from './watchdog.ts';
import { FaultProxy, type ProxyFault } from '../transfer/fault-proxy.ts';
import type { Pair } from './worker-interface.ts';

export interface TransferRequest {
  readonly runId: string;
  readonly scenario: Scenario;
  readonly fixture: Fixture;
  readonly certs: CertPems;
  readonly source: SourceName;
  readonly iteration: number;
  readonly warmup: boolean;
  readonly stallTimeoutMs: number;
  /** Where the sender (and a fault proxy) listen and the receiver connects; default 127.0.0.1. */
  readonly host?: string;
  /** Told each address a server of this transfer (sender, fault proxy) bound. */
  readonly onListening?: (address: string) => void;
  readonly fault?: SenderFault;
  /** A middlebox fault on the way from sender to receiver (a loopback proxy in between). */
  readonly proxyFault?: ProxyFault;
  /** `tcp`: the same transfer over node:net without TLS (the tcp reference lane); default TLS. */
  readonly transport?: Transport;
  /** false turns close_notify detection off (to measure its cost); default on. */
  readonly detectCloseNotify?: boolean;
  /** Aborted when the run is interrupted: a broken pair is then not replaced. */
  readonly signal?: AbortSignal;
  /** Called with the receiver's byte count, about every 100 ms. */
  readonly onProgress?: (bytes: number) => void;
}

let nextId = 1;

/** How long a sender may take to report after the receiver is done. */
const SENDER_GRACE_MS = 3000;
const PROXIED_SENDER_GRACE_MS = 500;

/**
 * One transfer between the pair's workers, watched: no receiver progress for
 * the stall timeout, or a worker that dies, becomes the outcome, the pair is
 * replaced, and the caller goes on. Never throws for a failed transfer.
 */
export async function runTransfer(pair: Pair, req: TransferRequest): Promise<TransferRecord> {
  const id = nextId++;
  const host = req.host ?? '127.0.0.1';
  const tls = { tlsVersion: req.scenario.tlsVersion, suite: req.scenario.suite };
  const startedAt = nowMs();
  const { sender, receiver } = pair;

  let stalled: (ms: number) => void = () => undefined;
  const stall = new Promise<number>((resolve) => (stalled = resolve));
  const watchdog = new Watchdog(req.stallTimeoutMs, (ms) => stalled(ms));
  let lastProgressBytes = 0;
  const samples: ProgressSample[] = [];
  const progress = (bytes: number): void => {
    samples.push({ atMs: Math.round(nowMs() - startedAt), bytes });
    lastProgressBytes = bytes;
    watchdog.progress(bytes);
    req.onProgress?.(bytes);
  };

  const serving = await SENDER_PEERS[req.scenario.senderPeer].serve({
    request: {
      id,
      tls,
      cert: req.certs.cert,
      key: req.certs.key,
      host,
      fixturePath: req.fixture.path,
      sizeBytes: req.fixture.sizeBytes,
      fixtureCrc32c: req.fixture.crc32c,
      source: req.source,
      chunkBytes: req.scenario.chunkBytes,
      maxFragment: req.scenario.maxFragment,
      shutdown: req.scenario.shutdown,
      writePath: req.scenario.writePath,
      receiverMode: req.scenario.receiverMode,
      ...(req.fault ? { fault: req.fault } : {}),
      ...(req.transport ? { transport: req.transport } : {}),
    },
    worker: sender,
    stall,
  });
  const { listening, sent } = serving;
  if (listening.kind === 'fixture-error') {
    // Nothing was served: the pair is fine and goes on to the next transfer.
    serving.stop();
    watchdog.stop();
    const nothing: Heard<never> = { kind: 'exited', role: 'sender', detail: listening.detail };
    return asFixtureError(
      { ...toRecord(req, nothing, nothing, nowMs() - startedAt, 0), progress: samples },
      listening.detail,
    );
  }

  let received: Heard<ReceiverReport>;
  let proxy: FaultProxy | null = null;
  if (listening.kind === 'report') req.onListening?.(listening.report.address);
  if (listening.kind === 'report' && req.proxyFault) {
    proxy = await FaultProxy.start({ target: { host, port: listening.report.port }, fault: req.proxyFault, host });
    req.onListening?.(proxy.address);
  }
  if (listening.kind === 'report') {
    received = await RECEIVER_PEERS[req.scenario.receiverPeer].receive({
      request: {
        id,
        tls,
        host,
        port: proxy?.port ?? listening.report.port,
        servername: SERVER_NAME,
        ca: req.certs.caCert,
        mode: req.scenario.receiverMode,
        bytesExpected: req.fixture.sizeBytes,
        crc32cExpected: req.fixture.crc32c,
        progressIntervalMs: 100,
        closeGraceMs: 2000,
        readPath: req.scenario.readPath,
        ...(req.detectCloseNotify === false ? { detectCloseNotify: false } : {}),
        ...(req.transport ? { transport: req.transport } : {}),
      },
      worker: receiver,
      tempDir: pair.tempDir,
      stall,
      progress,
    });
  } else {
    received = listening;
  }
  // The receiver is done; the sender gets what is left of the stall timeout to finish its shutdown.
  watchdog.progress(-1);
  // The receiver is done with the proxy: close both its sides, as a middlebox
  // does once the client is gone, so a sender still writing gets an error at
  // once instead of waiting for a 'drain' that cannot come.
  await proxy?.close();
  // Once the receiver has its answer, the sender gets a short grace to report:
  // one left writing into a connection nobody reads (a middlebox that dropped
  // the receiver) would otherwise hold the run until the stall timeout.
  // Behind a fault proxy the sender's side was cut by the middlebox: a short grace.
  const grace =
    received.kind === 'report'
      ? Math.min(req.stallTimeoutMs, proxy ? PROXIED_SENDER_GRACE_MS : SENDER_GRACE_MS)
      : req.stallTimeoutMs;
  let graceTimer: NodeJS.Timeout | undefined;
  const senderHeard = await Promise.race([
    sent,
    new Promise<Heard<SenderResult>>(
      (resolve) => (graceTimer = setTimeout(() => resolve({ kind: 'stalled', ms: grace }), grace)),
    ),
  ]);
  clearTimeout(graceTimer);
  serving.stop();
  watchdog.stop();

  if (SHUTDOWN_STRATEGIES_TABLE[req.scenario.shutdown].endsProcess) {
    // The sender exits by design; wait for it (briefly) so the next transfer gets a live one.
    await Promise.race([sender.exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  }
  const broken = received.kind !== 'report' || senderHeard.kind !== 'report' || !sender.alive || !receiver.alive;
  if (broken && !req.signal?.aborted) await pair.replace();
  const record = { ...toRecord(req, received, senderHeard, nowMs() - startedAt, lastProgressBytes), progress: samples };
  const changed = senderHeard.kind === 'report' ? senderHeard.report.fixtureError : undefined;
  if (changed !== undefined) return asFixtureError(record, changed);
  if (record.outcome.kind !== 'truncated' || received.kind !== 'report') return record;
  // The fixture may be gone by now (fixtures clean): then where it stopped is unknown, not a crash.
  return {
    ...record,
    stoppedAt: await locateStop(req.fixture, received.report.bytesReceived, received.report.crc32c).catch(() => null),
  };
}

/**
 * The record of a transfer whose sender found its fixture changed: whatever
 * the receiver saw says nothing about TLS or the way of ending, so it is no
 * loss (silent or not) and no throughput.
 */
function asFixtureError(record: TransferRecord, detail: string): TransferRecord {
  const outcome: Outcome = {
    bytesExpected: record.bytesExpected,
    bytesReceived: record.bytesReceived,
    kind: 'fixture-error',
    errorCode: 'FIXTURE_CHANGED',
    errorMessage: detail,
  };
  return {
    ...record,
    outcome,
    durationMs: null,
    mbPerSec: null,
    receiverNoticed: false,
    silentLoss: false,
    stoppedAt: null,
  };
}

/** `lastProgressBytes`: the receiver's last word on its count, for when it never reported. */
function toRecord(
  req: TransferRequest,
  received: Heard<ReceiverReport>,
  sent: Heard<SenderResult>,
  wallMs: number,
  lastProgressBytes: number,
): TransferRecord {
  const s = sent.kind === 'report' ? sent.report : null;
  const r = received.kind === 'report' ? received.report : null;
  const bytesExpected = req.fixture.sizeBytes;
  const base = { bytesExpected, bytesReceived: lastProgressBytes, errorCode: null };
  const outcome: Outcome =
    received.kind === 'report'
      ? classify({
          bytesExpected,
          crc32cExpected: req.fixture.crc32c,
          bytesReceived: received.report.bytesReceived,
          crc32c: received.report.crc32c,
          closeNotify: received.report.closeNotify,
          // The sender's handshake error (e.g. SUITE_MISMATCH) explains a receiver that saw only a close.
          error: received.report.error ?? (s?.error?.phase === 'handshake' ? s.error : null),
        })
      : received.kind === 'stalled'
        ? {
            ...base,
            kind: 'stalled',
            stalledForMs: received.ms,
            errorCode: 'STALLED',
            errorMessage: `no progress for ${Math.round(received.ms)} ms`,
          }
        : {
            ...base,
            kind: 'worker-crashed',
            role: received.role,
            errorCode: 'WORKER_EXIT',
            errorMessage: received.detail,
          };
  const bytesReceived = r?.bytesReceived ?? lastProgressBytes;
  const receiverNoticed = RECEIVER_MODES_TABLE[req.scenario.receiverMode].notices(outcome);
  const durationMs = r && s?.firstByteAtMs != null ? r.doneAtMs - s.firstByteAtMs : null;
  return {
    runId: req.runId,
    scenarioId: req.scenario.id,
    iteration: req.iteration,
    warmup: req.warmup,
    scenario: req.scenario,
    source: req.source,
    suiteNegotiated: r?.negotiated.suite ?? s?.negotiated.suite ?? null,
    protocolNegotiated: r?.negotiated.protocol ?? s?.negotiated.protocol ?? null,
    bytesExpected,
    bytesWritten: s?.bytesWritten ?? 0,
    bytesReceived,
    handshakeMs: r?.handshakeMs ?? null,
    durationMs,
    mbPerSec: durationMs !== null && durationMs > 0 ? bytesReceived / 1e6 / (durationMs / 1000) : null,
    senderCpuMs: s?.cpuMs ?? null,
    receiverCpuMs: r?.cpuMs ?? null,
    senderRssPeakBytes: s?.rssPeakBytes ?? null,
    receiverRssPeakBytes: r?.rssPeakBytes ?? null,
    closeNotify: r?.closeNotify ?? null,
    outcome,
    receiverNoticed,
    silentLoss: !isDelivered(outcome) && !receiverNoticed,
    stoppedAt: null,
    fault: req.proxyFault ?? null,
    detail: null,
    progress: [],
    wallMs,
  };
}
