import { crc32c } from './crc32c.ts';

/**
 * The ring through which a receiver's read loop hands its bytes to the
 * checker thread: a SharedArrayBuffer of bytes and a few Int32 words for the
 * indices and wake-ups. One writer (the read loop), one reader (the checker).
 *
 * Indices are running byte totals modulo 2^32 (an Int32 word read as
 * unsigned): `W - R` is what waits to be checked, `index & (capacity - 1)`
 * the place in the ring, so a stream of any length never needs a reset.
 *
 * Wake-ups are rare on purpose: a futex wake costs the read loop more than
 * the check it moves away (measured: ~9% of the loop with a wake per MiB on
 * this VM). While a stream flows the checker polls (a 1 ms timed wait), so
 * the writer wakes nobody; only an idle checker sleeps on SEQ with SLEEP set
 * and is woken once by the next write past WAKE_AT. The end of a stream
 * (finish) and a met count (flush) always wake it, so the last bytes are
 * checked at once. The writer waits for room (Atomics.waitAsync on R) only
 * when the ring is full.
 */
export const CTRL = {
  /** Bytes written (running total, mod 2^32). */
  W: 0,
  /** Bytes checked (running total, mod 2^32). */
  R: 1,
  /** 1 while the checker sleeps (or is about to). */
  SLEEP: 2,
  /** The write index at which a sleeping checker wants to be woken. */
  WAKE_AT: 3,
  /** Finishes asked for (a counter), and the write index each one ends at. */
  FIN: 4,
  FIN_AT: 5,
  /** Bumped with every wake-up; the checker sleeps on it. */
  SEQ: 6,
} as const;
const CTRL_WORDS = 8;

