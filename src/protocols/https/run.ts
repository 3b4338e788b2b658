import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { DEFAULTS as RUN_DEFAULTS, resolveConfig } from '../../config/schema.ts';
import { formatBytes } from '../../config/units.ts';
import { BenchError } from '../../errors.ts';
import { FixtureCache } from '../../fixtures/cache.ts';
import type { Fixture } from '../../fixtures/types.ts';
import { hex } from '../../outcome.ts';
import type { RunContext, RunResult } from '../../results.ts';
import { collectEnvironment } from '../../runner/environment.ts';
import { runBenchmark } from '../../runner/orchestrator.ts';
import { RunCertificates } from '../../tls/certs.ts';
import type { TlsParams } from '../../transfer/messages.ts';
import type { HttpsConfig } from './config.ts';
import { measureCell, type CellSpec } from './load.ts';
import { randomRanges } from './range.ts';
import {
  HTTPS_RESULTS_VERSION,
  type HttpsLoadRecord,
  type HttpsResult,
  type RawStreamCell,
  type VerifiedFetch,
} from './results.ts';
import { FixtureServerProcess } from './server-process.ts';
import { verifiedFetch } from './verify.ts';

/**
 * The raw-stream comparison: one TLS stream of the same fixture, 64 KiB writes, 3 measured transfers after 1 warm-up.
 */
export const RAW_COMPARISON = { chunks: '64KiB', iterations: '3', warmup: '1' } as const;

const HOST = '127.0.0.1';

export interface HttpsRunHooks {
  readonly onPhase?: (text: string) => void;
  readonly onVerified?: (v: VerifiedFetch) => void;
  readonly onCellStart?: (spec: CellSpec, index: number, total: number) => void;
  readonly onCell?: (cell: HttpsLoadRecord) => void;
}

export interface HttpsRunOptions {
  readonly runId: string;
  readonly command: string;
  readonly fixturesDir: string;
  readonly hooks?: HttpsRunHooks;
  /** Stops the cell in flight (its result is kept, the run is marked interrupted). */
  readonly signal?: AbortSignal;
  /** false: no raw-stream comparison (tests of the HTTPS half alone). */
  readonly rawComparison?: boolean;
  /** Tests only: the server holds every response back this long (a run slower by a known, large amount). */
  readonly serverDelayMs?: number;
}

export interface HttpsRun {
  readonly result: HttpsResult;
  /** The raw-stream comparison as a run of its own (null if skipped or interrupted before it). */
  readonly rawRun: RunResult | null;
  /** Every process the run started; none may outlive it. */
  readonly pids: readonly number[];
}

/** The cells in run order: size, then mode, then connections. */
export function planCells(config: HttpsConfig, fixtures: ReadonlyMap<number, Fixture>): CellSpec[] {
  const tls: TlsParams = { tlsVersion: config.tlsVersion, suite: config.suite };
  return config.sizes.flatMap((sizeBytes) =>
    config.modes.flatMap((mode) =>
      config.connections.map((connections) => ({
        fixture: fixtures.get(sizeBytes)?.name ?? '',
        sizeBytes,
        mode,
        rangeChunkBytes: config.rangeChunkBytes,
        connections,
        durationMs: config.durationMs,
        timeoutMs: config.timeoutMs,
        tls,
        keyType: config.keyType,
        seed: RUN_DEFAULTS.seed,
      })),
    ),
  );
}

async function fileRangeCrc(path: string, start: number, end: number): Promise<number> {
  let crc = 0;
  for await (const chunk of createReadStream(path, { start, end, highWaterMark: 1 << 20 }))
    crc = crc32c(chunk as Buffer, crc);
  return crc;
}

/** What every verified fetch must prove before any number of the run counts; throws (exit 1) if one does not. */
export function assertVerified(v: VerifiedFetch): void {
  if (v.problem === null) return;
  const what = `verified fetch of ${v.fixture}${v.range ? ` bytes ${v.range.start}-${v.range.end}` : ''}`;
  const code = v.suiteNegotiated !== null && v.problem.startsWith('asked for') ? 'SUITE_MISMATCH' : 'FIXTURE';
  throw new BenchError(
    code,
    `${what} failed: ${v.problem}${v.errorCode ? ` (${v.errorCode})` : ''}; the HTTPS numbers would mean ` +
      `nothing, so the run stops`,
  );
}

function rawCells(run: RunResult): RawStreamCell[] {
  return run.scenarios.map((s) => ({
    sizeBytes: s.scenario.sizeBytes,
    scenarioId: s.scenarioId,
    suite: s.scenario.suite,
    chunkBytes: s.scenario.chunkBytes,
    iterations: s.iterations,
    outcomes: { ...s.outcomes } as Record<string, number>,
    meanMbPerSec: s.throughput?.meanMbPerSec ?? null,
    p50MbPerSec: s.throughput?.p50MbPerSec ?? null,
    rmePercent: s.throughput?.rmePercent ?? null,
  }));
}

