import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { OPTIONS, SIZE_BOUNDS } from '../config/schema.ts';
import { formatBytes, humanBytes, parseBytes, parseDurationMs } from '../config/units.ts';
import { usageError } from '../errors.ts';
import { makeScenario } from '../matrix.ts';
import { DEFAULT_FIXTURES_DIR, DEFAULT_RESULTS_DIR } from '../paths.ts';
import { thresholdText } from '../report/threshold.ts';
import { makeRunId } from '../runner/orchestrator.ts';
import { runThreshold } from '../runner/threshold-run.ts';
import { resolveSuite } from '../tls/suites.ts';
import { assertWritableDir } from './run-command.ts';
import { mkdir } from 'node:fs/promises';
import { assertLocalAddress } from './host-check.ts';
import { signalExitCode, stoppable } from './signals.ts';

export interface ThresholdFlags {
  readonly shutdown?: string;
  readonly writePath?: string;
  readonly receiver?: string;
  readonly receiverPeer?: string;
  readonly suite?: string;
  readonly chunk?: string;
  readonly min?: string;
  readonly max?: string;
  readonly trials?: string;
  readonly tolerance?: string;
  readonly stallTimeout?: string;
  readonly seed?: string;
  readonly host?: string;
  readonly profile?: string;
  readonly source?: string;
  readonly out?: string;
  readonly fixturesDir?: string;
  readonly json?: boolean;
}

function one<T>(list: readonly T[], flag: string, text: string): T {
  if (list.length !== 1) throw usageError(`${flag} "${text}" is not accepted: threshold takes exactly one value`);
  return list[0]!;
}

/** `5%` or `0.05`, between 0.1% and 50%. */
export function parseTolerance(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(value >= 0.001 && value <= 0.5)) throw usageError(`--tolerance "${text}" is not accepted: expected a fraction such as 5% or 0.05, from 0.1% to 50%`);
  return value;
}

export async function thresholdCommand(flags: ThresholdFlags, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const shutdown = one(OPTIONS.shutdown.parse(flags.shutdown ?? 'destroy', '--shutdown'), '--shutdown', flags.shutdown ?? '');
  const writePath = one(OPTIONS.writePath.parse(flags.writePath ?? 'buffered', '--write-path'), '--write-path', flags.writePath ?? '');
  const receiverMode = one(OPTIONS.receiver.parse(flags.receiver ?? 'until-eof', '--receiver'), '--receiver', flags.receiver ?? '');
  const receiverPeer = one(OPTIONS.receiverPeer.parse(flags.receiverPeer ?? 'node', '--receiver-peer'), '--receiver-peer', flags.receiverPeer ?? '');
  const suite = resolveSuite(flags.suite ?? 'TLS_AES_128_GCM_SHA256');
  const chunkBytes = one(OPTIONS.chunks.parse(flags.chunk ?? '16KiB', '--chunk'), '--chunk', flags.chunk ?? '');
  const minBytes = parseBytes(flags.min ?? '1MB', '--min', SIZE_BOUNDS);
  const maxBytes = parseBytes(flags.max ?? '1GB', '--max', SIZE_BOUNDS);
  if (minBytes >= maxBytes) throw usageError(`--min "${flags.min}" is not accepted: expected a size below --max (${formatBytes(maxBytes)})`);
  const trials = OPTIONS.iterations.parse(flags.trials ?? '3', '--trials');
  const tolerance = parseTolerance(flags.tolerance ?? '5%');
  const stallTimeoutMs = parseDurationMs(flags.stallTimeout ?? '15s', '--stall-timeout', { min: 100, max: 3_600_000 });
  const seed = OPTIONS.seed.parse(flags.seed ?? '1', '--seed');
  const host = OPTIONS.host.parse(flags.host ?? '127.0.0.1', '--host');
  await assertLocalAddress(host, '--host');
  const profile = OPTIONS.profile.parse(flags.profile ?? 'kv', '--profile');
  const source = OPTIONS.source.parse(flags.source ?? 'file', '--source');
  if (!suite.keyTypes.includes('ecdsa-p256') && !suite.keyTypes.includes('rsa-2048')) throw usageError(`--suite "${suite.name}" has no key type`);
  const keyType = suite.keyTypes[0]!;
  const scenarioAt = (sizeBytes: number) =>
    makeScenario({ sizeBytes, chunkBytes, tlsVersion: suite.version, suite: suite.name, keyType, shutdown, writePath, receiverMode, receiverPeer });
  scenarioAt(minBytes); // validates the combination
  const outRoot = flags.out ? resolve(flags.out) : DEFAULT_RESULTS_DIR;
  const fixturesDir = flags.fixturesDir ? resolve(flags.fixturesDir) : DEFAULT_FIXTURES_DIR;
  await assertWritableDir(outRoot, '--out');
  await assertWritableDir(fixturesDir, '--fixtures-dir');
  await mkdir(fixturesDir, { recursive: true });

  const runId = makeRunId();
  let aborted = (): boolean => false;
  try {
    const run = await stoppable((signal) => {
      aborted = () => signal.aborted;
      return runThreshold({
      scenarioAt,
      minBytes,
      maxBytes,
      tolerance,
      trials,
      seed,
      profile,
      source,
      stallTimeoutMs,
      host,
      fixturesDir,
      runId,
      signal,
      onProbe: (p) => err(`probe ${humanBytes(p.sizeBytes)}: ${p.failures}/${p.trials} failed (${Object.entries(p.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')})`),
      });
    });
    const dir = join(outRoot, runId);
    await mkdir(dir, { recursive: true });
    const json = `${JSON.stringify({ schemaVersion: 1, runId, scenario: scenarioAt(minBytes), minBytes, maxBytes, tolerance, trials, host, ...run }, null, 2)}\n`;
    await writeFileAtomic(join(dir, 'threshold.json'), json);
    if (flags.json) out(json.trimEnd());
    else out(`${thresholdText(run, scenarioAt(minBytes), tolerance)}\n\nresults: ${join(dir, 'threshold.json')}`);
    return 0;
  } catch (e) {
    if (aborted()) {
      err('interrupted');
      return signalExitCode() ?? 130;
    }
    throw e;
  }
}
