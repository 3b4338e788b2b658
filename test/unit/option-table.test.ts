import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FixtureProfile } from '../../src/fixtures/types.ts';
import { helpText } from '../../src/cli/command.ts';
import { COMPARE_OPTIONS } from '../../src/cli/compare-command.ts';
import { FIXTURES_OPTIONS } from '../../src/cli/fixtures-command.ts';
import { PROFILE_OPTIONS, type ProfileTool } from '../../src/cli/profile-command.ts';
import { defaultHelp, type AnyOptionEntry, type OptionValues } from '../../src/config/options.ts';
import type { WorkerRole } from '../../src/runner/worker-role.ts';
import { DEFAULTS, RUN_OPTIONS, type RunConfig, type FaultCount } from '../../src/config/schema.ts';
import { resolveThresholdConfig, THRESHOLD_OPTIONS, type ThresholdConfig } from '../../src/config/threshold-config.ts';
import {
  HTTPS_OPTIONS,
  resolveHttpsConfig,
  type HttpsConfig,
  type HttpsMode,
} from '../../src/protocols/https/config.ts';
import { currentRuntime, type Runtime } from '../../src/config/runtimes.ts';
import { resolveSuite, type SuiteInfo } from '../../src/tls/suites.ts';
import { SCENARIO_AXES } from '../../src/scenario-axes.ts';
import { runMain } from '../support/main.ts';
import type { HostPort } from '../../src/config/parsers.ts';
import type { Order, WarmupPolicy } from '../../src/runner/sampling-options.ts';
import type { KeyType, TlsVersion } from '../../src/tls/suites.ts';
import type { ReadPath } from '../../src/transfer/read-path.ts';
import type { ReferenceLane } from '../../src/reference-lanes.ts';
import type { ProtocolName } from '../../src/protocols/maps.ts';
import type {
  ReceiverModeName,
  ReceiverPeerName,
  SenderPeerName,
  ShutdownStrategyName,
  SourceName,
  WritePathName,
} from '../../src/transfer/strategies.ts';

/** true only when A and B are the same type (not merely assignable either way). */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

// RunConfig as it was written by hand before it was derived from the option table: the derived one must be exactly it.
interface HandWrittenRunConfig {
  readonly preset: string | undefined;
  readonly sizes: readonly number[];
  readonly chunks: readonly number[];
  readonly tls: readonly TlsVersion[];
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
  readonly streams: readonly number[];
  readonly fileBytes: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
  readonly profile: FixtureProfile;
  readonly iterations: number;
  readonly warmup: WarmupPolicy;
  readonly processWarmup: 'on' | 'off';
  readonly targetRmePercent: number | null;
  readonly maxTimeMs: number;
  readonly order: Order;
  readonly alpha: number;
  readonly threshold: number;
  readonly source: SourceName;
  readonly out: string | null;
  readonly filter: string | undefined;
  readonly stallTimeoutMs: number;
  readonly seed: number;
  readonly host: string;
  readonly faults: readonly FaultCount[];
  readonly references: readonly ReferenceLane[];
  readonly smoke: boolean;
  readonly json: boolean;
  readonly runtimes: readonly Runtime[];
  readonly agent: HostPort | undefined;
  readonly agentRole: 'sender' | 'receiver' | undefined;
  readonly agentCert: string | undefined;
  readonly agentKey: string | undefined;
  readonly agentCa: string | undefined;
}

interface HandWrittenHttpsConfig {
  readonly preset: string | undefined;
  readonly sizes: readonly number[];
  readonly connections: readonly number[];
  readonly durationMs: number;
  readonly modes: readonly HttpsMode[];
  readonly rangeChunkBytes: number;
  readonly suite: string;
  readonly tlsVersion: TlsVersion;
  readonly keyType: KeyType;
  readonly timeoutMs: number;
  readonly out: string | null;
  readonly json: boolean;
}

// threshold's knobs, as its command read them one by one before they were a list.
interface HandWrittenThresholdConfig {
  readonly shutdown: ShutdownStrategyName;
  readonly writePath: WritePathName;
  readonly receiverMode: ReceiverModeName;
  readonly receiverPeer: ReceiverPeerName;
  readonly suite: SuiteInfo;
  readonly chunkBytes: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly trials: number;
  readonly tolerance: number;
  readonly stallTimeoutMs: number;
  readonly seed: number;
  readonly host: string;
  readonly profile: FixtureProfile;
  readonly source: SourceName;
  readonly out: string | null;
  readonly json: boolean;
}

