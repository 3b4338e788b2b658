import { agentRows } from './agent.ts';
import { formatBytes, humanBytes } from '../config/units.ts';
import type { RunResult, ScenarioSummary } from '../results.ts';
import { cellText, endedByStrategy, endingsMatrix, runtimeColumn } from './endings.ts';
import { showsStacks, stacksTable, STACKS_LEGEND, STACKS_TITLE } from './stacks.ts';
import { faultSummaries } from './faults.ts';
import { throughputScenarios } from '../analysis/throughput-scenarios.ts';
import { cpuMsPerGb, recommendation, runTuning, tuningOptionsOf, tuningTable, TUNING_NOTE } from './tuning.ts';
import { noiseWarnings } from '../analysis/warnings.ts';
import { fixed, leadCells, OPTIONAL_AXES, outcomesText, rmeCell } from './columns.ts';
import { ceilingColumns, ceilingsFinding, ceilingSources } from './references.ts';
import { RUNTIME_TABLE_NOTE, runtimeComparison, runtimesSentence, runtimeTable } from './runtimes.ts';
import type { Finding, FindingsTable } from './finding.ts';


function throughputFinding(run: RunResult, main: readonly ScenarioSummary[]): Finding {
  const axes = OPTIONAL_AXES.filter((a) => new Set(main.map(a.value)).size > 1);
  const ceilings = ceilingColumns(run);
  const header = ['size', 'tls', 'suite', ...axes.map((a) => a.header), 'chunk', 'mean MB/s', '±%', 'sd MB/s', 'p50 MB/s', 'Gbit/s', ...ceilings.header, 'CPU ms/GB', 'outcomes'];
  const rows = main.map((s) => {
    const t = s.throughput;
    return [
      ...leadCells(s, axes),
      fixed(t?.meanMbPerSec, 1),
      rmeCell(s),
      fixed(t?.sdMbPerSec, 1),
      fixed(t?.p50MbPerSec, 1),
      fixed(t ? (t.meanMbPerSec * 8) / 1000 : null, 2),
      ...ceilings.cells(s),
      fixed(cpuMsPerGb(s), 0),
      outcomesText(s),
    ];
  });
  const failed = main.filter((s) => s.throughput === null);
  return {
    id: 'throughput',
    title: 'Throughput',
    before: [
      'MB/s = 10^6 bytes per second, from the first byte written to the last byte received and verified; ±% = 95% margin of error of the mean (! = missed --target-rme); CPU ms/GB = sender + receiver CPU per 10^9 bytes.',
    ],
    table: { header, rows, numeric: header.map((h) => /MB\/s|±|Gbit|ms|^%/.test(h)) },
    after: [
      ...(main.length < run.scenarios.length ? [`${run.scenarios.length - main.length} more scenario(s), with other ways of ending the stream, are in the endings table and scenarios.csv.`] : []),
      ...(failed.length > 0 ? [`No throughput for ${failed.length} scenario(s) whose transfers did not all deliver every byte.`] : []),
    ],
  };
}

/** Only for a run of several runtimes (--node): per-suite MB/s side by side. */
function runtimesFinding(run: RunResult): Finding | null {
  const c = runtimeComparison(run);
  if (!c) return null;
  return { id: 'runtimes', title: 'Throughput per suite by Node runtime', before: [runtimesSentence(c), RUNTIME_TABLE_NOTE], table: runtimeTable(c), after: [] };
}

function tuningFinding(run: RunResult, main: readonly ScenarioSummary[]): Finding {
  const answers = runTuning(run, main);
  const title = 'Tuning answers';
  if (answers.length === 0) return { id: 'tuning', title, before: ['No setting was measured with more than one value in otherwise equal scenarios, so there is nothing to choose between.'], table: null, after: [] };
  const { alpha, threshold } = tuningOptionsOf(run);
  return {
    id: 'tuning',
    title,
    before: [`${TUNING_NOTE} Here alpha = ${alpha}, threshold = ${Number((threshold * 100).toPrecision(4))}% (--alpha, --threshold); MB/s ± 95% = mean and 95% confidence half-width. results.json has the same answers under "tuning".`],
    table: tuningTable(answers),
    after: [],
  };
}

function warningsFinding(run: RunResult): Finding | null {
  const warnings = noiseWarnings(run);
  if (warnings.length === 0) return null;
  return { id: 'warnings', title: `Warnings (${warnings.length})`, before: warnings.map((w) => `**${w.kind}**: ${w.text}`), table: null, after: [] };
}

