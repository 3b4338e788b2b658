/**
 * Every registered protocol's sender-worker handlers. When the workers are
 * bundled (runner/worker-bundle.ts), this module is replaced by static imports
 * of exactly those modules, so the sender carries neither the other role's
 * code nor the orchestrator's side of a protocol (certificates, checkpoints,
 * the run loop). Run as it is (unbundled, through tsx), it finds them through
 * the registry.
 */
import { handlersOf } from './worker-handlers.ts';

export const HANDLERS = await handlersOf('sender');