// Compile-time: `npm run typecheck` fails if a derived config type is not exactly the hand-written one.
const runConfigIsDerivedExactly: Equal<RunConfig, HandWrittenRunConfig> = true;
const httpsConfigIsDerivedExactly: Equal<HttpsConfig, HandWrittenHttpsConfig> = true;
const thresholdConfigIsDerivedExactly: Equal<ThresholdConfig, HandWrittenThresholdConfig> = true;
const profileConfigIsDerivedExactly: Equal<
  OptionValues<typeof PROFILE_OPTIONS>,
  { readonly role: WorkerRole; readonly tool: ProfileTool }
> = true;

/** Every field of RunConfig, at run time (the `satisfies` and Equal checks make the list exhaustive). */
const RUN_CONFIG_FIELDS = [
  'preset',
  'sizes',
  'chunks',
  'tls',
  'suites',
  'keys',
  'maxFragments',
  'shutdowns',
  'writePaths',
  'readPaths',
  'receiverModes',
  'receiverPeers',
  'senderPeers',
  'protocols',
  'streams',
  'fileBytes',
  'maxAttempts',
  'retryDelayMs',
  'profile',
  'iterations',
  'warmup',
  'processWarmup',
  'targetRmePercent',
  'maxTimeMs',
  'order',
  'alpha',
  'threshold',
  'source',
  'out',
  'filter',
  'stallTimeoutMs',
  'seed',
  'host',
  'faults',
  'references',
  'smoke',
  'json',
  'runtimes',
  'agent',
  'agentRole',
  'agentCert',
  'agentKey',
  'agentCa',
] as const satisfies readonly (keyof RunConfig)[];
const fieldListIsComplete: Equal<(typeof RUN_CONFIG_FIELDS)[number], keyof RunConfig> = true;

test('the derived config types are the hand-written ones (checked by the compiler)', () => {
  assert.deepEqual(
    [
      runConfigIsDerivedExactly,
      httpsConfigIsDerivedExactly,
      thresholdConfigIsDerivedExactly,
      profileConfigIsDerivedExactly,
      fieldListIsComplete,
    ],
    [true, true, true, true, true],
  );
});

