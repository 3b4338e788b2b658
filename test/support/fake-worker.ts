import type { Observed } from '../../src/outcome.ts';
import type { ReceiveRequest, ServeRequest } from '../../src/transfer/messages.ts';
import type { OrchestratorMessage, WorkerMessage } from '../../src/transfer/messages.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from '../../src/transfer/shutdown.ts';
import { WorkerEvents, type Worker, type WorkerLauncher, type WorkerRole } from '../../src/runner/workers.ts';

/**
 * How one scripted transfer goes, as the fake workers play it. Rates are the
 * receiver's: the fake reports a span of `bytes / (1e3 * mbPerSec)` ms from
 * the sender's first byte to the receiver's end, so the record's MB/s is
 * `mbPerSec` and its durationMs that span (what the sampling rules read).
 */
export type FakeStep =
  /** Every byte, checksum right; `closeNotify` as observed (default true: `complete`). */
  | { readonly kind: 'deliver'; readonly mbPerSec: number; readonly closeNotify?: Observed; readonly wallMs?: number }
  /** `bytes` only, and an end that looks normal: `truncated`. */
  | { readonly kind: 'short'; readonly bytes: number; readonly mbPerSec: number; readonly wallMs?: number }
  /** Every byte, checksum wrong: `corrupt`. */
  | { readonly kind: 'corrupt'; readonly mbPerSec: number; readonly wallMs?: number }
  /** The receiver's stream error after `bytes` (ECONNRESET: `reset`; phase handshake: `handshake-failed`). */
  | {
      readonly kind: 'error';
      readonly bytes: number;
      readonly code: string;
      readonly phase: 'handshake' | 'transfer';
      readonly wallMs?: number;
    }
  /**
   * After `bytes` of progress that role's worker dies (SIGKILL): a receiver's death is `worker-crashed`, a sender's a
   * reset its receiver sees.
   */
  | { readonly kind: 'crash'; readonly role: WorkerRole; readonly bytes: number }
  /** After `bytes` of progress both workers go silent: the watchdog's `stalled`. */
  | { readonly kind: 'stall'; readonly bytes: number }
  /** The receiver gets every byte, the sender never sends its report (its grace runs out: the pair is replaced). */
  | { readonly kind: 'no-answer'; readonly mbPerSec: number };

/** What the script is asked: which transfer this is and what the sender was told to serve. */
export interface FakeTransfer {
  /** 0-based, over every transfer of the rig (process warm-ups included). */
  readonly seq: number;
  /** The worker pair's generation (0, then one more per replacement). */
  readonly generation: number;
  /** The runtime label the rig was asked for (runBenchmark's --node axis). */
  readonly runtime: string;
  readonly serve: ServeRequest;
}

export type FakeScript = (t: FakeTransfer) => FakeStep;

/** One transfer as the fakes played it: for assertions on order and counts. */
export interface FakeLogEntry extends FakeTransfer {
  readonly step: FakeStep;
}

