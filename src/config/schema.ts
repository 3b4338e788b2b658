import { FIXTURE_PROFILES, type FixtureProfile } from '../fixtures/types.ts';
import { usageError } from '../errors.ts';
import {
  DEFAULT_SUITES,
  KEY_TYPES,
  parseKeyType,
  parseTlsVersion,
  resolveSuite,
  type KeyType,
  type TlsVersion,
} from '../tls/suites.ts';
import {
  RECEIVER_MODES,
  SHUTDOWN_STRATEGIES,
  RECEIVER_PEERS,
  SOURCES,
  WRITE_PATHS,
  type ReceiverModeName,
  type ReceiverPeerName,
  SENDER_PEERS,
  type SenderPeerName,
  type ShutdownStrategyName,
  type SourceName,
  type WritePathName,
} from '../transfer/strategies.ts';
import { DEFAULT_READ_PATH, ONREAD_BOUNDS, parseReadPaths, type ReadPath } from '../transfer/read-path.ts';
import { PROXY_FAULTS, type ProxyFaultKind } from '../transfer/fault-proxy.ts';
import { applyLayers, type RawValue } from './layers.ts';
import type { ProtocolName } from '../protocols/maps.ts';
import { PROTOCOL_NAMES, PROTOCOL_OPTIONS } from '../protocols/registry.ts';
import { REFERENCE_LANES, type ReferenceLane } from '../reference-lanes.ts';
import { currentRuntime, parseRuntimes, type Runtime } from './runtimes.ts';
import { bool, filePath, folderPath, hostAddress, hostPort, integer, listOf, oneOf, parseAlpha, parseFraction, type HostPort } from './parsers.ts';
import { ORDERS, type Order, type WarmupPolicy } from '../runner/sampling-options.ts';
import { formatBytes, parseBytes, parseBytesList, parseDurationMs, splitList, type ByteBounds } from './units.ts';

import { SIZE_BOUNDS } from './bounds.ts';

export { SIZE_BOUNDS } from './bounds.ts';
/** A write can be 1 byte to 16 MiB: larger writes only grow the sender's buffers. */
export const CHUNK_BOUNDS: ByteBounds = { min: 1, max: 16 * 2 ** 20 };
/** setMaxSendFragment accepts 512..16384. */
export const FRAGMENT_BOUNDS: ByteBounds = { min: 512, max: 16384 };

