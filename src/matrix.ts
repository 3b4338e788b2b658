import { formatBytes } from './config/units.ts';
import type { RunConfig } from './config/schema.ts';
import { usageError } from './errors.ts';
import { PROTOCOLS, protocolNamed, protocolOf } from './protocols/registry.ts';
import { axesId } from './scenario-axes.ts';
import { gnutlsPriority } from './tls/gnutls-priority.ts';
import { DEFAULT_SUITES, resolveSuite, type KeyType, type TlsVersion } from './tls/suites.ts';
import {
  SENDER_PEER_SHUTDOWNS,
  type ReceiverModeName,
  type ReceiverPeerName,
  type SenderPeerName,
  type ShutdownStrategyName,
  type WritePathName,
} from './transfer/strategies.ts';
import { DEFAULT_READ_PATH, type ReadPath } from './transfer/read-path.ts';

import type { Scenario } from './scenario.ts';
import { checkPeerMode } from './transfer/peer-modes.ts';

export { checkPeerMode } from './transfer/peer-modes.ts';

export type { Scenario } from './scenario.ts';

/** The id: each axis's `key=value` token from the axis table (scenario-axes.ts), byte for byte as before it. */
export function scenarioId(s: Omit<Scenario, 'id'>): string {
  return axesId(s);
}

/**
 * An external sender plays only its own ending (s_server: close_notify at
 * stdin EOF) and writes the whole file as one unframed stream.
 */
export function checkSenderPeer(
  s: Pick<Scenario, 'senderPeer' | 'shutdown' | 'writePath' | 'receiverMode' | 'protocol'>,
): void {
  if (s.senderPeer === 'node') return;
  const ok = SENDER_PEER_SHUTDOWNS[s.senderPeer];
  if (!ok.includes(s.shutdown))
    throw usageError(
      `--sender-peer "${s.senderPeer}" cannot play --shutdown ${s.shutdown}: it supports ${ok.join(', ')} (its ` +
        `own close)`,
    );
  if (s.writePath !== 'backpressure')
    throw usageError(
      `--sender-peer "${s.senderPeer}" cannot play --write-path ${s.writePath}: it supports backpressure (it ` +
        `writes as the socket drains)`,
    );
  if (s.receiverMode !== 'until-eof')
    throw usageError(
      `--sender-peer "${s.senderPeer}" cannot play --receiver ${s.receiverMode}: it sends no size line; it ` +
        `supports until-eof`,
    );
  if (s.protocol !== 'raw')
    throw usageError(`--sender-peer "${s.senderPeer}" cannot play --protocol ${s.protocol}: it supports raw`);
}

/** A GnuTLS peer is pinned to the suite by a priority string: a suite with none is refused before anything runs. */
export function checkPeerSuite(
  s: Pick<Scenario, 'receiverPeer' | 'suite' | 'tlsVersion'> & Partial<Pick<Scenario, 'senderPeer'>>,
): void {
  if (s.receiverPeer === 'gnutls' || s.senderPeer === 'gnutls') gnutlsPriority(s.suite, s.tlsVersion);
}

/** A scenario from a few fields, the rest at their defaults (benchmarks and tests build cells this way). */
export function makeScenario(
  fields: Partial<Omit<Scenario, 'id'>> & Pick<Scenario, 'sizeBytes' | 'chunkBytes'>,
): Scenario {
  const full: Omit<Scenario, 'id'> = {
    tlsVersion: '1.3',
    suite: 'TLS_AES_128_GCM_SHA256',
    keyType: 'ecdsa-p256',
    maxFragment: 16384,
    shutdown: 'end',
    writePath: 'backpressure',
    readPath: DEFAULT_READ_PATH,
    receiverMode: 'until-eof',
    receiverPeer: 'node',
    senderPeer: 'node',
    protocol: 'raw',
    streams: 1,
    fileBytes: fields.sizeBytes,
    // a raw cell needs no settings of its own; another protocol's come from its expansion
    ...((fields.protocol ?? 'raw') === 'raw' ? { params: { protocol: 'raw' } as const } : {}),
    ...fields,
  };
  checkPeerMode(full.receiverPeer, full.receiverMode);
  const refused = readPathRefusal(full, full.readPath);
  if (refused) throw usageError(refused);
  checkPeerSuite(full);
  checkSenderPeer(full);
  return { id: scenarioId(full), ...full };
}

/** The suites of one TLS version: the user's (checked to belong) or the defaults. */
function suitesFor(version: TlsVersion, requested: readonly string[] | undefined): string[] {
  if (requested === undefined) return [...DEFAULT_SUITES[version]];
  return requested.filter((name) => resolveSuite(name).version === version);
}

