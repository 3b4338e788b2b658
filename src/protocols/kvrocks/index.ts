/**
 * kvrocks: the Kvrocks full-sync emulation. The master (sender worker) serves
 * a checkpoint of SST files, the replica (receiver worker) fetches them over
 * 1 or 4 connections, judging each file by its byte count as Kvrocks does,
 * and retries a failed sync whole.
 */
import { formatBytes } from '../../config/units.ts';
import { usageError } from '../../errors.ts';
import type { Protocol } from '../types.ts';
import { buildCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { KvrocksStreams } from './messages.ts';
import { MAX_WRITE_BYTES } from './protocol.ts';
import { syncToTransferRecord } from './record.ts';
import { runKvrocksSync } from './sync.ts';
import { KVROCKS_OPTIONS, type KvrocksConfig } from './options.ts';

/** What a scenario of a sync carries beyond the shared axes: its retry policy. */
export interface KvrocksParams {
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
}

declare module '../maps.ts' {
  interface ProtocolParamsMap {
    kvrocks: KvrocksParams;
  }
}

export const kvrocks = {
  name: 'kvrocks',
  description: 'the Kvrocks full-sync emulation',
  options: KVROCKS_OPTIONS,
  faults: false,
  handlers: { sender: new URL('./sender.ts', import.meta.url), receiver: new URL('./receiver.ts', import.meta.url) },
  check(config) {
    if (config.faults.length > 0)
      throw usageError('--faults applies to --protocol raw only: a Kvrocks sync has many connections');
    const big = config.chunks.find((c) => c > MAX_WRITE_BYTES);
    if (big !== undefined)
      throw usageError(
        `--chunks "${formatBytes(big)}" is too large for --protocol kvrocks: the master writes at most 16KiB at a time`,
      );
  },
  checkUnused(config) {
    if (config.streams.some((n) => n !== 1))
      throw usageError(
        `--streams "${config.streams.join(',')}" needs --protocol kvrocks: a raw transfer is one connection`,
      );
  },
  expand(config, sizeBytes) {
    // The replica's way of reading is the protocol's (count, never EOF), and it is ours.
    const params = { protocol: 'kvrocks' as const, maxAttempts: config.maxAttempts, retryDelayMs: config.retryDelayMs };
    return config.streams.map((streams) => ({
      receiverMode: 'framed' as const,
      receiverPeer: 'node' as const,
      senderPeer: 'node' as const,
      streams,
      fileBytes: Math.min(config.fileBytes, sizeBytes),
      params,
    }));
  },
  readPathRefusal: (readPath) =>
    `--read-path "${readPath}" cannot be played by --protocol kvrocks: its replica reads 4 KiB at a time, as ` +
    `Kvrocks does; use data`,
  // The file size is a choice of its own here (for raw streams it is the size again, and raw ids stay as they were).
  filesAxis: true,
  peerLabel: (s) => `kvrocks x${s.streams}`,
  attempts: (r) => (r.detail?.protocol === 'kvrocks' ? r.detail.attempts : null),
  async prepare(scenarios, ctx) {
    // A sync moves a checkpoint: SST files of fileBytes adding up to its size.
    const keyOf = (s: { sizeBytes: number; fileBytes: number }): string => `${s.sizeBytes}/${s.fileBytes}`;
    const checkpoints = new Map<string, Checkpoint>();
    for (const s of scenarios) {
      if (ctx.interrupted()) break;
      if (checkpoints.has(keyOf(s))) continue;
      ctx.onPhase?.(`checkpoint ${s.sizeBytes} bytes in files of ${s.fileBytes}`);
      checkpoints.set(
        keyOf(s),
        await buildCheckpoint(ctx.cache, {
          totalBytes: s.sizeBytes,
          fileBytes: s.fileBytes,
          seed: ctx.seed,
          profile: ctx.profile,
        }),
      );
    }
    return {
      async run(pair, t) {
        const s = t.scenario;
        const sync = await runKvrocksSync(pair, {
          runId: t.runId,
          checkpoint: checkpoints.get(keyOf(s))!,
          certs: t.certs,
          tls: { tlsVersion: s.tlsVersion, suite: s.suite },
          chunkBytes: s.chunkBytes,
          shutdown: s.shutdown,
          writePath: s.writePath,
          streams: s.streams as KvrocksStreams,
          maxAttempts: s.params.maxAttempts,
          retryDelayMs: s.params.retryDelayMs,
          stallTimeoutMs: t.stallTimeoutMs,
          host: t.host,
          onListening: t.onListening,
          signal: t.signal,
          onProgress: t.onProgress,
        });
        return syncToTransferRecord(sync, { scenario: s, iteration: t.iteration, warmup: t.warmup, source: t.source });
      },
    };
  },
} satisfies Protocol<'kvrocks', KvrocksConfig>;