/** The validated knobs of a run. Axes are arrays; the matrix is their product. */
export interface RunConfig {
  readonly preset: string | undefined;
  readonly sizes: readonly number[];
  readonly chunks: readonly number[];
  readonly tls: readonly TlsVersion[];
  /** undefined: the default suites of each TLS version. */
  readonly suites: readonly string[] | undefined;
  readonly keys: readonly KeyType[];
  readonly maxFragments: readonly number[];
  readonly shutdowns: readonly ShutdownStrategyName[];
  readonly writePaths: readonly WritePathName[];
  readonly readPaths: readonly ReadPath[];
  readonly receiverModes: readonly ReceiverModeName[];
  readonly receiverPeers: readonly ReceiverPeerName[];
  readonly senderPeers: readonly SenderPeerName[];
  readonly protocols: readonly ProtocolName[];
  /** Kvrocks: parallel file connections (1 or 4). */
  readonly streams: readonly number[];
  /** Kvrocks: checkpoint file size (the sizes are checkpoint totals). */
  readonly fileBytes: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly profile: FixtureProfile;
  /** Measured transfers per scenario: the minimum with a target, else exactly this many. */
  readonly iterations: number;
  /** Each scenario's own warm-up (after the process warm-up of its worker pair). */
  readonly warmup: WarmupPolicy;
  /** 'on': each new or replaced worker pair warms up until its throughput stops rising; 'off': cold processes (their ramp shows in the numbers). */
  readonly processWarmup: 'on' | 'off';
  /** Sample until the 95% CI half-width of the mean MB/s is at most this % of it; null: exactly `iterations`. */
  readonly targetRmePercent: number | null;
  /** With a target: a scenario's measured transfers stop after this much wall time, target met or not. */
  readonly maxTimeMs: number;
  /** interleaved: cells that are compared take turns, one transfer each; sequential: one cell after the other. */
  readonly order: Order;
  /** Significance level of the tuning answers' Welch tests. */
  readonly alpha: number;
  /** A difference of means below this fraction of the best is no difference (tuning answers). */
  readonly threshold: number;
  readonly source: SourceName;
  /** null: the project's results/ (the default); a given folder is relative to the current directory. */
  readonly out: string | null;
  readonly filter: string | undefined;
  readonly stallTimeoutMs: number;
  readonly seed: number;
  /** The address the suite's servers bind (TLS sender, fault proxy, Kvrocks master) and its clients connect to. */
  readonly host: string;
  /** Faults to inject per scenario (one transfer each), e.g. 50 cuts and 20 flips; empty: none. */
  readonly faults: readonly FaultCount[];
  /** The reference lanes measured beside the cells (src/references.ts); empty: none. */
  readonly references: readonly ReferenceLane[];
  readonly smoke: boolean;
  readonly json: boolean;
  /** The Node binaries that run the workers (a pair each); default the orchestrator's own. */
  readonly runtimes: readonly Runtime[];
  /** A remote agent that runs one role's worker (README "Two hosts"); undefined: both workers here. */
  readonly agent: HostPort | undefined;
  /** undefined: not given (the agent runs the receiver); given without --agent it is refused. */
  readonly agentRole: 'sender' | 'receiver' | undefined;
  /** The control channel's mutual TLS: our client certificate and key, and the CA of the agent's certificate. */
  readonly agentCert: string | undefined;
  readonly agentKey: string | undefined;
  readonly agentCa: string | undefined;
}

export interface FaultCount {
  readonly kind: ProxyFaultKind;
  readonly count: number;
}

/** `fin:50,flip:20`: how many transfers get each kind of injected fault. */
export function parseFaults(text: string, flag: string): FaultCount[] {
  if (text.trim() === 'none') return [];
  return splitList(text, flag).map((item) => {
    const m = /^([a-z]+):(\d+)$/.exec(item);
    const kind = m?.[1] ?? '';
    const count = Number(m?.[2]);
    if (!m || !(PROXY_FAULTS as readonly string[]).includes(kind) || count < 1 || count > 1000) {
      throw usageError(`${flag} "${item}" is not accepted: expected KIND:COUNT with KIND one of ${PROXY_FAULTS.join(', ')} and COUNT 1 to 1000, e.g. fin:50,flip:20`);
    }
    return { kind: kind as ProxyFaultKind, count };
  });
}

/** The stopping target when neither --iterations nor --target-rme is given. */
export const DEFAULT_TARGET_RME_PERCENT = 2;

/** `--warmup 3` (transfers) or `--warmup 2s` (a duration of transfers). */
export function parseWarmup(text: string, flag: string): WarmupPolicy {
  if (/^\s*-?\d+\s*$/.test(text)) return { kind: 'transfers', count: integer(0, 100)(text, flag) };
  if (/^\s*\d+(\.\d+)?(ms|s|m)\s*$/.test(text)) return { kind: 'time', ms: parseDurationMs(text, flag, { min: 0, max: 600_000 }) };
  throw usageError(`${flag} "${text}" is not accepted: expected a whole number of transfers from 0 to 100 or a duration such as 500ms or 2s (at most 10m)`);
}

/** `--target-rme 2%` (or 2), 0.1% to 50%; `off`: no target. */
export function parseTargetRme(text: string, flag: string): number | null {
  if (text.trim() === 'off') return null;
  const m = /^\s*(\d+(?:\.\d+)?)%?\s*$/.exec(text);
  const v = Number(m?.[1]);
  if (!m || !(v >= 0.1 && v <= 50)) throw usageError(`${flag} "${text}" is not accepted: expected a percentage from 0.1% to 50% such as 2%, or off`);
  return v;
}

