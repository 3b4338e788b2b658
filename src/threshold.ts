/**
 * The failure threshold: for a way of ending a stream that fails only on big
 * files, the smallest size that fails ("works below 250 MB"). Bisection over
 * size, geometric (sizes span three decades), until the failing and passing
 * bounds are within a tolerance. The probe is injected, so the search is a
 * pure, tested function and the runner supplies real transfers.
 */

export interface Probe {
  readonly sizeBytes: number;
  readonly trials: number;
  /** Trials that did not deliver every byte. */
  readonly failures: number;
  /** Outcome kinds seen, with counts. */
  readonly outcomes: Readonly<Record<string, number>>;
}

export type ThresholdResult =
  | { readonly kind: 'none'; readonly maxBytes: number; readonly probes: readonly Probe[] }
  | { readonly kind: 'below-min'; readonly minBytes: number; readonly probes: readonly Probe[] }
  | {
      readonly kind: 'found';
      /** The smallest size seen to fail. */
      readonly failingBytes: number;
      /** The largest size seen to pass, within the tolerance below it. */
      readonly passingBytes: number;
      readonly probes: readonly Probe[];
    };

export interface SearchOptions {
  readonly minBytes: number;
  readonly maxBytes: number;
  /** Stop when failing / passing <= 1 + tolerance (0.05 = 5%). */
  readonly tolerance: number;
  /** A probe fails if any of its trials fails. */
  readonly probe: (sizeBytes: number) => Promise<Probe>;
  readonly onProbe?: (p: Probe) => void;
}

const fails = (p: Probe): boolean => p.failures > 0;

export async function findThreshold(opts: SearchOptions): Promise<ThresholdResult> {
  const probes: Probe[] = [];
  const run = async (size: number): Promise<Probe> => {
    const p = await opts.probe(size);
    probes.push(p);
    opts.onProbe?.(p);
    return p;
  };
  if (!fails(await run(opts.maxBytes))) return { kind: 'none', maxBytes: opts.maxBytes, probes };
  if (fails(await run(opts.minBytes))) return { kind: 'below-min', minBytes: opts.minBytes, probes };
  let lo = opts.minBytes; // passes
  let hi = opts.maxBytes; // fails
  while (hi / lo > 1 + opts.tolerance) {
    const mid = Math.round(Math.sqrt(lo * hi));
    if (mid <= lo || mid >= hi) break;
    if (fails(await run(mid))) hi = mid;
    else lo = mid;
  }
  return { kind: 'found', failingBytes: hi, passingBytes: lo, probes };
}
