import { execFile, spawn } from 'node:child_process';
import { Bench } from 'tinybench';
import type { RunConfig } from '../config/schema.ts';
import { formatBytes, humanBytes } from '../config/units.ts';
import type { Fixture } from '../fixtures/types.ts';
import type { Scenario } from '../matrix.ts';
import { isDelivered } from '../outcome.ts';
import {
  evpCipherOf,
  type ReferenceLane,
  type ReferenceMeasurement,
  type References,
  type ReferenceSkip,
} from '../references.ts';
import { throughputOf } from '../stats.ts';
import type { RunCertificates } from '../tls/certs.ts';
import type { SourceName } from '../transfer/strategies.ts';
import type { Transport } from '../transfer/messages.ts';
import { DEFAULT_READ_PATH } from '../transfer/read-path.ts';
import { OPENSSL_NATIVE } from './openssl-native.ts';
import { runTransfer } from './transfer.ts';
import type { WorkerPair } from './workers.ts';

/** What the lanes need of the run: its workers, certificates, fixtures and addresses. */
export interface ReferenceContext {
  readonly runId: string;
  readonly pair: WorkerPair;
  readonly certs: RunCertificates;
  readonly fixtures: ReadonlyMap<number, Fixture>;
  readonly host: string;
  readonly source: SourceName;
  /** Set with --agent: one worker is remote, and the native pair would run both ends here. */
  readonly remote: boolean;
  readonly stallTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onPhase?: (text: string) => void;
  readonly onListening?: (address: string) => void;
}

/** Measured transfers per lane measurement (after one warm-up): a few, not the cells' count. */
export const REFERENCE_TRANSFERS_MAX = 3;

/** What a lane transfer plays: the cell's stream with the plainest ending and reader. */
function laneScenario(cell: Scenario, lane: 'tcp' | 'openssl'): Scenario {
  const peer = lane === 'openssl' ? 'openssl-native' : 'node';
  // The tcp lane reads as the cell does; the native receiver has its own read loop.
  const readPath = lane === 'tcp' ? cell.readPath : DEFAULT_READ_PATH;
  return {
    ...cell,
    id: `reference ${lane} ${cell.id}`,
    shutdown: 'end',
    writePath: 'backpressure',
    readPath,
    receiverMode: 'until-eof',
    senderPeer: peer,
    receiverPeer: peer,
    protocol: 'raw',
    streams: 1,
    params: { protocol: 'raw' },
  };
}

/** One representative cell per distinct key, in run order. */
function distinct(cells: readonly Scenario[], key: (s: Scenario) => string): Scenario[] {
  const seen = new Map<string, Scenario>();
  for (const s of cells) if (!seen.has(key(s))) seen.set(key(s), s);
  return [...seen.values()];
}

type Measured =
  | {
      readonly kind: 'measured';
      readonly mbPerSec: number;
      readonly rmePercent: number | null;
      readonly samples: number;
    }
  | { readonly kind: 'failed'; readonly reason: string };

/**
 * Transfers of one lane measurement: one warm-up (if the run warms up), then
 * a few measured ones (tinybench runs them; the statistics module sums them up). Any transfer
 * that does not deliver every byte voids the measurement: a ceiling from a
 * broken stream would mislead.
 */
