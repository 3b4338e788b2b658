/**
 * The orchestrator's side of a Kvrocks full sync: one serve request to the
 * sender worker (the master), one fetch request to the receiver worker (the
 * replica), watched like a transfer (src/runner/transfer.ts): no progress for
 * the stall timeout, or a worker that dies, becomes the result and the pair
 * is replaced. Never throws for a failed sync; throws a usage error for bad
 * parameters.
 */
import { usageError } from '../../errors.ts';
import type { Observed } from '../../outcome.ts';
import { heardFrom, type Heard } from '../../runner/receiver-peers.ts';
import { Watchdog } from '../../runner/watchdog.ts';
import type { Pair } from '../../runner/worker-interface.ts';
import { SERVER_NAME, type CertPems } from '../../tls/certs.ts';
import { nowMs, type TlsParams, type WorkerMessage } from '../../transfer/messages.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from '../../transfer/shutdown.ts';
import type { ShutdownStrategyName, WritePathName } from '../../transfer/strategies.ts';
import type { Checkpoint } from './checkpoint.ts';
import {
  KVROCKS_STREAMS,
  type KvrocksAttemptFetched,
  type KvrocksFetchReport,
  type KvrocksServeReport,
  type KvrocksStreams,
} from './messages.ts';
import { MAX_WRITE_BYTES } from './protocol.ts';
import { SourceGuard } from '../../transfer/source-guard.ts';

/** What Kvrocks waits before it retries a failed full sync. */
export const KVROCKS_RETRY_DELAY_MS = 10_000;
/** The default here: short, so that a test or a bench sees every attempt quickly. */
export const DEFAULT_RETRY_DELAY_MS = 200;

export interface KvrocksSyncRequest {
  readonly runId: string;
  readonly checkpoint: Checkpoint;
  readonly certs: CertPems;
  readonly tls: TlsParams;
  /** Bytes per master write: 1 to 16 KiB. */
  readonly chunkBytes: number;
  readonly shutdown: ShutdownStrategyName;
  readonly writePath: WritePathName;
  readonly streams: KvrocksStreams;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly stallTimeoutMs: number;
  readonly host?: string;
  /** Told the address the master bound. */
  readonly onListening?: (address: string) => void;
  /** After a connection's count is met, how long the replica waits for the end (to see close_notify); default 1000. */
  readonly closeGraceMs?: number;
  /** Aborted when the run is interrupted: a broken pair is then not replaced. */
  readonly signal?: AbortSignal;
  /** The replica's byte count of its current attempt (it restarts from 0 on a retry), about every 200 ms. */
  readonly onProgress?: (bytes: number) => void;
}

export interface KvrocksFileRecord {
  readonly name: string;
  /** From the checkpoint (the oracle); null for a file it does not list. */
  readonly sizeBytes: number | null;
  /** The master's size line; null if it never came. */
  readonly declaredBytes: number | null;
  readonly bytesReceived: number;
  /** The replica's count was met: it accepted the file. */
  readonly complete: boolean;
  /** The oracle's CRC32C (and size) against what arrived; null for a file the oracle does not list. */
  readonly crcMatch: boolean | null;
}

export interface KvrocksAttemptRecord {
  /** 1-based. */
  readonly attempt: number;
  readonly ok: boolean;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly filesComplete: number;
  readonly bytesReceived: number;
  /** File bytes the master handed to write() on this attempt's connections; null if its report did not come. */
  readonly bytesWritten: number | null;
  /** From `_fetch_meta` to the last count met (or the failure). */
  readonly durationMs: number;
  /** true/false only when it was observed on every file connection (one connection); else null. */
  readonly closeNotify: Observed;
  readonly files: readonly KvrocksFileRecord[];
}

