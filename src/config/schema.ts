import { FIXTURE_PROFILES } from '../fixtures/types.ts';
import { usageError } from '../errors.ts';
import { DEFAULT_SUITES, KEY_TYPES, parseKeyType, parseTlsVersion, resolveSuite } from '../tls/suites.ts';
import {
  RECEIVER_MODES,
  SHUTDOWN_STRATEGIES,
  RECEIVER_PEERS,
  SOURCES,
  WRITE_PATHS,
  SENDER_PEERS,
} from '../transfer/strategies.ts';
import { PROTOCOL_NAMES, PROTOCOL_OPTIONS } from '../protocols/registry.ts';
import { DEFAULT_READ_PATH, ONREAD_BOUNDS, parseReadPaths } from '../transfer/read-path.ts';
import { PROXY_FAULTS, type ProxyFaultKind } from '../transfer/fault-proxy.ts';
import { applyLayers, type RawValue } from './layers.ts';
import { defaultsOf, firstOfEachAxis, option, optionTable, type OptionValues, type RawOptions } from './options.ts';
import { REFERENCE_LANES } from '../reference-lanes.ts';
import { currentRuntime, parseRuntimes } from './runtimes.ts';
import {
  bool,
  filePath,
  folderPath,
  hostAddress,
  hostPort,
  integer,
  listOf,
  oneOf,
  parseAlpha,
  parseFraction,
} from './parsers.ts';
import { ORDERS, type WarmupPolicy } from '../runner/sampling-options.ts';
import { formatBytes, parseBytes, parseBytesList, parseDurationMs, splitList, type ByteBounds } from './units.ts';

import { SIZE_BOUNDS } from './bounds.ts';

export { SIZE_BOUNDS } from './bounds.ts';
/** A write can be 1 byte to 16 MiB: larger writes only grow the sender's buffers. */
export const CHUNK_BOUNDS: ByteBounds = { min: 1, max: 16 * 2 ** 20 };
/** setMaxSendFragment accepts 512..16384. */
export const FRAGMENT_BOUNDS: ByteBounds = { min: 512, max: 16384 };

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
      throw usageError(
        `${flag} "${item}" is not accepted: expected KIND:COUNT with KIND one of ${PROXY_FAULTS.join(', ')} ` +
          `and COUNT 1 to 1000, e.g. fin:50,flip:20`,
      );
    }
    return { kind: kind as ProxyFaultKind, count };
  });
}

/** The stopping target when neither --iterations nor --target-rme is given. */
export const DEFAULT_TARGET_RME_PERCENT = 2;

/** `--warmup 3` (transfers) or `--warmup 2s` (a duration of transfers). */
export function parseWarmup(text: string, flag: string): WarmupPolicy {
  if (/^\s*-?\d+\s*$/.test(text)) return { kind: 'transfers', count: integer(0, 100)(text, flag) };
  if (/^\s*\d+(\.\d+)?(ms|s|m)\s*$/.test(text))
    return { kind: 'time', ms: parseDurationMs(text, flag, { min: 0, max: 600_000 }) };
  throw usageError(
    `${flag} "${text}" is not accepted: expected a whole number of transfers from 0 to 100 or a duration such ` +
      `as 500ms or 2s (at most 10m)`,
  );
}

/** `--target-rme 2%` (or 2), 0.1% to 50%; `off`: no target. */
export function parseTargetRme(text: string, flag: string): number | null {
  if (text.trim() === 'off') return null;
  const m = /^\s*(\d+(?:\.\d+)?)%?\s*$/.exec(text);
  const v = Number(m?.[1]);
  if (!m || !(v >= 0.1 && v <= 50))
    throw usageError(`${flag} "${text}" is not accepted: expected a percentage from 0.1% to 50% such as 2%, or off`);
  return v;
}

export type { RawValue };

