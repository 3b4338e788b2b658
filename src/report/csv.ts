import { stringify } from 'csv-stringify/sync';
import { formatBytes } from '../config/units.ts';
import { attemptsOf } from '../protocols/registry.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../results.ts';
import { SCENARIO_AXES } from '../scenario-axes.ts';

/**
 * results.csv: one row per measured transfer (warm-ups are in results.json
 * only). The first 28 columns are fixed in this order; new ones go at the end.
 */
export const RESULTS_COLUMNS = [
  'run_id',
  'scenario_id',
  'iteration',
  'size_bytes',
  'chunk_bytes',
  'tls_version',
  'suite_requested',
  'suite_negotiated',
  'protocol_negotiated',
  'key_type',
  'shutdown',
  'receiver_mode',
  'protocol',
  'streams',
  'source',
  'bytes_expected',
  'bytes_received',
  'handshake_ms',
  'duration_ms',
  'mb_per_sec',
  'sender_cpu_ms',
  'receiver_cpu_ms',
  'sender_rss_peak_bytes',
  'receiver_rss_peak_bytes',
  'outcome',
  'close_notify',
  'error_code',
  'error_message',
  // appended after the first version:
  'max_fragment',
  'bytes_written',
  'gbit_per_sec',
  'write_path',
  'receiver_noticed',
  'silent_loss',
  'receiver_peer',
  'stopped_at_block',
  'data_blocks',
  'fault_kind',
  'fault_at_byte',
  'attempts',
  'file_bytes',
  'node_version',
  'openssl_version',
  'sender_peer',
  'read_path',
  'host_busy_percent',
  'steal_percent',
] as const;

type Cell = string | number;

function num(v: number | null, digits: number): Cell {
  return v === null ? '' : Number(v.toFixed(digits));
}

export type ResultsColumn = (typeof RESULTS_COLUMNS)[number];

/** The scenario's axis columns, from the axis table (each axis names its column). */
function axisCells(s: TransferRecord['scenario']): Record<string, Cell> {
  return Object.fromEntries(SCENARIO_AXES.flatMap((a) => (a.csv ? [[a.csv.column, a.csv.cell(s)]] : [])));
}

export function recordRow(r: TransferRecord): Record<ResultsColumn, Cell> {
  const s = r.scenario;
  // the axis columns are the table's (test/unit/scenario-axes.test.ts checks that every column is filled)
  return {
    ...axisCells(s),
    run_id: r.runId,
    scenario_id: r.scenarioId,
    iteration: r.iteration,
    suite_negotiated: r.suiteNegotiated ?? '',
    protocol_negotiated: r.protocolNegotiated ?? '',
    source: r.source,
    bytes_expected: r.bytesExpected,
    bytes_received: r.bytesReceived,
    handshake_ms: num(r.handshakeMs, 3),
    duration_ms: num(r.durationMs, 3),
    mb_per_sec: num(r.mbPerSec, 2),
    sender_cpu_ms: num(r.senderCpuMs, 1),
    receiver_cpu_ms: num(r.receiverCpuMs, 1),
    sender_rss_peak_bytes: r.senderRssPeakBytes ?? '',
    receiver_rss_peak_bytes: r.receiverRssPeakBytes ?? '',
    outcome: r.outcome.kind,
    close_notify: r.closeNotify === null ? 'unknown' : String(r.closeNotify),
    error_code: r.outcome.errorCode ?? '',
    error_message: r.outcome.errorMessage ?? '',
    bytes_written: r.bytesWritten,
    gbit_per_sec: num(r.mbPerSec === null ? null : (r.mbPerSec * 8) / 1000, 3),
    receiver_noticed: String(r.receiverNoticed),
    silent_loss: String(r.silentLoss),
    // 1-based: the first data block that did not arrive whole
    stopped_at_block: r.stoppedAt ? r.stoppedAt.completeBlocks + 1 : '',
    data_blocks: r.stoppedAt?.dataBlocks ?? '',
    fault_kind: r.fault?.kind ?? '',
    fault_at_byte: r.fault?.atByte ?? '',
    attempts: attemptsOf(r) ?? '',
    // the workers' own versions (--node), empty for a record of no worker pair
    node_version: r.nodeVersion ?? '',
    openssl_version: r.opensslVersion ?? '',
    host_busy_percent: num(r.hostBusyPercent ?? null, 1),
    steal_percent: num(r.stealPercent ?? null, 1),
  } as Record<ResultsColumn, Cell>;
}

export function resultsCsv(run: RunResult): string {
  return stringify(run.records.filter((r) => !r.warmup).map(recordRow), {
    header: true,
    columns: [...RESULTS_COLUMNS],
  });
}

