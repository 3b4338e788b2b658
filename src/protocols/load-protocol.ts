import type { AnyOptionEntry } from '../config/options.ts';
import type { ComparableSample } from '../compare/compare.ts';
import type { Finding } from '../report/finding.ts';

/**
 * A protocol that does not move one transfer at a time over a sender/receiver
 * worker pair (types.ts's `Protocol`) but drives load against a server process
 * of its own, from a command of its own, and records load records of its own
 * instead of TransferRecords (HTTPS: a fixture server process, autocannon in
 * the CLI process, one record per cell with per-interval samples). The rest
 * of the suite reads it through this shape only: compare through
 * `comparableSamples`, report through `report.summarySection`.
 *
 * `Config`: its resolved settings; `Options`: what one run is handed besides
 * them; `Run`: what a run returns; `Json`: its results.json (a run's common
 * `{ context, scenarios, records }` plus its own sections).
 */
export interface LoadProtocol<Config, Options, Run, Json extends object> {
  readonly name: string;
  /** One line for help and README. */
  readonly description: string;
  /** The `tls-sst-bench` command that runs it. */
  readonly command: string;
  /** Its own option list (key, flag, parser, default), entries of the option helper (config/options.ts). */
  readonly options: readonly AnyOptionEntry[];
  resolveConfig(layers: readonly { where: string; raw: Readonly<Record<string, unknown>> }[], preset?: string): Config;
  /** Prepares (fixtures, certificate, server), runs every cell, and stops what it started. */
  run(config: Config, options: Options): Promise<Run>;
  /** Pure: the run's results.json. */
  resultsOf(run: Run): Json;
  /** compare's reader of its samples out of any parsed results.json ([] when the file has none of its records). */
  comparableSamples(json: object, where: string): readonly ComparableSample[];
  readonly report: {
    /** summary.md's section of any results.json (null when it has none of its records). */
    summarySection(json: object): string | null;
    /**
     * Its findings in any results.json ([] when it has none of its records), for a report model that lists them beside
     * a run's own.
     */
    findings(json: object): readonly Finding[];
    /** Its pure exporters, by format, each from its report model. */
    readonly exporters: Readonly<Record<string, (model: never) => string>>;
    /** Files of its run folder beside the common ones, by name, each pure over its result. */
    readonly files: Readonly<Record<string, (result: never) => string>>;
  };
}
