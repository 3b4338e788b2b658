import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESULTS_COLUMNS } from '../../src/report/csv.ts';
import type { RunResult } from '../../src/results.ts';
import { alive, runCli, tempDir } from '../support/helpers.ts';

/**
 * The runtime axis over real child processes: three "runtimes" that are all
 * this Node (no download in tests), at three paths: the binary itself, a
 * symlink to it, and a shell wrapper that logs each start before it execs
 * this Node, so the test sees which workers that path launched.
 */

let tmp: { dir: string; remove: () => Promise<void> };
let link: string;
let wrapper: string;
let launchLog: string;
let multi: { code: number | null; stdout: string; stderr: string };
let multiDir: string;
let multiRun: RunResult;

const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'];
const NODE = process.versions.node;
const OPENSSL = process.versions.openssl;

function onlyRun(out: string): string {
  const runs = readdirSync(out);
  assert.equal(runs.length, 1, `one run folder in ${out}`);
  return join(out, runs[0]!);
}

const launches = (): string[] => readFileSync(launchLog, 'utf8').trimEnd().split('\n').filter(Boolean);

before(async () => {
  tmp = await tempDir('runtimes');
  link = join(tmp.dir, 'node-link');
  symlinkSync(process.execPath, link);
  launchLog = join(tmp.dir, 'launches.log');
  writeFileSync(launchLog, '');
  wrapper = join(tmp.dir, 'node-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${launchLog}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  const out = join(tmp.dir, 'out');
  multi = await runCli([
    'run',
    '--sizes',
    '1MB',
    '--chunks',
    '16KiB',
    '--suites',
    SUITES.join(','),
    '--iterations',
    '2',
    '--warmup',
    '0',
    '--node',
    process.execPath,
    '--node',
    link,
    '--node',
    wrapper,
    '--out',
    out,
    '--fixtures-dir',
    join(tmp.dir, 'fx'),
  ]);
  assert.equal(multi.code, 0, multi.stderr);
  multiDir = onlyRun(out);
  multiRun = JSON.parse(readFileSync(join(multiDir, 'results.json'), 'utf8')) as RunResult;
});
after(() => tmp.remove());

const LABELS = [NODE, `${NODE}~2`, `${NODE}~3`];

test('the context lists each runtime with the versions its workers reported', () => {
  assert.deepEqual(multiRun.context.runtimes, [
    { label: LABELS[0], path: process.execPath, node: NODE, openssl: OPENSSL, ran: true },
    { label: LABELS[1], path: link, node: NODE, openssl: OPENSSL, ran: true },
    { label: LABELS[2], path: wrapper, node: NODE, openssl: OPENSSL, ran: true },
  ]);
});

test('one worker pair per runtime, all gone after the run; the wrapper path launched exactly one pair', () => {
  const pids = multiRun.context.workerPids;
  assert.equal(pids.length, 6);
  assert.equal(new Set(pids).size, 6);
  for (const pid of pids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
  const lines = launches();
  // checked once at config time (-p), then its sender and its receiver
  assert.equal(lines.filter((l) => l.startsWith('-p ')).length, 1, lines.join('\n'));
  assert.equal(lines.filter((l) => /sender\.mjs$/.test(l)).length, 1, lines.join('\n'));
  assert.equal(lines.filter((l) => /receiver\.mjs$/.test(l)).length, 1, lines.join('\n'));
  assert.equal(lines.length, 3, lines.join('\n'));
});

test('each suite runs on each runtime: the runtime is part of the scenario id', () => {
  const ids = multiRun.scenarios.map((s) => s.scenarioId);
  assert.equal(ids.length, SUITES.length * LABELS.length);
  assert.equal(new Set(ids).size, ids.length);
  for (const suite of SUITES) {
    for (const label of LABELS) {
      const s = multiRun.scenarios.find((x) => x.scenario.suite === suite && x.scenario.runtime === label);
      assert.ok(s, `${suite} on ${label}`);
      assert.ok(s.scenarioId.endsWith(` node=${label}`), s.scenarioId);
    }
  }
});

test('every row carries the Node and OpenSSL versions of its workers (results.json and results.csv)', () => {
  const measured = multiRun.records.filter((r) => !r.warmup);
  assert.equal(measured.length, SUITES.length * LABELS.length * 2);
  for (const r of measured) {
    assert.equal(r.nodeVersion, NODE);
    assert.equal(r.opensslVersion, OPENSSL);
    assert.equal(r.outcome.kind, 'complete', r.scenarioId);
  }
  const lines = readFileSync(join(multiDir, 'results.csv'), 'utf8').trimEnd().split('\n');
  assert.deepEqual(lines[0]!.split(','), [...RESULTS_COLUMNS]);
  // the node_version and openssl_version cells of each row (scenario ids have no commas, messages are empty here)
  const at = RESULTS_COLUMNS.indexOf('node_version');
  assert.deepEqual(RESULTS_COLUMNS.slice(at, at + 2), ['node_version', 'openssl_version']);
  assert.equal(lines.length, 1 + measured.length);
  for (const line of lines.slice(1)) assert.deepEqual(line.split(',').slice(at, at + 2), [NODE, OPENSSL], line);
});

/** Mean ± sd of the measured MB/s of one suite on one runtime, computed here from results.json. */
function cellText(run: RunResult, suite: string, label: string): string {
  const v = run.records
    .filter((r) => !r.warmup && r.scenario.suite === suite && r.scenario.runtime === label)
    .map((r) => r.mbPerSec!);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
  return `${mean.toFixed(1)} ± ${sd.toFixed(1)}`;
}

function ratioText(run: RunResult, suite: string, label: string): string {
  const m = (l: string): number => {
    const v = run.records
      .filter((r) => !r.warmup && r.scenario.suite === suite && r.scenario.runtime === l)
      .map((r) => r.mbPerSec!);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  return `${(m(label) / m(LABELS[0]!)).toFixed(2)}x`;
}

test('the summary shows per-suite MB/s side by side, with the ratio to the first runtime', () => {
  assert.match(multi.stdout, /Throughput per suite by Node runtime:/);
  const header = multi.stdout.split('\n').find((l) => l.startsWith('tls  suite') && l.includes(' MB/s'));
  assert.ok(header, multi.stdout);
  assert.deepEqual(header.trim().split(/\s{2,}/), [
    'tls',
    'suite',
    `${LABELS[0]} MB/s`,
    `${LABELS[1]} MB/s`,
    `vs ${LABELS[0]}`,
    `${LABELS[2]} MB/s`,
    `vs ${LABELS[0]}`,
  ]);
  for (const suite of SUITES) {
    const row = multi.stdout.split('\n').find((l) => l.startsWith(`1.3  ${suite} `) && l.includes('±'));
    assert.ok(row, `${suite} row in:\n${multi.stdout}`);
    const cells = row.trim().split(/\s{2,}/);
    assert.deepEqual(cells, [
      '1.3',
      suite,
      cellText(multiRun, suite, LABELS[0]!),
      cellText(multiRun, suite, LABELS[1]!),
      ratioText(multiRun, suite, LABELS[1]!),
      cellText(multiRun, suite, LABELS[2]!),
      ratioText(multiRun, suite, LABELS[2]!),
    ]);
  }
});

test('summary.md and report.html have the runtime table and the grouped bar chart', () => {
  const md = readFileSync(join(multiDir, 'summary.md'), 'utf8');
  assert.match(md, /## Throughput per suite by Node runtime/);
  for (const suite of SUITES) {
    assert.ok(
      md.includes(
        `| 1.3 | ${suite} | ${cellText(multiRun, suite, LABELS[0]!)} | ${cellText(multiRun, suite, LABELS[1]!)}` +
          ` | ${ratioText(multiRun, suite, LABELS[1]!)} |`,
      ),
      md,
    );
  }
  assert.ok(md.includes(`| runtime ${LABELS[1]} | ${link}: Node ${NODE}, OpenSSL ${OPENSSL} |`), md);
  const html = readFileSync(join(multiDir, 'report.html'), 'utf8');
  assert.match(html, /<section id="runtimes">/);
  assert.match(html, /<figure id="chart-runtimes" data-chart="runtimes">/);
  const svg = readFileSync(join(multiDir, 'charts', 'runtimes.svg'), 'utf8');
  // one bar per suite and runtime, and the legend names each runtime
  for (const label of LABELS) assert.ok(svg.includes(`node ${label}`), `legend entry node ${label}`);
  assert.equal((svg.match(/aria-roledescription="bar"/g) ?? []).length, SUITES.length * LABELS.length);
});

test(
  'one runtime from a config file (key "node", a list): ids as before, no runtime table, rows still carry ' +
    'versions',
  async () => {
    const out = join(tmp.dir, 'out-one');
    const config = join(tmp.dir, 'one.json');
    writeFileSync(config, JSON.stringify({ node: [wrapper] }));
    const before = launches().length;
    const r = await runCli([
      'run',
      '--config',
      config,
      '--sizes',
      '1MB',
      '--chunks',
      '16KiB',
      '--suites',
      SUITES[0]!,
      '--iterations',
      '1',
      '--warmup',
      '0',
      '--out',
      out,
      '--fixtures-dir',
      join(tmp.dir, 'fx'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const dir = onlyRun(out);
    const run = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult;
    assert.deepEqual(run.context.runtimes, [{ label: NODE, path: wrapper, node: NODE, openssl: OPENSSL, ran: true }]);
    assert.equal(run.scenarios.length, 1);
    assert.ok(!run.scenarios[0]!.scenarioId.includes('node='), run.scenarios[0]!.scenarioId);
    assert.equal(run.scenarios[0]!.scenario.runtime, undefined);
    assert.deepEqual(
      run.records.map((x) => [x.nodeVersion, x.opensslVersion]),
      [[NODE, OPENSSL]],
    );
    assert.doesNotMatch(r.stdout, /by Node runtime/);
    assert.doesNotMatch(readFileSync(join(dir, 'summary.md'), 'utf8'), /by Node runtime/);
    assert.equal(existsSync(join(dir, 'charts', 'runtimes.svg')), false);
    // this run (a new CLI process) probed the path once and started both workers through it
    const mine = launches().slice(before);
    assert.deepEqual(
      mine
        .map((l) =>
          l.startsWith('-p ') ? 'probe' : /sender\.mjs$/.test(l) ? 'sender' : /receiver\.mjs$/.test(l) ? 'receiver' : l,
        )
        .sort(),
      ['probe', 'receiver', 'sender'],
    );
  },
);