export const SCENARIO_COLUMNS = [
  'run_id',
  'scenario_id',
  'size_bytes',
  'chunk',
  'tls_version',
  'suite',
  'iterations',
  'mean_mb_per_sec',
  'sd_mb_per_sec',
  'rme_percent',
  'p50_mb_per_sec',
  'p99_mb_per_sec',
  'mean_gbit_per_sec',
  'mean_handshake_ms',
  'mean_sender_cpu_ms',
  'mean_receiver_cpu_ms',
  'max_sender_rss_bytes',
  'max_receiver_rss_bytes',
  'outcomes',
  'complete',
  'complete_unclean',
  'not_delivered',
  // the mean against each reference lane (--reference), percent; empty when that lane did not run
  'pct_of_tcp',
  'pct_of_openssl',
  'pct_of_cipher',
  // the outcome kinds added later
  'complete_close_unknown',
  'fixture_error',
  // appended with adaptive sampling:
  'warmup_transfers',
  'target_rme_percent',
  'target_met',
  'trend',
  'outliers',
  'host_busy_percent',
  'ci95_mb_per_sec',
  'stop_reason',
] as const;

export function scenarioRow(runId: string, s: ScenarioSummary): Record<(typeof SCENARIO_COLUMNS)[number], Cell> {
  const t = s.throughput;
  const delivered =
    (s.outcomes.complete ?? 0) + (s.outcomes['complete-unclean'] ?? 0) + (s.outcomes['complete-close-unknown'] ?? 0);
  return {
    run_id: runId,
    scenario_id: s.scenarioId,
    size_bytes: s.scenario.sizeBytes,
    chunk: formatBytes(s.scenario.chunkBytes),
    tls_version: s.scenario.tlsVersion,
    suite: s.scenario.suite,
    iterations: s.iterations,
    mean_mb_per_sec: num(t?.meanMbPerSec ?? null, 2),
    sd_mb_per_sec: num(t?.sdMbPerSec ?? null, 2),
    rme_percent: num(t?.rmePercent ?? null, 2),
    p50_mb_per_sec: num(t?.p50MbPerSec ?? null, 2),
    p99_mb_per_sec: num(t?.p99MbPerSec ?? null, 2),
    mean_gbit_per_sec: num(t ? (t.meanMbPerSec * 8) / 1000 : null, 3),
    mean_handshake_ms: num(s.meanHandshakeMs, 3),
    mean_sender_cpu_ms: num(s.meanSenderCpuMs, 1),
    mean_receiver_cpu_ms: num(s.meanReceiverCpuMs, 1),
    max_sender_rss_bytes: s.maxSenderRssBytes ?? '',
    max_receiver_rss_bytes: s.maxReceiverRssBytes ?? '',
    outcomes: Object.entries(s.outcomes)
      .map(([k, n]) => `${k}:${n}`)
      .join(' '),
    complete: s.outcomes.complete ?? 0,
    complete_unclean: s.outcomes['complete-unclean'] ?? 0,
    not_delivered: s.iterations - delivered,
    pct_of_tcp: num(s.ceilings?.pctOfTcp ?? null, 1),
    pct_of_openssl: num(s.ceilings?.pctOfOpenssl ?? null, 1),
    pct_of_cipher: num(s.ceilings?.pctOfCipher ?? null, 1),
    complete_close_unknown: s.outcomes['complete-close-unknown'] ?? 0,
    fixture_error: s.outcomes['fixture-error'] ?? 0,
    warmup_transfers: s.sampling?.warmupTransfers ?? '',
    target_rme_percent: s.sampling?.targetRmePercent ?? '',
    // empty: no target (a fixed number of transfers)
    target_met: s.sampling?.targetMet == null ? '' : String(s.sampling.targetMet),
    trend: s.sampling?.trend ?? '',
    outliers: s.sampling?.outliers.length ?? '',
    host_busy_percent: num(s.sampling?.hostBusyPercent ?? null, 1),
    ci95_mb_per_sec: num(t?.ciHalfWidthMbPerSec ?? null, 2),
    stop_reason: s.sampling?.stopReason ?? '',
  };
}

export function scenariosCsv(run: RunResult): string {
  return stringify(
    run.scenarios.map((s) => scenarioRow(run.context.runId, s)),
    { header: true, columns: [...SCENARIO_COLUMNS] },
  );
}

/** read_path (the tcp lane's, as its cells read) comes last: the first eight are the fixed ones. */
export const REFERENCE_COLUMNS = [
  'lane',
  'size_bytes',
  'chunk_bytes',
  'tls_version',
  'suite',
  'mb_per_sec',
  'rme_percent',
  'samples',
  'read_path',
] as const;

/** references.csv: one row per reference measurement (--reference); null if the run had none. */
export function referencesCsv(run: RunResult): string | null {
  if (!run.references) return null;
  return stringify(
    run.references.measurements.map((m) => ({
      lane: m.lane,
      size_bytes: m.sizeBytes ?? '',
      chunk_bytes: m.chunkBytes ?? '',
      tls_version: m.tlsVersion ?? '',
      suite: m.suite ?? '',
      mb_per_sec: num(m.mbPerSec, 2),
      rme_percent: num(m.rmePercent, 2),
      samples: m.samples,
      read_path: m.readPath ?? '',
    })),
    { header: true, columns: [...REFERENCE_COLUMNS] },
  );
}