/**
 * Every knob of `run`, once: its config key (also the preset key), flag, help,
 * parser and default. The CLI builds its options and their --help from this
 * list, config files are checked against it, and RunConfig and DEFAULTS are
 * derived from it, so a knob cannot exist in one place and not the other.
 * The order is the order of --help and of the keys an error lists.
 */
export const RUN_OPTIONS = [
  option({
    key: 'sizes',
    target: 'sizes',
    flag: '--sizes',
    valueName: 'list',
    description: 'fixture sizes, e.g. 1MB,64MiB,1GB (KB MB GB decimal, KiB MiB GiB binary)',
    parse: (t, f) => parseBytesList(t, f, SIZE_BOUNDS),
    default: '64MB',
    smoke: 'first',
  }),
  option({
    key: 'chunks',
    target: 'chunks',
    flag: '--chunks',
    valueName: 'list',
    description: 'write sizes of the sender, e.g. 4KiB,16KiB,64KiB,1MiB',
    parse: (t, f) => parseBytesList(t, f, CHUNK_BOUNDS),
    default: '16KiB',
    smoke: 'first',
  }),
  option({
    key: 'tls',
    target: 'tls',
    flag: '--tls',
    valueName: 'list',
    description: 'TLS versions: 1.2, 1.3 (each suite runs only under its own version)',
    parse: (t, f) => [...new Set(splitList(t, f).map(parseTlsVersion))],
    default: '1.3',
    smoke: 'first',
  }),
  option({
    key: 'suites',
    target: 'suites',
    flag: '--suites',
    valueName: 'list',
    description: 'cipher suites in OpenSSL spelling (see `tls-sst-bench ciphers`)',
    parse: (t, f) => [...new Set(splitList(t, f).map((s) => resolveSuite(s).name))],
    // undefined: the default suites of each TLS version
    default: { value: undefined, help: '3 per TLS version' },
  }),
  option({
    key: 'key',
    target: 'keys',
    flag: '--key',
    valueName: 'list',
    description: `server key types: ${KEY_TYPES.join(', ')}`,
    parse: (t, f) => [...new Set(splitList(t, f).map(parseKeyType))],
    default: 'ecdsa-p256',
    smoke: 'first',
  }),
  option({
    key: 'maxFragment',
    target: 'maxFragments',
    flag: '--max-fragment',
    valueName: 'list',
    description: 'TLS max send fragment (setMaxSendFragment), 512 to 16384',
    parse: (t, f) => parseBytesList(t, f, FRAGMENT_BOUNDS),
    default: '16384',
    smoke: 'first',
  }),
  option({
    key: 'shutdown',
    target: 'shutdowns',
    flag: '--shutdown',
    valueName: 'list',
    description: `how the sender ends the stream: ${SHUTDOWN_STRATEGIES.join(', ')}`,
    parse: listOf(SHUTDOWN_STRATEGIES),
    default: 'end',
    smoke: 'first',
  }),
  option({
    key: 'writePath',
    target: 'writePaths',
    flag: '--write-path',
    valueName: 'list',
    description:
      `backpressure (await 'drain') or buffered ` + `(the last 16 MiB written without waiting, as naive code does)`,
    parse: listOf(WRITE_PATHS),
    default: 'backpressure',
    smoke: 'first',
  }),
  option({
    key: 'readPath',
    target: 'readPaths',
    flag: '--read-path',
    valueName: 'list',
    description:
      `how the receiver reads: data ('data' events) or onread[:SIZE] (reads into its own buffer, SIZE ` +
      `${formatBytes(ONREAD_BOUNDS.min)} to ${formatBytes(ONREAD_BOUNDS.max)}, default 64KiB)`,
    parse: parseReadPaths,
    default: DEFAULT_READ_PATH,
    smoke: 'first',
  }),
  option({
    key: 'receiver',
    target: 'receiverModes',
    flag: '--receiver',
    valueName: 'list',
    description: `how the receiver decides it is done: ${RECEIVER_MODES.join(', ')}`,
    parse: listOf(RECEIVER_MODES),
    default: 'until-eof',
    smoke: 'first',
  }),
  option({
    key: 'receiverPeer',
    target: 'receiverPeers',
    flag: '--receiver-peer',
    valueName: 'list',
    description:
      `who receives: ${RECEIVER_PEERS.join(', ')} (openssl: s_client, OpenSSL's view of the same sender; gnutls: ` +
      `gnutls-cli, GnuTLS's view)`,
    parse: listOf(RECEIVER_PEERS),
    default: 'node',
    smoke: 'first',
  }),
  option({
    key: 'senderPeer',
    target: 'senderPeers',
    flag: '--sender-peer',
    valueName: 'list',
    description:
      `who sends (the TLS server): ${SENDER_PEERS.join(', ')} (openssl: s_server fed the fixture on stdin; ` +
      `shutdown end only; gnutls: peers/gnutls-sender.c, built on first use; shutdown end, destroy-after-flush, ` +
      `tcp-fin)`,
    parse: listOf(SENDER_PEERS),
    default: 'node',
    smoke: 'first',
  }),
  option({
    key: 'protocol',
    target: 'protocols',
    flag: '--protocol',
    valueName: 'list',
    description: `application protocol on the stream: ${PROTOCOL_NAMES.join(', ')}`,
    parse: listOf(PROTOCOL_NAMES),
    default: 'raw',
    smoke: 'first',
  }),
  // Each protocol's own options (src/protocols/<name>/options.ts), where the table always had them.
  ...PROTOCOL_OPTIONS,
  option({
    key: 'profile',
    target: 'profile',
    flag: '--profile',
    valueName: 'name',
    description: `fixture content: ${FIXTURE_PROFILES.join(', ')}`,
    parse: oneOf(FIXTURE_PROFILES),
    default: 'kv',
  }),
  option({
    key: 'iterations',
    target: 'iterations',
    flag: '--iterations',
    valueName: 'n',
    description: 'measured transfers per scenario (1 to 1000): the minimum with a target, else exactly this many',
    parse: integer(1, 1000),
    default: '5',
  }),
  option({
    key: 'warmup',
    target: 'warmup',
    flag: '--warmup',
    valueName: 'n|duration',
    description:
      "each scenario's unrecorded warm-up: N transfers (0 to 100) or a duration of transfers such as 2s (after " +
      "its worker pair's own warm-up)",
    parse: parseWarmup,
    default: '1',
  }),
  option({
    key: 'targetRme',
    target: 'targetRmePercent',
    flag: '--target-rme',
    valueName: 'percent',
    description:
      'sample each scenario until the 95% margin of error of its mean MB/s is at most this, e.g. 2% ' +
      '(--iterations is then the minimum; off: exactly --iterations); the default holds only when --iterations ' +
      'is not given',
    parse: parseTargetRme,
    default: `${DEFAULT_TARGET_RME_PERCENT}%`,
  }),
  option({
    key: 'maxTime',
    target: 'maxTimeMs',
    flag: '--max-time',
    valueName: 'duration',
    description: "with --target-rme: stop a scenario after this much of its transfers' time, target met or not",
    parse: (t, f) => parseDurationMs(t, f, { min: 100, max: 3_600_000 }),
    default: '10s',
  }),
  option({
    key: 'order',
    target: 'order',
    flag: '--order',
    valueName: 'name',
    description:
      'interleaved: scenarios that are compared take turns, one transfer each, so drift hits them alike; ' +
      'sequential: one scenario after the other',
    parse: oneOf(ORDERS),
    default: 'interleaved',
  }),
  option({
    key: 'alpha',
    target: 'alpha',
    flag: '--alpha',
    valueName: 'level',
    description: 'significance level of the tuning answers (Welch t-test)',
    parse: parseAlpha,
    default: '0.05',
  }),
  option({
    key: 'threshold',
    target: 'threshold',
    flag: '--threshold',
    valueName: 'percent',
    description: 'tuning answers: a difference smaller than this share of the best mean counts as none',
    parse: (t, f) =>
      parseFraction(
        t,
        f,
        'a percentage such as 2% or a fraction such as 0.02, from 0% to below 100%',
        (v) => v >= 0 && v < 1,
      ),
    default: '2%',
  }),
  option({
    key: 'source',
    target: 'source',
    flag: '--source',
    valueName: 'name',
    description: 'sender reads the fixture from: file (disk, streamed) or memory (pre-loaded image)',
    parse: oneOf(SOURCES),
    default: 'file',
  }),
  option({
    key: 'out',
    target: 'out',
    flag: '--out',
    valueName: 'dir',
    description: 'folder that receives <run-id>/ (a given folder is relative to the current directory)',
    parse: folderPath,
    // null: the project's results/
    default: { value: null, help: 'results/ of the project' },
  }),
  option({
    key: 'filter',
    target: 'filter',
    flag: '--filter',
    valueName: 'terms',
    description: 'keep scenarios whose id contains every space-separated term, e.g. "chunk=16KiB tls=1.3"',
    parse: (t, f) => {
      if (t.trim() === '') throw usageError(`${f} "" is not accepted: expected terms such as chunk=16KiB`);
      return t.trim();
    },
    default: { value: undefined, help: null },
  }),
  option({
    key: 'stallTimeout',
    target: 'stallTimeoutMs',
    flag: '--stall-timeout',
    valueName: 'duration',
    description: 'no progress for this long -> outcome stalled, workers replaced',
    parse: (t, f) => parseDurationMs(t, f, { min: 100, max: 3_600_000 }),
    default: '15s',
  }),
  option({
    key: 'seed',
    target: 'seed',
    flag: '--seed',
    valueName: 'n',
    description: 'fixture seed (same seed and size: byte-identical file)',
    parse: integer(0, 2 ** 31 - 1),
    default: '1',
  }),
  option({
    key: 'host',
    target: 'host',
    flag: '--host',
    valueName: 'address',
    description: 'address the servers bind and the clients connect to: an IPv4 or IPv6 literal or localhost',
    parse: hostAddress,
    default: '127.0.0.1',
  }),
  option({
    key: 'faults',
    target: 'faults',
    flag: '--faults',
    valueName: 'list',
    description:
      `inject faults through a loopback proxy, one transfer each, at seeded random offsets: KIND:COUNT,... with ` +
      `KIND ${PROXY_FAULTS.join(', ')} (replaces --iterations)`,
    parse: parseFaults,
    default: 'none',
  }),
  option({
    key: 'reference',
    target: 'references',
    flag: '--reference',
    valueName: 'list',
    description:
      `ceilings measured beside the cells, on the same host and addresses: ${REFERENCE_LANES.join(', ')}, or ` +
      `none; each cell then shows its percentage of each (README "How close to this machine's limits")`,
    parse: (t, f) => (t.trim() === 'none' ? [] : listOf(REFERENCE_LANES)(t, f)),
    default: 'none',
  }),
  option({
    key: 'processWarmup',
    target: 'processWarmup',
    flag: '--process-warmup',
    valueName: 'on|off',
    description:
      'on: each new or replaced worker pair first moves data until its throughput stops rising (not recorded ' +
      'as transfers); off: cold processes, their ramp in the numbers',
    parse: oneOf(['on', 'off'] as const),
    default: 'on',
  }),
  option({
    key: 'smoke',
    target: 'smoke',
    flag: '--smoke',
    description: 'first value of each axis, 1 MB, 1 iteration, no warm-up: a run in seconds',
    parse: bool,
    default: 'false',
    boolean: true,
  }),
  option({
    key: 'json',
    target: 'json',
    flag: '--json',
    description: 'print results.json on stdout (the summary goes to stderr)',
    parse: bool,
    default: 'false',
    boolean: true,
  }),
  option({
    key: 'node',
    target: 'runtimes',
    flag: '--node',
    valueName: 'path',
    description:
      'Node binary that runs the workers (repeatable: one worker pair each, compared side by side); ' +
      'scripts/install-node.sh installs others',
    parse: parseRuntimes,
    // A path is checked by running it: the default is this process's own, known without that.
    default: { value: [currentRuntime()], help: 'the Node running this command' },
    smoke: 'first',
    repeatable: true,
  }),
  option({
    key: 'agent',
    target: 'agent',
    flag: '--agent',
    valueName: 'host:port',
    description:
      'run one worker on a remote host through `tls-sst-bench agent` there (see --agent-role); needs ' +
      '--agent-cert, --agent-key, --agent-ca',
    parse: hostPort(false),
    // undefined: both workers here
    default: { value: undefined, help: null },
  }),
  option({
    key: 'agentRole',
    target: 'agentRole',
    flag: '--agent-role',
    valueName: 'role',
    description: 'with --agent: which worker runs there, receiver or sender',
    parse: oneOf(['receiver', 'sender'] as const),
    // undefined: not given (the agent runs the receiver); given without --agent it is refused
    default: { value: undefined, help: 'receiver' },
  }),
  option({
    key: 'agentCert',
    target: 'agentCert',
    flag: '--agent-cert',
    valueName: 'file',
    description: 'with --agent: our client certificate for the control channel (PEM; `agent certs` makes one)',
    parse: filePath,
    default: { value: undefined, help: null },
  }),
  option({
    key: 'agentKey',
    target: 'agentKey',
    flag: '--agent-key',
    valueName: 'file',
    description: 'with --agent: the key of --agent-cert (PEM)',
    parse: filePath,
    default: { value: undefined, help: null },
  }),
  option({
    key: 'agentCa',
    target: 'agentCa',
    flag: '--agent-ca',
    valueName: 'file',
    description: "with --agent: the CA that signed the agent's certificate (PEM)",
    parse: filePath,
    default: { value: undefined, help: null },
  }),
];