export type { RawValue };
export type RawConfig = Partial<Record<ConfigKey, RawValue>>;

interface OptionSpec<K extends keyof RunConfig> {
  /** The config key (also the preset key); the flag is its kebab-case. */
  readonly target: K;
  readonly flag: string;
  readonly valueName?: string;
  readonly description: string;
  readonly parse: (text: string, flag: string) => RunConfig[K];
  /** Config keys that are booleans take no value on the command line. */
  readonly boolean?: true;
  /** The flag may be given several times; the values are joined as a list. */
  readonly repeatable?: true;
}

/**
 * Every knob, once: its config key, flag, help and parser. The CLI builds its
 * options from this table and config files are checked against it, so a knob
 * cannot exist in one place and not the other.
 */
export const OPTIONS = {
  sizes: {
    target: 'sizes',
    flag: '--sizes',
    valueName: 'list',
    description: 'fixture sizes, e.g. 1MB,64MiB,1GB (KB MB GB decimal, KiB MiB GiB binary)',
    parse: (t, f) => parseBytesList(t, f, SIZE_BOUNDS),
  },
  chunks: {
    target: 'chunks',
    flag: '--chunks',
    valueName: 'list',
    description: 'write sizes of the sender, e.g. 4KiB,16KiB,64KiB,1MiB',
    parse: (t, f) => parseBytesList(t, f, CHUNK_BOUNDS),
  },
  tls: {
    target: 'tls',
    flag: '--tls',
    valueName: 'list',
    description: 'TLS versions: 1.2, 1.3 (each suite runs only under its own version)',
    parse: (t, f) => [...new Set(splitList(t, f).map(parseTlsVersion))],
  },
  suites: {
    target: 'suites',
    flag: '--suites',
    valueName: 'list',
    description: 'cipher suites in OpenSSL spelling (see `tls-sst-bench ciphers`); default: 3 per TLS version',
    parse: (t, f) => [...new Set(splitList(t, f).map((s) => resolveSuite(s).name))],
  },
  key: {
    target: 'keys',
    flag: '--key',
    valueName: 'list',
    description: `server key types: ${KEY_TYPES.join(', ')}`,
    parse: (t, f) => [...new Set(splitList(t, f).map(parseKeyType))],
  },
  maxFragment: {
    target: 'maxFragments',
    flag: '--max-fragment',
    valueName: 'list',
    description: 'TLS max send fragment (setMaxSendFragment), 512 to 16384',
    parse: (t, f) => parseBytesList(t, f, FRAGMENT_BOUNDS),
  },
  shutdown: {
    target: 'shutdowns',
    flag: '--shutdown',
    valueName: 'list',
    description: `how the sender ends the stream: ${SHUTDOWN_STRATEGIES.join(', ')}`,
    parse: listOf(SHUTDOWN_STRATEGIES),
  },
  writePath: {
    target: 'writePaths',
    flag: '--write-path',
    valueName: 'list',
    description: `backpressure (await 'drain') or buffered (the last 16 MiB written without waiting, as naive code does)`,
    parse: listOf(WRITE_PATHS),
  },
  readPath: {
    target: 'readPaths',
    flag: '--read-path',
    valueName: 'list',
    description: `how the receiver reads: data ('data' events) or onread[:SIZE] (reads into its own buffer, SIZE ${formatBytes(ONREAD_BOUNDS.min)} to ${formatBytes(ONREAD_BOUNDS.max)}, default 64KiB)`,
    parse: parseReadPaths,
  },
  receiver: {
    target: 'receiverModes',
    flag: '--receiver',
    valueName: 'list',
    description: `how the receiver decides it is done: ${RECEIVER_MODES.join(', ')}`,
    parse: listOf(RECEIVER_MODES),
  },
  receiverPeer: {
    target: 'receiverPeers',
    flag: '--receiver-peer',
    valueName: 'list',
    description: `who receives: ${RECEIVER_PEERS.join(', ')} (openssl: s_client, OpenSSL's view of the same sender; gnutls: gnutls-cli, GnuTLS's view)`,
    parse: listOf(RECEIVER_PEERS),
  },
  senderPeer: {
    target: 'senderPeers',
    flag: '--sender-peer',
    valueName: 'list',
    description: `who sends (the TLS server): ${SENDER_PEERS.join(', ')} (openssl: s_server fed the fixture on stdin; shutdown end only; gnutls: peers/gnutls-sender.c, built on first use; shutdown end, destroy-after-flush, tcp-fin)`,
    parse: listOf(SENDER_PEERS),
  },
  protocol: {
    target: 'protocols',
    flag: '--protocol',
    valueName: 'list',
    description: `application protocol on the stream: ${PROTOCOL_NAMES.join(', ')}`,
    parse: listOf(PROTOCOL_NAMES),
  },
  // Each protocol's own options (src/protocols/<name>/), where the table always had them.
  ...PROTOCOL_OPTIONS,
  profile: {
    target: 'profile',
    flag: '--profile',
    valueName: 'name',
    description: `fixture content: ${FIXTURE_PROFILES.join(', ')}`,
    parse: oneOf(FIXTURE_PROFILES),
  },
  iterations: {
    target: 'iterations',
    flag: '--iterations',
    valueName: 'n',
    description: 'measured transfers per scenario (1 to 1000)',
    parse: integer(1, 1000),
  },
  warmup: {
    target: 'warmup',
    flag: '--warmup',
    valueName: 'n|duration',
    description: "each scenario's unrecorded warm-up: N transfers (0 to 100) or a duration of transfers such as 2s (after its worker pair's own warm-up)",
    parse: parseWarmup,
  },
  targetRme: {
    target: 'targetRmePercent',
    flag: '--target-rme',
    valueName: 'percent',
    description: 'sample each scenario until the 95% margin of error of its mean MB/s is at most this, e.g. 2% (--iterations is then the minimum; off: exactly --iterations); default 2% unless --iterations is given',
    parse: parseTargetRme,
  },
  maxTime: {
    target: 'maxTimeMs',
    flag: '--max-time',
    valueName: 'duration',
    description: "with --target-rme: stop a scenario after this much of its transfers' time, target met or not (default 10s)",
    parse: (t, f) => parseDurationMs(t, f, { min: 100, max: 3_600_000 }),
  },
  order: {
    target: 'order',
    flag: '--order',
    valueName: 'name',
    description: 'interleaved (default): scenarios that are compared take turns, one transfer each, so drift hits them alike; sequential: one scenario after the other',
    parse: oneOf(ORDERS),
  },
  alpha: {
    target: 'alpha',
    flag: '--alpha',
    valueName: 'level',
    description: 'significance level of the tuning answers (Welch t-test), default 0.05',
    parse: parseAlpha,
  },
  threshold: {
    target: 'threshold',
    flag: '--threshold',
    valueName: 'percent',
    description: 'tuning answers: a difference smaller than this share of the best mean counts as none, default 2%',
    parse: (t, f) => parseFraction(t, f, 'a percentage such as 2% or a fraction such as 0.02, from 0% to below 100%', (v) => v >= 0 && v < 1),
  },
  source: {
    target: 'source',
    flag: '--source',
    valueName: 'name',
    description: 'sender reads the fixture from: file (disk, streamed) or memory (pre-loaded image)',
    parse: oneOf(SOURCES),
  },
  out: {
    target: 'out',
    flag: '--out',
    valueName: 'dir',
    description: 'folder that receives <run-id>/ (default results)',
    parse: folderPath,
  },
  filter: {
    target: 'filter',
    flag: '--filter',
    valueName: 'terms',
    description: 'keep scenarios whose id contains every space-separated term, e.g. "chunk=16KiB tls=1.3"',
    parse: (t, f) => {
      if (t.trim() === '') throw usageError(`${f} "" is not accepted: expected terms such as chunk=16KiB`);
      return t.trim();
    },
  },
  stallTimeout: {
    target: 'stallTimeoutMs',
    flag: '--stall-timeout',
    valueName: 'duration',
    description: 'no progress for this long -> outcome stalled, workers replaced (default 15s)',
    parse: (t, f) => parseDurationMs(t, f, { min: 100, max: 3_600_000 }),
  },
  seed: {
    target: 'seed',
    flag: '--seed',
    valueName: 'n',
    description: 'fixture seed (same seed and size: byte-identical file)',
    parse: integer(0, 2 ** 31 - 1),
  },
  host: {
    target: 'host',
    flag: '--host',
    valueName: 'address',
    description: 'address the servers bind and the clients connect to: an IPv4 or IPv6 literal or localhost (default 127.0.0.1)',
    parse: hostAddress,
  },
  faults: {
    target: 'faults',
    flag: '--faults',
    valueName: 'list',
    description: `inject faults through a loopback proxy, one transfer each, at seeded random offsets: KIND:COUNT,... with KIND ${PROXY_FAULTS.join(', ')} (replaces --iterations)`,
    parse: parseFaults,
  },
  reference: {
    target: 'references',
    flag: '--reference',
    valueName: 'list',
    description: `ceilings measured beside the cells, on the same host and addresses: ${REFERENCE_LANES.join(', ')}, or none (default none); each cell then shows its percentage of each (README "How close to this machine's limits")`,
    parse: (t, f) => (t.trim() === 'none' ? [] : listOf(REFERENCE_LANES)(t, f)),
  },
  processWarmup: {
    target: 'processWarmup',
    flag: '--process-warmup',
    valueName: 'on|off',
    description: 'on (default): each new or replaced worker pair first moves data until its throughput stops rising (not recorded as transfers); off: cold processes, their ramp in the numbers',
    parse: oneOf(['on', 'off'] as const),
  },
  smoke: {
    target: 'smoke',
    flag: '--smoke',
    description: 'first value of each axis, 1 MB, 1 iteration, no warm-up: a run in seconds',
    parse: bool,
    boolean: true,
  },
  json: {
    target: 'json',
    flag: '--json',
    description: 'print results.json on stdout (the summary goes to stderr)',
    parse: bool,
    boolean: true,
  },
  node: {
    target: 'runtimes',
    flag: '--node',
    valueName: 'path',
    description: 'Node binary that runs the workers (repeatable: one worker pair each, compared side by side); default the Node running this command; scripts/install-node.sh installs others',
    parse: parseRuntimes,
    repeatable: true,
  },
  agent: {
    target: 'agent',
    flag: '--agent',
    valueName: 'host:port',
    description: 'run one worker on a remote host through `tls-sst-bench agent` there (see --agent-role); needs --agent-cert, --agent-key, --agent-ca',
    parse: hostPort(false),
  },
  agentRole: {
    target: 'agentRole',
    flag: '--agent-role',
    valueName: 'role',
    description: 'with --agent: which worker runs there, receiver (default) or sender',
    parse: oneOf(['receiver', 'sender'] as const),
  },
  agentCert: {
    target: 'agentCert',
    flag: '--agent-cert',
    valueName: 'file',
    description: 'with --agent: our client certificate for the control channel (PEM; `agent certs` makes one)',
    parse: filePath,
  },
  agentKey: {
    target: 'agentKey',
    flag: '--agent-key',
    valueName: 'file',
    description: "with --agent: the key of --agent-cert (PEM)",
    parse: filePath,
  },
  agentCa: {
    target: 'agentCa',
    flag: '--agent-ca',
    valueName: 'file',
    description: "with --agent: the CA that signed the agent's certificate (PEM)",
    parse: filePath,
  },
} as const satisfies { readonly [key: string]: OptionSpec<keyof RunConfig> };

