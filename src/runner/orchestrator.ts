import { Bench } from 'tinybench';
import type { RunConfig } from '../config/schema.ts';
import { FixtureCache } from '../fixtures/cache.ts';
import type { Fixture } from '../fixtures/types.ts';
import { expandMatrix, makeScenario, type Scenario } from '../matrix.ts';
import { hex, isDelivered } from '../outcome.ts';
import type {
  ProcessWarmup,
  RunContext,
  RunResult,
  RuntimeRecord,
  ScenarioSummary,
  TransferRecord,
} from '../results.ts';
import type { Runtime } from '../config/runtimes.ts';
import { summarizeScenario } from '../stats.ts';
import { RunCertificates } from '../tls/certs.ts';
import type { SenderFault } from '../transfer/messages.ts';
import { randomFaults, type ProxyFault } from '../transfer/fault-proxy.ts';
import { PROTOCOLS } from '../protocols/registry.ts';
import { isScenarioOf, type PrepareContext, type ProtocolName, type ProtocolRunner } from '../protocols/types.ts';
import { collectEnvironment } from './environment.ts';
import { SHUTDOWN_STRATEGIES_TABLE } from '../transfer/shutdown.ts';
import { hostNoise, hostSnapshot, pooledNoise, type HostNoise } from './host-noise.ts';
import {
  interleaveGroups,
  nextStep,
  processWarmupState,
  targetMet,
  warmupDone,
  type SamplingPolicy,
  type StopReason,
} from './sampling.ts';
import { runReferences } from './references.ts';
import { ceilingsOf, type References } from '../references.ts';
import { removeWorkerBundle } from './worker-bundle.ts';
import { WorkerPair, WorkerProcess, type WorkerFlags, type WorkerLauncher, type WorkerWrappers } from './workers.ts';
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
  /** The config whose sampling settings a scenario uses (a preset's sweep); default the run's. */
  readonly samplingConfigFor?: (scenario: Scenario) => RunConfig | undefined;
  /** Test hook: a misbehaving sender for some scenarios. */
  readonly faultFor?: (scenario: Scenario) => SenderFault | undefined;
  /**
   * What starts a runtime's workers (tests: scripted FakeWorkers); default a local process per role, or the agent's for
   * its role.
   */
  readonly launchWorkers?: (runtime: Runtime) => WorkerLauncher;
}

/**
 * The faults of one scenario: for each kind, `count` seeded random offsets in
 * the stream (same seed, same offsets), each one transfer.
 */
export function faultPlan(config: RunConfig, scenario: Scenario): ProxyFault[] {
  return config.faults.flatMap(({ kind, count }, i) =>
    randomFaults(config.seed * 31 + i, count, kind, scenario.sizeBytes),
  );
}

/** The record with the versions its workers reported in their 'ready' (not the orchestrator's own). */
function stampRuntime(record: TransferRecord, pair: WorkerPair): TransferRecord {
  const v = pair.versions;
  return v ? { ...record, nodeVersion: v.node, opensslVersion: v.openssl } : record;
}

/** A runtime as the run saw it: the workers' word on their versions, or the config-time probe if it never ran. */
function runtimeRecord(r: Runtime, pair: WorkerPair | undefined): RuntimeRecord {
  const v = pair?.versions;
  return {
    label: r.label,
    path: r.path,
    node: v?.node ?? r.node,
    openssl: v?.openssl ?? r.openssl,
    ran: pair !== undefined,
  };
}

export function makeRunId(date = new Date()): string {
  return `${date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-')}-${process.pid}`;
}

/** A scenario's stopping rule: its faults exactly (one transfer each, no warm-up), else the run's policy. */
export function samplingPolicy(config: RunConfig, faults: number): SamplingPolicy {
  if (faults > 0)
    return { warmup: { kind: 'transfers', count: 0 }, iterations: faults, targetRmePercent: null, maxTimeMs: Infinity };
  return {
    warmup: config.warmup,
    iterations: config.iterations,
    targetRmePercent: config.targetRmePercent,
    maxTimeMs: config.maxTimeMs,
  };
}

/**
 * Process warm-up transfers move the run's largest fixture up to this size (smaller ones settle in fewer bytes but more
 * noise).
 */
const WARMUP_FIXTURE_MAX_BYTES = 256e6;

const endsProcess = (s: Scenario): boolean => SHUTDOWN_STRATEGIES_TABLE[s.shutdown].endsProcess === true;

