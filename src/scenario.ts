import type { ParamsOf, ProtocolName, ScenarioParams } from './protocols/maps.ts';
import type { KeyType, TlsVersion } from './tls/suites.ts';
import type { ReadPath } from './transfer/read-path.ts';
import type {
  ReceiverModeName,
  ReceiverPeerName,
  SenderPeerName,
  ShutdownStrategyName,
  WritePathName,
} from './transfer/strategies.ts';

// A leaf (matrix.ts re-exports it): the protocols use this type, and matrix.ts, which expands scenarios, uses the
// protocols.

/** One cell of the matrix. `id` is built from the values and is stable across runs. */
export interface Scenario {
  readonly id: string;
  readonly sizeBytes: number;
  readonly chunkBytes: number;
  readonly tlsVersion: TlsVersion;
  readonly suite: string;
  readonly keyType: KeyType;
  readonly maxFragment: number;
  readonly shutdown: ShutdownStrategyName;
  readonly writePath: WritePathName;
  /**
   * How the receiver reads: `data` or `onread:SIZE` (read-path.ts); external receivers and the other protocols read
   * their own way and are `data`.
   */
  readonly readPath: ReadPath;
  readonly receiverMode: ReceiverModeName;
  readonly receiverPeer: ReceiverPeerName;
  /** Who sends (the TLS server): the Node worker or `openssl s_server`. */
  readonly senderPeer: SenderPeerName;
  /**
   * A name of src/protocols/registry.ts; `https` rows come from `tls-sst-bench https` (autocannon cells), never from a
   * run's matrix.
   */
  readonly protocol: ProtocolName | 'https';
  /** Connections one transfer uses (raw: 1). */
  readonly streams: number;
  /** The size of each file a transfer moves, the last one taking the rest (raw: the size). */
  readonly fileBytes: number;
  /**
   * The protocol's own settings of this cell (src/protocols/<name>/); absent: an https row or an older results.json.
   */
  readonly params?: ScenarioParams;
  /**
   * The label of the Node runtime that runs the workers, when the run compares several (--node); absent: the run's only
   * one.
   */
  readonly runtime?: string;
}

/** A scenario of one protocol, its params present: what that protocol's code is handed. */
export type ScenarioOf<N extends ProtocolName> = Scenario & { readonly protocol: N; readonly params: ParamsOf<N> };
