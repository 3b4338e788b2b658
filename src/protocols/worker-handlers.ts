import type { WorkerRole } from '../runner/worker-role.ts';
import type { OrchestratorMessage } from '../transfer/messages.ts';
import { PROTOCOL_HANDLERS } from './handler-list.ts';

/**
 * Hands a protocol's request to the handler its protocol gave for this
 * worker's role; false: no protocol handles it here (a core request, or
 * one for the other worker).
 */
export function dispatchProtocolMessage(role: WorkerRole, msg: OrchestratorMessage): boolean {
  for (const handlers of PROTOCOL_HANDLERS) {
    const handler = handlers[role]?.[msg.type];
    if (handler) {
      // Keyed by msg.type, so it takes this very message (TypeScript cannot follow the key to the type).
      (handler as (m: OrchestratorMessage) => void)(msg);
      return true;
    }
  }
  return false;
}
