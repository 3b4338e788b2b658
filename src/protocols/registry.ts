/**
 * Every protocol the suite runs: the one place that names them. The option
 * table, the matrix, the orchestrator, the workers (runner/worker-bundle.ts)
 * and the reports take them from here. Adding one: its folder, and one line.
 */
import type { TransferRecord } from '../results.ts';
import { echo } from './echo/index.ts';
import { kvrocks } from './kvrocks/index.ts';
import { raw } from './raw/index.ts';
import type { Protocol, ProtocolName } from './types.ts';

/**
 * A protocol for the suite's own tests only: registered when TLS_SST_BENCH_TEST_PROTOCOLS names it (comma-separated).
 */
function testOnly<N extends ProtocolName>(p: Protocol<N>): Protocol<N>[] {
  return (process.env.TLS_SST_BENCH_TEST_PROTOCOLS ?? '').split(',').includes(p.name) ? [p] : [];
}

const LISTED = [raw, kvrocks] as const;

export const PROTOCOLS: readonly Protocol<ProtocolName>[] = [...LISTED, ...testOnly(echo)];

export const PROTOCOL_NAMES: readonly ProtocolName[] = PROTOCOLS.map((p) => p.name);

/** Every protocol's own options, in registry order (the main option table takes them in, with their exact types). */
export const PROTOCOL_OPTIONS = [...raw.options, ...kvrocks.options] as const;

/** The registered protocol of this name; undefined for an unknown one (an https row, an older results.json). */
export function protocolNamed(name: string): Protocol<ProtocolName> | undefined {
  return PROTOCOLS.find((p) => p.name === name);
}

/** The protocol of a scenario, if it is one of the registry's. */
export function protocolOf(s: { readonly protocol: string }): Protocol<ProtocolName> | undefined {
  return protocolNamed(s.protocol);
}

/** The attempts a record took, in its protocol's word; null: its protocol does not retry. */
export function attemptsOf(r: TransferRecord): number | null {
  return protocolOf(r.scenario)?.attempts?.(r) ?? null;
}