/** Node 20 has Atomics.waitAsync (V8); the project's lib (es2023) does not declare it. */
interface AtomicsWaitAsync {
  waitAsync(
    array: Int32Array,
    index: number,
    value: number,
  ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}

/** 8 MiB: bounded memory, several ms of a 2.5 GB/s stream, and still in the shared cache when the checker reads it. */
export const RING_BYTES = 8 * 2 ** 20;

export interface RingShared {
  readonly data: SharedArrayBuffer;
  readonly ctrl: SharedArrayBuffer;
  /** Test-only: the checker waits until the ring is full and then checks 64 KiB, pausing this many ms each time. */
  readonly slowMs: number;
}

export function makeRing(capacity = RING_BYTES, slowMs = 0): RingShared {
  if ((capacity & (capacity - 1)) !== 0) throw new Error(`ring capacity ${capacity} is not a power of two`);
  return { data: new SharedArrayBuffer(capacity), ctrl: new SharedArrayBuffer(CTRL_WORDS * 4), slowMs };
}

/** What the checker found for one stream: its bytes, their CRC32C, and when the last of them was checked. */
export interface CheckResult {
  readonly fin: number;
  readonly bytes: number;
  readonly crc32c: number;
  /**
   * nowMs() (CLOCK_MONOTONIC, shared by all threads and processes) after the
   * last byte was checked; null: no byte, or none checked after it was read
   * (the inline verifier checks each read as it comes).
   */
  readonly checkedAtMs: number | null;
}

/**
 * While bytes flow, the checker looks for more every POLL_MS on its own
 * (the ring holds several ms of the fastest stream); after IDLE_POLLS looks
 * that found nothing it sleeps until woken.
 */
const POLL_MS = 1;
const IDLE_POLLS = 50;

/** Most bytes checked before R moves: the writer gets room back in steps no larger than this. */
const STEP_BYTES = 2 ** 20;
const SLOW_STEP_BYTES = 64 * 1024;

/**
 * The checker's loop (runs in its own thread, forever): checks what the
 * writer committed, advances R, and at each finish posts the stream's result.
 * `now` is the thread's clock (nowMs).
 */
export function runChecker(shared: RingShared, post: (r: CheckResult) => void, now: () => number): never {
  const ring = Buffer.from(shared.data);
  const ctrl = new Int32Array(shared.ctrl);
  const mask = ring.length - 1;
  const slow = shared.slowMs > 0;
  const step = slow ? SLOW_STEP_BYTES : STEP_BYTES;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  // From zero, not from what the words say now: the writer may have begun (and even finished) a stream before this
  // thread ran.
  let r = 0;
  let finSeen = 0;
  let crc = 0;
  let bytes = 0;
  let checkedAtMs: number | null = null;
  let idlePolls = 0;
  for (;;) {
    // Read before W and FIN: a wake-up after this point makes the wait below return at once.
    const seq = Atomics.load(ctrl, CTRL.SEQ);
    const w = Atomics.load(ctrl, CTRL.W);
    const waiting = (w - r) >>> 0;
    const finishing = Atomics.load(ctrl, CTRL.FIN) !== finSeen;
    // The slowed checker lets the ring fill first, so the writer must wait: the backpressure test's knob.
    const go = waiting > 0 && (!slow || finishing || waiting === ring.length);
    if (go) {
      const at = r & mask;
      const len = Math.min(waiting, ring.length - at, step);
      if (slow) Atomics.wait(pause, 0, 0, shared.slowMs);
      crc = crc32c(ring.subarray(at, at + len), crc);
      bytes += len;
      r = (r + len) | 0;
      checkedAtMs = now();
      Atomics.store(ctrl, CTRL.R, r);
      Atomics.notify(ctrl, CTRL.R);
      idlePolls = 0;
      continue;
    }
    if (finishing && Atomics.load(ctrl, CTRL.FIN_AT) === r) {
      finSeen = Atomics.load(ctrl, CTRL.FIN);
      post({ fin: finSeen, bytes, crc32c: crc, checkedAtMs });
      crc = 0;
      bytes = 0;
      checkedAtMs = null;
      continue;
    }
    if (!slow && idlePolls < IDLE_POLLS) {
      // A stream is (or was just) flowing: look again in a moment, unasked. The writer never pays for a wake-up.
      idlePolls++;
      Atomics.wait(ctrl, CTRL.SEQ, seq, POLL_MS);
      continue;
    }
    // Idle (between streams): sleep until the writer wakes us (the slowed checker: once the ring is full).
    Atomics.store(ctrl, CTRL.WAKE_AT, (r + (slow ? ring.length : 1)) | 0);
    Atomics.store(ctrl, CTRL.SLEEP, 1);
    // Re-read after saying we sleep: a write or finish that came in between is seen here, or it wakes us.
    if (Atomics.load(ctrl, CTRL.W) === w && (Atomics.load(ctrl, CTRL.FIN) !== finSeen) === finishing)
      Atomics.wait(ctrl, CTRL.SEQ, seq);
    Atomics.store(ctrl, CTRL.SLEEP, 0);
  }
}

/**
 * The read loop's side of the ring. The fast path is `reserve` + `commit`
 * (the socket reads straight into the ring: no copy) or `push` (one copy of
 * a chunk that is already in memory). When the ring is full, `push` keeps the
 * rest (of this read only) and returns false: the caller pauses its socket
 * and `onRoom` tells it when to resume. Memory is bounded by the ring plus
 * what one paused read delivers.
 */
export class RingWriter {
  readonly #ring: Buffer;
  readonly #ctrl: Int32Array;
  readonly #mask: number;
  #w: number;
  readonly #overflow: Buffer[] = [];
  /** Set while what waits in #overflow is being handed over as room frees. */
  #draining: Promise<void> | null = null;
  #onRoom: (() => void) | null = null;
  /** Settles (rejects) once the checker is gone: no wait for room may outlive it. */
  #gone: Promise<never> | null = null;
  #markGone: (err: Error) => void = () => undefined;

  constructor(shared: RingShared) {
    this.#ring = Buffer.from(shared.data);
    this.#ctrl = new Int32Array(shared.ctrl);
    this.#mask = this.#ring.length - 1;
    this.#w = Atomics.load(this.#ctrl, CTRL.W);
  }

  /** The checker died: every wait for room (and so finish) fails with `err` from now on. */
  fail(err: Error): void {
    this.#markGone(err);
  }

  #goneOrNever(): Promise<never> {
    this.#gone ??= new Promise<never>((_, reject) => (this.#markGone = reject));
    // observed by whoever races it; never an unhandled rejection
    this.#gone.catch(() => undefined);
    return this.#gone;
  }

  get capacity(): number {
    return this.#ring.length;
  }

