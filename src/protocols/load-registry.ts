/**
 * The load protocols (src/protocols/load-protocol.ts): each drives load
 * against its own server from its own command, rather than moving transfers
 * over a worker pair, so it is not in the `run` registry (registry.ts). This
 * is the one place that lists them; compare and report take their samples and
 * summary sections from here. Kept apart from registry.ts so the worker
 * bundles, which import that one, never pull in a load generator.
 */
import { https } from './https/index.ts';
import type { LoadProtocol } from './load-protocol.ts';

// Generic parameters differ per protocol; the readers below take `object` JSON only.
type AnyLoadProtocol = Pick<LoadProtocol<unknown, unknown, unknown, object>, 'name' | 'comparableSamples' | 'report'>;

export const LOAD_PROTOCOLS: readonly AnyLoadProtocol[] = [https];
