/**
 * raw: one stream of one fixture, from a sender (the Node worker or another
 * stack's server) to a receiver mode and peer. Its worker side is the core
 * `serve`/`receive` requests of src/transfer/, which other protocols reuse.
 */
import type { Fixture } from '../../fixtures/types.ts';
import { runTransfer } from '../../runner/transfer.ts';
import { checkPeerMode } from '../../transfer/peer-modes.ts';
import { RECEIVER_PEER_MODES } from '../../transfer/strategies.ts';
import type { Protocol, ProtocolTransport } from '../types.ts';

declare module '../maps.ts' {
  interface ProtocolParamsMap {
    raw: Record<never, never>;
  }
}

export const raw = {
  name: 'raw',
  description: 'one stream of one fixture',
  options: [],
  faults: true,
  check(config) {
    for (const peer of config.receiverPeers) {
      if (!config.receiverModes.some((m) => RECEIVER_PEER_MODES[peer].includes(m)))
        checkPeerMode(peer, config.receiverModes[0]!);
    }
    for (const mode of config.receiverModes) {
      if (!config.receiverPeers.some((p) => RECEIVER_PEER_MODES[p].includes(mode)))
        checkPeerMode(config.receiverPeers[0]!, mode);
    }
  },
  expand(config, sizeBytes) {
    const out: ProtocolTransport<'raw'>[] = [];
    for (const receiverMode of config.receiverModes) {
      for (const receiverPeer of config.receiverPeers) {
        // Each peer plays the modes it can (as each suite runs under its own version).
        if (!RECEIVER_PEER_MODES[receiverPeer].includes(receiverMode)) continue;
        for (const senderPeer of config.senderPeers)
          out.push({
            receiverMode,
            receiverPeer,
            senderPeer,
            streams: 1,
            fileBytes: sizeBytes,
            params: { protocol: 'raw' },
          });
      }
    }
    return out;
  },
  async prepare(scenarios, ctx) {
    const fixtures = new Map<number, Fixture>();
    for (const sizeBytes of [...new Set(scenarios.map((s) => s.sizeBytes))]) {
      if (ctx.interrupted()) break;
      const fixture = await ctx.fixture(sizeBytes);
      if (fixture) fixtures.set(sizeBytes, fixture);
    }
    return {
      async run(pair, t) {
        // The run's fixture of another size (the process warm-up's) is found in the run's cache.
        const fixture = fixtures.get(t.scenario.sizeBytes) ?? (await ctx.fixture(t.scenario.sizeBytes));
        if (!fixture) throw new Error('interrupted');
        return runTransfer(pair, {
          runId: t.runId,
          scenario: t.scenario,
          fixture,
          certs: t.certs,
          source: t.source,
          iteration: t.iteration,
          warmup: t.warmup,
          stallTimeoutMs: t.stallTimeoutMs,
          host: t.host,
          onListening: t.onListening,
          fault: t.fault,
          proxyFault: t.proxyFault,
          signal: t.signal,
          onProgress: t.onProgress,
        });
      },
    };
  },
} satisfies Protocol<'raw'>;
