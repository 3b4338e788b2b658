import type { RunResult } from '../results.ts';
import { reportModel, type ReportModel } from '../analysis/report-model.ts';
import { renderCharts, type RenderedCharts } from './charts.ts';
import { findings } from './sections.ts';
import type { FindingsTable } from './finding.ts';

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A sentence of the findings: escaped, with Markdown's **bold** kept. */
const sentence = (s: string): string => `<p>${escapeHtml(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')}</p>`;

function htmlTable(t: FindingsTable): string {
  const cls = (i: number, text: string): string => {
    const names = [...(t.numeric[i] ? ['num'] : []), ...(/\bSILENT\b/.test(text) ? ['silent'] : [])];
    return names.length > 0 ? ` class="${names.join(' ')}"` : '';
  };
  const head = t.header.some((h) => h !== '')
    ? `<thead><tr>${t.header.map((h, i) => `<th${cls(i, '')}>${escapeHtml(h)}</th>`).join('')}</tr></thead>`
    : '';
  const body = t.rows
    .map((r) => `<tr>${r.map((c, i) => `<td${cls(i, c)}>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<div class="scroll"><table>${head}<tbody>\n${body}\n</tbody></table></div>`;
}

// Everything inline: the page must open from disk with no network and no script.
const CSS =
  `
:root { color-scheme: light; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1b1b1b; margin: 0 auto; padding: 1.5rem 2rem 3rem; ` +
  `max-width: 1280px; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 0 0 .3rem; }
.meta { color: #555; margin: 0 0 1rem; }
.warn { background: #fff3e0; border-left: 4px solid #ef6c00; padding: .5rem .8rem; }
.answer { background: #e8f5e9; border-left: 4px solid #2e7d32; padding: .6rem 1rem; font-size: 1.05rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; padding: .75rem; border: 1px solid #e3e3e3; border-radius: 6px; ` +
  `width: min-content; max-width: 100%; overflow-x: auto; }
figure svg { display: block; }
figcaption { color: #444; font-size: .85rem; margin-top: .4rem; }
.omitted { color: #666; font-style: italic; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; white-space: nowrap; }
th { background: #f5f5f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.silent { background: #ffebee; color: #b71c1c; font-weight: bold; }
#environment td { white-space: normal; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; color: #777; font-size: .8rem; }
`;

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, a
 * policy that forbids any fetch). Pure apart from rendering the charts, which
 * is asynchronous; pass `charts` to reuse ones already rendered.
 */
export async function htmlReport(run: RunResult, charts?: RenderedCharts): Promise<string> {
  const model = reportModel(run);
  return htmlDocument(model, charts ?? (await renderCharts(run, model)));
}

/** The HTML exporter: report.html from the report model and its charts, already rendered. Pure. */
export function htmlDocument(model: ReportModel, rendered: RenderedCharts): string {
  const run = model.run;
  const ctx = run.context;
  const env = ctx.environment;
  const advice = model.recommendation;
  const measured = run.records.filter((r) => !r.warmup).length;
  const warnings = model.warnings;
  const figures = rendered.charts.map(
    (c) => `<figure id="chart-${escapeHtml(c.name)}" data-chart="${escapeHtml(c.name)}">
<h3>${escapeHtml(c.title)}</h3>
${c.svg}
<figcaption>${escapeHtml(c.caption)}</figcaption>
</figure>`,
  );
  const omitted = rendered.omitted.map(
    (o) => `<p class="omitted">${escapeHtml(o.title)}: not drawn. ${escapeHtml(o.reason)}</p>`,
  );
  const sections = findings(model).map(
    (f) => `<section id="${escapeHtml(f.id)}">
<h2>${escapeHtml(f.title)}</h2>
${f.before.map(sentence).join('\n')}
${f.table ? htmlTable(f.table) : ''}
${f.after.map(sentence).join('\n')}
</section>`,
  );
  return (
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tls-sst-bench ${escapeHtml(ctx.runId)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>tls-sst-bench run ${escapeHtml(ctx.runId)}</h1>
<p class="meta">${escapeHtml(
      `${ctx.startedAt} · ${run.scenarios.length} scenario(s), ${measured} measured transfer(s) · Node ${env.node}, ` +
        `OpenSSL ${env.openssl}, ${env.cpuModel} x${env.cores}, kernel ${env.kernel}`,
    )}</p>
${ctx.interrupted ? '<p class="warn">Interrupted: these are partial results.</p>' : ''}
${
  warnings.length > 0
    ? `<p class="warn">${warnings.length} noise warning(s): <a href="#warnings">see Warnings</a>. ` +
      `The numbers they name are less sure than the rest.</p>`
    : ''
}
</header>
<section id="recommendation">
<h2>Recommended settings on this machine</h2>
<p class="answer">${escapeHtml(advice.text)}</p>
</section>
<section id="charts">
<h2>Charts</h2>
<div class="charts">
${figures.join('\n')}
</div>
${omitted.join('\n')}
</section>
${sections.join('\n')}
<footer>Made by tls-sst-bench from results.json; ` +
    `<code>tls-sst-bench report &lt;run-dir&gt;</code> makes it again. MB = 10^6 bytes.</footer>
</body>
</html>
`
  );
}
