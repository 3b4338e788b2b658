/**
 * What each protocol adds to the shared types, by declaration merging from its
 * own folder (`declare module '../maps.ts' { interface ProtocolParamsMap { ... } }`).
 * A leaf: the core types (Scenario, TransferRecord, the IPC unions) are built
 * from these maps, and the protocols import those core types, so the maps
 * cannot live with the registry (an import of it would close a cycle).
 * src/protocols/registry.ts lists the protocols at run time.
 */

/** name -> the scenario's protocol-owned params (beside `protocol: name`). */
export interface ProtocolParamsMap {}

/**
 * name -> the transfer record's protocol-owned detail (beside `protocol: name`); a protocol with none leaves it out.
 */
export interface ProtocolDetailMap {}

/** name -> the IPC messages its workers need: `toWorker` from the orchestrator, `fromWorker` back. */
export interface ProtocolMessageMap {}

export type ProtocolName = keyof ProtocolParamsMap & string;

/** The params of protocol `N`'s scenarios, tagged. */
export type ParamsOf<N extends ProtocolName> = N extends ProtocolName
  ? { readonly protocol: N } & ProtocolParamsMap[N]
  : never;
/** A scenario's params: tagged by `protocol`, like the scenario itself. */
export type ScenarioParams = { readonly [N in ProtocolName]: ParamsOf<N> }[ProtocolName];

type DetailName = keyof ProtocolDetailMap & string;
/** A record's detail: tagged by `protocol`. */
export type RecordDetail = { readonly [N in DetailName]: { readonly protocol: N } & ProtocolDetailMap[N] }[DetailName];

type MessageName = keyof ProtocolMessageMap & string;
type MessagesOf<N extends MessageName> = ProtocolMessageMap[N] extends { toWorker: infer T; fromWorker: infer F }
  ? { toWorker: T; fromWorker: F }
  : never;
/** Every protocol's orchestrator -> worker messages. */
export type ProtocolOrchestratorMessage = { [N in MessageName]: MessagesOf<N>['toWorker'] }[MessageName];
/** Every protocol's worker -> orchestrator messages. */
export type ProtocolWorkerMessage = { [N in MessageName]: MessagesOf<N>['fromWorker'] }[MessageName];
