import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import type { CertPems, RunCertificates } from '../../src/tls/certs.ts';
import { DrainWaiter, drained, TrackedWrites, writeInPieces } from '../../src/transfer/write-path.ts';
import { testCerts, tlsServer } from '../support/helpers.ts';

let certs: RunCertificates;
let files: CertPems;
before(async () => {
  ({ certs, files } = await testCerts());
});
after(() => certs.dispose());

/**
 * 32 MiB of 64 KiB writes (one buffer, by reference): far more than loopback's kernel buffers take while the peer reads
 * nothing.
 */
const BACKLOG_WRITES = 512;

/** A connected TLS pair on 127.0.0.1: the server's socket and the client's. */
async function pair(): Promise<{ server: TLSSocket; client: TLSSocket; close: () => void }> {
  let gotServer!: (s: TLSSocket) => void;
  const serverSide = new Promise<TLSSocket>((r) => (gotServer = r));
  const srv = await tlsServer(files, gotServer);
  const client = connect({
    host: '127.0.0.1',
    port: srv.port,
    ca: files.caCert,
    servername: 'localhost',
    rejectUnauthorized: false,
  });
  client.on('error', () => undefined);
  await once(client, 'secureConnect');
  const server = await serverSide;
  return {
    server,
    client,
    close: () => {
      srv.close();
      server.destroy();
      client.destroy();
    },
  };
}

