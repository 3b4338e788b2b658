import { formatBytes, humanBytes } from '../config/units.ts';
import type { Scenario } from '../matrix.ts';
import type { RunHooks } from '../runner/orchestrator.ts';
import type { TransferRecord } from '../results.ts';

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Progress on stderr: a redrawn bar with ETA on a terminal, one line per
 * finished scenario otherwise (CI logs). ETA is by bytes, which is what takes time.
 */
export class Progress implements RunHooks {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #totalBytes = 0;
  #doneBytes = 0;
  #currentBytes = 0;
  #transfers = 0;
  #doneTransfers = 0;
  #scenarios: readonly Scenario[] = [];
  #label = '';
  #startedAt = Date.now();
  #lastDraw = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
  }

  readonly onPhase = (text: string): void => {
    this.#clear();
    this.#stream.write(`… ${text}\n`);
  };

  readonly onFixtureProgress = (name: string, done: number, size: number): void => {
    if (!this.#tty || Date.now() - this.#lastDraw < 100) return;
    this.#lastDraw = Date.now();
    this.#stream.write(`\r\x1b[2Kgenerating ${name}: ${Math.floor((100 * done) / size)}%`);
  };

  readonly onPlan = (scenarios: readonly Scenario[], perScenario: number): void => {
    this.#clear();
    this.#scenarios = scenarios;
    this.#transfers = scenarios.length * perScenario;
    this.#totalBytes = scenarios.reduce((a, s) => a + s.sizeBytes * perScenario, 0);
    this.#startedAt = Date.now();
    // With a target rme a scenario may take more: the plan is the least the run will do.
    this.#stream.write(
      `${scenarios.length} scenarios x at least ${perScenario} transfers (${humanBytes(this.#totalBytes)})\n`,
    );
  };

  readonly onTransferStart = (index: number, s: Scenario, iteration: number, warmup: boolean): void => {
    this.#currentBytes = 0;
    this.#label =
      `[${index + 1}/${this.#scenarios.length}] ${humanBytes(s.sizeBytes)} ${s.suite} chunk=` +
      `${formatBytes(s.chunkBytes)}${warmup ? ' warm-up' : ` #${iteration + 1}`}`;
    this.#draw(true);
  };

  readonly onTransferProgress = (bytes: number): void => {
    this.#currentBytes = bytes;
    this.#draw(false);
  };

  readonly onTransferDone = (r: TransferRecord): void => {
    this.#doneTransfers += 1;
    this.#doneBytes += r.scenario.sizeBytes;
    this.#currentBytes = 0;
    if (!this.#tty && !r.warmup) {
      const rate = r.mbPerSec === null ? '' : ` ${r.mbPerSec.toFixed(1)} MB/s`;
      this.#stream.write(`${this.#counter()} ${r.scenarioId} #${r.iteration + 1}: ${r.outcome.kind}${rate}\n`);
    }
    this.#draw(true);
  };

  /** done/planned, or just done once past the plan. */
  #counter(): string {
    return this.#doneTransfers <= this.#transfers
      ? `${this.#doneTransfers}/${this.#transfers}`
      : `${this.#doneTransfers}`;
  }

  #clear(): void {
    if (this.#tty) this.#stream.write('\r\x1b[2K');
  }

  #draw(force: boolean): void {
    if (!this.#tty || this.#totalBytes === 0) return;
    const now = Date.now();
    if (!force && now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const done = this.#doneBytes + this.#currentBytes;
    // Past the planned minimum (sampling to a target) the total is unknown: the bar stays near full.
    const frac = Math.min(0.99, done / Math.max(this.#totalBytes, done));
    const elapsed = now - this.#startedAt;
    const eta = frac > 0.01 ? (elapsed / frac) * (1 - frac) : NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const cols = this.#stream.columns ?? 100;
    const line =
      `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${this.#counter()} ETA ` +
      `${Number.isNaN(eta) || this.#doneTransfers >= this.#transfers ? '?' : duration(eta)}  ${this.#label}`;
    this.#stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
  }

  finish(): void {
    this.#clear();
    this.#stream.write(`done in ${duration(Date.now() - this.#startedAt)}\n`);
  }
}
