import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy between the receiver (client) and the sender (server)
 * that injects one fault into the server->client byte stream: what a middlebox
 * or a dead peer does to a TLS stream, without touching either TLS stack. It
 * forwards raw bytes only; it never speaks TLS.
 */
export const PROXY_FAULTS = ['fin', 'rst', 'stall', 'flip'] as const;
export type ProxyFaultKind = (typeof PROXY_FAULTS)[number];

export interface ProxyFault {
  readonly kind: ProxyFaultKind;
  /** 0-based offset in the server->client stream of each connection. */
  readonly atByte: number;
}

export interface FaultProxyOptions {
  readonly target: { readonly host: string; readonly port: number };
  readonly fault: ProxyFault | null;
  /** Where to listen (on port 0); default 127.0.0.1. */
  readonly host?: string;
}

export interface FaultProxyStats {
  readonly connections: number;
  /** Bytes written to the client (server->client), over all connections. */
  readonly bytesToClient: number;
  /** Bytes written to the server (client->server), over all connections. */
  readonly bytesToServer: number;
  /** Connections in which the fault fired (it fires at most once in each). */
  readonly faultsFired: number;
  /** When it first fired: epoch ms (performance.timeOrigin + performance.now()), or null. */
  readonly faultFiredAtEpochMs: number | null;
}

/**
 * What happens once `atByte` server->client bytes have been forwarded. Cuts
 * (`fin`, `rst`, `stall`) fire when the count reaches `atByte` with data in
 * hand (at 0: on the first server chunk); `flip` fires when byte `atByte` passes.
 * A fault past the end of the stream never fires.
 */
interface FaultAction {
  readonly description: string;
  /** 'cut' acts after the first atByte bytes; 'byte' rewrites the byte at atByte. */
  readonly at: 'cut' | 'byte';
  readonly act: (c: Connection) => void;
}

const FAULT_ACTIONS: Readonly<Record<ProxyFaultKind, FaultAction>> = {
  fin: {
    description: 'FIN to the client after atByte bytes, upstream dropped: a middlebox cut, possibly mid-record',
    at: 'cut',
    act: (c) => {
      c.cut = true;
      // end() queues the FIN behind the bytes already written, so the client
      // gets exactly atByte bytes. Destroying upstream while its receive queue
      // holds unread data makes the kernel answer the sender with an RST.
      c.client.end();
      c.upstream.destroy();
    },
  },
  rst: {
    description: 'RST to the client after atByte bytes have been handed to the kernel, upstream dropped',
    at: 'cut',
    act: (c) => {
      c.cut = true;
      c.upstream.destroy();
      // resetAndDestroy() (SO_LINGER 0 + close) drops whatever is still queued
      // in Node, so wait until every byte written so far has reached the kernel
      // (writes complete in order: an empty write's callback comes last). The
      // RST still discards what the kernel has not sent yet, so the client may
      // get fewer than atByte bytes. And a Node client that sees the RST in the
      // same epoll wake-up as its last data reports a clean 'end', not
      // ECONNRESET (libuv's POLLHUP short-circuit after a short read).
      c.client.write(Buffer.alloc(0), () => {
        if (!c.client.destroyed) c.client.resetAndDestroy();
      });
    },
  },
  stall: {
    description: 'stop forwarding both ways after atByte bytes, sockets kept open until close(): a dead peer',
    at: 'cut',
    act: (c) => {
      c.cut = true;
      // Paused sockets stop reading, so the kernel buffers fill and TCP flow
      // control stalls both peers; no FIN, no RST until close().
      c.client.pause();
      c.upstream.pause();
    },
  },
  flip: {
    description: 'XOR the byte at atByte with 0x01, forward everything else unchanged',
    at: 'byte',
    act: () => undefined,
  },
};

/** One client connection and its upstream socket. */
interface Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  /** After a cut fault: nothing is forwarded and close/end are not propagated. */
  cut: boolean;
  fired: boolean;
  toClient: number;
}

export class FaultProxy {
  readonly port: number;
  /** The address it listens on, as the kernel reports it. */
  readonly address: string;
  private readonly server: Server;
  private readonly fault: ProxyFault | null;
  private readonly target: FaultProxyOptions['target'];
  private readonly sockets = new Set<Socket>();
  private counts = {
    connections: 0,
    bytesToClient: 0,
    bytesToServer: 0,
    faultsFired: 0,
    faultFiredAtEpochMs: null as number | null,
  };
  private closing: Promise<void> | null = null;

  private constructor(server: Server, opts: FaultProxyOptions) {
    this.server = server;
    ({ port: this.port, address: this.address } = server.address() as AddressInfo);
    this.fault = opts.fault;
    this.target = opts.target;
    server.on('connection', (client) => this.accept(client));
  }

  static async start(opts: FaultProxyOptions): Promise<FaultProxy> {
    const fault = opts.fault;
    if (
      fault !== null &&
      (!PROXY_FAULTS.includes(fault.kind) || !Number.isSafeInteger(fault.atByte) || fault.atByte < 0)
    ) {
      throw new RangeError(
        `fault must be one of ${PROXY_FAULTS.join(', ')} at a non-negative integer byte, got ${JSON.stringify(fault)}`,
      );
    }
    // allowHalfOpen: a FIN from one peer is forwarded as a FIN, and the other
    // direction keeps flowing (a receiver may write an ack after 'end').
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    return new FaultProxy(server, opts);
  }