/**
 * The cartesian product of the config's axes, in a stable order (size, TLS
 * version, suite, key, chunk, ...). Pure. Throws a usage error for any axis
 * value that no scenario can use, rather than silently dropping it.
 */
export function expandMatrix(config: RunConfig): Scenario[] {
  return applyFilter(expandAxes(config), config.filter);
}

/** Which config (sweep) each scenario id comes from first: its sampling settings are that sweep's. */
export function sweepOf(configs: readonly RunConfig[]): Map<string, RunConfig> {
  const out = new Map<string, RunConfig>();
  for (const c of configs) for (const s of expandAxes(c)) if (!out.has(s.id)) out.set(s.id, c);
  return out;
}

/** The scenarios of several sweeps (a preset's parts), each id once, then the filter over all of them. */
export function planScenarios(configs: readonly RunConfig[]): Scenario[] {
  const byId = new Map<string, Scenario>();
  for (const c of configs) for (const s of expandAxes(c)) if (!byId.has(s.id)) byId.set(s.id, s);
  return applyFilter([...byId.values()], configs[0]?.filter);
}

/**
 * Why a transport cannot read by `readPath` (null: it can). Only the suite's
 * own raw receiver takes the read path; the others read their own way, which
 * is recorded as `data`.
 */
export function readPathRefusal(t: Pick<Scenario, 'protocol' | 'receiverPeer'>, readPath: ReadPath): string | null {
  if (readPath === DEFAULT_READ_PATH) return null;
  const own = protocolOf(t)?.readPathRefusal?.(readPath);
  if (own) return own;
  if (t.receiverPeer !== 'node')
    return (
      `--read-path "${readPath}" cannot be played by --receiver-peer ${t.receiverPeer}: it reads with its own ` +
      `buffer; use data`
    );
  return null;
}

/** Each transport reads by the paths it can; every read path must be played by some cell. */
function readPathsOf(config: RunConfig, transport: Transport): ReadPath[] {
  const playable = config.readPaths.filter((p) => readPathRefusal(transport, p) === null);
  if (playable.length === 0) throw usageError(readPathRefusal(transport, config.readPaths[0]!)!);
  return playable;
}

function checkReadPathAxes(config: RunConfig, out: readonly Scenario[]): void {
  for (const readPath of config.readPaths) {
    const refusal = out.some((s) => s.readPath === readPath)
      ? null
      : (out.map((s) => readPathRefusal(s, readPath)).find((r) => r !== null) ?? null);
    if (refusal) throw usageError(refusal);
  }
}

/** How the bytes travel: what each protocol expands a size into (src/protocols/<name>/). */
type Transport = Pick<
  Scenario,
  'receiverMode' | 'receiverPeer' | 'senderPeer' | 'protocol' | 'streams' | 'fileBytes' | 'params'
>;

function transports(config: RunConfig, sizeBytes: number): Transport[] {
  return config.protocols.flatMap((name) =>
    registered(name)
      .expand(config, sizeBytes)
      .map((t) => ({ protocol: name, ...t })),
  );
}

function registered(name: string): NonNullable<ReturnType<typeof protocolNamed>> {
  const p = protocolNamed(name);
  if (!p) throw new Error(`protocol ${name} is not registered (src/protocols/registry.ts)`);
  return p;
}

/**
 * Checks the axes that only some protocols use, so none is silently ignored: first the options of protocols not run,
 * then each run one's.
 */
function checkProtocolAxes(config: RunConfig): void {
  for (const p of PROTOCOLS) if (!config.protocols.includes(p.name)) p.checkUnused?.(config);
  for (const p of PROTOCOLS) if (config.protocols.includes(p.name)) p.check?.(config);
}

