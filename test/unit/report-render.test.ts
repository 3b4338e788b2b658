import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeScenario, type Scenario } from '../../src/matrix.ts';
import type { Outcome } from '../../src/outcome.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../../src/results.ts';
import { chartPlan, renderCharts, scopeSvgIds, type RenderedChart } from '../../src/report/charts.ts';
import { htmlReport } from '../../src/report/html.ts';
import { markdownSummary } from '../../src/report/markdown.ts';
import { terminalSummary } from '../../src/report/terminal.ts';
import { fakeRecord, fakeSummary } from '../support/fake-run.ts';

const KiB = 1024;
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

/** A measured transfer, with a progress sample every 100 ms when it lasts 1 s or more. */
function record(scenario: Scenario, iteration: number, mbPerSec: number, lossy: boolean): TransferRecord {
  const size = scenario.sizeBytes;
  const received = lossy ? size - 1_000_000 : size;
  const durationMs = (received / 1e6 / mbPerSec) * 1000;
  const progress =
    durationMs >= 1000
      ? Array.from({ length: Math.floor(durationMs / 100) }, (_, i) => ({
          atMs: (i + 1) * 100,
          bytes: Math.round(((i + 1) * 100 * received) / durationMs),
        }))
      : [];
  return fakeRecord(
    scenario,
    { kind: lossy ? 'truncated' : 'complete', received },
    {
      runId: 'render',
      iteration,
      handshakeMs: 2,
      durationMs,
      mbPerSec,
      senderCpuMs: size / 1e6,
      receiverCpuMs: (size / 1e6) * 1.5,
      senderRssPeakBytes: 5e7,
      receiverRssPeakBytes: 5e7,
      silentLoss: lossy,
      progress,
      wallMs: durationMs + 5,
    },
  );
}

function summaryOf(scenario: Scenario, records: readonly TransferRecord[]): ScenarioSummary {
  return fakeSummary(scenario, records, {
    sdMbPerSec: 5,
    rmePercent: 3,
    senderCpuMs: scenario.sizeBytes / 1e6,
    receiverCpuMs: (scenario.sizeBytes / 1e6) * 1.5,
  });
}

/** 2 sizes x 2 suites x `chunks`, ending `end`; plus `destroy` at 16 KiB, which loses data silently. */
function smallRun(chunks: readonly number[]): RunResult {
  const scenarios: ScenarioSummary[] = [];
  const records: TransferRecord[] = [];
  for (const sizeBytes of [1e6, 64e6]) {
    for (const [si, suite] of SUITES.entries()) {
      const cells = [
        ...chunks.map((chunkBytes) => ({ chunkBytes, shutdown: 'end' as const })),
        { chunkBytes: 16 * KiB, shutdown: 'destroy' as const },
      ];
      for (const [ci, cell] of cells.entries()) {
        const scenario = makeScenario({ sizeBytes, suite, ...cell });
        // 64 MB at a fifth of the rate: about 3 s, long enough for a 1 s timeline
        const rs = [0, 1, 2].map((i) =>
          record(
            scenario,
            i,
            (100 + si * 20 + ci * 4 + i * 3) / (sizeBytes > 1e6 ? 5 : 1),
            cell.shutdown === 'destroy',
          ),
        );
        records.push(...rs);
        scenarios.push(summaryOf(scenario, rs));
      }
    }
  }
  return {
    context: {
      runId: 'render',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      interrupted: false,
      command: 'tls-sst-bench run --sizes 1MB,64MB',
      config: {},
      environment: {
        node: 'v20.19.0',
        openssl: '3.0.15',
        v8: '11.3',
        platform: 'linux',
        arch: 'x64',
        kernel: '6.1.0',
        cpuModel: 'Test CPU <model>',
        cpuFlags: { aes: true, vaes: false, avx2: true, avx512f: false },
        cores: 2,
        memoryBytes: 8e9,
        tcpSysctls: { 'net.ipv4.tcp_rmem': '4096 131072 6291456', 'net.core.rmem_max': null },
        gitRevision: 'abc123',
        gitDirty: false,
        hostname: 'host',
      },
      workerPids: [],
      fixtures: [],
    },
    scenarios,
    records,
  };
}

