import * as v from 'valibot';
import { CHUNK_BOUNDS, SIZE_BOUNDS } from '../config/schema.ts';
import { FIXTURE_PROFILES } from '../fixtures/types.ts';
import { finite, nonNegativeInt, port, text } from '../schema.ts';
import { TLS_VERSIONS } from '../tls/suites.ts';
import type { OrchestratorMessage, WorkerMessage } from '../transfer/messages.ts';
import type { ReadPath } from '../transfer/read-path.ts';
import { RECEIVER_MODES, SHUTDOWN_STRATEGIES, SOURCES, WRITE_PATHS } from '../transfer/strategies.ts';
import type { FromAgent, ToAgent } from './control.ts';

/**
 * The control channel's messages as schemas: each side parses every line with
 * these before it acts on it. The peer is authenticated but not trusted: a
 * field that ends up in a file name (role, a fixture's profile, seed and
 * size) is held to the values this suite itself would send, so no message can
 * steer a write outside the session's folder. A schema's output holds only
 * the fields it names (valibot's `object` drops the rest). The annotations tie
 * each schema to the TypeScript type it guards.
 */

/**
 * One line of the control channel, at most: a hello with a few hundred fixtures, or a carried PEM, fits many times
 * over.
 */
export const MAX_CONTROL_LINE_CHARS = 1 << 20;
/** A carried PEM file (a certificate chain or a key). */
const MAX_PEM_CHARS = 64 * 1024;

const uint32 = v.pipe(
  v.number(),
  v.integer('a 32-bit unsigned integer'),
  v.minValue(0, 'a 32-bit unsigned integer'),
  v.maxValue(0xffffffff, 'a 32-bit unsigned integer'),
);
const bounded = (b: { min: number; max: number }, what: string) =>
  v.pipe(
    v.number(),
    v.safeInteger(what),
    v.minValue(b.min, `${what} >= ${b.min}`),
    v.maxValue(b.max, `${what} <= ${b.max}`),
  );
const role = v.picklist(['sender', 'receiver']);
const hostName = text(255);
/** Replaced by the agent with its own copy before the worker sees it: any string will do, but bounded. */
const theirPath = text(4096);

const pem = text(MAX_PEM_CHARS);
const transport = v.picklist(['tls', 'tcp']);
const tls = v.object({ tlsVersion: v.picklist(TLS_VERSIONS), suite: text(200) });

const remoteFixture = v.object({
  sizeBytes: bounded(SIZE_BOUNDS, 'a fixture size'),
  seed: uint32,
  profile: v.picklist(FIXTURE_PROFILES),
  crc32c: uint32,
});

const serve = v.object({
  type: v.literal('serve'),
  id: nonNegativeInt,
  tls,
  // PEM text; the agent uses the copies in `files` (the same text) when it hands the request on.
  cert: pem,
  key: pem,
  host: hostName,
  transport: v.optional(transport),
  fixturePath: theirPath,
  sizeBytes: bounded(SIZE_BOUNDS, 'a fixture size'),
  fixtureCrc32c: uint32,
  source: v.picklist(SOURCES),
  chunkBytes: bounded(CHUNK_BOUNDS, 'a chunk size'),
  maxFragment: bounded({ min: 512, max: 16384 }, 'a TLS fragment size'),
  shutdown: v.picklist(SHUTDOWN_STRATEGIES),
  writePath: v.picklist(WRITE_PATHS),
  receiverMode: v.picklist(RECEIVER_MODES),
  fault: v.optional(v.object({ kind: v.literal('stall'), atByte: nonNegativeInt })),
});

const receive = v.object({
  type: v.literal('receive'),
  id: nonNegativeInt,
  tls,
  host: hostName,
  port,
  servername: hostName,
  ca: pem,
  transport: v.optional(transport),
  mode: v.picklist(RECEIVER_MODES),
  bytesExpected: nonNegativeInt,
  crc32cExpected: uint32,
  progressIntervalMs: nonNegativeInt,
  closeGraceMs: nonNegativeInt,
  detectCloseNotify: v.optional(v.boolean()),
  readPath: v.custom<ReadPath>(
    (p) => typeof p === 'string' && /^(?:data|onread:\d+(?:[KMG]i?B|B)?)$/.test(p),
    'data or onread:SIZE',
  ),
});