/** (TLS version, suite, key) triples: each suite under its own version, with the keys it can use. */
function tlsCells(config: RunConfig): Pick<Scenario, 'tlsVersion' | 'suite' | 'keyType'>[] {
  if (config.suites !== undefined) {
    for (const name of config.suites) {
      const v = resolveSuite(name).version;
      if (!config.tls.includes(v)) {
        throw usageError(
          `--suites "${name}" is a TLS ${v} suite but --tls is ${config.tls.join(',')}: add ${v} to --tls or ` +
            `drop the suite`,
        );
      }
    }
  }
  const out: Pick<Scenario, 'tlsVersion' | 'suite' | 'keyType'>[] = [];
  for (const tlsVersion of config.tls) {
    const suites = suitesFor(tlsVersion, config.suites);
    if (suites.length === 0) {
      throw usageError(
        `--tls "${tlsVersion}" has no suite in --suites (${(config.suites ?? []).join(',')}): add a TLS ` +
          `${tlsVersion} suite or drop ${tlsVersion} from --tls`,
      );
    }
    for (const suite of suites) {
      const info = resolveSuite(suite);
      const keys = config.keys.filter((k) => info.keyTypes.includes(k));
      if (keys.length === 0) {
        throw usageError(
          `--suites "${suite}" needs --key ${info.keyTypes.join(' or ')}, but --key is ${config.keys.join(',')}`,
        );
      }
      for (const keyType of keys) out.push({ tlsVersion, suite, keyType });
    }
  }
  for (const key of config.keys) {
    if (!out.some((c) => c.keyType === key))
      throw usageError(
        `--key "${key}" fits none of the suites (${config.suites?.join(',') ?? 'defaults'}): drop it or add a ` +
          `suite for it`,
      );
  }
  return out;
}

/** One runtime: no label (ids stay as they were); several: each one's label. */
function runtimeLabels(config: RunConfig): (string | undefined)[] {
  return config.runtimes.length > 1 ? config.runtimes.map((r) => r.label) : [undefined];
}

function playsSender(s: Parameters<typeof checkSenderPeer>[0]): boolean {
  try {
    checkSenderPeer(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every sender peer must play some cell, and every shutdown and write path
 * some sender: else the reason the first such cell cannot run (it cannot,
 * as none of its cells could).
 */
function checkSenderAxes(config: RunConfig, out: readonly Scenario[]): void {
  if (config.senderPeers.every((p) => p === 'node')) return;
  const first = {
    senderPeer: config.senderPeers[0]!,
    shutdown: config.shutdowns[0]!,
    writePath: config.writePaths[0]!,
    receiverMode: config.receiverModes[0]!,
    protocol: config.protocols[0]!,
  };
  for (const senderPeer of config.senderPeers)
    if (!out.some((s) => s.senderPeer === senderPeer)) checkSenderPeer({ ...first, senderPeer });
  for (const shutdown of config.shutdowns)
    if (!out.some((s) => s.shutdown === shutdown)) checkSenderPeer({ ...first, shutdown });
  for (const writePath of config.writePaths)
    if (!out.some((s) => s.writePath === writePath)) checkSenderPeer({ ...first, writePath });
}

/** The product of the axes, unfiltered, sizes outermost (small files first, so a problem shows early). */
function expandAxes(config: RunConfig): Scenario[] {
  checkProtocolAxes(config);
  const cells = tlsCells(config);
  const out: Scenario[] = [];
  for (const sizeBytes of config.sizes) {
    for (const tls of cells) {
      for (const chunkBytes of config.chunks) {
        for (const maxFragment of config.maxFragments) {
          for (const shutdown of config.shutdowns) {
            for (const writePath of config.writePaths) {
              for (const transport of transports(config, sizeBytes)) {
                for (const readPath of readPathsOf(config, transport)) {
                  // Runtimes innermost: the same cell on each Node back to back, under the same load.
                  for (const runtime of runtimeLabels(config)) {
                    const fields = {
                      sizeBytes,
                      chunkBytes,
                      ...tls,
                      maxFragment,
                      shutdown,
                      writePath,
                      readPath,
                      ...transport,
                      ...(runtime !== undefined ? { runtime } : {}),
                    };
                    // Each sender plays the endings it can (as each receiver peer plays its modes).
                    if (!playsSender(fields)) continue;
                    checkPeerSuite(fields);
                    out.push({ id: scenarioId(fields), ...fields });
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  checkSenderAxes(config, out);
  checkReadPathAxes(config, out);
  // sort is stable: within a size the order above stays
  return out.sort((a, b) => a.sizeBytes - b.sizeBytes);
}

/** Keeps scenarios whose id has every term of `filter` as one of its `key=value` tokens (or a prefix of its value). */
export function applyFilter(scenarios: readonly Scenario[], filter: string | undefined): Scenario[] {
  if (filter === undefined) return [...scenarios];
  const terms = filter.split(/\s+/).filter(Boolean);
  const kept = scenarios.filter((s) => {
    const tokens = s.id.split(' ');
    return terms.every((term) =>
      tokens.some((tok) => tok === term || (term.includes('=') ? false : tok.includes(term))),
    );
  });
  if (kept.length === 0) {
    throw usageError(
      `--filter "${filter}" matches none of the ${scenarios.length} scenarios: expected terms like ` +
        `${scenarios[0]?.id.split(' ').slice(0, 2).join(' ') ?? 'size=64MB'}`,
    );
  }
  return kept;
}
