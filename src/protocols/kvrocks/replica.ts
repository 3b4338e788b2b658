/**
 * The Kvrocks replica, run inside the receiver worker: `_fetch_meta` on one
 * connection, then the files over 1 or 4 connections (file i over connection
 * i mod n), each a size line and exactly that many bytes, read 4 KiB at a
 * time with a CRC32C per file. It never waits for EOF: the count decides, and
 * an end or error before the count fails the whole attempt, which is retried
 * from `_fetch_meta` after a delay, up to maxAttempts.
 *
 * Reads are `socket.read(n)` in 'readable' (paused mode) with
 * n = min(4096, bytes left of the file): like SSL_read into a 4 KiB buffer,
 * no read ever crosses into the next file's size line, and the count is
 * exact. A highWaterMark of 4096 would not do it: it only sets how much is
 * buffered; node's TLS layer still pushes up to 16 KiB per 'data' chunk.
 */
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32c } from '@node-rs/crc32';
import type { Observed, StreamError } from '../../outcome.ts';
import { CloseNotifyDetector, CloseNotifyTally, TRACE_TAIL_BYTES } from '../../transfer/close-notify.ts';
import { nowMs, type WorkerMessage } from '../../transfer/messages.ts';
import { errorCode, negotiationMismatch, pinnedTlsOptions } from '../../transfer/tls-options.ts';
import { UsageMeter } from '../../transfer/usage.ts';
import type {
  KvrocksAttemptFetched,
  KvrocksConnectionFetched,
  KvrocksExpectedFile,
  KvrocksFetchReport,
  KvrocksFetchRequest,
  KvrocksFileFetched,
} from './messages.ts';
import {
  assignFiles,
  commandLine,
  lineText,
  MAX_META_LINE_BYTES,
  MAX_SIZE_LINE_BYTES,
  parseSizeLine,
  READ_BYTES,
} from './protocol.ts';
import { workerChannel } from '../../transfer/channel.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function send(msg: WorkerMessage): void {
  workerChannel().send(msg);
}

/** An error that fails the attempt, with a code of ours when no lower layer gave one. */
function failure(code: string, message: string, phase: StreamError['phase'] = 'transfer'): StreamError {
  return { code, message, phase };
}

function streamError(err: unknown, phase: StreamError['phase']): StreamError {
  return { code: errorCode(err), message: err instanceof Error ? err.message : String(err), phase };
}

/** The receiver worker's entry point for `kvrocks-fetch`. */
export function onKvrocksFetch(req: KvrocksFetchRequest): void {
  fetchCheckpoint(req).then(send, (err: unknown) => send({ type: 'fatal', id: req.id, message: String(err) }));
}

/** Bytes of the current attempt, all connections: what `progress` reports (it starts from 0 at each attempt). */
interface Counter {
  bytes: number;
}

export async function fetchCheckpoint(req: KvrocksFetchRequest): Promise<KvrocksFetchReport> {
  const usage = new UsageMeter();
  const startedAt = nowMs();
  const ca = req.ca;
  const counter: Counter = { bytes: 0 };
  const progress = setInterval(
    () => send({ type: 'progress', id: req.id, bytes: counter.bytes }),
    req.progressIntervalMs,
  );
  const attempts: KvrocksAttemptFetched[] = [];
  try {
    for (let n = 1; n <= req.maxAttempts; n++) {
      counter.bytes = 0;
      send({ type: 'kvrocks-attempt', id: req.id, attempt: n });
      const attempt = await new Attempt(req, ca, n, counter).run();
      attempts.push(attempt);
      if (attempt.ok) break;
      if (n < req.maxAttempts) await sleep(req.retryDelayMs);
    }
  } finally {
    clearInterval(progress);
  }
  send({ type: 'progress', id: req.id, bytes: counter.bytes });
  return { type: 'kvrocks-fetched', id: req.id, attempts, durationMs: nowMs() - startedAt, ...usage.stop() };
}

/** One full-sync attempt: meta, then every file; the first failure ends it. */
class Attempt {
  readonly #startedAtMs = nowMs();
  readonly #abort = new AbortController();
  readonly #expected: ReadonlyMap<string, KvrocksExpectedFile>;
  #firstByteAtMs: number | null = null;
  #error: StreamError | null = null;
  /** Set when several connections were traced together (see tallied). */
  #closeNotify: Observed | undefined;
  /** Every file of the master's list, in its order, filled in as it arrives. */
  readonly #files: Mutable<KvrocksFileFetched>[] = [];
  readonly #connections: Mutable<KvrocksConnectionFetched>[] = [];

