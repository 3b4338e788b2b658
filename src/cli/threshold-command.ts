import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.ts';
import { humanBytes } from '../config/units.ts';
import { resolveThresholdConfig, type ThresholdConfig, type ThresholdRawConfig } from '../config/threshold-config.ts';
import { usageError } from '../errors.ts';
import { makeScenario, type Scenario } from '../matrix.ts';
import { thresholdText } from '../report/threshold.ts';
import { runThreshold, type ThresholdRun } from '../runner/threshold-run.ts';
import { runSteps } from './command.ts';
import { assertLocalAddress } from './host-check.ts';

export { parseTolerance } from '../config/threshold-config.ts';

/** Flags as commander hands them over: the option list's keys, and the fixture folder. */
export type ThresholdFlags = ThresholdRawConfig & { readonly fixturesDir?: string };

export async function thresholdCommand(
  flags: ThresholdFlags,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const { fixturesDir, ...raw } = flags;
  let scenarioAt: (sizeBytes: number) => Scenario = () => {
    throw new Error('no config yet');
  };
  const json = (config: ThresholdConfig, runId: string, run: ThresholdRun): string => {
    const { minBytes, maxBytes, tolerance, trials, host } = config;
    return (
      JSON.stringify(
        {
          schemaVersion: 1,
          runId,
          scenario: scenarioAt(minBytes),
          minBytes,
          maxBytes,
          tolerance,
          trials,
          host,
          ...run,
        },
        null,
        2,
      ) + '\n'
    );
  };
  return runSteps<ThresholdConfig, ThresholdRun>({
    resolve: () => {
      const config = resolveThresholdConfig(raw);
      const { suite, shutdown, writePath, receiverMode, receiverPeer, chunkBytes } = config;
      if (!suite.keyTypes.includes('ecdsa-p256') && !suite.keyTypes.includes('rsa-2048'))
        throw usageError(`--suite "${suite.name}" has no key type`);
      const keyType = suite.keyTypes[0]!;
      scenarioAt = (sizeBytes) =>
        makeScenario({
          sizeBytes,
          chunkBytes,
          tlsVersion: suite.version,
          suite: suite.name,
          keyType,
          shutdown,
          writePath,
          receiverMode,
          receiverPeer,
        });
      scenarioAt(config.minBytes); // validates the combination
      return config;
    },
    check: (config) => assertLocalAddress(config.host, '--host'),
    out: (config) => config.out,
    fixturesDir,
    prepare: async (_config, folders) => void (await mkdir(folders.fixturesDir, { recursive: true })),
    run: (config, { runId, fixturesDir: dir }, signal) =>
      runThreshold({
        scenarioAt,
        minBytes: config.minBytes,
        maxBytes: config.maxBytes,
        tolerance: config.tolerance,
        trials: config.trials,
        seed: config.seed,
        profile: config.profile,
        source: config.source,
        stallTimeoutMs: config.stallTimeoutMs,
        host: config.host,
        fixturesDir: dir,
        runId,
        signal,
        onProbe: (p) =>
          err(
            `probe ${humanBytes(p.sizeBytes)}: ${p.failures}/${p.trials} failed (${Object.entries(p.outcomes)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ')})`,
          ),
      }),
    // The search throws when stopped mid-probe: nothing is written then.
    throwsWhenStopped: { say: err },
    interrupted: () => false,
    write: async (config, { runId, runDir }, run) => {
      await mkdir(runDir, { recursive: true });
      await writeFileAtomic(join(runDir, 'threshold.json'), json(config, runId, run));
    },
    show: (config, { runId, runDir }, run) => {
      if (config.json) out(json(config, runId, run).trimEnd());
      else
        out(
          `${thresholdText(run, scenarioAt(config.minBytes), config.tolerance)}\n\nresults: ` +
            `${join(runDir, 'threshold.json')}`,
        );
      return 0;
    },
  });
}