/** The receiver's checksum of a whole fixture; anything else is a mismatch. */
const wrongCrc = (crc: number): number => (crc ^ 1) >>> 0;
const spanMs = (bytes: number, mbPerSec: number): number => bytes / (1e3 * mbPerSec);
const NEGOTIATED = { protocol: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256' } as const;

/**
 * A scripted worker behind the `Worker` interface, as hyperfine's
 * MockExecutor stands behind its Executor: no process, no socket. It speaks
 * the IPC protocol (ready, listening, progress, sent, received) with the
 * answers its rig's script gives, so runTransfer, the watchdog, WorkerPair's
 * replacement and the orchestrator's sampling loop run for real on top.
 */
export class FakeWorker extends WorkerEvents implements Worker {
  readonly pid = process.pid;
  readonly versions = { node: '20.0.0-fake', openssl: '3.0.0-fake' } as const;
  readonly #rig: FakeWorkers;
  /**
   * Why it exited: 'killed' (SIGKILL from the orchestrator), 'stopped' (shutdown at the end), 'crashed' (the script).
   */
  exitedBy: 'killed' | 'stopped' | 'crashed' | 'exited' | null = null;

  constructor(
    readonly role: WorkerRole,
    readonly generation: number,
    readonly runtime: string,
    rig: FakeWorkers,
  ) {
    super();
    this.#rig = rig;
  }

  post(msg: OrchestratorMessage): void {
    if (!this.alive) return;
    if (msg.type === 'shutdown') this.die('stopped', 0);
    else if (msg.type === 'serve') this.#rig.serve(this, msg);
    else if (msg.type === 'receive') this.#rig.receive(this, msg);
  }

  /** Sends `msg` as the worker would, on a later turn of the event loop (IPC is never synchronous). */
  say(msg: WorkerMessage, afterMs = 0): void {
    const send = (): void => {
      if (this.alive) this.emit(msg);
    };
    if (afterMs > 0) setTimeout(send, afterMs);
    else setImmediate(send);
  }

  die(by: NonNullable<FakeWorker['exitedBy']>, code: number | null = null): void {
    if (!this.alive) return;
    this.exitedBy = by;
    this.recordExit({ code, signal: code === null ? 'SIGKILL' : null });
  }

  async kill(): Promise<void> {
    this.die('killed');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.die('stopped', 0);
    await this.exited;
  }
}

/**
 * The fakes of a run and their script. `launcher(runtime)` is what
 * RunOptions.launchWorkers hands WorkerPair: it starts a FakeWorker per role
 * and generation. Each 'serve' takes the script's next step; the receiver of
 * the same transfer (same request id) plays the other half of it.
 */
export class FakeWorkers {
  /** Every fake started, in order. */
  readonly launched: FakeWorker[] = [];
  /** Every transfer served, in order. */
  readonly log: FakeLogEntry[] = [];
  readonly #steps = new Map<number, { step: FakeStep; serve: ServeRequest; sender: FakeWorker }>();

  constructor(readonly script: FakeScript) {}

  launcher(runtime = 'default'): WorkerLauncher {
    return async (role, generation) => {
      const w = new FakeWorker(role, generation, runtime, this);
      this.launched.push(w);
      return w;
    };
  }

  /** The fakes still alive (none should be once a run returns). */
  alive(): FakeWorker[] {
    return this.launched.filter((w) => w.alive);
  }

  serve(sender: FakeWorker, serve: ServeRequest): void {
    const t: FakeTransfer = { seq: this.log.length, generation: sender.generation, runtime: sender.runtime, serve };
    const step = this.script(t);
    this.log.push({ ...t, step });
    this.#steps.set(serve.id, { step, serve, sender });
    sender.say({ type: 'listening', id: serve.id, port: 1, address: '127.0.0.1' });
  }

  receive(receiver: FakeWorker, req: ReceiveRequest): void {
    const entry = this.#steps.get(req.id);
    if (!entry) throw new Error(`fake receiver: no serve for transfer ${req.id}`);
    this.#steps.delete(req.id);
    const { step, serve, sender } = entry;
    const size = req.bytesExpected;
    const usage = { cpuMs: 1, rssPeakBytes: 1e6 };
    // The sender's clock starts at 0 at its first byte; one that wrote nothing has no first byte.
    const sent = (
      bytesWritten: number,
      error: { code: string; message: string; phase: 'transfer' } | null,
      afterMs = 0,
    ): void => {
      sender.say(
        {
          type: 'sent',
          id: req.id,
          bytesWritten,
          firstByteAtMs: bytesWritten > 0 ? 0 : null,
          negotiated: NEGOTIATED,
          error,
          ...usage,
        },
        afterMs,
      );
      // A sender whose way of ending exits the process does so once it has reported.
      if (SHUTDOWN_STRATEGIES_TABLE[serve.shutdown].endsProcess) setTimeout(() => sender.die('exited', 0), afterMs + 1);
    };
    const received = (
      bytes: number,
      crc32c: number,
      doneAtMs: number,
      closeNotify: Observed,
      error: { code: string; message: string; phase: 'handshake' | 'transfer' } | null,
      afterMs = 0,
    ): void => {
      receiver.say({ type: 'progress', id: req.id, bytes });
      receiver.say(
        {
          type: 'received',
          id: req.id,
          bytesReceived: bytes,
          crc32c,
          closeNotify,
          declaredBytes: null,
          readPauses: 0,
          handshakeMs: 1,
          doneAtMs,
          negotiated: NEGOTIATED,
          error,
          ...usage,
        },
        afterMs,
      );
    };
    switch (step.kind) {
      case 'deliver':
        received(
          size,
          req.crc32cExpected,
          spanMs(size, step.mbPerSec),
          step.closeNotify === undefined ? true : step.closeNotify,
          null,
          step.wallMs,
        );
        sent(size, null, step.wallMs);
        return;
      case 'short':
        received(step.bytes, 0, spanMs(step.bytes, step.mbPerSec), false, null, step.wallMs);
        sent(size, null, step.wallMs);
        return;
      case 'corrupt':
        received(size, wrongCrc(req.crc32cExpected), spanMs(size, step.mbPerSec), true, null, step.wallMs);
        sent(size, null, step.wallMs);
        return;
      case 'error': {
        const error = { code: step.code, message: `fake ${step.code}`, phase: step.phase };
        received(step.bytes, 0, 1, null, error, step.wallMs);
        sent(
          step.bytes,
          step.phase === 'transfer' ? { code: 'EPIPE', message: 'fake EPIPE', phase: 'transfer' } : null,
          step.wallMs,
        );
        return;
      }
      case 'crash':
        receiver.say({ type: 'progress', id: req.id, bytes: step.bytes });
        if (step.role === 'receiver') {
          setImmediate(() => setImmediate(() => receiver.die('crashed')));
          sent(step.bytes, { code: 'EPIPE', message: 'fake EPIPE', phase: 'transfer' });
        } else {
          setImmediate(() => setImmediate(() => sender.die('crashed')));
          received(step.bytes, 0, 1, null, { code: 'ECONNRESET', message: 'fake ECONNRESET', phase: 'transfer' });
        }
        return;
      case 'stall':
        receiver.say({ type: 'progress', id: req.id, bytes: step.bytes });
        return;
      case 'no-answer':
        received(size, req.crc32cExpected, spanMs(size, step.mbPerSec), true, null);
        return;
    }
  }
}
