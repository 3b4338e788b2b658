import { formatBytes, humanBytes } from '../config/units.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { endingsMatrix, type EndingKey } from './endings.ts';

/** A chunk size counts as good enough when its mean MB/s is within this fraction of the best. */
export const WITHIN_OF_BEST = 0.05;

export interface ChunkChoice {
  readonly chunkBytes: number;
  readonly meanMbPerSec: number;
  /** Sender + receiver CPU per 10^9 bytes moved; null when either side's CPU is unknown. */
  readonly cpuMsPerGb: number | null;
}

/** For one suite and size (everything but the chunk the same): which write size to use. */
export interface ChunkTuning {
  readonly suite: string;
  readonly tlsVersion: string;
  readonly sizeBytes: number;
  /** The other settings of the group (`key=... frag=... shutdown=...`), from the scenario id. */
  readonly settings: string;
  /** How many chunk sizes delivered a throughput. */
  readonly compared: number;
  /** Highest mean MB/s (the smaller chunk on a tie). */
  readonly best: ChunkChoice;
  /** The smallest chunk whose mean is within WITHIN_OF_BEST of the best (may be the best). */
  readonly smallestGood: ChunkChoice;
}

export function cpuMsPerGb(s: ScenarioSummary): number | null {
  if (s.meanSenderCpuMs === null || s.meanReceiverCpuMs === null || s.scenario.sizeBytes <= 0) return null;
  return (s.meanSenderCpuMs + s.meanReceiverCpuMs) / (s.scenario.sizeBytes / 1e9);
}

const choice = (s: ScenarioSummary): ChunkChoice => ({ chunkBytes: s.scenario.chunkBytes, meanMbPerSec: s.throughput!.meanMbPerSec, cpuMsPerGb: cpuMsPerGb(s) });

/** The id's settings other than size, chunk, TLS version and suite. */
function settingsOf(s: ScenarioSummary): string {
  return s.scenarioId.replace(/(^| )(size|chunk|tls|suite)=\S+/g, '').trim();
}

/**
 * Pure: per group of scenarios that differ only in chunk size and have more
 * than one chunk with a throughput, the best chunk and the smallest one within
 * 5% of it. Ordered by size, TLS version, suite, settings.
 */