export type ConfigKey = keyof typeof OPTIONS;
export const CONFIG_KEYS = Object.keys(OPTIONS) as ConfigKey[];

export const DEFAULTS: RunConfig = {
  preset: undefined,
  sizes: [64e6],
  chunks: [16 * 1024],
  tls: ['1.3'],
  suites: undefined,
  keys: ['ecdsa-p256'],
  maxFragments: [16384],
  shutdowns: ['end'],
  writePaths: ['backpressure'],
  readPaths: [DEFAULT_READ_PATH],
  receiverModes: ['until-eof'],
  receiverPeers: ['node'],
  senderPeers: ['node'],
  protocols: ['raw'],
  streams: [1],
  fileBytes: 64e6,
  maxAttempts: 3,
  retryDelayMs: 200,
  profile: 'kv',
  iterations: 5,
  warmup: { kind: 'transfers', count: 1 },
  targetRmePercent: DEFAULT_TARGET_RME_PERCENT,
  maxTimeMs: 10_000,
  order: 'interleaved',
  alpha: 0.05,
  threshold: 0.02,
  source: 'file',
  out: null,
  filter: undefined,
  stallTimeoutMs: 15_000,
  seed: 1,
  host: '127.0.0.1',
  faults: [],
  references: [],
  processWarmup: 'on',
  smoke: false,
  json: false,
  runtimes: [currentRuntime()],
  agent: undefined,
  agentRole: undefined,
  agentCert: undefined,
  agentKey: undefined,
  agentCa: undefined,
};

