import { Bench } from 'tinybench';
import type { RunConfig } from '../config/schema.ts';
import { FixtureCache } from '../fixtures/cache.ts';
import type { Fixture } from '../fixtures/types.ts';
import { expandMatrix, type Scenario } from '../matrix.ts';
import { hex } from '../outcome.ts';
import type { RunContext, RunResult, RuntimeRecord, ScenarioSummary, TransferRecord } from '../results.ts';
import type { Runtime } from '../config/runtimes.ts';
import { summarizeScenario } from '../stats.ts';
import { RunCertificates } from '../tls/certs.ts';
import type { SenderFault } from '../transfer/messages.ts';
import { randomFaults, type ProxyFault } from '../transfer/fault-proxy.ts';
import { buildCheckpoint, type Checkpoint } from '../kvrocks/checkpoint.ts';
import type { KvrocksStreams } from '../kvrocks/messages.ts';
import { syncToTransferRecord } from '../kvrocks/record.ts';
import { runKvrocksSync } from '../kvrocks/sync.ts';
import { collectEnvironment } from './environment.ts';
import { runTransfer } from './transfer.ts';
import { runReferences } from './references.ts';
import { ceilingsOf, type References } from '../references.ts';
import { removeWorkerBundle } from './worker-bundle.ts';
import { WorkerPair, WorkerProcess, type WorkerFlags, type WorkerWrappers } from './workers.ts';
import { AgentLauncher, type AgentEndpoint } from './remote-worker.ts';
import { formatHostPort } from '../agent/control.ts';
import { makePrivateDir } from '../private-dirs.ts';

export interface RunHooks {
  readonly onPhase?: (text: string) => void;
  readonly onFixtureProgress?: (name: string, bytesDone: number, sizeBytes: number) => void;
  readonly onPlan?: (scenarios: readonly Scenario[], transfersPerScenario: number) => void;
  readonly onTransferStart?: (scenarioIndex: number, scenario: Scenario, iteration: number, warmup: boolean) => void;
  readonly onTransferProgress?: (bytes: number) => void;
  readonly onTransferDone?: (record: TransferRecord) => void;
  readonly onWorkers?: (pids: readonly number[]) => void;
}

export interface RunOptions {
  readonly runId: string;
  readonly command: string;
  readonly fixturesDir: string;
  readonly hooks?: RunHooks;
  /** Stops after the transfer in flight is killed; the result is marked interrupted. */
  readonly signal?: AbortSignal;
  /** The scenarios to run (e.g. several sweeps); default: the config's matrix. */
  readonly scenarios?: readonly Scenario[];
  /** Extra Node flags for the workers (`tls-sst-bench profile`). */
  readonly workerFlags?: WorkerFlags;
  /** Programs that start a worker themselves (a profiler). */
  readonly workerWrappers?: WorkerWrappers;
  /** One role's worker on a remote agent (checked by agentEndpoint()). */
  readonly agent?: AgentEndpoint | null;
  /** Test hook: a misbehaving sender for some scenarios. */
  readonly faultFor?: (scenario: Scenario) => SenderFault | undefined;
}

/**
 * The faults of one scenario: for each kind, `count` seeded random offsets in
 * the stream (same seed, same offsets), each one transfer.
 */
export function faultPlan(config: RunConfig, scenario: Scenario): ProxyFault[] {
  return config.faults.flatMap(({ kind, count }, i) => randomFaults(config.seed * 31 + i, count, kind, scenario.sizeBytes));
}

/** The record with the versions its workers reported in their 'ready' (not the orchestrator's own). */
function stampRuntime(record: TransferRecord, pair: WorkerPair): TransferRecord {
  const v = pair.versions;
  return v ? { ...record, nodeVersion: v.node, opensslVersion: v.openssl } : record;
}

/** A runtime as the run saw it: the workers' word on their versions, or the config-time probe if it never ran. */
function runtimeRecord(r: Runtime, pair: WorkerPair | undefined): RuntimeRecord {
  const v = pair?.versions;
  return { label: r.label, path: r.path, node: v?.node ?? r.node, openssl: v?.openssl ?? r.openssl, ran: pair !== undefined };
}

export function makeRunId(date = new Date()): string {
  return `${date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z').replace('T', '-')}-${process.pid}`;
}

/**
 * The run: fixtures, certificates, one reused worker pair, then per scenario a
 * tinybench task whose iterations are transfers. Returns every record and a
 * summary per scenario; writes nothing but fixtures (reporters and the CLI do).
 */