interface KvrocksSyncBase {
  readonly runId: string;
  readonly files: number;
  readonly streams: KvrocksStreams;
  readonly chunkBytes: number;
  readonly shutdown: ShutdownStrategyName;
  readonly writePath: WritePathName;
  readonly tlsVersion: TlsParams['tlsVersion'];
  readonly suite: string;
  readonly protocolNegotiated: string | null;
  readonly suiteNegotiated: string | null;
  /** Attempts begun (those the replica reported, or announced before it stopped talking). */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly attemptsDetail: readonly KvrocksAttemptRecord[];
  /** The checkpoint's total: every file, MANIFEST and CURRENT included. */
  readonly bytesExpected: number;
  /** The last attempt's (for stalled / worker-crashed: the last progress count). */
  readonly bytesReceived: number;
  /** The master's file bytes written on the last attempt's connections; null if unknown. */
  readonly bytesWritten: number | null;
  /** Handshake of the last attempt's first file connection. */
  readonly handshakeMs: number | null;
  /** The successful attempt: the master's first byte written to the replica's last count met. */
  readonly durationMs: number | null;
  /** bytesExpected over durationMs, MB = 10^6 bytes; only for a synced checkpoint. */
  readonly mbPerSec: number | null;
  /**
   * The replica accepted a file (count met) whose content was wrong, or
   * finished a sync without a file the checkpoint has: data loss it could not
   * see, since it judges by count only (newer masters send no CRC).
   */
  readonly silent: boolean;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly masterCpuMs: number | null;
  readonly replicaCpuMs: number | null;
  readonly masterRssPeakBytes: number | null;
  readonly replicaRssPeakBytes: number | null;
  /** Wall time of the whole sync, retries and worker replacement included. */
  readonly wallMs: number;
}

/** One full sync, as measured: a tagged union on `kind`, plain data (JSON as is; CSV from the scalar fields). */
export type KvrocksSyncRecord =
  | (KvrocksSyncBase & { readonly kind: 'synced' })
  | (KvrocksSyncBase & { readonly kind: 'failed' })
  | (KvrocksSyncBase & { readonly kind: 'stalled'; readonly stalledForMs: number })
  | (KvrocksSyncBase & { readonly kind: 'worker-crashed'; readonly role: 'sender' | 'receiver' })
  /**
   * A checkpoint file no longer matched the checkpoint (removed, truncated, changed) when the sync was to start:
   * nothing was served.
   */
  | (KvrocksSyncBase & { readonly kind: 'fixture-error' });

/** The checkpoint files are read by the master on this host: checked before each sync (CRC once per file version). */
const checkpointGuard = new SourceGuard();

/**
 * Far from runTransfer's ids: both kinds of request tag their 'progress' messages with their id, on the same workers.
 */
let nextId = 1_000_000_001;
const NO_TIMEOUT = 2 ** 31 - 1;

function validate(req: KvrocksSyncRequest): void {
  if (!Number.isSafeInteger(req.chunkBytes) || req.chunkBytes < 1 || req.chunkBytes > MAX_WRITE_BYTES) {
    throw usageError(
      `kvrocks chunk size ${String(req.chunkBytes)} bytes is not supported: the master writes 1 to ` +
        `${MAX_WRITE_BYTES} bytes (16KiB) at a time`,
    );
  }
  if (!(KVROCKS_STREAMS as readonly number[]).includes(req.streams)) {
    throw usageError(
      `kvrocks streams ${String(req.streams)} is not supported: expected ${KVROCKS_STREAMS.join(' or ')}`,
    );
  }
  if (!Number.isSafeInteger(req.maxAttempts) || req.maxAttempts < 1) {
    throw usageError(
      `kvrocks max attempts ${String(req.maxAttempts)} is not supported: expected a whole number, at least 1`,
    );
  }
  if (!Number.isFinite(req.retryDelayMs) || req.retryDelayMs < 0) {
    throw usageError(`kvrocks retry delay ${String(req.retryDelayMs)} ms is not supported: expected 0 or more`);
  }
  if (req.checkpoint.files.length === 0) throw usageError('kvrocks checkpoint has no files: expected at least one');
}