/** Checks that an object (a config file or a preset) uses only known keys. */
export function checkRawConfig(raw: unknown, where: string): RawConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw usageError(`${where}: expected a JSON object of settings, keys: ${CONFIG_KEYS.join(', ')}`);
  }
  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) {
      throw usageError(`${where}: unknown key "${key}": expected one of ${CONFIG_KEYS.join(', ')}`);
    }
  }
  return raw as RawConfig;
}

/**
 * Merges layers (later wins: preset, then config file, then flags), parses and
 * checks every value, and checks the axes against each other.
 */
export function resolveConfig(layers: readonly { where: string; raw: RawConfig }[], preset?: string): RunConfig {
  const merged = applyLayers(OPTIONS, { ...DEFAULTS, preset }, layers) as unknown as RunConfig;
  // `--iterations N` alone means exactly N transfers, as it always did; a target makes it the minimum.
  const given = (key: ConfigKey): boolean => layers.some((l) => l.raw[key] !== undefined);
  const config = given('iterations') && !given('targetRme') ? { ...merged, targetRmePercent: null } : merged;
  return config.smoke ? smokeOf(config) : config;
}

/** Node's benchmark `--test` idea: the first value of each axis, tiny and once. */
function smokeOf(config: RunConfig): RunConfig {
  const firstVersion = config.tls[0] ?? '1.3';
  return {
    ...config,
    sizes: [Math.min(config.sizes[0] ?? 1e6, 1e6)],
    chunks: config.chunks.slice(0, 1),
    tls: [firstVersion],
    suites: [(config.suites ?? DEFAULT_SUITES[firstVersion]).find((s) => resolveSuite(s).version === firstVersion) ?? DEFAULT_SUITES[firstVersion][0]!],
    keys: config.keys.slice(0, 1),
    maxFragments: config.maxFragments.slice(0, 1),
    shutdowns: config.shutdowns.slice(0, 1),
    writePaths: config.writePaths.slice(0, 1),
    readPaths: config.readPaths.slice(0, 1),
    receiverModes: config.receiverModes.slice(0, 1),
    receiverPeers: config.receiverPeers.slice(0, 1),
    senderPeers: config.senderPeers.slice(0, 1),
    protocols: config.protocols.slice(0, 1),
    streams: config.streams.slice(0, 1),
    runtimes: config.runtimes.slice(0, 1),
    iterations: 1,
    warmup: { kind: 'transfers', count: 0 },
    targetRmePercent: null,
  };
}