  constructor(
    readonly req: KvrocksFetchRequest,
    readonly ca: string,
    readonly n: number,
    readonly counter: Counter,
  ) {
    this.#expected = new Map(req.files.map((f) => [f.name, f]));
  }

  async run(): Promise<KvrocksAttemptFetched> {
    let metaFiles: string[] | null = null;
    let doneAtMs: number | null = null;
    try {
      metaFiles = await this.#fetchMeta();
      this.#files.push(
        ...metaFiles.map((name): Mutable<KvrocksFileFetched> => ({
          name,
          connection: -1,
          declaredBytes: null,
          bytesReceived: 0,
          complete: false,
          crc32c: 0,
          crcMatch: null,
        })),
      );
      const groups = assignFiles(this.#files, this.req.streams);
      // Tracing is per process: one connection is observed on its own; several are counted together (CloseNotifyTally).
      const tally = groups.length > 1 ? new CloseNotifyTally() : null;
      const counted: Promise<void>[] = [];
      const closed: Promise<void>[] = [];
      const ended: boolean[] = [];
      groups.forEach((records, i) => {
        for (const r of records) r.connection = i;
        const c = this.#fetchFiles(i, records, tally === null, tally);
        counted.push(c.counted);
        closed.push(c.closed.then(() => void (ended[i] = c.endSeen())));
      });
      try {
        await Promise.all(counted);
        doneAtMs = nowMs();
      } catch (err) {
        this.#fail(err);
      }
      // Every connection settles (cut by the abort, or ended) before the report.
      await Promise.allSettled(closed);
      if (tally) this.#closeNotify = tallied(tally, ended, this.#connections);
    } catch (err) {
      this.#fail(err);
    }
    const ok = this.#error === null;
    return {
      attempt: this.n,
      ok,
      startedAtMs: this.#startedAtMs,
      firstByteAtMs: this.#firstByteAtMs,
      doneAtMs: doneAtMs ?? nowMs(),
      metaFiles,
      filesComplete: this.#files.filter((f) => f.complete).length,
      bytesReceived: this.#connections.reduce((n, c) => n + c.bytesReceived, 0),
      error: this.#error,
      closeNotify: this.#closeNotify ?? attemptCloseNotify(this.#connections.map((c) => c.closeNotify)),
      files: this.#files.map((f) => ({ ...f })),
      connections: this.#connections.map((c) => ({ ...c, files: [...c.files] })),
    };
  }

