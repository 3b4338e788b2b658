import type { ProgressSample } from '../results.ts';

/** Throughput over one interval of a transfer (like one line of iperf's output). MB is 10^6 bytes. */
export interface IntervalRate {
  /** Milliseconds since the transfer was started (request sent), as the samples count them. */
  readonly startMs: number;
  readonly endMs: number;
  readonly mbPerSec: number;
}

/** Transfers shorter than this get 100 ms intervals; longer ones 1 s, as iperf prints. */
export const SHORT_TRANSFER_MS = 2000;

/** The interval length for a timeline whose transfers last up to `spanMs`. */
export function timelineIntervalMs(spanMs: number): number {
  return spanMs < SHORT_TRANSFER_MS ? 100 : 1000;
}

/**
 * Pure: MB/s per interval of `intervalMs` from a transfer's progress samples.
 * The byte count is interpolated linearly between samples, from 0 bytes at
 * 0 ms (nothing arrives before the transfer starts) to the last sample; the
 * samples come when the orchestrator hears them, not on interval boundaries.
 * Whole intervals only, plus a last partial one if it covers at least half an
 * interval (a sliver of a few ms would be mostly timer noise). The first
 * interval includes the handshake.
 */
export function intervalThroughput(progress: readonly ProgressSample[], intervalMs: number): IntervalRate[] {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  const points: ProgressSample[] = [{ atMs: 0, bytes: 0 }];
  for (const s of [...progress].sort((a, b) => a.atMs - b.atMs)) {
    const last = points[points.length - 1]!;
    if (s.atMs === last.atMs) points[points.length - 1] = s;
    else points.push(s);
  }
  const endAt = points[points.length - 1]!.atMs;
  const bytesAt = (t: number): number => {
    let i = 1;
    while (i < points.length - 1 && points[i]!.atMs < t) i++;
    const a = points[i - 1]!;
    const b = points[i]!;
    return a.bytes + ((b.bytes - a.bytes) * (t - a.atMs)) / (b.atMs - a.atMs);
  };
  const out: IntervalRate[] = [];
  for (let start = 0; start < endAt; start += intervalMs) {
    const end = Math.min(start + intervalMs, endAt);
    if (end - start < intervalMs / 2) break;
    out.push({ startMs: start, endMs: end, mbPerSec: (bytesAt(end) - bytesAt(start)) / 1e6 / ((end - start) / 1000) });
  }
  return out;
}
