import {
  regressions,
  type ComparableRun,
  type NotComparable,
  type RunComparison,
  type ScenarioComparison,
} from '../compare/compare.ts';
import { table } from './terminal-table.ts';

/** A p-value as people read them: 3 decimals, or scientific below 0.001; "-" when there is none (n < 2). */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return '-';
  if (p === 0) return '0';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

export function formatChange(percent: number): string {
  if (Number.isNaN(percent)) return '-';
  return `${percent > 0 ? '+' : ''}${percent.toFixed(1)}%`;
}

const percentText = (fraction: number): string => `${Number((fraction * 100).toPrecision(6))}%`;

function outcomesText(o: NotComparable['baseOutcomes']): string {
  const parts = Object.entries(o).map(([k, n]) => `${k} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'no measured transfers';
}

function environmentText(ctx: ComparableRun['context']): string {
  const env = ctx.environment;
  // The workers' runtimes (--node), when they are not just the orchestrator's Node: they are what ran the transfers.
  const workers = (ctx.runtimes ?? []).filter((r) => `v${r.node}` !== env?.node || r.openssl !== env?.openssl);
  const workersText =
    workers.length > 0
      ? `workers on ${workers.map((r) => `Node ${r.node} (OpenSSL ${r.openssl})`).join(' + ')}`
      : undefined;
  const parts = [
    env?.node && `Node ${env.node}`,
    env?.openssl && `OpenSSL ${env.openssl}`,
    workersText,
    env?.cpuModel,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? `${ctx.runId} (${parts.join(', ')})` : ctx.runId;
}

/**
 * Scenario ids are long `key=value` lists; with more than one row, the pairs
 * every row shares are said once above the table and left out of the rows.
 */
function splitCommon(ids: readonly string[]): { common: string[]; short: (id: string) => string } {
  if (ids.length < 2) return { common: [], short: (id) => id };
  const tokens = ids.map((id) => id.split(' '));
  const common = tokens[0]!.filter((t) => tokens.every((ts) => ts.includes(t)));
  const drop = new Set(common);
  return {
    common,
    short: (id) =>
      id
        .split(' ')
        .filter((t) => !drop.has(t))
        .join(' '),
  };
}

const HEADER = ['scenario', 'base MB/s', 'new MB/s', 'change', 'p', 'sig', 'n base/new', 'verdict'] as const;
const NUMERIC = [false, true, true, true, true, false, true, false] as const;

function row(s: ScenarioComparison, name: string): string[] {
  return [
    name,
    s.base.meanMbPerSec.toFixed(1),
    s.new.meanMbPerSec.toFixed(1),
    formatChange(s.changePercent),
    formatP(s.p),
    s.stars,
    `${s.base.samplesMbPerSec.length}/${s.new.samplesMbPerSec.length}`,
    s.verdict === 'regression' ? 'REGRESSION' : s.verdict === 'improvement' ? 'improvement' : '',
  ];
}

/** Both runs sampled this much: their CIs are tight enough that drift between runs shows as significant. */
const LONG_RUN_SAMPLES = 30;

function explanation(c: RunComparison): string[] {
  const { threshold, alpha } = c.options;
  const long = c.compared.some(
    (s) => s.base.samplesMbPerSec.length >= LONG_RUN_SAMPLES && s.new.samplesMbPerSec.length >= LONG_RUN_SAMPLES,
  );
  return [
    'MB/s = 10^6 bytes per second, mean over the measured transfers that delivered every byte (complete, ' +
      'complete-unclean, complete-close-unknown); change = new vs base;',
    `p = Welch two-sample t-test (two-sided) on the per-transfer MB/s; sig: *** p<0.001, ** p<0.01, * p<0.05 ` +
      `(as Node's benchmark compare); alpha = ${alpha};`,
    ...c.sampleUnits.map((unit) => `scenarios whose samples are not transfers: one sample is ${unit};`),
    `regression = mean down by more than ${percentText(threshold)} with p < ${alpha} (improvement: up by as ` +
      `much): both, because runs at different times differ by the host's drift, which a long run's tight ` +
      `interval does not cover (--threshold sets it).`,
    ...(long
      ? [
          `Both runs have ${LONG_RUN_SAMPLES}+ samples per scenario: p is small even for a drift of 1-2%, so ` +
            `read the change against the threshold, not the stars.`,
        ]
      : []),
  ];
}

/** The scenarios that missed their rme target, per run: their means are less sure than the others'. */
function missedLines(c: RunComparison, name: (id: string) => string): string[] {
  const line = (which: string, ids: readonly string[]): string[] =>
    ids.length === 0
      ? []
      : [
          `Desired confidence was not achieved in the ${which} run for ${ids.length} compared scenario(s) ` +
            `(missed --target-rme): ${ids.map(name).join('; ')}.`,
        ];
  return [...line('base', c.missedTarget.base), ...line('new', c.missedTarget.new)];
}

function verdictLine(c: RunComparison, name: (id: string) => string): string {
  const bad = regressions(c);
  if (c.compared.length === 0)
    return 'No scenario with delivered transfers in both runs: nothing compared, no significant regression.';
  if (bad.length === 0) return `No significant regression in ${c.compared.length} compared scenario(s).`;
  return (
    `${bad.length} significant regression(s) of ${c.compared.length} compared scenario(s): ` +
    `${bad.map((s) => `${name(s.scenarioId)} ${formatChange(s.changePercent)} (p ${formatP(s.p)})`).join('; ')}`
  );
}

/** The comparison as terminal text. Pure. */
export function compareText(c: RunComparison): string {
  const { common, short } = splitCommon(c.compared.map((s) => s.scenarioId));
  const out: string[] = [];
  out.push(`tls-sst-bench compare  base ${environmentText(c.baseContext)}`);
  out.push(`                       new  ${environmentText(c.newContext)}`);
  out.push(...explanation(c));
  if (common.length > 0) out.push(`Every row: ${common.join(' ')}`);
  out.push('');
  if (c.compared.length > 0) {
    out.push(
      table(
        HEADER,
        c.compared.map((s) => row(s, short(s.scenarioId))),
        NUMERIC,
      ),
    );
    out.push('');
  }
  if (c.notComparable.length > 0) {
    out.push(
      `Not comparable (in both runs, but no transfer delivered every byte in one of them): ${c.notComparable.length}`,
    );
    for (const s of c.notComparable)
      out.push(`  ${s.scenarioId}: base ${outcomesText(s.baseOutcomes)}; new ${outcomesText(s.newOutcomes)}`);
    out.push('');
  }
  if (c.onlyInBase.length > 0) {
    out.push(`Only in base run ${c.baseContext.runId}: ${c.onlyInBase.length}`);
    for (const id of c.onlyInBase) out.push(`  ${id}`);
    out.push('');
  }
  if (c.onlyInNew.length > 0) {
    out.push(`Only in new run ${c.newContext.runId}: ${c.onlyInNew.length}`);
    for (const id of c.onlyInNew) out.push(`  ${id}`);
    out.push('');
  }
  for (const l of missedLines(c, short)) out.push(l);
  out.push(verdictLine(c, short));
  return out.join('\n');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');
const mdRow = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;

/** The comparison as a Markdown section (GitHub tables). Pure. */
export function compareMarkdown(c: RunComparison): string {
  const out: string[] = [];
  out.push('## tls-sst-bench compare');
  out.push('');
  out.push(`- base: ${cell(environmentText(c.baseContext))}`);
  out.push(`- new: ${cell(environmentText(c.newContext))}`);
  out.push('');
  out.push(explanation(c).join(' '));
  out.push('');
  if (c.compared.length > 0) {
    out.push(mdRow(HEADER));
    out.push(`|${NUMERIC.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`);
    // Bare `***` would be read as emphasis.
    for (const s of c.compared)
      out.push(mdRow(row(s, `\`${s.scenarioId}\``).map((v, i) => (i === 5 ? v.replace(/\*/g, '\\*') : v))));
    out.push('');
  }
  if (c.notComparable.length > 0) {
    out.push(
      `### Not comparable (in both runs, but no transfer delivered every byte in one of them): ` +
        `${c.notComparable.length}`,
    );
    out.push('');
    for (const s of c.notComparable)
      out.push(`- \`${s.scenarioId}\`: base ${outcomesText(s.baseOutcomes)}; new ${outcomesText(s.newOutcomes)}`);
    out.push('');
  }
  const list = (title: string, idList: readonly string[]): void => {
    if (idList.length === 0) return;
    out.push(`### ${title}: ${idList.length}`);
    out.push('');
    for (const id of idList) out.push(`- \`${id}\``);
    out.push('');
  };
  list(`Only in base run ${c.baseContext.runId}`, c.onlyInBase);
  list(`Only in new run ${c.newContext.runId}`, c.onlyInNew);
  for (const l of missedLines(c, (id) => `\`${id}\``)) out.push(l, '');
  out.push(`**${verdictLine(c, (id) => `\`${id}\``)}**`);
  return `${out.join('\n')}\n`;
}
