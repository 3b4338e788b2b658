import { readFileSync } from 'node:fs';

/**
 * How busy the host was with other work during a transfer: the CPU time the
 * whole machine spent (from /proc/stat, steal included) minus what our own
 * processes spent (/proc/<pid>/stat of the orchestrator and the workers, their
 * reaped children such as s_client included), as a share of all CPU time.
 * Linux only; elsewhere (or when /proc cannot be read) every reading is null.
 */

export interface HostSnapshot {
  /** Every CPU's jiffies, busy and idle. */
  readonly total: number;
  /** Jiffies not idle or iowait (user, nice, system, irq, softirq, steal). */
  readonly busy: number;
  readonly steal: number;
  /** Jiffies of our processes, by pid (utime + stime + cutime + cstime). */
  readonly ours: ReadonlyMap<number, number>;
}

export interface HostNoise {
  /**
   * Share of all CPU time used by anything but this run's processes, steal time included; 0 to 100; null when no tick
   * passed.
   */
  readonly hostBusyPercent: number | null;
  /** Share of all CPU time the hypervisor gave to other guests. */
  readonly stealPercent: number | null;
  /** The jiffies behind the shares, to add up over a cell (see `pooledNoise`). */
  readonly totalJiffies: number;
  readonly otherJiffies: number;
  readonly stealJiffies: number;
}

/**
 * The shares over many transfers: the ratio of the summed jiffies. A short
 * transfer spans a tick or two, where whole-CPU ticks and our processes'
 * precise times disagree; per-transfer shares of such windows average to a
 * wildly high figure, their sums do not.
 */
export function pooledNoise(parts: readonly HostNoise[]): Pick<HostNoise, 'hostBusyPercent' | 'stealPercent'> {
  const total = parts.reduce((n, p) => n + p.totalJiffies, 0);
  if (!(total > 0)) return { hostBusyPercent: null, stealPercent: null };
  const other = parts.reduce((n, p) => n + p.otherJiffies, 0);
  const steal = parts.reduce((n, p) => n + p.stealJiffies, 0);
  return { hostBusyPercent: Math.min(100, (other / total) * 100), stealPercent: (steal / total) * 100 };
}

function cpuLine(text: string): { total: number; busy: number; steal: number } | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already inside user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { total: busy + idle + iowait, busy, steal };
}

/** A process's jiffies from its stat line (fields after the parenthesised name); null if it is gone. */
export function processJiffies(statText: string): number | null {
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 (utime stime cutime cstime) are 11-14 after the name and state
  const [utime, stime, cutime, cstime] = rest.slice(11, 15).map(Number);
  return [utime, stime, cutime, cstime].every((v) => Number.isFinite(v)) ? utime! + stime! + cutime! + cstime! : null;
}

function readOr(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Reads /proc now; null where there is no /proc/stat. */
export function hostSnapshot(pids: readonly number[]): HostSnapshot | null {
  const stat = readOr('/proc/stat');
  const cpu = stat === null ? null : cpuLine(stat);
  if (!cpu) return null;
  const ours = new Map<number, number>();
  for (const pid of new Set([process.pid, ...pids])) {
    const text = readOr(`/proc/${pid}/stat`);
    const j = text === null ? null : processJiffies(text);
    if (j !== null) ours.set(pid, j);
  }
  return { ...cpu, ours };
}

/**
 * Pure: the noise between two snapshots. A worker that ended meanwhile (one
 * replaced) is not in `after`, but the orchestrator reaped it, so its time is
 * in the orchestrator's cutime; one started meanwhile counts from zero.
 * Loopback packet work the kernel does outside our processes (ksoftirqd)
 * counts as the host's: an idle machine reads a few percent, not 0.
 */
export function hostNoise(before: HostSnapshot | null, after: HostSnapshot | null): HostNoise | null {
  if (!before || !after) return null;
  const total = Math.max(0, after.total - before.total);
  let ours = 0;
  for (const [pid, end] of after.ours) ours += end - (before.ours.get(pid) ?? 0);
  const other = Math.max(0, after.busy - before.busy - ours);
  const steal = Math.max(0, after.steal - before.steal);
  const share = (v: number): number | null => (total > 0 ? Math.min(100, (v / total) * 100) : null);
  return {
    hostBusyPercent: share(other),
    stealPercent: share(steal),
    totalJiffies: total,
    otherJiffies: other,
    stealJiffies: steal,
  };
}