  get stats(): FaultProxyStats {
    return { ...this.counts };
  }

  /** Closes the listener and destroys every socket it opened; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const socketsClosed = [...this.sockets].map((s) => {
        s.destroy();
        return closed(s);
      });
      await Promise.all([listenerClosed, ...socketsClosed]);
    })();
    return this.closing;
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    // Errors surface as 'close' with hadError; without a listener they would crash the process.
    s.on('error', () => undefined);
    s.once('close', () => this.sockets.delete(s));
    // Do not let Nagle hold back small records (handshake, alerts) in the middle.
    s.setNoDelay(true);
  }

  private accept(client: Socket): void {
    if (this.closing) {
      client.destroy();
      return;
    }
    this.counts.connections++;
    const upstream = connect({ host: this.target.host, port: this.target.port, allowHalfOpen: true });
    this.track(client);
    this.track(upstream);
    const c: Connection = { client, upstream, cut: false, fired: false, toClient: 0 };

    forward(c, client, upstream, (chunk) => {
      this.counts.bytesToServer += chunk.length;
      return chunk;
    });
    forward(c, upstream, client, (chunk) => this.toClient(c, chunk));

    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('end', () => {
        if (!c.cut) to.end();
      });
      // A peer gone with an error (RST, refused) is passed on as an RST; a clean
      // close as a FIN once what is queued has been written.
      from.once('close', (hadError) => {
        if (c.cut || to.destroyed) return;
        // The receiver is gone: nobody reads what the sender still writes, so
        // the sender would wait for 'drain' for ever. Drop the upstream side too.
        if (from === client) to.destroy();
        else if (hadError) to.resetAndDestroy();
        else to.end();
      });
    }
  }

  /** The server->client bytes to forward now; fires the fault when its offset comes. */
  private toClient(c: Connection, chunk: Buffer): Buffer {
    const fault = this.fault;
    if (fault === null || c.fired) return this.countToClient(c, chunk);
    const offset = fault.atByte - c.toClient;
    const action = FAULT_ACTIONS[fault.kind];
    if (action.at === 'byte') {
      if (offset >= chunk.length) return this.countToClient(c, chunk);
      this.fire(c);
      const flipped = Buffer.from(chunk);
      flipped[offset] = (flipped[offset] ?? 0) ^ 0x01;
      return this.countToClient(c, flipped);
    }
    if (offset > chunk.length) return this.countToClient(c, chunk);
    // Forward exactly the bytes before atByte, then act; the rest is dropped.
    const head = this.countToClient(c, chunk.subarray(0, offset));
    if (head.length > 0) c.client.write(head);
    this.fire(c);
    action.act(c);
    return EMPTY;
  }

  private countToClient(c: Connection, chunk: Buffer): Buffer {
    c.toClient += chunk.length;
    this.counts.bytesToClient += chunk.length;
    return chunk;
  }

  private fire(c: Connection): void {
    c.fired = true;
    this.counts.faultsFired++;
    this.counts.faultFiredAtEpochMs ??= performance.timeOrigin + performance.now();
  }
}

const EMPTY = Buffer.alloc(0);

/** Copies `from` to `to` with backpressure, through `map`; stops once the connection is cut. */
function forward(c: Connection, from: Socket, to: Socket, map: (chunk: Buffer) => Buffer): void {
  let waiting = false;
  from.on('data', (chunk: Buffer) => {
    if (c.cut || to.destroyed) return;
    const out = map(chunk);
    if (out.length === 0 || c.cut || to.destroyed) return;
    if (!to.write(out) && !waiting) {
      waiting = true;
      from.pause();
      to.once('drain', () => {
        waiting = false;
        if (!c.cut) from.resume();
      });
    }
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.closed) return resolve();
    s.once('close', () => resolve());
  });
}

/**
 * `count` fault offsets drawn uniformly from [0, streamBytes), sorted (repeats
 * possible), the same for the same seed on every machine. splitmix32, not
 * Math.random, so a failing run can be replayed from its seed.
 */
export function randomFaults(seed: number, count: number, kind: ProxyFaultKind, streamBytes: number): ProxyFault[] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isSafeInteger(streamBytes) || streamBytes < 1)
    throw new RangeError(`streamBytes must be a positive integer, got ${streamBytes}`);
  if (!PROXY_FAULTS.includes(kind))
    throw new RangeError(`kind must be one of ${PROXY_FAULTS.join(', ')}, got ${String(kind)}`);
  // Fold the high bits in so seeds above 2^32 differ too.
  let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x100000000) >>> 0, 0x85ebca6b);
  const next = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    // 53 random bits -> [0, 1): uniform enough for streams far beyond 4 GiB.
    const unit = (next() * 0x200000 + (next() >>> 11)) / 2 ** 53;
    offsets.push(Math.floor(unit * streamBytes));
  }
  offsets.sort((a, b) => a - b);
  return offsets.map((atByte) => ({ kind, atByte }));
}