test('DEFAULTS has every RunConfig field, and the values the hand-written DEFAULTS had', () => {
  assert.deepEqual(Object.keys(DEFAULTS).sort(), [...RUN_CONFIG_FIELDS].sort());
  const expected: RunConfig = {
    preset: undefined,
    sizes: [64e6],
    chunks: [16 * 1024],
    tls: ['1.3'],
    suites: undefined,
    keys: ['ecdsa-p256'],
    maxFragments: [16384],
    shutdowns: ['end'],
    writePaths: ['backpressure'],
    readPaths: ['data'],
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
    targetRmePercent: 2,
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
  assert.deepEqual(DEFAULTS, expected);
});

test('--smoke keeps the first value of the axes it always trimmed', () => {
  assert.deepEqual(
    RUN_OPTIONS.filter((e) => e.smoke === 'first').map((e) => e.target),
    [
      'sizes',
      'chunks',
      'tls',
      'keys',
      'maxFragments',
      'shutdowns',
      'writePaths',
      'readPaths',
      'receiverModes',
      'receiverPeers',
      'senderPeers',
      'protocols',
      'streams',
      'runtimes',
    ],
  );
});

test("every scenario axis's flag is one of run's options", () => {
  const runFlags = new Set(RUN_OPTIONS.map((e) => e.flag));
  assert.deepEqual(
    SCENARIO_AXES.map((a) => a.flag).filter((f) => !runFlags.has(f)),
    [],
  );
});

test("https's and threshold's defaults are the values their commands had", () => {
  assert.deepEqual(resolveHttpsConfig([]), {
    preset: undefined,
    sizes: [64e6],
    connections: [1, 4, 16],
    durationMs: 5000,
    modes: ['whole'],
    rangeChunkBytes: 2 ** 20,
    suite: 'TLS_AES_128_GCM_SHA256',
    tlsVersion: '1.3',
    keyType: 'ecdsa-p256',
    timeoutMs: 30_000,
    out: null,
    json: false,
  });
  assert.deepEqual(resolveThresholdConfig({}), {
    shutdown: 'destroy',
    writePath: 'buffered',
    receiverMode: 'until-eof',
    receiverPeer: 'node',
    suite: resolveSuite('TLS_AES_128_GCM_SHA256'),
    chunkBytes: 16 * 1024,
    minBytes: 1e6,
    maxBytes: 1e9,
    trials: 3,
    tolerance: 0.05,
    stallTimeoutMs: 15_000,
    seed: 1,
    host: '127.0.0.1',
    profile: 'kv',
    source: 'file',
    out: null,
    json: false,
  });
});

/** Each option's help, one line per flag (commander wraps long ones). */
function helpByFlag(help: string): Map<string, string> {
  const byFlag = new Map<string, string>();
  let flag: string | null = null;
  for (const line of help.split('\n')) {
    const start = /^ {2}(?:-\w, )?(--[a-z-]+)\b/.exec(line);
    if (start) flag = start[1]!;
    else if (!/^ {10,}\S/.test(line)) flag = null;
    if (flag !== null) byFlag.set(flag, `${byFlag.get(flag) ?? ''} ${line.trim()}`.trim());
  }
  return byFlag;
}

const COMMANDS: [string, readonly AnyOptionEntry[]][] = [
  ['run', RUN_OPTIONS],
  ['https', HTTPS_OPTIONS],
  ['threshold', THRESHOLD_OPTIONS],
  ['profile', PROFILE_OPTIONS],
  ['compare', COMPARE_OPTIONS],
  ['fixtures', FIXTURES_OPTIONS],
];

const kebab = (key: string): string => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

test("every flag is its key's kebab-case (commander hands the flags over by that key)", () => {
  for (const [, entries] of COMMANDS) for (const entry of entries) assert.equal(entry.flag, kebab(entry.key));
});

for (const [command, entries] of COMMANDS) {
  test(`${command} --help lists every option with its default`, async () => {
    const r = await runMain([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    const help = helpByFlag(r.stdout);
    for (const entry of entries) {
      const line = help.get(entry.flag);
      assert.ok(line !== undefined, `${command} --help has no ${entry.flag}`);
      assert.equal(line.replace(/^--[a-z-]+( <[^>]+>)?\s+/, ''), helpText(entry), `${command} ${entry.flag}`);
      const shown = defaultHelp(entry);
      if (shown !== null) assert.ok(line.endsWith(`(default: ${shown})`), `${command} ${entry.flag}: ${line}`);
    }
  });
}

test('the defaults --help shows are the values the commands use', async () => {
  // A sample per command, spelled out, so a default changed in its entry shows here too.
  const expected: [string, string, string][] = [
    ['run', '--sizes', '64MB'],
    ['run', '--chunks', '16KiB'],
    ['run', '--iterations', '5'],
    ['run', '--target-rme', '2%'],
    ['run', '--host', '127.0.0.1'],
    ['run', '--suites', '3 per TLS version'],
    ['run', '--node', 'the Node running this command'],
    ['https', '--connections', '1,4,16'],
    ['https', '--duration', '5s'],
    ['https', '--range-chunk', '1MiB'],
    ['threshold', '--shutdown', 'destroy'],
    ['threshold', '--write-path', 'buffered'],
    ['threshold', '--suite', 'TLS_AES_128_GCM_SHA256'],
    ['threshold', '--min', '1MB'],
    ['threshold', '--max', '1GB'],
    ['threshold', '--trials', '3'],
    ['threshold', '--tolerance', '5%'],
    ['profile', '--role', 'sender'],
    ['profile', '--tool', 'cpu-prof'],
    ['compare', '--threshold', '5%'],
    ['compare', '--alpha', '0.05'],
    ['fixtures', '--sizes', '1MB,64MB'],
    ['fixtures', '--seed', '1'],
    ['run', '--fixtures-dir', 'fixtures/ of the project'],
    ['threshold', '--fixtures-dir', 'fixtures/ of the project'],
  ];
  const helps = new Map<string, Map<string, string>>();
  for (const [command] of COMMANDS) helps.set(command, helpByFlag((await runMain([command, '--help'])).stdout));
  for (const [command, flag, shown] of expected)
    assert.ok(helps.get(command)!.get(flag)!.endsWith(`(default: ${shown})`), `${command} ${flag}`);
});
