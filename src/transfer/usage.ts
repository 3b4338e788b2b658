import type { ProcessUsage, WorkerMessage } from './messages.ts';

/**
 * CPU time and peak resident memory of this process over one transfer.
 * RSS is sampled on a timer (and at start and stop), since the kernel's maxrss
 * is a lifetime peak and the workers are reused.
 */
export class UsageMeter {
  readonly #cpuStart = process.cpuUsage();
  #rssPeak = process.memoryUsage.rss();
  readonly #timer: NodeJS.Timeout;

  constructor(sampleMs = 25) {
    this.#timer = setInterval(() => this.sample(), sampleMs);
    this.#timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.#rssPeak) this.#rssPeak = rss;
  }

  stop(): ProcessUsage {
    clearInterval(this.#timer);
    this.sample();
    const cpu = process.cpuUsage(this.#cpuStart);
    return { cpuMs: (cpu.user + cpu.system) / 1000, rssPeakBytes: this.#rssPeak };
  }
}

/**
 * Runs a full GC when the process has --expose-gc, then reports its size (the
 * soak benchmark asks). Twice, a moment apart: V8 frees the memory of dead
 * Buffers (ArrayBuffer backing stores) on a background sweep after a GC, so
 * right after one GC a size still counts some of them.
 */
export function collectGarbage(send: (msg: WorkerMessage) => void): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  setTimeout(() => {
    gc?.();
    const m = process.memoryUsage();
    send({
      type: 'gc-done',
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
      externalBytes: m.external,
    });
  }, 20);
}