/** One cell of the run loop: its stopping rule and what it ran so far. */
interface Cell {
  readonly scenario: Scenario;
  readonly index: number;
  readonly policy: SamplingPolicy;
  readonly faults: readonly ProxyFault[];
  readonly warmupWallMs: number[];
  readonly measured: TransferRecord[];
  measuredMs: number;
  /** The host's CPU use during each measured transfer. */
  readonly noise: HostNoise[];
  stop: StopReason | null;
}

/**
 * The run: config -> matrix -> fixtures and certificates -> worker pairs ->
 * the sampling loop -> one summary per scenario. The loop takes the matrix in
 * interleave groups (sampling.ts): each group is a tinybench Bench with one
 * task per cell, and every `bench.run()` is one round, one transfer of each
 * cell still sampling, in turn. A cell first runs its warm-up, then measured
 * transfers until its stopping rule says stop. A new or replaced worker pair
 * first warms up until its throughput stops rising. Writes nothing but
 * fixtures (reporters and the CLI do).
 */
export async function runBenchmark(config: RunConfig, opts: RunOptions): Promise<RunResult> {
  const hooks = opts.hooks ?? {};
  const startedAt = new Date().toISOString();
  const scenarios = opts.scenarios ?? expandMatrix(config);
  const cache = new FixtureCache(opts.fixturesDir);
  const onGenerate = (f: { name: string; sizeBytes: number }, done: number): void =>
    hooks.onFixtureProgress?.(f.name, done, f.sizeBytes);
  const pairs = new Map<string, WorkerPair>();
  let interrupted = false;
  // From the very start: a signal during fixture generation stops the run too.
  const onAbort = (): void => {
    interrupted = true;
    for (const p of pairs.values()) void p.kill();
    WorkerProcess.killAll(); // those still starting too
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // Each protocol makes (or finds) what its cells need, in registry order; the fixtures are the run's, listed in
  // results.json.
  const fixtures = new Map<number, Fixture>();
  const prepareContext: PrepareContext = {
    cache,
    seed: config.seed,
    profile: config.profile,
    onPhase: hooks.onPhase,
    interrupted: () => interrupted,
    fixture: async (sizeBytes) => {
      const known = fixtures.get(sizeBytes);
      if (known || interrupted) return known ?? null;
      hooks.onPhase?.(`fixture ${sizeBytes} bytes`);
      try {
        const fixture = await cache.ensure(
          { sizeBytes, seed: config.seed, profile: config.profile },
          { onGenerate, signal: opts.signal },
        );
        fixtures.set(sizeBytes, fixture);
        return fixture;
      } catch (err) {
        if (!interrupted) throw err;
        return null;
      }
    },
  };
  const runners = new Map<string, ProtocolRunner<ProtocolName>>();
  for (const protocol of PROTOCOLS) {
    const own = scenarios.filter((s) => isScenarioOf(s, protocol.name));
    if (own.length === 0 || interrupted) continue;
    runners.set(protocol.name, await protocol.prepare(own, prepareContext));
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
        [...fixtures.values()].map((f) => ({
          sizeBytes: f.sizeBytes,
          seed: f.seed,
          profile: f.profile,
          crc32c: f.crc32c,
        })),
      )
    : null;
  const records: TransferRecord[] = [];
  const summaries: { index: number; summary: ScenarioSummary }[] = [];
  const processWarmups: ProcessWarmup[] = [];
  let references: References | undefined;
  // Every address a server of the run bound (sender, fault proxy, Kvrocks master): what --host did.
  const listenAddresses = new Set<string>();
  const onListening = (address: string): void => void listenAddresses.add(address);
  /** One transfer of `scenario` on `pair`, with the host's other CPU use meanwhile (`noise` collects its jiffies). */
  const transfer = async (
    pair: WorkerPair,
    scenario: Scenario,
    iteration: number,
    warmup: boolean,
    proxyFault?: ProxyFault,
    noise?: HostNoise[],
  ): Promise<TransferRecord> => {
    const certFiles = await certs.get(scenario.keyType);
    const before = hostSnapshot(pair.pids());
    const name = scenario.params?.protocol;
    const runner = name === undefined ? undefined : runners.get(name);
    if (name === undefined || !runner || !isScenarioOf(scenario, name))
      throw new Error(`scenario ${scenario.id}: no prepared protocol ${scenario.protocol} runs it`);
    const result = await runner.run(pair, {
      runId: opts.runId,
      scenario,
      iteration,
      warmup,
      certs: certFiles,
      source: config.source,
      stallTimeoutMs: config.stallTimeoutMs,
      // With an agent the data connection crosses hosts: the address it chose.
      host: agent ? agent.dataHost : config.host,
      onListening,
      fault: opts.faultFor?.(scenario),
      proxyFault,
      signal: opts.signal,
      onProgress: hooks.onTransferProgress,
    });
    const host = hostNoise(before, hostSnapshot(pair.pids()));
    if (host) noise?.push(host);
    return {
      ...stampRuntime(result, pair),
      hostBusyPercent: host?.hostBusyPercent ?? null,
      stealPercent: host?.stealPercent ?? null,
    };
  };

  // The pair generation each runtime's pair was last warmed up at.
  const warmed = new Map<WorkerPair, number>();
  const warmupFixture =
    [...fixtures.values()]
      .filter((f) => f.sizeBytes <= WARMUP_FIXTURE_MAX_BYTES)
      .sort((a, b) => b.sizeBytes - a.sizeBytes)[0] ?? [...fixtures.values()][0];
  /**
   * A new or replaced pair runs clean transfers (the cell's TLS settings, a normal ending) until throughput stops
   * rising.
   */
  const warmUpProcesses = async (pair: WorkerPair, cell: Cell): Promise<void> => {
    // A cell that kills its sender by design never measures on a warm pair: warming one for it is wasted.
    // --smoke promises a run in seconds: no warm-up of any kind.
    if (
      warmed.get(pair) === pair.generation ||
      !warmupFixture ||
      endsProcess(cell.scenario) ||
      config.smoke ||
      config.processWarmup === 'off'
    )
      return;
    const generation = pair.generation;
    const s = cell.scenario;
    const scenario = makeScenario({
      sizeBytes: warmupFixture.sizeBytes,
      chunkBytes: 65536,
      tlsVersion: s.tlsVersion,
      suite: s.suite,
      keyType: s.keyType,
      ...(s.runtime !== undefined ? { runtime: s.runtime } : {}),
    });
    hooks.onPhase?.(`warming up worker pair ${generation}${s.runtime !== undefined ? ` (${s.runtime})` : ''}`);
    const curve: number[] = [];
    const durations: number[] = [];
    let ended: ProcessWarmup['ended'] = 'capped';
    for (;;) {
      const r = await transfer(pair, scenario, curve.length, true);
      if (interrupted) return;
      if (!isDelivered(r.outcome) || r.mbPerSec === null || r.durationMs === null) {
        ended = 'failed';
        break;
      }
      curve.push(r.mbPerSec);
      durations.push(r.durationMs);
      const state = processWarmupState(
        curve,
        durations.reduce((a, b) => a + b, 0),
      );
      if (state !== 'warming') {
        ended = state;
        break;
      }
    }
    processWarmups.push({
      ...(s.runtime !== undefined ? { runtime: s.runtime } : {}),
      generation,
      scenarioId: scenario.id,
      mbPerSec: curve,
      durationMs: durations,
      ended,
    });
    warmed.set(pair, pair.generation);
  };

  /** The cell's turn: one warm-up or measured transfer, then its stopping rule. */
  const takeTurn = async (cell: Cell, pair: WorkerPair): Promise<TransferRecord> => {
    if (interrupted) throw new Error('interrupted');
    await warmUpProcesses(pair, cell);
    if (interrupted) throw new Error('interrupted');
    const warmup = !warmupDone(cell.policy.warmup, cell.warmupWallMs);
    const iteration = warmup ? cell.warmupWallMs.length : cell.measured.length;
    hooks.onTransferStart?.(cell.index, cell.scenario, iteration, warmup);
    const record = await transfer(
      pair,
      cell.scenario,
      iteration,
      warmup,
      warmup ? undefined : cell.faults[iteration],
      warmup ? undefined : cell.noise,
    );
    // The transfer in flight when the run was interrupted was cut by us: not a result.
    if (interrupted) throw new Error('interrupted');
    records.push(record);
    if (warmup) {
      cell.warmupWallMs.push(record.wallMs);
    } else {
      cell.measured.push(record);
      cell.measuredMs += record.wallMs;
      const step = nextStep(cell.policy, {
        mbPerSec: cell.measured.map((r) => (isDelivered(r.outcome) ? r.mbPerSec : null)),
        elapsedMs: cell.measuredMs,
      });
      if (step.kind === 'stop') cell.stop = step.reason;
    }
    hooks.onTransferDone?.(record);
    return record;
  };

  try {
    hooks.onPhase?.(
      agent
        ? `starting workers (${agent.role} on agent ${formatHostPort(agent.endpoint.host, agent.endpoint.port)})`
        : 'starting workers',
    );
    for (const runtime of runtimes.filter((r) => scenarios.some((s) => runtimeOf(s) === r))) {
      if (interrupted) break;
      try {
        const launcher = opts.launchWorkers?.(runtime);
        pairs.set(
          runtime.label,
          await (launcher
            ? WorkerPair.startWith(tempDir, launcher)
            : WorkerPair.start(tempDir, opts.workerFlags, opts.workerWrappers, runtime.path, agent ?? undefined)),
        );
      } catch (err) {
        if (!interrupted) throw err; // a worker killed while starting by the interruption
      }
    }
    hooks.onWorkers?.([...pairs.values()].flatMap((p) => p.pids()));
    const warmupGuess = config.warmup.kind === 'transfers' ? config.warmup.count : 1;
    hooks.onPlan?.(
      scenarios,
      config.faults.length > 0 ? config.faults.reduce((n, f) => n + f.count, 0) : warmupGuess + config.iterations,
    );

    for (const group of interleaveGroups(scenarios, config.order, endsProcess)) {
      if (interrupted) break;
      const cells: Cell[] = group.map((scenario) => {
        const faults = faultPlan(config, scenario);
        return {
          scenario,
          index: scenarios.indexOf(scenario),
          policy: samplingPolicy(opts.samplingConfigFor?.(scenario) ?? config, faults.length),
          faults,
          warmupWallMs: [],
          measured: [],
          measuredMs: 0,
          noise: [],
          stop: null,
        };
      });
      // tinybench's task model runs the rounds: one task per cell, each run once per bench.run(), in order.
      const bench = new Bench({ iterations: 1, time: 0, warmup: false, throws: true });
      for (const cell of cells) {
        bench.add(cell.scenario.id, async () => {
          const pair = pairs.get(runtimeOf(cell.scenario).label);
          if (!pair) throw new Error('interrupted'); // while the workers were starting
          const record = await takeTurn(cell, pair);
          // tinybench keeps our measured span, not its own wall clock around the IPC.
          return { overriddenDuration: record.durationMs ?? record.wallMs };
        });
      }
      while (!interrupted && cells.some((c) => c.stop === null)) {
        for (const c of cells) if (c.stop !== null && bench.getTask(c.scenario.id)) bench.remove(c.scenario.id);
        const before = records.length;
        // A task keeps its finished state across runs: reset, so every run is a new round.
        bench.reset();
        try {
          await bench.run();
        } catch (err) {
          if (!interrupted) throw err;
        }
        // A round that ran nothing would spin here forever without yielding to I/O.
        if (!interrupted && records.length === before)
          throw new Error(`sampling loop: a round of ${bench.tasks.length} task(s) ran no transfer`);
      }
      for (const cell of cells) {
        // Cut short: a summary of what it measured, if anything.
        if (interrupted && cell.stop === null && cell.measured.length === 0) continue;
        const stopReason = cell.stop ?? 'interrupted';
        summaries.push({
          index: cell.index,
          summary: summarizeScenario(cell.scenario, cell.measured, {
            warmupTransfers: cell.warmupWallMs.length,
            targetRmePercent: cell.policy.targetRmePercent,
            targetMet: targetMet(cell.policy, stopReason),
            stopReason,
            measuredMs: cell.measuredMs,
            host: pooledNoise(cell.noise),
            alpha: config.alpha,
            threshold: config.threshold,
          }),
        });
      }
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
      ? {
          agent: formatHostPort(agent.endpoint.host, agent.endpoint.port),
          role: agent.role,
          dataHost: agent.dataHost,
          sessions: agent.sessions,
        }
      : null,
    processWarmups,
  };
  const ordered = summaries.sort((a, b) => a.index - b.index).map((x) => x.summary);
  if (!references) return { context, scenarios: ordered, records };
  const withCeilings = ordered.map((s) => ({ ...s, ceilings: ceilingsOf(s, references) }));
  return { context, scenarios: withCeilings, records, references };
}