/**
 * The https run: fixtures (the cache `run` uses, same seed and profile), the
 * run's certificate, the server process, one verified fetch per fixture, then
 * autocannon per cell; the server is stopped before the raw-stream comparison
 * so the two never compete for the cores. Writes nothing but fixtures.
 */
export async function runHttpsBench(config: HttpsConfig, opts: HttpsRunOptions): Promise<HttpsRun> {
  const hooks = opts.hooks ?? {};
  const startedAt = new Date().toISOString();
  const cache = new FixtureCache(opts.fixturesDir);
  const fixtures = new Map<number, Fixture>();
  for (const sizeBytes of config.sizes) {
    hooks.onPhase?.(`fixture ${formatBytes(sizeBytes)}`);
    fixtures.set(sizeBytes, await cache.ensure({ sizeBytes, seed: RUN_DEFAULTS.seed, profile: RUN_DEFAULTS.profile }));
  }
  const tls: TlsParams = { tlsVersion: config.tlsVersion, suite: config.suite };
  const tempDir = await mkdtemp(join(tmpdir(), `tls-sst-bench-https-${process.pid}-`));
  await chmod(tempDir, 0o700);
  const pids: number[] = [];
  const cells: HttpsLoadRecord[] = [];
  const verified: VerifiedFetch[] = [];
  let server: FixtureServerProcess | null = null;
  let rawRun: RunResult | null = null;
  try {
    const certs = await RunCertificates.create();
    const files = await certs.get(config.keyType);
    hooks.onPhase?.('starting https server');
    server = await FixtureServerProcess.start({
      tls,
      cert: files.cert,
      key: files.key,
      host: HOST,
      fixtures: [...fixtures.values()].map((f) => ({ name: f.name, path: f.path, sizeBytes: f.sizeBytes })),
      ...(opts.serverDelayMs ? { responseDelayMs: opts.serverDelayMs } : {}),
    });
    pids.push(server.pid);
    const ca = files.caCert;
    for (const f of fixtures.values()) {
      const checks: Promise<VerifiedFetch>[] = [];
      checks.push(
        verifiedFetch({
          host: HOST,
          port: server.port,
          ca,
          tls,
          fixture: f.name,
          bytesExpected: f.sizeBytes,
          crc32cExpected: f.crc32c,
        }),
      );
      if (config.modes.includes('range')) {
        const range = randomRanges(RUN_DEFAULTS.seed, f.sizeBytes, config.rangeChunkBytes)();
        const expected = await fileRangeCrc(f.path, range.start, range.end);
        checks.push(
          verifiedFetch({
            host: HOST,
            port: server.port,
            ca,
            tls,
            fixture: f.name,
            range,
            bytesExpected: range.end - range.start + 1,
            crc32cExpected: expected,
          }),
        );
      }
      for (const v of await Promise.all(checks)) {
        verified.push(v);
        hooks.onVerified?.(v);
        assertVerified(v);
      }
    }
    const plan = planCells(config, fixtures);
    const activeServer = server;
    for (const [index, spec] of plan.entries()) {
      if (opts.signal?.aborted) break;
      hooks.onCellStart?.(spec, index, plan.length);
      const cell = await measureCell(
        spec,
        { host: HOST, port: activeServer.port, stats: () => activeServer.stats() },
        opts.signal,
      );
      cells.push(cell);
      hooks.onCell?.(cell);
    }
    await server.stop();
    if (opts.rawComparison !== false && !opts.signal?.aborted) {
      hooks.onPhase?.('raw TLS stream comparison');
      const rawConfig = resolveConfig([
        {
          where: 'flags',
          raw: {
            sizes: config.sizes.map(formatBytes).join(','),
            chunks: RAW_COMPARISON.chunks,
            tls: config.tlsVersion,
            suites: config.suite,
            key: config.keyType,
            iterations: RAW_COMPARISON.iterations,
            warmup: RAW_COMPARISON.warmup,
          },
        },
      ]);
      rawRun = await runBenchmark(rawConfig, {
        runId: opts.runId,
        command: opts.command,
        fixturesDir: opts.fixturesDir,
        signal: opts.signal,
      });
      pids.push(...rawRun.context.workerPids);
    }
  } finally {
    await server?.stop();
    await rm(tempDir, { recursive: true, force: true });
  }
  const context: RunContext = {
    runId: opts.runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted: opts.signal?.aborted === true,
    command: opts.command,
    config,
    environment: collectEnvironment(),
    workerPids: pids,
    fixtures: [...fixtures.values()].map((f) => ({
      name: f.name,
      sizeBytes: f.sizeBytes,
      seed: f.seed,
      profile: f.profile,
      crc32c: hex(f.crc32c),
      dataBlocks: f.dataBlocks,
    })),
  };
  return {
    result: {
      schemaVersion: HTTPS_RESULTS_VERSION,
      context,
      https: cells,
      verified,
      rawStream: rawRun ? rawCells(rawRun) : [],
    },
    rawRun,
    pids,
  };
}