export async function runKvrocksSync(pair: Pair, req: KvrocksSyncRequest): Promise<KvrocksSyncRecord> {
  validate(req);
  const id = nextId++;
  const host = req.host ?? '127.0.0.1';
  const startedAt = nowMs();
  for (const f of req.checkpoint.files) {
    const changed = await checkpointGuard.check(f);
    if (changed === null) continue;
    // The run's input changed under it (fixtures clean, a damaged file): no TLS finding, and the pair is fine.
    const nothing: Heard<never> = { kind: 'exited', role: 'sender', detail: changed };
    const record = toKvrocksSyncRecord(req, nothing, nothing, {
      wallMs: nowMs() - startedAt,
      lastProgressBytes: 0,
      attemptsBegun: 0,
    });
    return { ...record, kind: 'fixture-error', silent: false, errorCode: 'FIXTURE_CHANGED', errorMessage: changed };
  }
  const { sender, receiver } = pair;

  let stalled: (ms: number) => void = () => undefined;
  const stall = new Promise<number>((resolve) => (stalled = resolve));
  // A retry wait is silence by design: the watchdog allows it on top of the stall timeout.
  const watchdog = new Watchdog(req.stallTimeoutMs + req.retryDelayMs, (ms) => stalled(ms));
  let lastProgressBytes = 0;
  let attemptsBegun = 0;
  const offProgress = receiver.on((m) => {
    if (m.type === 'progress' && m.id === id) {
      lastProgressBytes = m.bytes;
      watchdog.progress(m.bytes);
      req.onProgress?.(m.bytes);
    } else if (m.type === 'kvrocks-attempt' && m.id === id) {
      attemptsBegun = m.attempt;
    }
  });

  const servedP = heardFrom(
    sender.next((m): m is KvrocksServeReport => m.type === 'kvrocks-served' && m.id === id, NO_TIMEOUT),
    'sender',
    stall,
  );
  const listeningP = sender.next(
    (m): m is Extract<WorkerMessage, { type: 'listening' }> => m.type === 'listening' && m.id === id,
    NO_TIMEOUT,
  );
  sender.post({
    type: 'kvrocks-serve',
    id,
    tls: req.tls,
    cert: req.certs.cert,
    key: req.certs.key,
    host,
    files: req.checkpoint.files.map((f) => ({ name: f.name, path: f.path, sizeBytes: f.sizeBytes })),
    chunkBytes: req.chunkBytes,
    shutdown: req.shutdown,
    writePath: req.writePath,
    // A cap only: the stop message below is the normal end.
    expectConnections: req.maxAttempts * (1 + req.streams),
  });
  const listening = await heardFrom(listeningP, 'sender', stall);

  let fetched: Heard<KvrocksFetchReport>;
  if (listening.kind === 'report') {
    req.onListening?.(listening.report.address);
    const fetchedP = receiver.next(
      (m): m is KvrocksFetchReport => m.type === 'kvrocks-fetched' && m.id === id,
      NO_TIMEOUT,
    );
    receiver.post({
      type: 'kvrocks-fetch',
      id,
      tls: req.tls,
      host,
      port: listening.report.port,
      servername: SERVER_NAME,
      ca: req.certs.caCert,
      files: req.checkpoint.files.map((f) => ({ name: f.name, sizeBytes: f.sizeBytes, crc32c: f.crc32c })),
      streams: req.streams,
      maxAttempts: req.maxAttempts,
      retryDelayMs: req.retryDelayMs,
      progressIntervalMs: 200,
      closeGraceMs: req.closeGraceMs ?? 1000,
    });
    fetched = await heardFrom(fetchedP, 'receiver', stall);
  } else {
    fetched = listening;
  }
  offProgress();
  // The replica is done; the master gets what is left of the stall timeout to finish.
  watchdog.progress(-1);
  sender.post({ type: 'kvrocks-stop', id });
  const served = await servedP;
  watchdog.stop();

  if (SHUTDOWN_STRATEGIES_TABLE[req.shutdown].endsProcess) {
    // The master exits by design; wait for it (briefly) so the next sync gets a live one.
    await Promise.race([sender.exited, new Promise((r) => setTimeout(r, 5000).unref())]);
  }
  const broken = fetched.kind !== 'report' || served.kind !== 'report' || !sender.alive || !receiver.alive;
  if (broken && !req.signal?.aborted) await pair.replace();
  return toKvrocksSyncRecord(req, fetched, served, { wallMs: nowMs() - startedAt, lastProgressBytes, attemptsBegun });
}

/** What the orchestrator saw besides the two reports. */
export interface KvrocksSyncSeen {
  readonly wallMs: number;
  /** The replica's last progress count (for when it never reported). */
  readonly lastProgressBytes: number;
  readonly attemptsBegun: number;
}

