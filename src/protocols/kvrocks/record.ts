import { completeKind, errorOutcome, type Outcome } from '../../outcome.ts';
import type { ScenarioOf } from '../../scenario.ts';
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
export function syncToTransferRecord(
  sync: KvrocksSyncRecord,
  ctx: { scenario: ScenarioOf<'kvrocks'>; iteration: number; warmup: boolean; source: SourceName },
): TransferRecord {
  const base = {
    bytesExpected: sync.bytesExpected,
    bytesReceived: sync.bytesReceived,
    errorCode: sync.errorCode,
    errorMessage: sync.errorMessage,
  };
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
        ? {
            ...base,
            kind: 'corrupt',
            errorCode: 'CRC_MISMATCH',
            errorMessage: 'a file the replica accepted by its byte count has the wrong content',
          }
        : { ...base, kind: completeKind(lastClose) };
      break;
    case 'failed': {
      const code = sync.errorCode;
      // The replica judges by count: an end before the count (or no error at all) left it short; other failures (reset,
      // TLS errors) are any stream's.
      outcome =
        code === 'EOF_BEFORE_COUNT' || code === null
          ? { ...base, kind: 'truncated', bytesLost: Math.max(1, sync.bytesExpected - sync.bytesReceived) }
          : errorOutcome(base, { code, message: sync.errorMessage ?? code, phase: 'transfer' });
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
    detail: {
      protocol: 'kvrocks',
      attempts: sync.attempts,
      maxAttempts: sync.maxAttempts,
      files: sync.files,
      streams: sync.streams,
      synced: sync.kind === 'synced',
      attemptsDetail: sync.attemptsDetail,
    },
    wallMs: sync.wallMs,
  };
}