/** Items drawn by each kind of data mark (axes, legends and titles left out). */
function dataMarks(svg: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of svg.matchAll(/<g class="mark-(\w+) role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g)) {
    const items = (m[2]!.match(/<(path|line|text)\b/g) ?? []).length;
    counts[m[1]!] = (counts[m[1]!] ?? 0) + items;
  }
  return counts;
}

const byName = (charts: readonly RenderedChart[]): Map<string, RenderedChart> =>
  new Map(charts.map((c) => [c.name, c]));

test('a run with a chunk sweep, two endings and long transfers gets every chart, each an SVG with its marks', async () => {
  const run = smallRun([16 * KiB, 64 * KiB]);
  const { charts, omitted } = await renderCharts(run);
  assert.deepEqual(omitted, []);
  assert.deepEqual(
    charts.map((c) => c.name),
    ['throughput-1MB', 'throughput-64MB', 'cpu-per-gb', 'endings', 'spread', 'timeline'],
  );
  for (const c of charts) {
    assert.match(c.svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*width="\d+" height="\d+"/, c.name);
    assert.ok(!/<script|<image|<foreignObject/i.test(c.svg), `${c.name}: nothing but vector marks`);
  }
  const charts_ = byName(charts);
  // 2 suites x 2 chunks: a point and an error bar each, one line per suite
  assert.deepEqual(dataMarks(charts_.get('throughput-64MB')!.svg), { rule: 4, line: 2, symbol: 4 });
  // 2 suites x sender/receiver, in each of 2 sizes
  assert.deepEqual(dataMarks(charts_.get('cpu-per-gb')!.svg), { rect: 8 });
  // 2 endings x 2 sizes, a cell and its words each
  assert.deepEqual(dataMarks(charts_.get('endings')!.svg), { rect: 4, text: 4 });
  // every measured transfer is a point; one mean tick per delivered scenario
  assert.deepEqual(dataMarks(charts_.get('spread')!.svg), { symbol: run.records.length, rect: 8 });
  // the 64 MB transfers last over 2 s: 1 s intervals, one line per scenario of that size
  const timeline = dataMarks(charts_.get('timeline')!.svg);
  assert.equal(timeline['line'], 6);
  assert.ok(timeline['symbol']! >= 12, `a point per interval, 2 or more per line: ${timeline['symbol']}`);
  assert.match(charts_.get('timeline')!.caption, /per 1 s interval/);
  assert.match(charts_.get('endings')!.svg, /SILENT 6\/6/);
});

