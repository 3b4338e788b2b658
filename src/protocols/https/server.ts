import { createReadStream, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { pinnedTlsOptions } from '../../transfer/tls-options.ts';
import type { TlsParams } from '../../transfer/messages.ts';
import { parseRange } from './range.ts';

/** The URL path of a served fixture: `/fixtures/<name>`. */
export const FIXTURES_PATH = '/fixtures/';

/** Reads of the file go out in pieces of this size, as the raw-stream comparison writes 64 KiB chunks. */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface ServedFixture {
  readonly name: string;
  readonly path: string;
  readonly sizeBytes: number;
}

export interface FixtureServerParams {
  readonly tls: TlsParams;
  readonly cert: string;
  readonly key: string;
  readonly host: string;
  readonly fixtures: readonly ServedFixture[];
  /**
   * Holds every response back this long before its head (0 or absent: none). For tests: a server slower by a known,
   * large amount.
   */
  readonly responseDelayMs?: number;
}

/** What the server has done so far; the run takes differences around each cell. */
export interface ServerStats {
  readonly requests: number;
  /** Body bytes read from the fixtures and handed to the TLS sockets (responses cut short included). */
  readonly bodyBytesSent: number;
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * A `node:https` server of fixture files, TLS pinned to one version and one
 * suite exactly like the suite's sender. Keep-alive is on (Node's default for
 * HTTP/1.1); `GET /fixtures/<name>` sends the file with Content-Length, a
 * `Range: bytes=a-b` gets 206 with Content-Range, anything else 404/405/416.
 * Only names it was given are served: the URL never becomes a file path.
 */
export function createFixtureServer(params: FixtureServerParams): { server: Server; stats: () => ServerStats } {
  const byName = new Map(params.fixtures.map((f) => [f.name, f]));
  let requests = 0;
  let bodyBytesSent = 0;
  const delayMs = params.responseDelayMs ?? 0;
  const server = createServer(
    {
      key: params.key,
      cert: params.cert,
      ...pinnedTlsOptions(params.tls),
      // autocannon sends the next request at once; a replica may think for a while.
      keepAliveTimeout: 60_000,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      requests += 1;
      res.on('error', () => undefined);
      if (delayMs > 0) setTimeout(() => respond(req, res), delayMs);
      else respond(req, res);
    },
  );
  function respond(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      plain(res, 405, `method ${method} not allowed: expected GET or HEAD\n`, { allow: 'GET, HEAD' });
      return;
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const fixture = path.startsWith(FIXTURES_PATH) ? byName.get(path.slice(FIXTURES_PATH.length)) : undefined;
    if (!fixture) {
      plain(res, 404, `no fixture at ${path}: expected ${FIXTURES_PATH}<name> of ${[...byName.keys()].join(', ')}\n`);
      return;
    }
    const range = parseRange(req.headers.range, fixture.sizeBytes);
    if (range.kind === 'unsatisfiable') {
      plain(res, 416, `range not satisfiable: ${range.reason}\n`, { 'content-range': `bytes */${fixture.sizeBytes}` });
      return;
    }
    const [start, end] = range.kind === 'range' ? [range.start, range.end] : [0, fixture.sizeBytes - 1];
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'content-length': end - start + 1,
      'accept-ranges': 'bytes',
    };
    if (range.kind === 'range') headers['content-range'] = `bytes ${start}-${end}/${fixture.sizeBytes}`;
    res.writeHead(range.kind === 'range' ? 206 : 200, headers);
    if (method === 'HEAD') {
      res.end();
      return;
    }
    const file = createReadStream(fixture.path, { start, end, highWaterMark: READ_CHUNK_BYTES });
    file.on('data', (chunk) => (bodyBytesSent += chunk.length));
    // A client that goes away mid-file (autocannon at the end of a cell) is normal.
    pipeline(file, res).catch(() => undefined);
  }
  server.on('tlsClientError', () => undefined);
  const stats = (): ServerStats => {
    const cpu = process.cpuUsage();
    return { requests, bodyBytesSent, cpuUserMicros: cpu.user, cpuSystemMicros: cpu.system };
  };
  return { server, stats };
}

/** Listens on an ephemeral port of `host`; resolves with the port. */
export function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