async function measureTransfers(
  config: RunConfig,
  ctx: ReferenceContext,
  scenario: Scenario,
  transport: Transport,
): Promise<Measured> {
  const fixture = ctx.fixtures.get(scenario.sizeBytes)!;
  const certs = await ctx.certs.get(scenario.keyType);
  let failure: string | null = null;
  let warmup = false;
  let iteration = 0;
  const rates: number[] = [];
  const bench = new Bench({
    iterations: Math.min(config.iterations, REFERENCE_TRANSFERS_MAX),
    time: 0,
    // a time warm-up (--warmup 2s) still means one transfer here: a lane measurement is a few transfers
    warmup: config.warmup.kind === 'time' ? config.warmup.ms > 0 : config.warmup.count > 0,
    warmupIterations: 1,
    warmupTime: 0,
    throws: true,
  });
  bench.add(
    scenario.id,
    async () => {
      if (ctx.signal?.aborted) throw new Error('interrupted');
      const record = await runTransfer(ctx.pair, {
        runId: ctx.runId,
        scenario,
        fixture,
        certs,
        source: ctx.source,
        iteration,
        warmup,
        stallTimeoutMs: ctx.stallTimeoutMs,
        host: ctx.host,
        onListening: ctx.onListening,
        signal: ctx.signal,
        transport,
      });
      iteration += 1;
      if (!isDelivered(record.outcome) || record.durationMs === null) {
        failure ??=
          `transfer ended ` +
          `${record.outcome.kind}${record.outcome.errorCode ? ` [${record.outcome.errorCode}]` : ''}: ` +
          `${record.outcome.errorMessage ?? 'no timing'}`;
        throw new Error(failure);
      }
      if (!warmup && record.mbPerSec !== null) rates.push(record.mbPerSec);
      return { overriddenDuration: record.durationMs };
    },
    {
      beforeAll(mode) {
        warmup = mode === 'warmup';
        iteration = 0;
      },
    },
  );
  try {
    await bench.run();
  } catch (err) {
    return { kind: 'failed', reason: failure ?? (err instanceof Error ? err.message : String(err)) };
  }
  if (rates.length === 0) return { kind: 'failed', reason: 'no samples' };
  // tinybench ran the transfers; the statistics are the run's own module's, as for the cells
  const t = throughputOf(rates);
  return {
    kind: 'measured',
    mbPerSec: t.meanMbPerSec,
    rmePercent: t.samples > 1 ? t.rmePercent : null,
    samples: t.samples,
  };
}

/** `openssl speed` prints "AES-128-GCM    4487151.62k": thousands of bytes per second at the one size asked. */
export function parseOpensslSpeed(stdout: string): number | null {
  const m = /^\S+\s+([\d.]+)k\s*$/m.exec(
    stdout
      .split('\n')
      .filter((l) => /k\s*$/.test(l))
      .pop() ?? '',
  );
  return m ? (Number(m[1]) * 1000) / 1e6 : null;
}

/** The record size the cipher lane measures: a full TLS record's plaintext. */
const RECORD_BYTES = 16384;

function opensslSpeed(cipher: string): Promise<{ mbPerSec: number } | { reason: string }> {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['speed', '-evp', cipher, '-bytes', String(RECORD_BYTES), '-seconds', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', (e: NodeJS.ErrnoException) =>
      resolve({
        reason:
          e.code === 'ENOENT'
            ? 'needs the openssl command, not on PATH: install openssl (apt-get install openssl)'
            : e.message,
      }),
    );
    child.once('close', (code) => {
      const mb = parseOpensslSpeed(out);
      resolve(
        code === 0 && mb !== null
          ? { mbPerSec: mb }
          : { reason: `openssl speed -evp ${cipher} failed (exit ${code}): ${err.trim().split('\n').pop() ?? ''}` },
      );
    });
  });
}

/**
 * Runs the run's reference lanes for the sizes, chunks and suites of its raw
 * cells, on the run's own worker pair, certificates and address: tcp per
 * size and chunk, openssl per size, chunk and suite, cipher once per bulk
 * cipher. A lane that cannot run here is skipped with a one-line reason (and
 * the run goes on); a measurement whose transfers fail is skipped too.
 */