test('each chart prefixes its element ids, so SVGs inlined in one page do not share a clip path', async () => {
  assert.equal(
    scopeSvgIds(
      '<svg><clipPath id="clip1"><rect/></clipPath><g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>',
      'spread',
    ),
    '<svg><clipPath id="spread-clip1"><rect/></clipPath><g clip-path="url(#spread-clip1)"><use ' +
      'href="#spread-clip1"/></g></svg>',
  );
  const html = await htmlReport(smallRun([16 * KiB, 64 * KiB]));
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
  assert.equal(new Set(ids).size, ids.length);
  for (const m of html.matchAll(/url\(#([^)]+)\)/g))
    assert.ok(ids.includes(m[1]!), `url(#${m[1]}) points into the page`);
});

test('report.html is self-contained: inline SVG and CSS, no script, nothing fetched', async () => {
  const run = smallRun([16 * KiB, 64 * KiB]);
  const html = await htmlReport(run);
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 6);
  assert.ok(!/<script|<link|<img|<iframe|@import/i.test(html));
  assert.ok(!/(src|href)=["']?(https?:)?\/\//i.test(html), 'no external reference');
  assert.ok(!/url\((?!#)/.test(html), 'CSS and SVG reference nothing outside the page');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.match(html, /Recommended settings on this machine/);
  assert.match(html, /Test CPU &lt;model&gt;/, 'text is escaped');
  assert.match(html, /<td class="silent">truncated -1\.0 MB SILENT 6\/6<\/td>/);
  assert.match(html, /net\.ipv4\.tcp_rmem<\/td><td>4096 131072 6291456/);
});

test('a chart with no data is left out with a sentence, not drawn empty', async () => {
  // one chunk size, short transfers: no chunk curve, no timeline
  const run = smallRun([16 * KiB]);
  const plan = chartPlan(run);
  assert.deepEqual(
    plan.charts.map((c) => c.name),
    ['cpu-per-gb', 'endings', 'spread', 'timeline'],
  );
  const short: RunResult = { ...run, records: run.records.map((r) => ({ ...r, progress: [] })) };
  const { charts, omitted } = await renderCharts(short);
  assert.deepEqual(
    charts.map((c) => c.name),
    ['cpu-per-gb', 'endings', 'spread'],
  );
  assert.deepEqual(
    omitted.map((o) => o.title),
    ['Throughput vs chunk size', 'Per-interval throughput'],
  );
  const html = await htmlReport(short, { charts, omitted });
  assert.match(
    html,
    /<p class="omitted">Throughput vs chunk size: not drawn\. No suite and size was measured with more than one chunk size/,
  );
  assert.match(
    html,
    /<p class="omitted">Per-interval throughput: not drawn\. The 64\.0 MB transfers ended before the receiver&#39;s first progress report/,
  );
});

test('summary.md: throughput, tuning answers, endings with SILENT, environment, and the recommendation', () => {
  const md = markdownSummary(smallRun([16 * KiB, 64 * KiB]));
  for (const heading of [
    '# tls-sst-bench run render',
    '## Recommended settings on this machine',
    '## Throughput',
    '## Tuning answers',
    '## How each stream ended',
    '## Environment',
  ]) {
    assert.ok(md.includes(`\n${heading}\n`) || md.startsWith(`${heading}\n`), heading);
  }
  assert.ok(!md.includes('## Injected faults'), 'no faults section without faults');
  assert.match(md, /\| size \| tls \| suite \| chunk \| mean MB\/s \|/);
  // CHACHA at 64 MB: 24.0/24.6/25.2 vs 24.8/25.4/26.0 MB/s, Welch p = 0.18: no measurable difference, the smaller
  // chunk;
  // 25.4 ± t(0.975, 2) * 0.6 / sqrt(3) = 1.5
  assert.match(
    md,
    /\| 64\.0 MB \| chunk \| suite=TLS_CHACHA20_POLY1305_SHA256 \| no measurable difference \| 25\.4 ± 1\.5 \| 16KiB, 64KiB \| 16KiB \| 24\.6 \| 2500 \|/,
  );
  assert.match(
    md,
    /\| destroy \| backpressure \| until-eof \| node \| truncated -1\.0 MB SILENT 6\/6 \| truncated -1\.0 MB SILENT 6\/6 \|/,
  );
  assert.match(md, /\*\*Silent data loss in 12 measured transfer\(s\)\.\*\*/);
  assert.match(
    md,
    /For 64\.0 MB streams, use TLS_CHACHA20_POLY1305_SHA256 \(TLS 1\.3\) with writes of at least 16KiB: 24\.6 MB\/s, 2500 CPU ms per GB\. No measurable difference between the 2 chunk sizes tried \(16KiB, 64KiB\), so the smallest is as good as any\./,
  );
  assert.match(md, /\| CPU flags \| aes yes, vaes no, avx2 yes, avx512f no \|/);
});

test('the terminal summary ends with the recommended settings', () => {
  const text = terminalSummary(smallRun([16 * KiB, 64 * KiB]));
  assert.match(
    text,
    /\nRecommended settings on this machine:\nFor 64\.0 MB streams, use [^\n]+ they lost data silently: destroy\. These delivered every byte: end\.$/,
  );
});