  /** Records the first failure and cuts every other connection of the attempt. */
  #fail(err: unknown): void {
    this.#error ??= isStreamError(err) ? err : streamError(err, 'transfer');
    this.#abort.abort();
  }

  #connect(): TLSSocket {
    const { req } = this;
    return connect({
      host: req.host,
      port: req.port,
      servername: req.servername,
      ca: this.ca,
      ...pinnedTlsOptions(req.tls),
    });
  }

  /** Checks what was negotiated; returns the failure, if any. */
  #negotiated(socket: TLSSocket): { protocol: string | null; suite: string | null; mismatch: string | null } {
    const protocol = socket.getProtocol();
    const suite = socket.getCipher()?.name ?? null;
    return { protocol, suite, mismatch: negotiationMismatch(this.req.tls, protocol, suite) };
  }

  /** `_fetch_meta` -> the file list line; then this connection is closed. */
  #fetchMeta(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const socket = this.#connect();
      let secure = false;
      let got = Buffer.alloc(0);
      let settled = false;
      const settle = (err: StreamError | null, names?: string[]): void => {
        if (settled) return;
        settled = true;
        socket.off('data', onData);
        if (err) {
          socket.destroy();
          reject(err);
        } else {
          socket.end();
          resolve(names ?? []);
        }
      };
      const onData = (d: Buffer): void => {
        got = Buffer.concat([got, d]);
        const eol = got.indexOf(0x0a);
        if (eol < 0) {
          if (got.length > MAX_META_LINE_BYTES)
            settle(
              failure('BAD_META', `no line end in the first ${MAX_META_LINE_BYTES} bytes of the _fetch_meta answer`),
            );
          return;
        }
        const line = lineText(got.subarray(0, eol));
        if (line.startsWith('-')) return settle(failure('MASTER_ERROR', `_fetch_meta: ${line}`));
        const names = line.split(',');
        if (names.some((x) => x === ''))
          return settle(failure('BAD_META', `_fetch_meta answered ${JSON.stringify(line.slice(0, 200))}`));
        settle(null, names);
      };
      socket.once('secureConnect', () => {
        secure = true;
        const { mismatch } = this.#negotiated(socket);
        if (mismatch) return settle(failure('SUITE_MISMATCH', mismatch, 'handshake'));
        socket.write(commandLine({ kind: 'fetch-meta' }));
      });
      socket.on('data', onData);
      socket.on('error', (err) => settle(streamError(err, secure ? 'transfer' : 'handshake')));
      socket.on('end', () =>
        settle(failure('EOF_BEFORE_COUNT', '_fetch_meta: the stream ended before the file list line')),
      );
      socket.on('close', () =>
        settle(
          failure(
            'CLOSED',
            '_fetch_meta: the connection closed before the file list line',
            secure ? 'transfer' : 'handshake',
          ),
        ),
      );
      const onAbort = (): void => settle(failure('ABORTED', 'attempt aborted'));
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
      socket.once('close', () => this.#abort.signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * One file connection. `counted` resolves when every file's count is met
   * (rejects on the first failure); `closed` when the socket is gone: after
   * its end, or closeGraceMs after the count, or at once on failure.
   */
  #fetchFiles(
    index: number,
    records: readonly Mutable<KvrocksFileFetched>[],
    observeClose: boolean,
    tally: CloseNotifyTally | null,
  ): { counted: Promise<void>; closed: Promise<void>; endSeen: () => boolean } {
    const { req, counter } = this;
    const names = records.map((r) => r.name);
    const conn: Mutable<KvrocksConnectionFetched> = {
      index,
      localPort: null,
      files: names,
      bytesReceived: 0,
      handshakeMs: null,
      negotiated: { protocol: null, suite: null },
      closeNotify: null,
      error: null,
    };
    this.#connections.push(conn);
    const detector = observeClose ? new CloseNotifyDetector() : null;
    const startedAt = nowMs();
    const socket = this.#connect();
    let secure = false;
    let fileIndex = 0;
    let file: Mutable<KvrocksFileFetched> | null = null;
    let remaining = 0;
    let line = Buffer.alloc(0);
    let countMet = false;
    let endSeen = false;
    let armed = false;
    let graceTimer: NodeJS.Timeout | null = null;

    let resolveCounted!: () => void;
    let rejectCounted!: (e: StreamError) => void;
    const counted = new Promise<void>((res, rej) => ((resolveCounted = res), (rejectCounted = rej)));
    counted.catch(() => undefined); // the attempt awaits it; an early failure must not be unhandled meanwhile
    const closed = new Promise<void>((res) => socket.once('close', () => res()));

    const fail = (e: StreamError): void => {
      if (countMet || conn.error) return;
      conn.error = e;
      socket.destroy();
      rejectCounted(e);
    };
    const onAbort = (): void => fail(failure('ABORTED', 'another connection of this attempt failed'));
    this.#abort.signal.addEventListener('abort', onAbort, { once: true });

    const startFile = (declared: number): void => {
      file = records[fileIndex] ?? null;
      if (!file) return;
      file.declaredBytes = declared;
      remaining = declared;
      if (remaining === 0) finishFile();
    };
    const finishFile = (): void => {
      if (!file) return;
      file.complete = true;
      const expected = this.#expected.get(file.name);
      file.crcMatch = expected ? expected.crc32c === file.crc32c && expected.sizeBytes === file.bytesReceived : null;
      file = null;
      fileIndex += 1;
      if (fileIndex === names.length) {
        countMet = true;
        resolveCounted();
        // The count decides; wait a little for the end only to see how it ends.
        graceTimer = setTimeout(() => socket.destroy(), req.closeGraceMs);
      }
    };

    /** Reads all that can be read now: size line byte by byte, then the file in pieces of at most 4 KiB. */
    const pump = (): void => {
      for (;;) {
        if (countMet) {
          // Nothing more is expected; draining lets the end (and close_notify) arrive.
          if (socket.read() === null) return;
          continue;
        }
        if (file === null) {
          const b = socket.read(1) as Buffer | null;
          if (b === null) return;
          if (b[0] !== 0x0a) {
            line = Buffer.concat([line, b]);
            if (line.length > MAX_SIZE_LINE_BYTES && line[0] !== 0x2d)
              return fail(failure('BAD_SIZE_LINE', `no size line for ${names[fileIndex]}`));
            if (line.length > MAX_META_LINE_BYTES)
              return fail(failure('BAD_SIZE_LINE', `an endless error line for ${names[fileIndex]}`));
            continue;
          }
          const text = lineText(line);
          line = Buffer.alloc(0);
          if (text.startsWith('-')) return fail(failure('MASTER_ERROR', `_fetch_file ${names[fileIndex]}: ${text}`));
          const declared = parseSizeLine(text);
          if (declared === null)
            return fail(failure('BAD_SIZE_LINE', `size line for ${names[fileIndex]} is ${JSON.stringify(text)}`));
          startFile(declared);
          continue;
        }
        const chunk = socket.read(Math.min(READ_BYTES, remaining)) as Buffer | null;
        if (chunk === null) return;
        this.#firstByteAtMs ??= nowMs();
        file.bytesReceived += chunk.length;
        file.crc32c = crc32c(chunk, file.crc32c);
        conn.bytesReceived += chunk.length;
        counter.bytes += chunk.length;
        remaining -= chunk.length;
        if (!armed && fileIndex === names.length - 1 && remaining <= TRACE_TAIL_BYTES) {
          armed = true;
          detector?.arm(socket);
          tally?.arm(socket);
        }
        if (remaining === 0) finishFile();
      }
    };

    socket.once('secureConnect', () => {
      secure = true;
      conn.handshakeMs = nowMs() - startedAt;
      conn.localPort = socket.localPort ?? null;
      const { protocol, suite, mismatch } = this.#negotiated(socket);
      conn.negotiated = { protocol, suite };
      if (mismatch) return fail(failure('SUITE_MISMATCH', mismatch, 'handshake'));
      socket.write(commandLine({ kind: 'fetch-file', names }));
    });
    socket.on('readable', pump);
    socket.on('end', () => {
      detector?.markEnd();
      endSeen = true;
      const where = file
        ? `${file.bytesReceived} of ${file.declaredBytes ?? '?'} bytes of ${file.name}`
        : `before the size line of ${names[fileIndex]}`;
      fail(failure('EOF_BEFORE_COUNT', `the stream ended ${where} (file ${fileIndex + 1} of ${names.length})`));
    });
    socket.on('error', (err) => {
      fail(streamError(err, secure ? 'transfer' : 'handshake'));
      // After the handshake an SSL error does not destroy the socket by itself (NODE-TLS-FACTS.md).
      socket.destroy();
    });
    socket.once('close', () => {
      this.#abort.signal.removeEventListener('abort', onAbort);
      if (graceTimer) clearTimeout(graceTimer);
      fail(
        failure('CLOSED', `the connection closed after ${conn.bytesReceived} bytes`, secure ? 'transfer' : 'handshake'),
      );
      // Only an end the peer sent says anything about close_notify; a socket we cut does not.
      conn.closeNotify = detector && endSeen ? detector.observe() : null;
    });
    return { counted, closed, endSeen: () => endSeen };
  }
}

/** One attempt's close_notify from its connections': true only if every one sent it; unknown if any is. */
function attemptCloseNotify(closes: readonly Observed[]): Observed {
  return closes.length > 0 && closes.every((c) => c !== null) ? closes.every((c) => c === true) : null;
}

/**
 * Several connections traced together: each gets its own answer when the
 * count settles it for all (all sent close_notify, or none did); the attempt's
 * answer is known whenever every connection was ended by its peer.
 */
function tallied(
  tally: CloseNotifyTally,
  ended: readonly boolean[],
  connections: Mutable<KvrocksConnectionFetched>[],
): Observed {
  // A connection we cut (abort, grace timeout) says nothing: the attempt's answer is unknown.
  if (connections.length === 0 || !connections.every((_, i) => ended[i] === true)) return null;
  const verdict = tally.verdict(connections.length);
  const received = tally.received();
  if (verdict === true || received === 0) for (const c of connections) c.closeNotify = verdict;
  return verdict;
}

function isStreamError(e: unknown): e is StreamError {
  return typeof e === 'object' && e !== null && 'message' in e && 'phase' in e && 'code' in e && !(e instanceof Error);
}
