/**
 * Fires once when no progress was reported for `timeoutMs`. Progress is any
 * change in the reported byte count; a stream that trickles is not stalled.
 */
export class Watchdog {
  #lastBytes = -1;
  #lastChangeAt = Date.now();
  #fired = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly timeoutMs: number,
    onStall: (stalledForMs: number) => void,
  ) {
    const tick = Math.max(20, Math.min(500, Math.floor(timeoutMs / 4)));
    this.#timer = setInterval(() => {
      const idle = Date.now() - this.#lastChangeAt;
      if (!this.#fired && idle >= timeoutMs) {
        this.#fired = true;
        this.stop();
        onStall(idle);
      }
    }, tick);
  }

  progress(bytes: number): void {
    if (bytes !== this.#lastBytes) {
      this.#lastBytes = bytes;
      this.#lastChangeAt = Date.now();
    }
  }

  get fired(): boolean {
    return this.#fired;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
