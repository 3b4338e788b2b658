import type { AgentRunContext } from './agent/control.ts';
import type { StopPoint } from './fixtures/locate.ts';
import type { ProxyFault } from './transfer/fault-proxy.ts';
import type { RecordDetail } from './protocols/maps.ts';
import type { Scenario } from './scenario.ts';
import type { Observed, Outcome, OutcomeKind } from './outcome.ts';
import type { SourceName } from './transfer/strategies.ts';
import type { Trend } from './analysis/statistics.ts';
import type { StopReason } from './runner/sampling-options.ts';
import type { Ceilings, References } from './reference-lanes.ts';

/** The receiver's byte count as the orchestrator heard it (about every 200 ms), for per-interval throughput. */
export interface ProgressSample {
  /** Milliseconds since the transfer was started (request sent). */
  readonly atMs: number;
  readonly bytes: number;
}

/** One transfer, as measured. Units are in the field names; MB is 10^6 bytes. */
export interface TransferRecord {
  readonly runId: string;
  readonly scenarioId: string;
  /** 0-based among measured transfers; warm-ups count from 0 too. */
  readonly iteration: number;
  readonly warmup: boolean;
  readonly scenario: Scenario;
  readonly source: SourceName;
  readonly suiteNegotiated: string | null;
  readonly protocolNegotiated: string | null;
  readonly bytesExpected: number;
  readonly bytesWritten: number;
  readonly bytesReceived: number;
  readonly handshakeMs: number | null;
  /** First byte written (sender) to last byte received and verified (receiver). */
  readonly durationMs: number | null;
  readonly mbPerSec: number | null;
  readonly senderCpuMs: number | null;
  readonly receiverCpuMs: number | null;
  readonly senderRssPeakBytes: number | null;
  readonly receiverRssPeakBytes: number | null;
  readonly closeNotify: Observed;
  readonly outcome: Outcome;
  /** Would the receiver's own logic (its mode) have known that something went wrong? */
  readonly receiverNoticed: boolean;
  /** Data lost or damaged and the receiver was not told: the failure this suite exists to find. */
  readonly silentLoss: boolean;
  /** For a truncated transfer of a clean prefix: the SST block where the data stopped. */
  readonly stoppedAt: StopPoint | null;
  /** The fault injected between sender and receiver, if any. */
  readonly fault: ProxyFault | null;
  /** The protocol's own account of the transfer, tagged by `protocol` (src/protocols/<name>/); null: it has none. */
  readonly detail: RecordDetail | null;
  /** The receiver's progress during the transfer (like iperf's intervals). */
  readonly progress: readonly ProgressSample[];
  /** Wall time the whole attempt took, handshake and IPC included. */
  readonly wallMs: number;
  /**
   * The Node and OpenSSL versions of the workers that ran it, as they reported them (absent: not a run's worker pair,
   * or an older results.json).
   */
  readonly nodeVersion?: string;
  readonly opensslVersion?: string;
  /**
   * CPU time the host spent on anything but this run's processes during the transfer, % of all CPU time (steal
   * included); null: not Linux; absent in older results.json.
   */
  readonly hostBusyPercent?: number | null;
  /** Of that, the share the hypervisor gave to other guests (steal time). */
  readonly stealPercent?: number | null;
}

/** Throughput statistics over the delivered transfers of a scenario (MB/s, 10^6 bytes). */
export interface ThroughputStats {
  readonly samples: number;
  readonly meanMbPerSec: number;
  readonly sdMbPerSec: number;
  /** Relative margin of error of the mean, percent (95%, Student's t). */
  readonly rmePercent: number;
  /** Half-width of the 95% confidence interval of the mean (Student's t); absent in older results.json. */
  readonly ciHalfWidthMbPerSec?: number;
  readonly p50MbPerSec: number;
  readonly p99MbPerSec: number;
  readonly minMbPerSec: number;
  readonly maxMbPerSec: number;
}

export interface ScenarioSummary {
  readonly scenarioId: string;
  readonly scenario: Scenario;
  readonly iterations: number;
  readonly outcomes: Readonly<Partial<Record<OutcomeKind, number>>>;
  /** null unless every measured transfer delivered every byte: a rate of a broken transfer means nothing. */
  readonly throughput: ThroughputStats | null;
  readonly meanHandshakeMs: number | null;
  readonly meanSenderCpuMs: number | null;
  readonly meanReceiverCpuMs: number | null;
  readonly maxSenderRssBytes: number | null;
  readonly maxReceiverRssBytes: number | null;
  /** Every measured duration in ms, in order. */
  readonly durationSamplesMs: readonly number[];
  /** How the scenario was sampled and what its samples say about the noise; absent in older results.json. */
  readonly sampling?: SamplingSummary;
  /** Its mean against the run's reference lanes (--reference); absent when none ran. */
  readonly ceilings?: Ceilings;
}