export async function runReferences(
  config: RunConfig,
  scenarios: readonly Scenario[],
  ctx: ReferenceContext,
): Promise<References> {
  const lanes = config.references;
  const measurements: ReferenceMeasurement[] = [];
  const skipped: ReferenceSkip[] = [];
  const skip = (lane: ReferenceLane, reason: string): void => {
    skipped.push({ lane, reason });
    ctx.onPhase?.(`reference ${lane} skipped: ${reason}`);
  };
  const cells = scenarios.filter((s) => s.protocol === 'raw' && ctx.fixtures.has(s.sizeBytes));
  const label = (s: Scenario, withSuite: boolean): string =>
    `${humanBytes(s.sizeBytes)} chunk=` +
    formatBytes(s.chunkBytes) +
    (withSuite ? ` ${s.suite}` : s.readPath !== DEFAULT_READ_PATH ? ` read=${s.readPath}` : '');

  const transferLane = async (
    lane: 'tcp' | 'openssl',
    key: (s: Scenario) => string,
    withSuite: boolean,
    source: string,
  ): Promise<void> => {
    for (const cell of distinct(cells, key)) {
      if (ctx.signal?.aborted) return;
      ctx.onPhase?.(`reference ${lane} ${label(cell, withSuite)}`);
      const m = await measureTransfers(config, ctx, laneScenario(cell, lane), lane === 'tcp' ? 'tcp' : 'tls');
      if (m.kind === 'failed') {
        skip(lane, `${label(cell, withSuite)}: ${m.reason}`);
        continue;
      }
      measurements.push({
        lane,
        sizeBytes: cell.sizeBytes,
        chunkBytes: cell.chunkBytes,
        tlsVersion: withSuite ? cell.tlsVersion : null,
        suite: withSuite ? cell.suite : null,
        readPath: lane === 'tcp' ? cell.readPath : null,
        mbPerSec: m.mbPerSec,
        rmePercent: m.rmePercent,
        samples: m.samples,
        source,
      });
    }
  };

  if (lanes.length > 0 && cells.length === 0) {
    for (const lane of lanes) skip(lane, 'the run has no raw TLS cells to stand beside');
    return { lanes, measurements, skipped };
  }
  for (const lane of lanes) {
    if (ctx.signal?.aborted) break;
    if (lane === 'tcp') {
      await transferLane(
        'tcp',
        (s) => `${s.sizeBytes}/${s.chunkBytes}/${s.readPath}`,
        false,
        'the suite sender and receiver workers over node:net, no TLS (same chunks, read path, CRC32C checker), ' +
          'shutdown end',
      );
    } else if (lane === 'openssl') {
      if (ctx.remote) skip(lane, 'not with --agent: the native pair runs both ends on this host');
      else {
        // No compiler or headers: the build says which package is missing, and the lane is skipped.
        const built = await OPENSSL_NATIVE.binary().catch((err: unknown) =>
          err instanceof Error ? err : new Error(String(err)),
        );
        if (built instanceof Error) skip(lane, built.message);
        else
          await transferLane(
            'openssl',
            (s) => `${s.sizeBytes}/${s.chunkBytes}/${s.tlsVersion}/${s.suite}`,
            true,
            `peers/openssl-native.c (${await nativeOpensslVersion(built)}): SSL_write_ex of the chunk size, ` +
              `SSL_read_ex into 1 MiB, CRC32C in C, shutdown end`,
          );
      }
    } else {
      for (const cell of distinct(cells, (s) => evpCipherOf(s.suite) ?? s.suite)) {
        const cipher = evpCipherOf(cell.suite);
        if (cipher === null) {
          skip(lane, `${cell.suite}: no openssl speed name for its cipher`);
          continue;
        }
        ctx.onPhase?.(`reference cipher ${cipher}`);
        const speed = await opensslSpeed(cipher);
        if ('reason' in speed) {
          skip(lane, speed.reason);
          if (speed.reason.startsWith('needs')) break; // no openssl at all: one line is enough
          continue;
        }
        measurements.push({
          lane,
          sizeBytes: null,
          chunkBytes: null,
          tlsVersion: null,
          suite: cipher,
          readPath: null,
          mbPerSec: speed.mbPerSec,
          rmePercent: null,
          samples: 1,
          source: `openssl speed -evp ${cipher} -bytes ${RECORD_BYTES} -seconds 1 (one core)`,
        });
      }
    }
  }
  return { lanes, measurements, skipped };
}

/** The system libssl the native pair runs on, as it names itself ("OpenSSL 3.0.22 25 Aug 2026"). */
function nativeOpensslVersion(binary: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(binary, ['version'], (err, stdout) => resolve(err ? 'OpenSSL' : stdout.split('\n')[0]!));
  });
}