export async function runBenchmark(config: RunConfig, opts: RunOptions): Promise<RunResult> {
  const hooks = opts.hooks ?? {};
  const startedAt = new Date().toISOString();
  const scenarios = opts.scenarios ?? expandMatrix(config);
  const cache = new FixtureCache(opts.fixturesDir);
  const onGenerate = (f: { name: string; sizeBytes: number }, done: number): void => hooks.onFixtureProgress?.(f.name, done, f.sizeBytes);
  const pairs = new Map<string, WorkerPair>();
  let interrupted = false;
  // From the very start: a signal during fixture generation stops the run too.
  const onAbort = (): void => {
    interrupted = true;
    for (const p of pairs.values()) void p.kill();
    WorkerProcess.killAll(); // those still starting too
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const fixtures = new Map<number, Fixture>();
  for (const sizeBytes of [...new Set(scenarios.filter((s) => s.protocol === 'raw').map((s) => s.sizeBytes))]) {
    if (interrupted) break;
    hooks.onPhase?.(`fixture ${sizeBytes} bytes`);
    try {
      fixtures.set(sizeBytes, await cache.ensure({ sizeBytes, seed: config.seed, profile: config.profile }, { onGenerate, signal: opts.signal }));
    } catch (err) {
      if (!interrupted) throw err;
    }
  }
  // A Kvrocks scenario moves a checkpoint: SST files of fileBytes adding up to its size.
  const checkpointKey = (s: Scenario): string => `${s.sizeBytes}/${s.fileBytes}`;
  const checkpoints = new Map<string, Checkpoint>();
  for (const s of scenarios.filter((x) => x.protocol === 'kvrocks')) {
    if (interrupted) break;
    if (checkpoints.has(checkpointKey(s))) continue;
    hooks.onPhase?.(`checkpoint ${s.sizeBytes} bytes in files of ${s.fileBytes}`);
    checkpoints.set(checkpointKey(s), await buildCheckpoint(cache, { totalBytes: s.sizeBytes, fileBytes: s.fileBytes, seed: config.seed, profile: config.profile }));
  }

  // One private dir per run: certificates and the workers' stderr (OpenSSL traces).
  // Named with this pid, so a later start sweeps it if this process is killed; removed at exit in any case.
  const temp = await makePrivateDir('tls-sst-bench-run-');
  const tempDir = temp.dir;
  const certs = await RunCertificates.create();
  // One reused worker pair per runtime (--node), each on its own Node binary.
  const runtimes = config.runtimes;
  const runtimeOf = (s: Scenario): Runtime => runtimes.find((r) => r.label === s.runtime) ?? runtimes[0]!;
  const agent = opts.agent
    ? new AgentLauncher(
        opts.agent,
        [...fixtures.values()].map((f) => ({ sizeBytes: f.sizeBytes, seed: f.seed, profile: f.profile, crc32c: f.crc32c })),
      )
    : null;
  const records: TransferRecord[] = [];
  const summaries: ScenarioSummary[] = [];
  let references: References | undefined;
  // Every address a server of the run bound (sender, fault proxy, Kvrocks master): what --host did.
  const listenAddresses = new Set<string>();
  const onListening = (address: string): void => void listenAddresses.add(address);
  try {
    hooks.onPhase?.(agent ? `starting workers (${agent.role} on agent ${formatHostPort(agent.endpoint.host, agent.endpoint.port)})` : 'starting workers');
    for (const runtime of runtimes.filter((r) => scenarios.some((s) => runtimeOf(s) === r))) {
      if (interrupted) break;
      try {
        pairs.set(runtime.label, await WorkerPair.start(tempDir, opts.workerFlags, opts.workerWrappers, runtime.path, agent ?? undefined));
      } catch (err) {
        if (!interrupted) throw err; // a worker killed while starting by the interruption
      }
    }
    hooks.onWorkers?.([...pairs.values()].flatMap((p) => p.pids()));
    hooks.onPlan?.(scenarios, config.faults.length > 0 ? config.faults.reduce((n, f) => n + f.count, 0) : config.warmup + config.iterations);
    for (const [index, scenario] of scenarios.entries()) {
      if (interrupted) break;

      const certFiles = await certs.get(scenario.keyType);
      const measured: TransferRecord[] = [];
      const faults = faultPlan(config, scenario);
      let phase: 'warmup' | 'run' = 'run';
      let iteration = 0;
      const bench = new Bench({
        iterations: faults.length > 0 ? faults.length : config.iterations,
        time: 0,
        warmup: faults.length === 0 && config.warmup > 0,
        warmupIterations: config.warmup,
        warmupTime: 0,
        retainSamples: true,
        throws: true,
      });
      const activePair = pairs.get(runtimeOf(scenario).label);
      if (!activePair) break; // interrupted while the workers were starting
      bench.add(
        scenario.id,
        async () => {
          if (interrupted) throw new Error('interrupted');
          const warmup = phase === 'warmup';
          hooks.onTransferStart?.(index, scenario, iteration, warmup);
          const result =
            scenario.protocol === 'kvrocks'
              ? syncToTransferRecord(
                  await runKvrocksSync(activePair, {
                    runId: opts.runId,
                    checkpoint: checkpoints.get(checkpointKey(scenario))!,
                    certs: certFiles,
                    tls: { tlsVersion: scenario.tlsVersion, suite: scenario.suite },
                    chunkBytes: scenario.chunkBytes,
                    shutdown: scenario.shutdown,
                    writePath: scenario.writePath,
                    streams: scenario.streams as KvrocksStreams,
                    maxAttempts: config.maxAttempts,
                    retryDelayMs: config.retryDelayMs,
                    stallTimeoutMs: config.stallTimeoutMs,
                    host: config.host,
                    onListening,
                    signal: opts.signal,
                    onProgress: hooks.onTransferProgress,
                  }),
                  { scenario, iteration, warmup, source: config.source },
                )
              : await runTransfer(activePair, {
                  runId: opts.runId,
                  scenario,
                  fixture: fixtures.get(scenario.sizeBytes)!,
                  certs: certFiles,
                  source: config.source,
                  iteration,
                  warmup,
                  stallTimeoutMs: config.stallTimeoutMs,
                  // With an agent the data connection crosses hosts: the address it chose.
                  host: agent ? agent.dataHost : config.host,
                  onListening,
                  fault: opts.faultFor?.(scenario),
                  proxyFault: faults[iteration],
                  signal: opts.signal,
                  onProgress: hooks.onTransferProgress,
                });
          // The transfer in flight when the run was interrupted was cut by us: not a result.
          if (interrupted) throw new Error('interrupted');
          iteration += 1;
          const record = stampRuntime(result, activePair);
          records.push(record);
          if (!warmup) measured.push(record);
          hooks.onTransferDone?.(record);
          // tinybench keeps our measured span, not its own wall clock around the IPC.
          return { overriddenDuration: record.durationMs ?? record.wallMs };
        },
        {
          beforeAll(mode) {
            phase = mode === 'warmup' ? 'warmup' : 'run';
            iteration = 0;
          },
        },
      );
      try {
        await bench.run();
      } catch (err) {
        if (!interrupted) throw err;
      }
      const result = bench.tasks[0]?.result;
      const throughput = result && 'throughput' in result && !interrupted ? result.throughput : null;
      summaries.push(summarizeScenario(scenario, measured, throughput));
    }
    // The ceilings, as a block after the cells, on the first runtime's pair and the cells' address.
    const refPair = pairs.get(runtimes[0]!.label) ?? [...pairs.values()][0];
    if (config.references.length > 0 && !interrupted && refPair) {
      references = await runReferences(config, scenarios, {
        runId: opts.runId,
        pair: refPair,
        certs,
        fixtures,
        host: agent ? agent.dataHost : config.host,
        source: config.source,
        remote: agent !== null,
        stallTimeoutMs: config.stallTimeoutMs,
        signal: opts.signal,
        onPhase: hooks.onPhase,
        onListening,
      });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await Promise.all([...pairs.values()].map((p) => p.stop()));
    await temp.remove();
    await removeWorkerBundle();
  }
  const context: RunContext = {
    runId: opts.runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    interrupted,
    command: opts.command,
    config,
    environment: collectEnvironment(),
    workerPids: [...pairs.values()].flatMap((p) => p.allPids),
    runtimes: runtimes.map((r) => runtimeRecord(r, pairs.get(r.label))),
    listenAddresses: [...listenAddresses],
    fixtures: [...fixtures.values()].map((f) => ({
      name: f.name,
      sizeBytes: f.sizeBytes,
      seed: f.seed,
      profile: f.profile,
      crc32c: hex(f.crc32c),
      dataBlocks: f.dataBlocks,
    })),
    agent: agent
      ? { agent: formatHostPort(agent.endpoint.host, agent.endpoint.port), role: agent.role, dataHost: agent.dataHost, sessions: agent.sessions }
      : null,
  };
  if (!references) return { context, scenarios: summaries, records };
  const withCeilings = summaries.map((s) => ({ ...s, ceilings: ceilingsOf(s, references) }));
  return { context, scenarios: withCeilings, records, references };
}