/** A scenario's sampling: warm-up, stopping, and the noise checks over its measured MB/s. */
export interface SamplingSummary {
  /** Unrecorded warm-up transfers of this scenario (after its worker pair's process warm-up). */
  readonly warmupTransfers: number;
  /** The target it sampled towards, % of the mean; null: a fixed number of transfers. */
  readonly targetRmePercent: number | null;
  /** null when there was no target (or a transfer lost bytes, so none applied). */
  readonly targetMet: boolean | null;
  readonly stopReason: StopReason;
  /** Wall time of its measured transfers. */
  readonly measuredMs: number;
  /** Mann-Kendall over the samples in time order (significant and beyond the run's threshold). */
  readonly trend: Trend;
  /** Iterations (0-based) whose MB/s has a modified Z-score beyond 3.5. */
  readonly outliers: readonly number[];
  /** Mean over its measured transfers of the host's other CPU use; null where unknown. */
  readonly hostBusyPercent: number | null;
  readonly stealPercent: number | null;
}

/** One worker pair's warm-up after it started (or was replaced): MB/s of each warm-up transfer, in order. */
export interface ProcessWarmup {
  /** The runtime's label in a run of several (--node); absent: the run's only one. */
  readonly runtime?: string;
  /** 0 for the first pair, then one more per replacement. */
  readonly generation: number;
  /** The scenario the warm-up transfers ran (the cell's TLS settings, a clean ending). */
  readonly scenarioId: string;
  readonly mbPerSec: readonly number[];
  readonly durationMs: readonly number[];
  /** steady: throughput stopped rising; capped: the time cap came first; failed: a warm-up transfer did not deliver. */
  readonly ended: 'steady' | 'capped' | 'failed';
}

export interface RunContext {
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly interrupted: boolean;
  readonly command: string;
  readonly config: unknown;
  readonly environment: Environment;
  /** Every worker process the run started (replacements included). */
  readonly workerPids: readonly number[];
  /**
   * The Node binaries that ran the workers (--node), versions as the workers reported them; absent in older
   * results.json.
   */
  readonly runtimes?: readonly RuntimeRecord[];
  /** Every address the run's servers (sender, fault proxy, Kvrocks master) listened on: config.host, as bound. */
  readonly listenAddresses?: readonly string[];
  readonly fixtures: readonly {
    name: string;
    sizeBytes: number;
    seed: number;
    profile: string;
    crc32c: string;
    dataBlocks: number;
  }[];
  /** With --agent: the remote host, its sessions and clock offsets (`environment` is the orchestrator's host). */
  readonly agent?: AgentRunContext | null;
  /** Every worker pair's warm-up curve; absent in older results.json. */
  readonly processWarmups?: readonly ProcessWarmup[];
}

/** One runtime of the run: its label (as in scenario ids), binary, and the versions its workers reported. */
export interface RuntimeRecord {
  readonly label: string;
  readonly path: string;
  readonly node: string;
  readonly openssl: string;
  /** Did this runtime run any scenario (a --filter can leave one out)? */
  readonly ran: boolean;
}

export interface Environment {
  readonly node: string;
  readonly openssl: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly kernel: string;
  readonly cpuModel: string;
  readonly cpuFlags: {
    readonly aes: boolean;
    readonly vaes: boolean;
    readonly avx2: boolean;
    readonly avx512f: boolean;
  };
  readonly cores: number;
  readonly memoryBytes: number;
  readonly tcpSysctls: Readonly<Record<string, string | null>>;
  readonly gitRevision: string | null;
  readonly gitDirty: boolean | null;
  readonly hostname: string;
  /**
   * How receivers check every byte: where (inline on the read loop, or the
   * checker thread) and with which CRC32C. Absent in older results.json.
   */
  readonly verification?: { readonly verifier: 'inline' | 'thread'; readonly crc32c: string };
}

export interface RunResult {
  readonly context: RunContext;
  readonly scenarios: readonly ScenarioSummary[];
  readonly records: readonly TransferRecord[];
  /** The reference lanes measured beside the cells (--reference); absent: none asked, or an older results.json. */
  readonly references?: References;
}
