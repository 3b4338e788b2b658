import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { runCli, tempDir } from '../support/helpers.ts';

/** Debian's chromium package; scripts/install-test-deps.sh installs it (playwright-core brings no browser). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let tmp: { dir: string; remove: () => Promise<void> };
let runDir: string;
let browser: Browser | undefined;

before(async () => {
  tmp = await tempDir('report-browser');
  const out = join(tmp.dir, 'out');
  const r = await runCli([
    'run',
    '--sizes',
    '1MB,2MB',
    '--chunks',
    '16KiB,64KiB',
    '--suites',
    'TLS_AES_128_GCM_SHA256',
    '--iterations',
    '2',
    '--warmup',
    '0',
    '--out',
    out,
    '--fixtures-dir',
    join(tmp.dir, 'fx'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  runDir = join(out, readdirSync(out)[0]!);
});
after(async () => {
  await browser?.close();
  // TSB_KEEP_TEST_OUTPUT=1 keeps the run folder (and report.png) to look at.
  if (process.env['TSB_KEEP_TEST_OUTPUT'] !== '1') await tmp.remove();
});

test(
  'report.html opens from disk in headless Chromium: every chart drawn, no console error, no network',
  { timeout: 120_000 },
  async (t) => {
    assert.ok(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: this test needs Debian's chromium package; run scripts/install-test-deps.sh ` +
        `(apt-get install -y chromium)`,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
    const page = await context.newPage();
    const reportUrl = pathToFileURL(join(runDir, 'report.html')).href;
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));

    const response = await page.goto(reportUrl, { waitUntil: 'load' });
    assert.ok(response === null || response.ok(), 'the page loads');

    const charts = readdirSync(join(runDir, 'charts')).filter((f) => f.endsWith('.svg'));
    assert.deepEqual(charts.sort(), [
      'cpu-per-gb.svg',
      'endings.svg',
      'spread.svg',
      'throughput-1MB.svg',
      'throughput-2MB.svg',
      'warmup.svg',
    ]);
    const boxes = await page.$$eval('svg', (svgs) =>
      svgs.map((s) => {
        const b = s.getBoundingClientRect();
        return {
          chart: s.closest('figure')?.getAttribute('data-chart') ?? '?',
          width: b.width,
          height: b.height,
          marks: s.querySelectorAll('.role-mark path, .role-mark line, .role-mark text').length,
        };
      }),
    );
    assert.deepEqual(boxes.map((b) => `${b.chart}.svg`).sort(), charts.sort(), 'one inline SVG per chart file');
    for (const b of boxes) {
      assert.ok(b.width > 0 && b.height > 0, `${b.chart} has a ${b.width}x${b.height} box`);
      assert.ok(b.marks > 0, `${b.chart} draws its data`);
    }
    // 1-2 MB transfers end before the first progress report: the timeline says so instead of drawing nothing
    assert.match((await page.textContent('#charts')) ?? '', /Per-interval throughput: not drawn\./);
    assert.match(
      (await page.textContent('#recommendation')) ?? '',
      /For 2\.0 MB streams, use TLS_AES_128_GCM_SHA256 \(TLS 1\.3\)/,
    );

    const screenshot = join(runDir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(statSync(screenshot).size > 10_000);
    t.diagnostic(`screenshot: ${screenshot}`);

    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [reportUrl], 'the page itself is the only request');
  },
);
