import { makeScenario, type Scenario } from '../../matrix.ts';
import type { Outcome } from '../../outcome.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../../results.ts';
import type { HttpsCell, HttpsResult } from './results.ts';

/**
 * An autocannon cell in the suite's common shapes, so results.csv, the report
 * and `compare` include HTTPS beside the raw streams: one scenario (protocol
 * https, streams = connections, chunk = the range size or the whole file) and
 * one record per cell, whose rate is the cell's aggregate MB/s.
 */
export function httpsScenario(c: HttpsCell): Scenario {
  return makeScenario({
    sizeBytes: c.sizeBytes,
    chunkBytes: c.rangeChunkBytes ?? c.sizeBytes,
    tlsVersion: c.tlsVersion,
    suite: c.suite,
    keyType: c.keyType,
    protocol: 'https',
    streams: c.connections,
  });
}

/** Pure: how a cell ended. Errors or non-2xx answers are not delivered; close_notify is not observed here. */
export function httpsOutcome(c: HttpsCell): Outcome {
  const base = { bytesExpected: c.bytes, bytesReceived: c.bytes };
  if (c.errors > 0 || c.timeouts > 0) {
    return { ...base, kind: 'tls-error', errorCode: 'AUTOCANNON_ERRORS', errorMessage: `${c.errors} errors, ${c.timeouts} timeouts` };
  }
  if (c.non2xx > 0) return { ...base, kind: 'corrupt', errorCode: 'HTTP_NON_2XX', errorMessage: `${c.non2xx} answers were not 2xx` };
  return { ...base, kind: 'complete-unclean', errorCode: null, errorMessage: null };
}

export function httpsRecord(c: HttpsCell, runId: string): TransferRecord {
  const scenario = httpsScenario(c);
  const outcome = httpsOutcome(c);
  return {
    runId,
    scenarioId: scenario.id,
    iteration: 0,
    warmup: false,
    scenario,
    source: 'file',
    suiteNegotiated: null,
    protocolNegotiated: null,
    bytesExpected: c.bytes,
    bytesWritten: c.serverBodyBytes ?? c.bytes,
    bytesReceived: c.bytes,
    handshakeMs: null,
    durationMs: c.elapsedMs,
    mbPerSec: c.mbPerSec,
    senderCpuMs: c.serverCpuMs,
    receiverCpuMs: c.clientCpuMs,
    senderRssPeakBytes: null,
    receiverRssPeakBytes: null,
    closeNotify: null,
    outcome,
    receiverNoticed: outcome.kind !== 'complete-unclean',
    silentLoss: false,
    stoppedAt: null,
    fault: null,
    sync: null,
    progress: [],
    wallMs: c.elapsedMs,
  };
}

export function httpsSummary(c: HttpsCell, r: TransferRecord): ScenarioSummary {
  const delivered = r.outcome.kind === 'complete-unclean';
  return {
    scenarioId: r.scenarioId,
    scenario: r.scenario,
    iterations: 1,
    outcomes: { [r.outcome.kind]: 1 },
    // One aggregate measurement: no spread to report.
    throughput: delivered
      ? { samples: 1, meanMbPerSec: c.mbPerSec, sdMbPerSec: 0, rmePercent: 0, p50MbPerSec: c.mbPerSec, p99MbPerSec: c.mbPerSec, minMbPerSec: c.mbPerSec, maxMbPerSec: c.mbPerSec }
      : null,
    meanHandshakeMs: null,
    meanSenderCpuMs: c.serverCpuMs,
    meanReceiverCpuMs: c.clientCpuMs,
    maxSenderRssBytes: null,
    maxReceiverRssBytes: null,
    durationSamplesMs: [c.elapsedMs],
  };
}

/** Pure: the HTTPS cells and the raw-stream comparison as one run, in the common results shape. */
export function httpsAsRun(result: HttpsResult, rawRun: RunResult | null): RunResult {
  const records = result.https.map((c) => httpsRecord(c, result.context.runId));
  return {
    context: result.context,
    scenarios: [...(rawRun?.scenarios ?? []), ...result.https.map((c, i) => httpsSummary(c, records[i]!))],
    records: [...(rawRun?.records ?? []), ...records],
  };
}