/** What an agent's worker may be asked: Kvrocks messages are not among them (the agent runs raw transfers only). */
const toWorker: v.GenericSchema<unknown, OrchestratorMessage> = v.variant('type', [
  serve,
  receive,
  v.object({ type: v.literal('shutdown') }),
  v.object({ type: v.literal('gc') }),
]);

export const toAgentSchema: v.GenericSchema<unknown, ToAgent> = v.variant('type', [
  v.object({
    type: v.literal('hello'),
    role,
    fixtures: v.pipe(v.array(remoteFixture), v.maxLength(1000, 'at most 1000 fixtures')),
  }),
  v.object({ type: v.literal('ping'), seq: nonNegativeInt }),
  v.object({
    type: v.literal('to-worker'),
    msg: toWorker,
    files: v.optional(v.object({ cert: v.optional(pem), key: v.optional(pem), ca: v.optional(pem) })),
  }),
]);

const negotiated = v.object({ protocol: v.nullable(text(64)), suite: v.nullable(text(200)) });
const streamError = v.object({
  code: v.nullable(text(200)),
  message: text(),
  phase: v.picklist(['handshake', 'transfer']),
});
const time = finite;
const observed = v.nullable(v.boolean());

/** What an agent's worker may say: the raw protocol's messages. */
const fromWorker: v.GenericSchema<unknown, WorkerMessage> = v.variant('type', [
  v.object({ type: v.literal('ready'), pid: nonNegativeInt, node: text(64), openssl: text(64) }),
  v.object({
    type: v.literal('gc-done'),
    rssBytes: nonNegativeInt,
    heapUsedBytes: nonNegativeInt,
    heapTotalBytes: nonNegativeInt,
    externalBytes: nonNegativeInt,
  }),
  v.object({ type: v.literal('listening'), id: nonNegativeInt, port, address: hostName }),
  v.object({ type: v.literal('progress'), id: nonNegativeInt, bytes: nonNegativeInt }),
  v.object({ type: v.literal('fixture-error'), id: nonNegativeInt, message: text() }),
  v.object({
    type: v.literal('sent'),
    id: nonNegativeInt,
    bytesWritten: nonNegativeInt,
    firstByteAtMs: v.nullable(time),
    negotiated,
    error: v.nullable(streamError),
    cpuMs: finite,
    rssPeakBytes: nonNegativeInt,
    fixtureError: v.optional(text()),
  }),
  v.object({
    type: v.literal('received'),
    id: nonNegativeInt,
    bytesReceived: nonNegativeInt,
    crc32c: uint32,
    closeNotify: observed,
    declaredBytes: v.nullable(nonNegativeInt),
    readPauses: v.optional(nonNegativeInt),
    handshakeMs: v.nullable(finite),
    doneAtMs: time,
    negotiated,
    error: v.nullable(streamError),
    cpuMs: v.nullable(finite),
    rssPeakBytes: v.nullable(nonNegativeInt),
  }),
  v.object({ type: v.literal('fatal'), id: v.nullable(nonNegativeInt), message: text() }),
]);

const hostInfo = v.object({
  hostname: hostName,
  node: text(64),
  openssl: text(64),
  kernel: text(200),
  platform: text(64),
  arch: text(64),
  cpuModel: text(200),
  cores: nonNegativeInt,
});

export const fromAgentSchema: v.GenericSchema<unknown, FromAgent> = v.variant('type', [
  v.object({ type: v.literal('welcome'), pid: nonNegativeInt, host: hostInfo }),
  v.object({ type: v.literal('pong'), seq: nonNegativeInt, atMs: time }),
  v.object({ type: v.literal('from-worker'), msg: fromWorker }),
  v.object({
    type: v.literal('worker-exit'),
    code: v.nullable(v.number()),
    signal: v.nullable(
      v.custom<NodeJS.Signals>((s) => typeof s === 'string' && /^SIG[A-Z0-9]{1,10}$/.test(s), 'a signal name'),
    ),
  }),
  v.object({ type: v.literal('refused'), message: text() }),
]);
