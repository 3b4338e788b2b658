import { agentRows } from './agent.ts';
import { humanBytes } from '../config/units.ts';
import type { ReportModel } from '../analysis/report-model.ts';
import type { RunResult } from '../results.ts';
import { endingsTable, silentTransfers } from './endings.ts';
import { stacksTableOf, STACKS_LEGEND, STACKS_TITLE } from './stacks.ts';
import { falseCompletes, faultsTable } from './faults.ts';
import { tuningTable, TUNING_NOTE } from './tuning.ts';
import { ceilingsFinding, ceilingSources } from './references.ts';
import { RUNTIME_TABLE_NOTE, runtimesSentence, runtimeTable } from './runtimes.ts';
import { throughputTable } from './throughput-table.ts';
import type { Finding } from './finding.ts';

/**
 * The sections of summary.md and report.html (title, sentences, a table), laid
 * out from the report model once: the Markdown and HTML exporters differ only
 * in markup.
 */

function throughputFinding(model: ReportModel): Finding {
  const { run, main } = model;
  const failed = main.filter((s) => s.throughput === null);
  return {
    id: 'throughput',
    title: 'Throughput',
    before: [
      'MB/s = 10^6 bytes per second, from the first byte written to the last byte received and verified; ±% = ' +
        '95% margin of error of the mean (! = missed --target-rme); CPU ms/GB = sender + receiver CPU per 10^9 ' +
        'bytes.',
    ],
    table: throughputTable(model, 'document'),
    after: [
      ...(main.length < run.scenarios.length
        ? [
            `${run.scenarios.length - main.length} more scenario(s), with other ways of ending the stream, are ` +
              `in the endings table and scenarios.csv.`,
          ]
        : []),
      ...(failed.length > 0
        ? [`No throughput for ${failed.length} scenario(s) whose transfers did not all deliver every byte.`]
        : []),
    ],
  };
}

/** Only for a run of several runtimes (--node): per-suite MB/s side by side. */
function runtimesFinding(model: ReportModel): Finding | null {
  const c = model.runtimes;
  if (!c) return null;
  return {
    id: 'runtimes',
    title: 'Throughput per suite by Node runtime',
    before: [runtimesSentence(c), RUNTIME_TABLE_NOTE],
    table: runtimeTable(c),
    after: [],
  };
}

function tuningFinding(model: ReportModel): Finding {
  const answers = model.tuning;
  const title = 'Tuning answers';
  if (answers.length === 0)
    return {
      id: 'tuning',
      title,
      before: [
        'No setting was measured with more than one value in otherwise equal scenarios, so there is nothing to ' +
          'choose between.',
      ],
      table: null,
      after: [],
    };
  const { alpha, threshold } = model.tuningOptions;
  return {
    id: 'tuning',
    title,
    before: [
      `${TUNING_NOTE} Here alpha = ${alpha}, threshold = ${Number((threshold * 100).toPrecision(4))}% ` +
        `(--alpha, --threshold); MB/s ± 95% = mean and 95% confidence half-width. results.json has the same ` +
        `answers under "tuning".`,
    ],
    table: tuningTable(answers),
    after: [],
  };
}

function warningsFinding(model: ReportModel): Finding | null {
  const warnings = model.warnings;
  if (warnings.length === 0) return null;
  return {
    id: 'warnings',
    title: `Warnings (${warnings.length})`,
    before: warnings.map((w) => `**${w.kind}**: ${w.text}`),
    table: null,
    after: [],
  };
}

function endingsFinding(model: ReportModel): Finding {
  const { header, rows } = endingsTable(model.endings);
  const silent = silentTransfers(model.run);
  return {
    id: 'endings',
    title: 'How each stream ended',
    before: ['SILENT = bytes lost or damaged and the receiver was not told; -N = most bytes lost; [..] = error codes.'],
    table: rows.length > 0 ? { header, rows, numeric: header.map(() => false) } : null,
    after: [
      silent > 0
        ? `**Silent data loss in ${silent} measured transfer(s).**`
        : 'No measured transfer lost data silently.',
    ],
  };
}