test('lastWriteTaken() resolves only after the last write has been taken, in order', async () => {
  const { server, client, close } = await pair();
  try {
    client.pause(); // let the server's writes pile up
    const out = new TrackedWrites(server);
    await out.lastWriteTaken(); // nothing issued: already settled
    const events: string[] = [];
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const n = BACKLOG_WRITES;
    for (let i = 0; i < n - 1; i += 1) out.write(piece);
    out.write(piece, () => events.push('last-taken'));
    let settled = false;
    const done = out.lastWriteTaken().then(() => {
      settled = true;
      events.push('lastWriteTaken');
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(settled, false, 'not settled while the peer reads nothing');
    assert.deepEqual(events, []);
    let received = 0;
    client.on('data', (d: Buffer) => (received += d.length));
    client.resume();
    await done;
    assert.deepEqual(events, ['last-taken', 'lastWriteTaken'], "the write's callback runs first");
    // Writes issued after a settled wait are waited for anew.
    let second = false;
    out.write(piece, () => (second = true));
    await out.lastWriteTaken();
    assert.equal(second, true);
    await out.lastWriteTaken(); // all taken: resolves at once
    assert.ok(received > 0);
  } finally {
    close();
  }
});

test("drained() rejects when the socket closes before 'drain'", async () => {
  const { server, client, close } = await pair();
  try {
    client.pause();
    const piece = Buffer.alloc(64 * 1024, 0x62);
    let flushed = true;
    for (let i = 0; i < BACKLOG_WRITES; i += 1) flushed = server.write(piece);
    assert.equal(flushed, false, 'the write buffer is full');
    const wait = drained(server);
    setTimeout(() => server.destroy(), 100);
    await assert.rejects(wait, (err: NodeJS.ErrnoException) => err.code === 'ERR_SOCKET_CLOSED');
    assert.equal(server.listenerCount('drain'), 0, 'its listeners are removed');
  } finally {
    close();
  }
});

test("drained() resolves on 'drain' and removes its listeners", async () => {
  const { server, client, close } = await pair();
  try {
    client.pause();
    const piece = Buffer.alloc(64 * 1024, 0x63);
    let flushed = true;
    for (let i = 0; i < 64 && flushed; i += 1) flushed = server.write(piece);
    assert.equal(flushed, false);
    client.on('data', () => undefined);
    const closeListeners = server.listenerCount('close');
    const wait = drained(server);
    client.resume();
    await wait;
    assert.equal(server.listenerCount('drain'), 0);
    assert.equal(server.listenerCount('close'), closeListeners);
  } finally {
    close();
  }
});

test('DrainWaiter: resolves on each drain with one set of listeners', async () => {
  const { server, client, close } = await pair();
  try {
    client.pause();
    const drain = new DrainWaiter(server);
    const listeners = server.listenerCount('drain');
    const piece = Buffer.alloc(64 * 1024, 0x64);
    client.on('data', () => undefined);
    for (let round = 0; round < 3; round += 1) {
      let flushed = true;
      for (let i = 0; i < 64 && flushed; i += 1) flushed = server.write(piece);
      assert.equal(flushed, false);
      const wait = drain.wait();
      client.resume();
      await wait;
      client.pause();
      assert.equal(server.listenerCount('drain'), listeners, 'no listener added per wait');
    }
  } finally {
    close();
  }
});

test('DrainWaiter: a wait pending when the socket closes rejects, and so does every later one', async () => {
  const { server, client, close } = await pair();
  try {
    client.pause();
    const drain = new DrainWaiter(server);
    const piece = Buffer.alloc(64 * 1024, 0x65);
    let flushed = true;
    for (let i = 0; i < BACKLOG_WRITES; i += 1) flushed = server.write(piece);
    assert.equal(flushed, false);
    const wait = drain.wait();
    setTimeout(() => server.destroy(), 100);
    await assert.rejects(wait, (err: NodeJS.ErrnoException) => err.code === 'ERR_SOCKET_CLOSED');
    await assert.rejects(drain.wait(), (err: NodeJS.ErrnoException) => err.code === 'ERR_SOCKET_CLOSED');
  } finally {
    close();
  }
});

/** Everything the client reads until `bytes` have arrived. */
async function readAll(client: TLSSocket, bytes: number): Promise<Buffer> {
  const got: Buffer[] = [];
  let n = 0;
  for await (const chunk of client) {
    got.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= bytes) break;
  }
  return Buffer.concat(got);
}

test('writeInPieces: null when every piece went at once (no wait asked), the bytes in order, release after the last', async () => {
  const { server, client, close } = await pair();
  try {
    const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));
    const pieces: number[] = [];
    let released = false;
    const arriving = readAll(client, bytes.length);
    const out = new TrackedWrites(server);
    const p = writeInPieces(out, new DrainWaiter(server), bytes, {
      chunkBytes: 65_536,
      wait: false,
      release: () => (released = true),
      onPiece: (n) => pieces.push(n),
    });
    assert.equal(p, null);
    assert.deepEqual(pieces, [65_536, 65_536, 65_536, 200_000 - 3 * 65_536]);
    assert.deepEqual(await arriving, bytes);
    await out.lastWriteTaken();
    assert.equal(released, true);
  } finally {
    close();
  }
});

test('writeInPieces with wait: stops at a full socket, goes on at its drain by callback, stops at the budget', async () => {
  const { server, client, close } = await pair();
  try {
    client.pause(); // nothing is read yet: the socket fills
    const bytes = Buffer.alloc(8 * 2 ** 20, 0x42);
    let written = 0;
    const budget = 6 * 2 ** 20 + 100; // a stall fault's limit: the rest is never written
    const listeners = server.listenerCount('drain');
    const p = writeInPieces(new TrackedWrites(server), new DrainWaiter(server), bytes, {
      chunkBytes: 16_384,
      wait: true,
      budget: () => budget - written,
      onPiece: (n) => (written += n),
    });
    assert.ok(p instanceof Promise, 'a full socket makes it wait');
    const stoppedAt = written;
    assert.ok(stoppedAt < budget, `stopped at the full socket (${stoppedAt} bytes)`);
    client.resume();
    const arriving = readAll(client, budget);
    await p;
    assert.equal(written, budget);
    assert.equal((await arriving).length, budget);
    assert.equal(server.listenerCount('drain'), listeners + 1, 'one drain listener for the whole run of waits');
  } finally {
    close();
  }
});