function endingsFinding(run: RunResult): Finding {
  const m = endingsMatrix(run);
  const node = runtimeColumn(m);
  const header = ['shutdown', 'write', 'receiver', 'peer', ...node.header, ...m.sizes.map(humanBytes)];
  const rows = m.rows.map(({ key, cells }) => [key.shutdown, key.writePath, key.receiverMode, key.receiverPeer, ...node.cells(key), ...m.sizes.map((s) => (cells.has(s) ? cellText(cells.get(s)!) : '-'))]);
  const silent = run.records.filter((r) => endedByStrategy(r) && r.silentLoss).length;
  return {
    id: 'endings',
    title: 'How each stream ended',
    before: ['SILENT = bytes lost or damaged and the receiver was not told; -N = most bytes lost; [..] = error codes.'],
    table: rows.length > 0 ? { header, rows, numeric: header.map(() => false) } : null,
    after: [silent > 0 ? `**Silent data loss in ${silent} measured transfer(s).**` : 'No measured transfer lost data silently.'],
  };
}

function stacksFinding(run: RunResult): Finding | null {
  if (!showsStacks(run)) return null;
  const t = stacksTable(run);
  return { id: 'stacks', title: STACKS_TITLE, before: [STACKS_LEGEND], table: { header: t.header, rows: t.rows, numeric: t.header.map(() => false) }, after: [] };
}

function faultsFinding(run: RunResult): Finding | null {
  const s = faultSummaries(run);
  if (s.length === 0) return null;
  const falseComplete = s.reduce((n, x) => n + x.falseComplete, 0);
  return {
    id: 'faults',
    title: 'Injected faults',
    before: ['A loopback proxy between sender and receiver cut, reset or stalled streams at seeded random offsets.'],
    table: {
      header: ['fault', 'injected', 'false complete', 'silent', 'classified as'],
      rows: s.map((x) => [x.kind, String(x.injected), String(x.falseComplete), String(x.silent), Object.entries(x.outcomes).map(([k, n]) => `${k} ${n}`).join(', ')]),
      numeric: [false, true, true, true, false],
    },
    after: [falseComplete === 0 ? 'Zero false complete: every injected fault was classified as not complete.' : `**${falseComplete} false complete: a damaged stream was reported whole.**`],
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
    ['CPU flags', `aes ${yes(env.cpuFlags.aes)}, vaes ${yes(env.cpuFlags.vaes)}, avx2 ${yes(env.cpuFlags.avx2)}, avx512f ${yes(env.cpuFlags.avx512f)}`],
    ['cores', String(env.cores)],
    ['memory', humanBytes(env.memoryBytes)],
    ...Object.entries(env.tcpSysctls).map(([k, v]): [string, string] => [k, v ?? 'unknown']),
    ['git revision', env.gitRevision === null ? 'unknown' : `${env.gitRevision}${env.gitDirty ? ' (with uncommitted changes)' : ''}`],
    ['host', env.hostname],
    ['run', `${ctx.runId}, ${ctx.startedAt} to ${ctx.finishedAt ?? '(not finished)'}`],
    ['command', ctx.command],
    // the workers' Node binaries (--node), as the workers reported their versions
    ...(ctx.runtimes ?? []).map((r): [string, string] => [`runtime ${r.label}`, `${r.path}: Node ${r.node}, OpenSSL ${r.openssl}${r.ran ? '' : ' (ran no scenario)'}`]),
    ...agentRows(run),
    // the ceilings of --reference, and where each came from
    ...(run.references ? ceilingSources(run.references) : []),
  ];
}

/** Pure: every finding of the run in report order (the recommendation is separate). */
export function findings(run: RunResult): Finding[] {
  const main = throughputScenarios(run.scenarios);
  const faults = faultsFinding(run);
  const runtimes = runtimesFinding(run);
  const stacks = stacksFinding(run);
  const warnings = warningsFinding(run);
  const ceilings = ceilingsFinding(run);
  return [
    throughputFinding(run, main),
    ...(warnings ? [warnings] : []),
    ...(ceilings ? [ceilings] : []),
    ...(runtimes ? [runtimes] : []),
    tuningFinding(run, main),
    endingsFinding(run),
    ...(stacks ? [stacks] : []),
    ...(faults ? [faults] : []),
    { id: 'environment', title: 'Environment', before: [], table: { header: ['what', 'value'], rows: environmentRows(run), numeric: [false, false] }, after: [] },
  ];
}

const mdCell = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(t: FindingsTable): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(t.header), `|${t.numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`, ...t.rows.map(line)].join('\n');
}

/** summary.md: the run's findings as Markdown tables. Pure. */
export function markdownSummary(run: RunResult): string {
  const ctx = run.context;
  const out: string[] = [`# tls-sst-bench run ${ctx.runId}`, ''];
  if (ctx.interrupted) out.push('**Interrupted: partial results.**', '');
  out.push(`Node ${ctx.environment.node}, OpenSSL ${ctx.environment.openssl}, ${ctx.environment.cpuModel} x${ctx.environment.cores}, kernel ${ctx.environment.kernel}. Charts: [report.html](report.html).`, '');
  out.push('## Recommended settings on this machine', '', recommendation(run, throughputScenarios(run.scenarios)).text, '');
  for (const f of findings(run)) {
    out.push(`## ${f.title}`, '');
    for (const p of f.before) out.push(p, '');
    if (f.table) out.push(markdownTable(f.table), '');
    for (const p of f.after) out.push(p, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