function stacksFinding(model: ReportModel): Finding | null {
  if (!model.stacks) return null;
  const t = stacksTableOf(model.stacks);
  return {
    id: 'stacks',
    title: STACKS_TITLE,
    before: [STACKS_LEGEND],
    table: { header: t.header, rows: t.rows, numeric: t.header.map(() => false) },
    after: [],
  };
}

function faultsFinding(model: ReportModel): Finding | null {
  const s = model.faults;
  if (s.length === 0) return null;
  const falseComplete = falseCompletes(s);
  return {
    id: 'faults',
    title: 'Injected faults',
    before: ['A loopback proxy between sender and receiver cut, reset or stalled streams at seeded random offsets.'],
    table: faultsTable(s),
    after: [
      falseComplete === 0
        ? 'Zero false complete: every injected fault was classified as not complete.'
        : `**${falseComplete} false complete: a damaged stream was reported whole.**`,
    ],
  };
}

/** Pure: the run's machine and build, as label/value rows. */
export function environmentRows(run: RunResult): [string, string][] {
  const ctx = run.context;
  const env = ctx.environment;
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  return [
    ['Node', env.node],
    ['OpenSSL', env.openssl],
    ['V8', env.v8],
    ['platform', `${env.platform} ${env.arch}`],
    ['kernel', env.kernel],
    ['CPU', env.cpuModel],
    [
      'CPU flags',
      `aes ${yes(env.cpuFlags.aes)}, vaes ${yes(env.cpuFlags.vaes)}, avx2 ${yes(env.cpuFlags.avx2)}, avx512f ` +
        `${yes(env.cpuFlags.avx512f)}`,
    ],
    ['cores', String(env.cores)],
    ['memory', humanBytes(env.memoryBytes)],
    ...Object.entries(env.tcpSysctls).map(([k, v]): [string, string] => [k, v ?? 'unknown']),
    [
      'git revision',
      env.gitRevision === null ? 'unknown' : `${env.gitRevision}${env.gitDirty ? ' (with uncommitted changes)' : ''}`,
    ],
    ['host', env.hostname],
    ...(env.verification
      ? [
          [
            'byte check',
            `CRC32C ${env.verification.verifier === 'inline' ? 'on the read loop' : 'on a checker thread'}, ` +
              `${env.verification.crc32c}`,
          ] as [string, string],
        ]
      : []),
    ['run', `${ctx.runId}, ${ctx.startedAt} to ${ctx.finishedAt ?? '(not finished)'}`],
    ['command', ctx.command],
    // the workers' Node binaries (--node), as the workers reported their versions
    ...(ctx.runtimes ?? []).map((r): [string, string] => [
      `runtime ${r.label}`,
      `${r.path}: Node ${r.node}, OpenSSL ${r.openssl}${r.ran ? '' : ' (ran no scenario)'}`,
    ]),
    ...agentRows(run),
    // the ceilings of --reference, and where each came from
    ...(run.references ? ceilingSources(run.references) : []),
  ];
}

/** Pure: every finding of the run in report order (the recommendation is separate), for summary.md and report.html. */
export function findings(model: ReportModel): Finding[] {
  const faults = faultsFinding(model);
  const runtimes = runtimesFinding(model);
  const stacks = stacksFinding(model);
  const warnings = warningsFinding(model);
  const ceilings = ceilingsFinding(model.run);
  return [
    throughputFinding(model),
    ...(warnings ? [warnings] : []),
    ...(ceilings ? [ceilings] : []),
    ...(runtimes ? [runtimes] : []),
    tuningFinding(model),
    endingsFinding(model),
    ...(stacks ? [stacks] : []),
    ...(faults ? [faults] : []),
    {
      id: 'environment',
      title: 'Environment',
      before: [],
      table: { header: ['what', 'value'], rows: environmentRows(model.run), numeric: [false, false] },
      after: [],
    },
  ];
}
