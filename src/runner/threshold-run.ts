import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureCache } from '../fixtures/cache.ts';
import type { FixtureProfile } from '../fixtures/types.ts';
import type { Scenario } from '../matrix.ts';
import { isDelivered } from '../outcome.ts';
import type { TransferRecord } from '../results.ts';
import { findThreshold, type Probe, type ThresholdResult } from '../threshold.ts';
import { RunCertificates } from '../tls/certs.ts';
import type { SourceName } from '../transfer/strategies.ts';
import { tcpSysctls } from './environment.ts';
import { runTransfer } from './transfer.ts';
import { removeWorkerBundle } from './worker-bundle.ts';
import { WorkerPair } from './workers.ts';

export interface ThresholdRunOptions {
  /** Every field but the size; the size is what the search varies. */
  readonly scenarioAt: (sizeBytes: number) => Scenario;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly tolerance: number;
  readonly trials: number;
  readonly seed: number;
  readonly profile: FixtureProfile;
  readonly source: SourceName;
  readonly stallTimeoutMs: number;
  /** Where the sender listens and the receiver connects; default 127.0.0.1. */
  readonly host?: string;
  /** Probe fixtures go in a temp folder inside it, removed at the end. */
  readonly fixturesDir: string;
  readonly runId: string;
  readonly onProbe?: (p: Probe) => void;
  readonly signal?: AbortSignal;
}

export interface ThresholdRun {
  readonly result: ThresholdResult;
  readonly records: readonly TransferRecord[];
  readonly tcpSysctls: Readonly<Record<string, string | null>>;
  /** Every address the sender listened on. */
  readonly listenAddresses: readonly string[];
}

/** The search with real transfers: `trials` per probed size, one reused worker pair. */
export async function runThreshold(opts: ThresholdRunOptions): Promise<ThresholdRun> {
  const tempDir = await mkdtemp(join(tmpdir(), `tls-sst-bench-threshold-${process.pid}-`));
  await chmod(tempDir, 0o700);
  // Probe sizes are arbitrary: their fixtures are made in a scratch cache and removed.
  const scratch = await mkdtemp(join(opts.fixturesDir, `.threshold-${process.pid}-`));
  const cache = new FixtureCache(scratch);
  const certs = await RunCertificates.create();
  const records: TransferRecord[] = [];
  const listenAddresses = new Set<string>();
  let pair: WorkerPair | null = null;
  const abort = (): void => void pair?.kill();
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    pair = await WorkerPair.start(tempDir);
    const probe = async (sizeBytes: number): Promise<Probe> => {
      const scenario = opts.scenarioAt(sizeBytes);
      const fixture = await cache.ensure({ sizeBytes, seed: opts.seed, profile: opts.profile });
      const outcomes: Record<string, number> = {};
      let failures = 0;
      for (let i = 0; i < opts.trials; i++) {
        if (opts.signal?.aborted) throw new Error('interrupted');
        const r = await runTransfer(pair!, {
          runId: opts.runId,
          scenario,
          fixture,
          certs: await certs.get(scenario.keyType),
          source: opts.source,
          iteration: i,
          warmup: false,
          stallTimeoutMs: opts.stallTimeoutMs,
          host: opts.host,
          onListening: (address) => void listenAddresses.add(address),
          signal: opts.signal,
        });
        records.push(r);
        outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
        if (!isDelivered(r.outcome)) failures += 1;
      }
      await cache.clean(); // one probe's fixture at a time on disk
      return { sizeBytes, trials: opts.trials, failures, outcomes };
    };
    const result = await findThreshold({
      minBytes: opts.minBytes,
      maxBytes: opts.maxBytes,
      tolerance: opts.tolerance,
      probe,
      onProbe: opts.onProbe,
    });
    return { result, records, tcpSysctls: tcpSysctls(), listenAddresses: [...listenAddresses] };
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    await pair?.stop();
    await rm(tempDir, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
    await removeWorkerBundle();
  }
}
