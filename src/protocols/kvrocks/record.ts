import type { Scenario } from '../../matrix.ts';
import { classify, completeKind, type Outcome } from '../../outcome.ts';
import type { TransferRecord } from '../../results.ts';
import type { SourceName } from '../../transfer/strategies.ts';
import type { KvrocksSyncRecord } from './sync.ts';

/**
 * Pure: a Kvrocks sync as one transfer record, so reports, CSV and compare
 * treat it like any other. The outcome is the last attempt's: a sync that
 * never succeeded ended as its last attempt did (an EOF before the count is a
 * truncation the replica noticed); a synced one is complete, or corrupt when
 * a file it accepted by count had the wrong content (the silent case).
 */
export function syncToTransferRecord(sync: KvrocksSyncRecord, ctx: { scenario: Scenario; iteration: number; warmup: boolean; source: SourceName }): TransferRecord {
  const base = { bytesExpected: sync.bytesExpected, bytesReceived: sync.bytesReceived, errorCode: sync.errorCode, errorMessage: sync.errorMessage };
  const lastClose = sync.attemptsDetail.at(-1)?.closeNotify ?? null;
  let outcome: Outcome;
  switch (sync.kind) {
    case 'stalled':
      outcome = { ...base, kind: 'stalled', stalledForMs: sync.stalledForMs };
      break;
    case 'worker-crashed':
      outcome = { ...base, kind: 'worker-crashed', role: sync.role };
      break;
    case 'fixture-error':
      outcome = { ...base, kind: 'fixture-error' };
      break;
    case 'synced':
      outcome = sync.silent
        ? { ...base, kind: 'corrupt', errorCode: 'CRC_MISMATCH', errorMessage: 'a file the replica accepted by its byte count has the wrong content' }
        : { ...base, kind: completeKind(lastClose) };
      break;
    case 'failed': {
      const code = sync.errorCode;
      const eof = code === 'EOF_BEFORE_COUNT';
      // Other failures (reset, TLS errors) classify as any stream's would.
      outcome = classify({
        bytesExpected: sync.bytesExpected,
        crc32cExpected: 0,
        bytesReceived: Math.min(sync.bytesReceived, sync.bytesExpected - 1),
        crc32c: 1,
        closeNotify: lastClose,
        error: eof || code === null ? null : { code, message: sync.errorMessage ?? code, phase: 'transfer' },
      });
      outcome = { ...outcome, bytesReceived: sync.bytesReceived, errorCode: code, errorMessage: sync.errorMessage };
      break;
    }
  }
  return {
    runId: sync.runId,
    scenarioId: ctx.scenario.id,
    iteration: ctx.iteration,
    warmup: ctx.warmup,
    scenario: ctx.scenario,
    source: ctx.source,
    suiteNegotiated: sync.suiteNegotiated,
    protocolNegotiated: sync.protocolNegotiated,
    bytesExpected: sync.bytesExpected,
    bytesWritten: sync.bytesWritten ?? 0,
    bytesReceived: sync.bytesReceived,
    handshakeMs: sync.handshakeMs,
    durationMs: sync.durationMs,
    mbPerSec: sync.mbPerSec,
    senderCpuMs: sync.masterCpuMs,
    receiverCpuMs: sync.replicaCpuMs,
    senderRssPeakBytes: sync.masterRssPeakBytes,
    receiverRssPeakBytes: sync.replicaRssPeakBytes,
    closeNotify: lastClose,
    outcome,
    // The replica counts bytes: it knows of every failure but a wrong content of the right length.
    receiverNoticed: !sync.silent,
    silentLoss: sync.silent,
    stoppedAt: null,
    fault: null,
    progress: [],
    sync: { attempts: sync.attempts, maxAttempts: sync.maxAttempts, files: sync.files, streams: sync.streams, synced: sync.kind === 'synced', attemptsDetail: sync.attemptsDetail },
    wallMs: sync.wallMs,
  };
}