  /** Bytes not yet handed over (waiting for room). */
  get overflowBytes(): number {
    let n = 0;
    for (const b of this.#overflow) n += b.length;
    return n;
  }

  /** Bytes handed over that the checker has not checked yet. */
  get unchecked(): number {
    return (this.#w - Atomics.load(this.#ctrl, CTRL.R)) >>> 0;
  }

  #room(): number {
    return this.#ring.length - ((this.#w - Atomics.load(this.#ctrl, CTRL.R)) >>> 0);
  }

  /**
   * A free, contiguous part of the ring of `min` to `max` bytes to read into,
   * or null (ring full, or bytes still waiting for room: they go first).
   */
  reserve(min: number, max: number): Buffer | null {
    if (this.#overflow.length > 0) return null;
    const at = this.#w & this.#mask;
    const len = Math.min(this.#room(), this.#ring.length - at, max);
    return len >= min ? this.#ring.subarray(at, at + len) : null;
  }

  /** `n` bytes were written into the part `reserve` gave: hand them over. */
  commit(n: number): void {
    this.#w = (this.#w + n) | 0;
    Atomics.store(this.#ctrl, CTRL.W, this.#w);
    if (Atomics.load(this.#ctrl, CTRL.SLEEP) === 1 && ((this.#w - Atomics.load(this.#ctrl, CTRL.WAKE_AT)) | 0) >= 0)
      this.#wake();
  }

  /** Copies `chunk` into the ring. false: some of it waits for room; pause reading until `onRoom`. */
  push(chunk: Uint8Array): boolean {
    if (this.#overflow.length === 0) {
      const done = this.#copyIn(chunk);
      if (done === chunk.length) return true;
      chunk = chunk.subarray(done);
    }
    // A copy: the caller's buffer (onread's) is reused as soon as we return.
    this.#overflow.push(Buffer.from(chunk));
    this.#awaitRoom();
    return false;
  }

  /** Called once, when what waited for room is all handed over (after a false push). */
  onRoom(cb: () => void): void {
    this.#onRoom = cb;
  }

  /** Wake the checker now (the stream's count is met: check the tail without waiting for more). */
  flush(): void {
    this.#wake(true);
  }

  /** Ends the stream at the current write index, once everything waiting is handed over. */
  async finish(): Promise<number> {
    await this.#draining;
    Atomics.store(this.#ctrl, CTRL.FIN_AT, this.#w);
    const fin = Atomics.add(this.#ctrl, CTRL.FIN, 1) + 1;
    this.#wake(true);
    return fin;
  }

  #copyIn(chunk: Uint8Array): number {
    let done = 0;
    while (done < chunk.length) {
      const at = this.#w & this.#mask;
      const len = Math.min(this.#room(), this.#ring.length - at, chunk.length - done);
      if (len === 0) break;
      this.#ring.set(done === 0 && len === chunk.length ? chunk : chunk.subarray(done, done + len), at);
      done += len;
      this.commit(len);
    }
    return done;
  }

  /**
   * Wakes a sleeping checker. The flag is taken back here, not when the
   * checker runs again: until the OS schedules it, every further write would
   * otherwise wake it once more (a futex call per read, the cost we avoid).
   */
  #wake(always = false): void {
    Atomics.add(this.#ctrl, CTRL.SEQ, 1);
    if (Atomics.compareExchange(this.#ctrl, CTRL.SLEEP, 1, 0) === 1 || always) Atomics.notify(this.#ctrl, CTRL.SEQ);
  }

  #roomChanged(): Promise<unknown> {
    const r = Atomics.load(this.#ctrl, CTRL.R);
    if (this.#room() > 0) return Promise.resolve();
    const waited = (Atomics as unknown as AtomicsWaitAsync).waitAsync(this.#ctrl, CTRL.R, r);
    return waited.async ? Promise.race([waited.value, this.#goneOrNever()]) : Promise.resolve();
  }

  #awaitRoom(): void {
    this.#draining ??= (async () => {
      while (this.#overflow.length > 0) {
        await this.#roomChanged();
        while (this.#overflow.length > 0) {
          const head = this.#overflow[0]!;
          const done = this.#copyIn(head);
          if (done < head.length) {
            this.#overflow[0] = head.subarray(done);
            break;
          }
          this.#overflow.shift();
        }
      }
      this.#draining = null;
      const cb = this.#onRoom;
      this.#onRoom = null;
      cb?.();
    })();
    // A dead checker rejects it; finish() reports that. Reading stays paused: never buffer without a checker.
    this.#draining.catch(() => undefined);
  }
}
