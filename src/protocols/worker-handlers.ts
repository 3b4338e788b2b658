import type { WorkerRole } from '../runner/worker-role.ts';
import type { OrchestratorMessage } from '../transfer/messages.ts';
import type { WorkerHandlers } from './types.ts';

type AnyHandlers = WorkerHandlers<OrchestratorMessage>;

/**
 * Every registered protocol's handlers for one role, loaded through the registry (the unbundled way; see
 * sender-handlers.ts).
 */
export async function handlersOf(role: WorkerRole): Promise<readonly AnyHandlers[]> {
  const { PROTOCOLS } = await import('./registry.ts');
  const urls = PROTOCOLS.flatMap((p) => (p.handlers?.[role] ? [p.handlers[role]] : []));
  return Promise.all(urls.map(async (url) => ((await import(url.href)) as { handlers: AnyHandlers }).handlers));
}

/**
 * Hands a protocol's request to the handler a protocol gave for it; false:
 * none did (a core request, or one for the other worker).
 */
export function dispatchProtocolMessage(handlers: readonly AnyHandlers[], msg: OrchestratorMessage): boolean {
  for (const h of handlers) {
    const handler = h[msg.type];
    if (handler) {
      // Keyed by msg.type, so it takes this very message (TypeScript cannot follow the key to the type).
      (handler as (m: OrchestratorMessage) => void)(msg);
      return true;
    }
  }
  return false;
}
