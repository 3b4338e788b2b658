/**
 * A protocol: what travels between the two workers of a transfer and how one
 * transfer of it is run and judged. Each `src/protocols/<name>/index.ts`
 * exports one `Protocol`; `src/protocols/registry.ts` lists them, and the
 * option table, the matrix, the orchestrator, the workers and the IPC unions
 * are built from that list (as iperf3 registers a `struct protocol`). Nothing
 * outside a protocol's folder names it but the registry.
 *
 * The protocol's own types join the shared ones by declaration merging into
 * ./maps.ts: its scenario params, its record detail and its IPC messages.
 */
import type { AnyOptionEntry } from '../config/options.ts';
import type { CertPems } from '../tls/certs.ts';
import type { FixtureCache } from '../fixtures/cache.ts';
import type { Fixture, FixtureProfile } from '../fixtures/types.ts';
import type { TransferRecord } from '../results.ts';
import type { Pair } from '../runner/worker-interface.ts';
import type { Scenario, ScenarioOf } from '../scenario.ts';
import type { ProxyFault } from '../transfer/fault-proxy.ts';
import type { SenderFault } from '../transfer/endpoints.ts';
import type { ReadPath } from '../transfer/read-path.ts';
import type { ReceiverModeName, ReceiverPeerName, SenderPeerName, SourceName } from '../transfer/strategies.ts';
import type { ParamsOf, ProtocolName } from './maps.ts';

export type { ParamsOf, ProtocolName, ScenarioParams, RecordDetail } from './maps.ts';
export type { ScenarioOf } from '../scenario.ts';

/** What of the run's config every protocol may read (RunConfig has it all, each protocol's own options included). */
export interface ProtocolConfig {
  readonly protocols: readonly string[];
  readonly chunks: readonly number[];
  readonly receiverModes: readonly ReceiverModeName[];
  readonly receiverPeers: readonly ReceiverPeerName[];
  readonly senderPeers: readonly SenderPeerName[];
  readonly faults: readonly { readonly kind: string; readonly count: number }[];
  readonly seed: number;
  readonly profile: FixtureProfile;
}

/** How the bytes of one cell travel (the matrix adds the size, TLS, chunk, ending and runtime axes around it). */
export interface ProtocolTransport<N extends ProtocolName> {
  readonly receiverMode: ReceiverModeName;
  readonly receiverPeer: ReceiverPeerName;
  readonly senderPeer: SenderPeerName;
  readonly streams: number;
  readonly fileBytes: number;
  readonly params: ParamsOf<N>;
}

/** What the run hands a protocol to prepare its inputs before any worker starts. */
export interface PrepareContext {
  readonly cache: FixtureCache;
  readonly seed: number;
  readonly profile: FixtureProfile;
  /**
   * The run's fixture of this size, made (or found in the cache) once per run and listed in results.json; null: the run
   * was interrupted meanwhile.
   */
  fixture(sizeBytes: number): Promise<Fixture | null>;
  readonly onPhase?: (text: string) => void;
  /** true once the run was interrupted: stop preparing (what was prepared so far is fine). */
  interrupted(): boolean;
}

/** One transfer to run: the cell, its turn, and the run's settings that every protocol honours. */
export interface TransferContext<N extends ProtocolName> {
  readonly runId: string;
  readonly scenario: ScenarioOf<N>;
  /** 0-based among measured transfers; warm-ups count from 0 too. */
  readonly iteration: number;
  readonly warmup: boolean;
  readonly certs: CertPems;
  readonly source: SourceName;
  /** No progress for this long: the outcome is `stalled` and the protocol replaces the pair. */
  readonly stallTimeoutMs: number;
  /** The address the sender binds and the receiver connects to. */
  readonly host: string;
  /** Told every address a server of the transfer bound (what --host did). */
  readonly onListening: (address: string) => void;
  /** Test hook: a misbehaving sender. */
  readonly fault?: SenderFault;
  /** A fault injected between sender and receiver (--faults); only protocols whose `faults` is true get one. */
  readonly proxyFault?: ProxyFault;
  /** Aborted when the run is interrupted: a broken pair is then not replaced. */
  readonly signal?: AbortSignal;
  /** The receiver's byte count, about every 200 ms. */
  readonly onProgress?: (bytes: number) => void;
}

/** A protocol's inputs, prepared: runs its transfers. */
export interface ProtocolRunner<N extends ProtocolName> {
  /**
   * One transfer on `pair`, watched (stall timeout, a worker that dies) and
   * judged by the protocol: its record states the outcome, the bytes and times,
   * and the protocol's detail. Never throws for a failed transfer (that is an
   * outcome); replaces the pair when it broke.
   */
  run(pair: Pair, t: TransferContext<N>): Promise<TransferRecord>;
}

/**
 * Worker-side message handlers, by message type: what the sender or receiver
 * worker does with a protocol's request. A handler answers through the
 * worker's channel (transfer/channel.ts). A protocol's module for one worker
 * role exports `handlers` of this type.
 */
export type WorkerHandlers<M extends { readonly type: string }> = {
  readonly [T in M['type']]?: (msg: Extract<M, { readonly type: T }>) => void;
};

/** `Own`: the config keys its options write. */
export interface Protocol<N extends ProtocolName, Own = unknown> {
  readonly name: N;
  /** One line for --protocol's help. */
  readonly description: string;
  /**
   * Flags only this protocol reads: entries of the main option table (config/options.ts), same flags, keys, errors and
   * help.
   */
  readonly options: readonly AnyOptionEntry[];
  /** Does it take --faults (a proxy between one sender and one receiver connection)? */
  readonly faults: boolean;
  /**
   * Its worker side: per role, a module exporting `handlers: WorkerHandlers`.
   * Each worker is bundled with its role's modules only, none of the
   * orchestrator's side. Absent: it needs only the core `serve`/`receive`.
   */
  readonly handlers?: { readonly sender?: URL; readonly receiver?: URL };
  /** Throws a usage error for a config this protocol cannot run, when it is one of the run's protocols. */
  check?(config: ProtocolConfig & Own): void;
  /**
   * Throws a usage error when one of its own options is set but the protocol is not run (so none is silently ignored).
   */
  checkUnused?(config: ProtocolConfig & Own): void;
  /** The transports of one size: each becomes a cell with every combination of the other axes. */
  expand(config: ProtocolConfig & Own, sizeBytes: number): readonly ProtocolTransport<N>[];
  /** Why it cannot read by `readPath` (null: it can); absent: it reads by every path the receiver worker offers. */
  readPathRefusal?(readPath: ReadPath): string | null;
  // The labels read the shared fields only: a results.json of an older version has no params.
  /**
   * Its cells split the size into files of `fileBytes`: the `files` axis (scenario-axes.ts) is then in their ids and
   * labels.
   */
  readonly filesAxis?: true;
  /** The "peer" a report shows for its cells (absent: the receiver peer's name). */
  peerLabel?(s: Scenario): string;
  /** The attempts a record took (a retried transfer); absent: always one. */
  attempts?(r: TransferRecord): number | null;
  /** Makes or finds what its cells need (fixtures, checkpoints), then runs them. */
  prepare(scenarios: readonly ScenarioOf<N>[], ctx: PrepareContext): Promise<ProtocolRunner<N>>;
}

/** Is this scenario one of protocol `N`'s (params present and tagged)? */
export function isScenarioOf<N extends ProtocolName>(s: Scenario, name: N): s is ScenarioOf<N> {
  return s.protocol === name && s.params?.protocol === name;
}
