/**
 * Every registered protocol's worker-side handlers (its handlers.ts). When the
 * workers are bundled (runner/worker-bundle.ts), this module is replaced by
 * static imports of exactly those files, so a worker carries none of the
 * orchestrator's side of a protocol (certificates, checkpoints, the run loop).
 * Run as it is (unbundled, through tsx), it finds them through the registry.
 */
import type { OrchestratorMessage } from '../transfer/messages.ts';
import type { ProtocolHandlers } from './types.ts';

const { PROTOCOLS } = await import('./registry.ts');

export const PROTOCOL_HANDLERS: readonly ProtocolHandlers<OrchestratorMessage>[] = await Promise.all(
  PROTOCOLS.flatMap((p) => (p.handlers ? [p.handlers] : [])).map(async (url) => ((await import(url.href)) as { handlers: ProtocolHandlers<OrchestratorMessage> }).handlers),
);