/** The entries of `run` by config key. */
export const OPTIONS = optionTable(RUN_OPTIONS);

/** The validated knobs of a run, one field per option target; axes are arrays, the matrix is their product. */
export interface RunConfig extends OptionValues<typeof RUN_OPTIONS> {
  /** The preset the settings started from (`--preset`; not a config-file key). */
  readonly preset: string | undefined;
}

export type ConfigKey = keyof typeof OPTIONS;
export type RawConfig = RawOptions<typeof RUN_OPTIONS>;
export const CONFIG_KEYS = Object.keys(OPTIONS) as ConfigKey[];

export const DEFAULTS: RunConfig = { preset: undefined, ...defaultsOf(RUN_OPTIONS) };

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
  const merged = applyLayers(OPTIONS, { ...DEFAULTS, preset }, layers);
  // `--iterations N` alone means exactly N transfers, as it always did; a target makes it the minimum.
  const given = (key: ConfigKey): boolean => layers.some((l) => l.raw[key] !== undefined);
  const config = given('iterations') && !given('targetRme') ? { ...merged, targetRmePercent: null } : merged;
  return config.smoke ? smokeOf(config) : config;
}

/** Node's benchmark `--test` idea: the first value of each axis (the entries marked so), tiny and once. */
function smokeOf(config: RunConfig): RunConfig {
  const firstVersion = config.tls[0] ?? '1.3';
  return {
    ...config,
    ...firstOfEachAxis(RUN_OPTIONS, config),
    sizes: [Math.min(config.sizes[0] ?? 1e6, 1e6)],
    suites: [
      (config.suites ?? DEFAULT_SUITES[firstVersion]).find((s) => resolveSuite(s).version === firstVersion) ??
        DEFAULT_SUITES[firstVersion][0]!,
    ],
    iterations: 1,
    warmup: { kind: 'transfers', count: 0 },
    targetRmePercent: null,
  };
}