/** Pure: the record of a sync from the two workers' reports (or how they failed) and the checkpoint, the oracle. */
export function toKvrocksSyncRecord(
  req: KvrocksSyncRequest,
  fetched: Heard<KvrocksFetchReport>,
  served: Heard<KvrocksServeReport>,
  seen: KvrocksSyncSeen,
): KvrocksSyncRecord {
  const f = fetched.kind === 'report' ? fetched.report : null;
  const s = served.kind === 'report' ? served.report : null;
  const oracle = new Map(req.checkpoint.files.map((x) => [x.name, x]));
  const attempts = f?.attempts ?? [];
  const detail = attempts.map((a) => attemptRecord(a, s, oracle));
  const last = attempts.at(-1) ?? null;
  const lastDetail = detail.at(-1) ?? null;
  const synced = last?.ok === true;
  const firstConn = last?.connections[0] ?? null;

  let durationMs: number | null = null;
  if (synced && last) {
    // The master's first byte on this attempt's file connections; the replica's first byte if they cannot be matched.
    const firstWritten = matchConnections(last, s)
      .map((c) => c.firstByteAtMs)
      .filter((t): t is number => t !== null);
    const from = firstWritten.length > 0 ? Math.min(...firstWritten) : last.firstByteAtMs;
    durationMs = from === null ? null : last.doneAtMs - from;
  }
  const everyName = new Set(last?.files.filter((x) => x.complete).map((x) => x.name));
  const silent =
    detail.some((a) => a.files.some((x) => x.complete && x.crcMatch === false)) ||
    (synced && req.checkpoint.files.some((x) => !everyName.has(x.name)));

  const base: KvrocksSyncBase = {
    runId: req.runId,
    files: req.checkpoint.files.length,
    streams: req.streams,
    chunkBytes: req.chunkBytes,
    shutdown: req.shutdown,
    writePath: req.writePath,
    tlsVersion: req.tls.tlsVersion,
    suite: req.tls.suite,
    protocolNegotiated: firstConn?.negotiated.protocol ?? null,
    suiteNegotiated: firstConn?.negotiated.suite ?? null,
    attempts: Math.max(attempts.length, seen.attemptsBegun),
    maxAttempts: req.maxAttempts,
    retryDelayMs: req.retryDelayMs,
    attemptsDetail: detail,
    bytesExpected: req.checkpoint.totalBytes,
    bytesReceived: lastDetail?.bytesReceived ?? seen.lastProgressBytes,
    bytesWritten: lastDetail?.bytesWritten ?? null,
    handshakeMs: firstConn?.handshakeMs ?? null,
    durationMs,
    mbPerSec: durationMs !== null && durationMs > 0 ? req.checkpoint.totalBytes / 1e6 / (durationMs / 1000) : null,
    silent,
    errorCode: lastDetail?.errorCode ?? null,
    errorMessage: lastDetail?.errorMessage ?? null,
    masterCpuMs: s?.cpuMs ?? null,
    replicaCpuMs: f?.cpuMs ?? null,
    masterRssPeakBytes: s?.rssPeakBytes ?? null,
    replicaRssPeakBytes: f?.rssPeakBytes ?? null,
    wallMs: seen.wallMs,
  };
  if (fetched.kind === 'stalled') {
    return {
      ...base,
      kind: 'stalled',
      stalledForMs: fetched.ms,
      errorCode: 'STALLED',
      errorMessage: `no progress for ${Math.round(fetched.ms)} ms`,
    };
  }
  if (fetched.kind === 'exited')
    return {
      ...base,
      kind: 'worker-crashed',
      role: fetched.role,
      errorCode: 'WORKER_EXIT',
      errorMessage: fetched.detail,
    };
  // The master died and it was not its shutdown strategy's doing: the failures follow from that.
  if (!synced && served.kind === 'exited' && !SHUTDOWN_STRATEGIES_TABLE[req.shutdown].endsProcess) {
    return { ...base, kind: 'worker-crashed', role: 'sender', errorCode: 'WORKER_EXIT', errorMessage: served.detail };
  }
  return { ...base, kind: synced ? 'synced' : 'failed' };
}

/** The master's records of an attempt's file connections: same port, accepted after the attempt began. */
function matchConnections(
  a: KvrocksAttemptFetched,
  s: KvrocksServeReport | null,
): KvrocksServeReport['connections'][number][] {
  if (!s) return [];
  const ports = new Set(a.connections.map((c) => c.localPort).filter((p): p is number => p !== null));
  return s.connections.filter(
    (c) =>
      c.command === 'fetch-file' && c.remotePort !== null && ports.has(c.remotePort) && c.acceptedAtMs >= a.startedAtMs,
  );
}

function attemptRecord(
  a: KvrocksAttemptFetched,
  s: KvrocksServeReport | null,
  oracle: ReadonlyMap<string, { sizeBytes: number }>,
): KvrocksAttemptRecord {
  const matched = matchConnections(a, s);
  return {
    attempt: a.attempt,
    ok: a.ok,
    errorCode: a.error?.code ?? null,
    errorMessage: a.error?.message ?? null,
    filesComplete: a.filesComplete,
    bytesReceived: a.bytesReceived,
    bytesWritten: s && matched.length > 0 ? matched.reduce((n, c) => n + c.fileBytesWritten, 0) : null,
    durationMs: a.doneAtMs - a.startedAtMs,
    closeNotify: a.closeNotify,
    files: a.files.map((x) => ({
      name: x.name,
      sizeBytes: oracle.get(x.name)?.sizeBytes ?? null,
      declaredBytes: x.declaredBytes,
      bytesReceived: x.bytesReceived,
      complete: x.complete,
      crcMatch: x.crcMatch,
    })),
  };
}