export function chunkTuning(summaries: readonly ScenarioSummary[]): ChunkTuning[] {
  const groups = new Map<string, ScenarioSummary[]>();
  for (const s of summaries) {
    if (!s.throughput) continue;
    const key = s.scenarioId.replace(/ chunk=\S+/, '');
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const out: ChunkTuning[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const byChunk = [...group].sort((a, b) => a.scenario.chunkBytes - b.scenario.chunkBytes);
    const best = byChunk.reduce((a, b) => (b.throughput!.meanMbPerSec > a.throughput!.meanMbPerSec ? b : a));
    const floor = best.throughput!.meanMbPerSec * (1 - WITHIN_OF_BEST);
    const good = byChunk.find((s) => s.throughput!.meanMbPerSec >= floor) ?? best;
    out.push({
      suite: best.scenario.suite,
      tlsVersion: best.scenario.tlsVersion,
      sizeBytes: best.scenario.sizeBytes,
      settings: settingsOf(best),
      compared: group.length,
      best: choice(best),
      smallestGood: choice(good),
    });
  }
  return out.sort((a, b) => a.sizeBytes - b.sizeBytes || a.tlsVersion.localeCompare(b.tlsVersion) || a.suite.localeCompare(b.suite) || a.settings.localeCompare(b.settings));
}

const ENDING_FIELDS = ['shutdown', 'writePath', 'receiverMode', 'receiverPeer', 'runtime'] as const;
const ENDING_NAMES: Readonly<Record<(typeof ENDING_FIELDS)[number], string>> = { shutdown: 'shutdown', writePath: 'write', receiverMode: 'receiver', receiverPeer: 'peer', runtime: 'node' };

/** A way of ending named by its strategy plus whichever other parts vary among `all`. */
export function endingLabel(key: EndingKey, all: readonly EndingKey[]): string {
  const extra = ENDING_FIELDS.slice(1)
    .filter((f) => new Set(all.map((k) => k[f])).size > 1)
    .map((f) => `${ENDING_NAMES[f]}=${key[f]}`);
  return extra.length > 0 ? `${key.shutdown} (${extra.join(', ')})` : key.shutdown;
}

export interface Recommendation {
  /** The size the advice is for: the largest with a throughput. null when nothing delivered. */
  readonly sizeBytes: number | null;
  readonly suite: string | null;
  readonly tlsVersion: string | null;
  readonly settings: string | null;
  /** The winner's best mean, and the chunk that gave it. */
  readonly bestMbPerSec: number | null;
  readonly bestChunkBytes: number | null;
  /** Write at least this much at a time (smallest chunk within 5% of the best); null without a chunk sweep. */
  readonly minChunkBytes: number | null;
  readonly minChunkMbPerSec: number | null;
  readonly minChunkCpuMsPerGb: number | null;
  /** Other suites whose best mean lies within the winner's 95% margin of error. */
  readonly tiedSuites: readonly string[];
  /** Ways of ending that lost data silently in at least one transfer. */
  readonly silentLoss: readonly string[];
  /** Ways of ending whose every measured transfer delivered every byte (when several were tried). */
  readonly delivered: readonly string[];
  readonly text: string;
}

/** What a delivered way of ending said about close_notify: without it (observed), or not observable (never passed off as unclean). */
function closeNote(cells: readonly { readonly outcomes: Readonly<Record<string, number>> }[]): string {
  if (cells.some((c) => (c.outcomes['complete-unclean'] ?? 0) > 0)) return ' (without close_notify)';
  if (cells.some((c) => (c.outcomes['complete-close-unknown'] ?? 0) > 0)) return ' (close_notify unknown)';
  return '';
}

const mbps = (v: number): string => `${v.toFixed(1)} MB/s`;
const cpu = (v: number | null): string => (v === null ? '' : `, ${Math.round(v)} CPU ms per GB`);

/**
 * Pure: the short answer for this machine. `main` is the run's throughput
 * sweep (the scenarios of its most common way of ending); the endings come
 * from every measured transfer.
 */
export function recommendation(run: RunResult, main: readonly ScenarioSummary[]): Recommendation {
  const delivered = main.filter((s) => s.throughput);
  const sizeBytes = delivered.length > 0 ? Math.max(...delivered.map((s) => s.scenario.sizeBytes)) : null;
  const atSize = delivered.filter((s) => s.scenario.sizeBytes === sizeBytes);
  const winner = atSize.reduce<ScenarioSummary | null>((a, b) => (a === null || b.throughput!.meanMbPerSec > a.throughput!.meanMbPerSec ? b : a), null);

  const tuning = winner ? chunkTuning(atSize).find((t) => t.suite === winner.scenario.suite && t.tlsVersion === winner.scenario.tlsVersion && t.settings === settingsOf(winner)) : undefined;
  const margin = winner ? (winner.throughput!.meanMbPerSec * winner.throughput!.rmePercent) / 100 : 0;
  const bestPerSuite = new Map<string, number>();
  for (const s of atSize) bestPerSuite.set(s.scenario.suite, Math.max(bestPerSuite.get(s.scenario.suite) ?? 0, s.throughput!.meanMbPerSec));
  const tiedSuites = winner
    ? [...bestPerSuite.entries()].filter(([suite, m]) => suite !== winner.scenario.suite && m >= winner.throughput!.meanMbPerSec - margin).map(([suite]) => suite).sort()
    : [];

  const matrix = endingsMatrix(run);
  const keys = matrix.rows.map((r) => r.key);
  const lossy = matrix.rows.filter((r) => [...r.cells.values()].some((c) => c.silent > 0)).map((r) => endingLabel(r.key, keys));
  const whole =
    matrix.rows.length > 1
      ? matrix.rows
          .filter((r) => [...r.cells.values()].every((c) => Object.keys(c.outcomes).every((k) => k === 'complete' || k === 'complete-unclean' || k === 'complete-close-unknown')))
          .map((r) => `${endingLabel(r.key, keys)}${closeNote([...r.cells.values()])}`)
      : [];

  const parts: string[] = [];
  if (winner && sizeBytes !== null) {
    const w = winner.scenario;
    const settings = main.some((s) => settingsOf(s) !== settingsOf(winner)) ? `, ${settingsOf(winner)}` : '';
    const name = `${w.suite} (TLS ${w.tlsVersion}${settings})`;
    if (tuning) {
      const g = tuning.smallestGood;
      const same = g.chunkBytes === tuning.best.chunkBytes;
      parts.push(
        `For ${humanBytes(sizeBytes)} streams, use ${name} with writes of at least ${formatBytes(g.chunkBytes)}: ${mbps(g.meanMbPerSec)}${cpu(g.cpuMsPerGb)}` +
          (same ? ` (the best of ${tuning.compared} chunk sizes).` : `, within ${WITHIN_OF_BEST * 100}% of its best (${mbps(tuning.best.meanMbPerSec)} with ${formatBytes(tuning.best.chunkBytes)} writes${cpu(tuning.best.cpuMsPerGb)}).`),
      );
    } else {
      parts.push(`For ${humanBytes(sizeBytes)} streams, use ${name}: ${mbps(winner.throughput!.meanMbPerSec)} with ${formatBytes(w.chunkBytes)} writes${cpu(cpuMsPerGb(winner))} (only one chunk size was tried).`);
    }
    if (tiedSuites.length > 0) parts.push(`${tiedSuites.join(', ')} ${tiedSuites.length === 1 ? 'is' : 'are'} within the margin of error of it.`);
  } else {
    parts.push('No scenario delivered every byte in every transfer, so there is no throughput to recommend.');
  }
  if (lossy.length > 0) parts.push(`Avoid these ways of ending the stream, they lost data silently: ${lossy.join('; ')}.`);
  if (whole.length > 0) parts.push(`These delivered every byte: ${whole.join('; ')}.`);

  return {
    sizeBytes,
    suite: winner?.scenario.suite ?? null,
    tlsVersion: winner?.scenario.tlsVersion ?? null,
    settings: winner ? settingsOf(winner) : null,
    bestMbPerSec: tuning?.best.meanMbPerSec ?? winner?.throughput?.meanMbPerSec ?? null,
    bestChunkBytes: tuning?.best.chunkBytes ?? winner?.scenario.chunkBytes ?? null,
    minChunkBytes: tuning?.smallestGood.chunkBytes ?? null,
    minChunkMbPerSec: tuning?.smallestGood.meanMbPerSec ?? null,
    minChunkCpuMsPerGb: tuning?.smallestGood.cpuMsPerGb ?? null,
    tiedSuites,
    silentLoss: lossy,
    delivered: whole,
    text: parts.join(' '),
  };
}

/** The paragraph under its heading, for the terminal. */
export function recommendationText(run: RunResult, main: readonly ScenarioSummary[]): string {
  return `Recommended settings on this machine:\n${recommendation(run, main).text}`;
}
