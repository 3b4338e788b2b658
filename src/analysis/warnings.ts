import { isDelivered } from '../outcome.ts';
import type { RunResult } from '../results.ts';
import { mannKendall, mean } from './statistics.ts';

/**
 * The noise warnings of a run, each naming the cell and what to do. Pure: from
 * the summaries' sampling facts and the records; the terminal, summary.md and
 * report.html print the same lines.
 */

export type WarningKind = 'missed-target' | 'trend' | 'outliers' | 'busy-host' | 'warmup-capped';

export interface NoiseWarning {
  readonly kind: WarningKind;
  /** The cell it is about; null for a worker pair's warm-up. */
  readonly scenarioId: string | null;
  readonly text: string;
}

/**
 * Other work above this share of the machine's CPU during a cell's transfers is worth a warning (an idle VM reads 1-5%:
 * loopback packet work outside our processes).
 */
export const BUSY_HOST_PERCENT = 15;

/**
 * Below this mean transfer time the /proc figure is not trusted: whole-CPU ticks against precise process times read
 * 20-40% on an idle VM at 1 MB (5 ms transfers).
 */
export const BUSY_HOST_MIN_TRANSFER_MS = 50;

const f1 = (v: number): string => v.toFixed(1);

/**
 * Names a cell by the id's `key=value` tokens that not every scenario of the run shares (its size always): short, and
 * still unique.
 */
export function cellNamer(ids: readonly string[]): (id: string) => string {
  const tokens = ids.map((id) => id.split(' '));
  const common = new Set(ids.length > 1 ? tokens[0]!.filter((t) => tokens.every((ts) => ts.includes(t))) : []);
  return (id) => {
    const own = id.split(' ').filter((t) => t.startsWith('size=') || !common.has(t));
    return own.length > 0 ? own.join(' ') : id;
  };
}

export function noiseWarnings(run: Pick<RunResult, 'scenarios' | 'records' | 'context'>): NoiseWarning[] {
  const out: NoiseWarning[] = [];
  const cfg = run.context.config as { threshold?: unknown; alpha?: unknown } | null;
  const alpha = typeof cfg?.alpha === 'number' ? cfg.alpha : 0.05;
  const threshold = typeof cfg?.threshold === 'number' ? cfg.threshold : 0.02;
  for (const w of run.context.processWarmups ?? []) {
    if (w.ended !== 'capped') continue;
    const last = w.mbPerSec.slice(-3).map(f1).join(', ');
    out.push({
      kind: 'warmup-capped',
      scenarioId: null,
      text:
        `worker pair ${w.generation}${w.runtime ? ` (${w.runtime})` : ''} was still speeding up when its warm-up ` +
        `time ran out (last transfers ${last} MB/s): the first cells may run below steady state. Use a quieter ` +
        `machine, or a longer --warmup per scenario.`,
    });
  }
  const name = cellNamer(run.scenarios.map((s) => s.scenarioId));
  for (const s of run.scenarios) {
    const id = s.scenarioId;
    const cell = name(id);
    const sampling = s.sampling;
    if (!sampling) continue;
    const t = s.throughput;
    if (sampling.targetMet === false && t) {
      out.push({
        kind: 'missed-target',
        scenarioId: id,
        text:
          `${cell}: desired confidence was not achieved: ±${f1(t.rmePercent)}% after ${t.samples} transfers (` +
          `${sampling.stopReason === 'max-time' ? '--max-time reached' : 'sample limit reached'}), target ±` +
          `${sampling.targetRmePercent}%. Use a quieter machine, a longer --max-time, or a larger size.`,
      });
    }
    const measured = run.records.filter(
      (r) => r.scenarioId === id && !r.warmup && isDelivered(r.outcome) && r.mbPerSec !== null,
    );
    const rates = measured.map((r) => r.mbPerSec!);
    // Outliers are common on a shared VM; they are worth a line when they move the mean by more than half the
    // threshold.
    const outlierSet = new Set(sampling.outliers);
    const kept = measured.filter((r) => !outlierSet.has(r.iteration)).map((r) => r.mbPerSec!);
    const shiftPercent = kept.length > 0 && t ? (Math.abs(t.meanMbPerSec - mean(kept)) / t.meanMbPerSec) * 100 : 0;
    if (sampling.trend !== 'none' && t) {
      const mk = mannKendall(rates, alpha, threshold * 100);
      out.push({
        kind: 'trend',
        scenarioId: id,
        text:
          `${cell}: throughput was ${sampling.trend} across its ${rates.length} samples (` +
          `${mk.changePercent > 0 ? '+' : ''}${f1(mk.changePercent)}% first to last, Mann-Kendall p ` +
          `${mk.p.toPrecision(2)}): it was not steady. Use a longer --warmup, or a quieter machine.`,
      });
    }
    if (sampling.outliers.length > 0 && t && shiftPercent > (threshold * 100) / 2) {
      const shown = sampling.outliers.slice(0, 5).map((i) => {
        const r = run.records.find((x) => x.scenarioId === id && !x.warmup && x.iteration === i);
        return `#${i + 1}${r?.mbPerSec != null ? ` ${f1(r.mbPerSec)} MB/s` : ''}`;
      });
      out.push({
        kind: 'outliers',
        scenarioId: id,
        text:
          `${cell}: ${sampling.outliers.length} outlier transfer(s) of ${t.samples} (modified Z-score above 3.5 ` +
          `from the median ${f1(t.p50MbPerSec)} MB/s): ` +
          `${shown.join(', ')}${sampling.outliers.length > 5 ? ', ...' : ''}. They are in the mean and move it ` +
          `by ${f1(shiftPercent)}%; something else ran meanwhile. Use a quieter machine or more samples ` +
          `(--target-rme).`,
      });
    }
    const longEnough = s.iterations > 0 && sampling.measuredMs / s.iterations >= BUSY_HOST_MIN_TRANSFER_MS;
    if (longEnough && sampling.hostBusyPercent !== null && sampling.hostBusyPercent > BUSY_HOST_PERCENT) {
      out.push({
        kind: 'busy-host',
        scenarioId: id,
        text:
          `${cell}: the host spent ${f1(sampling.hostBusyPercent)}% of its CPU on other work during these transfers` +
          (sampling.stealPercent !== null && sampling.stealPercent >= 1
            ? ` (${f1(sampling.stealPercent)}% stolen by the hypervisor)`
            : '') +
          `: its numbers are lower and noisier than on an idle machine. Use a quieter machine.`,
      });
    }
  }
  return out;
}
