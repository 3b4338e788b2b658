import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.ts';
import { DEFAULTS } from './config/schema.ts';
import { usageError } from './errors.ts';
import type { RunHooks } from './runner/orchestrator.ts';
import type { RunContext, RunResult, ScenarioSummary, TransferRecord } from './results.ts';
import { summarizeScenario } from './stats.ts';

/**
 * The run's journal, so a killed run (SIGKILL, OOM, power loss) keeps what it
 * measured: the run folder is made before the first transfer, with
 * `context.json` (what the run is: id, command, config, environment) and
 * `records.jsonl`, one TransferRecord per line, appended and fsync'd as each
 * transfer ends. At most the transfer in flight is lost. `tls-sst-bench report
 * <run-dir>` turns a folder that has only its journal into a full one
 * (rebuildFromJournal), marked interrupted.
 */
export const JOURNAL_CONTEXT = 'context.json';
export const JOURNAL_RECORDS = 'records.jsonl';

/** What is known of a run before it runs: its context without what only the end knows. */
export type JournalContext = Omit<
  RunContext,
  'finishedAt' | 'interrupted' | 'workerPids' | 'listenAddresses' | 'fixtures'
>;

interface ContextFile {
  readonly journalVersion: 1;
  readonly context: JournalContext;
}

export class RunJournal {
  #fd: number | null;
  /** Records appended so far. */
  count = 0;
  private constructor(
    readonly dir: string,
    fd: number,
    /** The outermost folder open() made (--out itself, if it did not exist). */
    readonly made: string | undefined,
  ) {
    this.#fd = fd;
  }

  /** Makes the run folder and writes its context; every record after this is kept. */
  static async open(dir: string, context: JournalContext): Promise<RunJournal> {
    const made = mkdirSync(dir, { recursive: true });
    const file: ContextFile = { journalVersion: 1, context };
    await writeFileAtomic(join(dir, JOURNAL_CONTEXT), `${JSON.stringify(file, null, 2)}\n`);
    return new RunJournal(dir, openSync(join(dir, JOURNAL_RECORDS), 'a', 0o644), made);
  }

  /** One line, written and fsync'd before the next transfer starts: a crash after this keeps it. */
  append(record: TransferRecord): void {
    if (this.#fd === null) return;
    writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.#fd);
    this.count += 1;
  }

  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }

  /** A run that failed before any transfer ended leaves no folder: an empty journal would pass for a run. */
  async discardIfEmpty(): Promise<void> {
    this.close();
    if (this.count === 0 && this.made !== undefined) await rm(this.made, { recursive: true, force: true });
  }

  /** The run's hooks with each finished transfer appended here first. */
  hooks(inner: RunHooks = {}): RunHooks {
    const onTransferDone = (record: TransferRecord): void => {
      this.append(record);
      inner.onTransferDone?.(record);
    };
    // A Proxy, not a spread: the inner hooks may be a class instance (Progress) whose methods live on its prototype.
    return new Proxy(inner, {
      get: (target, key, receiver) => {
        if (key === 'onTransferDone') return onTransferDone;
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

/** Whether `dir` holds a journal (its context file). */
export async function hasJournal(dir: string): Promise<boolean> {
  return (await stat(join(dir, JOURNAL_CONTEXT)).catch(() => null))?.isFile() === true;
}

/**
 * The run a journal describes, marked interrupted: its records (a last line
 * cut by the crash is dropped), one summary per scenario that has any, in the
 * order they ran. What only the end of a run knows is empty: worker pids,
 * listen addresses, fixtures, agent sessions. finishedAt is the journal's
 * last write.
 */
export async function rebuildFromJournal(dir: string): Promise<RunResult> {
  const contextPath = join(dir, JOURNAL_CONTEXT);
  let file: ContextFile;
  try {
    file = JSON.parse(await readFile(contextPath, 'utf8')) as ContextFile;
  } catch (err) {
    throw usageError(
      `"${contextPath}" cannot be read as a run journal (${(err as Error).message}): expected the context.json ` +
        `a run writes`,
    );
  }
  if (file.journalVersion !== 1 || typeof file.context?.runId !== 'string')
    throw usageError(`"${contextPath}" is not a tls-sst-bench run journal: expected the context.json a run writes`);
  const recordsPath = join(dir, JOURNAL_RECORDS);
  const text = await readFile(recordsPath, 'utf8').catch(() => '');
  const records: TransferRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as TransferRecord);
    } catch {
      // The line the crash cut short: the transfer in flight, the one loss a journal allows.
    }
  }
  // The run's own sampling settings where its config says them (the journal keeps the config as written).
  const cfg = (file.context.config ?? {}) as { targetRmePercent?: number | null; alpha?: number; threshold?: number };
  const byScenario = new Map<string, TransferRecord[]>();
  for (const r of records) byScenario.set(r.scenarioId, [...(byScenario.get(r.scenarioId) ?? []), r]);
  const scenarios: ScenarioSummary[] = [...byScenario.values()].map((rs) =>
    // A killed run's cells never reached their stopping rule: what they measured, marked interrupted.
    summarizeScenario(
      rs[0]!.scenario,
      rs.filter((r) => !r.warmup),
      {
        warmupTransfers: rs.filter((r) => r.warmup).length,
        targetRmePercent: cfg.targetRmePercent ?? null,
        targetMet: null,
        stopReason: 'interrupted',
        measuredMs: rs.filter((r) => !r.warmup).reduce((n, r) => n + r.wallMs, 0),
        alpha: cfg.alpha ?? DEFAULTS.alpha,
        threshold: cfg.threshold ?? DEFAULTS.threshold,
      },
    ),
  );
  const last = (await stat(recordsPath).catch(() => null))?.mtime ?? null;
  // A run of one runtime names none in its scenarios: any record means it ran.
  const ran = (label: string): boolean =>
    records.some((r) => r.scenario.runtime === undefined || r.scenario.runtime === label);
  const context: RunContext = {
    ...file.context,
    finishedAt: last?.toISOString() ?? null,
    interrupted: true,
    workerPids: [],
    runtimes: file.context.runtimes?.map((r) => ({ ...r, ran: ran(r.label) })),
    listenAddresses: [],
    fixtures: [],
  };
  return { context, scenarios, records };
}
