// The sampling settings' vocabulary, as config and the sampling rules both use it: a leaf, so that
// config/schema.ts can name them without importing the rules (which import the matrix, which imports config).

/** A scenario's own warm-up: a number of transfers, or transfers until this much of its wall time has passed. */
export type WarmupPolicy =
  { readonly kind: 'transfers'; readonly count: number } | { readonly kind: 'time'; readonly ms: number };

/**
 * In what order a run's cells take their transfers: round-robin within each interleave group, or one cell after
 * another.
 */
export type Order = 'interleaved' | 'sequential';
export const ORDERS: readonly Order[] = ['interleaved', 'sequential'];

/** Why a cell stopped sampling (results.ts records it on each scenario's summary). */
export type StopReason = 'iterations' | 'target-met' | 'max-time' | 'max-samples' | 'not-delivered' | 'interrupted';
