import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../support/helpers.ts';
import { runMain } from '../support/main.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let runDir: string;

before(async () => {
  tmp = await tempDir('report-cli');
  const out = join(tmp.dir, 'out');
  const r = await runCli([
    'run',
    '--sizes',
    '1MB',
    '--chunks',
    '16KiB,64KiB',
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
  runDir = join(out, readdirSync(out)[0]!);
});
after(() => tmp.remove());

test('a run writes summary.md, report.html and charts/ beside results.json', () => {
  // context.json and records.jsonl: the run's journal, kept beside its results.
  assert.deepEqual(readdirSync(runDir).sort(), [
    'charts',
    'context.json',
    'records.jsonl',
    'report.html',
    'results.csv',
    'results.json',
    'scenarios.csv',
    'summary.md',
  ]);
  assert.deepEqual(readdirSync(join(runDir, 'charts')).sort(), [
    'cpu-per-gb.svg',
    'endings.svg',
    'spread.svg',
    'throughput-1MB.svg',
    'warmup.svg',
  ]);
  assert.match(
    readFileSync(join(runDir, 'summary.md'), 'utf8'),
    /## Recommended settings on this machine\n\nFor 1\.0 MB streams, use TLS_/,
  );
});

test('report <run-dir> makes the same files again from results.json, and drops charts the run has not', async () => {
  const html = readFileSync(join(runDir, 'report.html'), 'utf8');
  const md = readFileSync(join(runDir, 'summary.md'), 'utf8');
  rmSync(join(runDir, 'report.html'));
  rmSync(join(runDir, 'summary.md'));
  rmSync(join(runDir, 'charts', 'spread.svg'));
  writeFileSync(join(runDir, 'charts', 'timeline.svg'), '<svg/>');
  const r = await runMain(['report', runDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /summary\.md, report\.html, charts\/throughput-1MB\.svg/);
  assert.equal(readFileSync(join(runDir, 'report.html'), 'utf8'), html);
  assert.equal(readFileSync(join(runDir, 'summary.md'), 'utf8'), md);
  assert.deepEqual(readdirSync(join(runDir, 'charts')).sort(), [
    'cpu-per-gb.svg',
    'endings.svg',
    'spread.svg',
    'throughput-1MB.svg',
    'warmup.svg',
  ]);
  assert.deepEqual(
    readdirSync(runDir).filter((f) => f.includes('.tmp-')),
    [],
  );
});

test('a missing folder, a missing or broken results.json: exit 2, one line, nothing written', async () => {
  const empty = join(tmp.dir, 'empty');
  mkdirSync(empty);
  const broken = join(tmp.dir, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'results.json'), '{"schemaVersion": 1, "context": ');
  const other = join(tmp.dir, 'other');
  mkdirSync(other);
  writeFileSync(
    join(other, 'results.json'),
    JSON.stringify({ schemaVersion: 1, context: { runId: 'x' }, scenarios: [], records: [] }),
  );
  const cases: [string, RegExp][] = [
    [
      join(tmp.dir, 'nope'),
      /run folder ".*nope" does not exist: expected a folder results\/<run-id> with results\.json/,
    ],
    [empty, /results\.json" cannot be read \(ENOENT\): expected the results\.json a run writes/],
    [broken, /results\.json" is not valid JSON \(.+\): expected the results\.json a run writes/],
    [other, /results\.json" is not a tls-sst-bench results\.json: context\.environment is missing\n$/],
  ];
  for (const [dir, message] of cases) {
    const r = await runMain(['report', dir]);
    assert.equal(r.code, 2, dir);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(existsSync(join(dir, 'report.html')) || existsSync(join(dir, 'charts')), false);
  }
});

test('report and compare refuse the same damaged results.json alike: one line, exit 2 (one schema)', async () => {
  const good = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { records: Record<string, unknown>[] };
  const damaged = (name: string, change: (r: Record<string, unknown>) => Record<string, unknown>): string => {
    const dir = join(tmp.dir, name);
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'results.json'),
      JSON.stringify({ ...good, records: good.records.map((r, i) => (i === 0 ? change(r) : r)) }),
    );
    return dir;
  };
  const cases: [string, RegExp][] = [
    [
      damaged('bogus', (r) => ({ ...r, outcome: { ...(r.outcome as object), kind: 'bogus' } })),
      /records\[0\]\.outcome\.kind is "bogus": expected \("complete" \| /,
    ],
    [damaged('slow', (r) => ({ ...r, durationMs: 'slow' })), /records\[0\]\.durationMs is "slow": expected number$/],
    [
      damaged('huge', (r) => ({ ...r, mbPerSec: 1e308 })),
      /records\[0\]\.mbPerSec: expected a throughput in MB\/s <= 1000000000, got 1e\+308$/,
    ],
  ];
  for (const [dir, message] of cases) {
    for (const args of [
      ['report', dir],
      ['compare', runDir, dir],
    ]) {
      const r = await runMain(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(
        r.stderr.trimEnd(),
        new RegExp(
          `^tls-sst-bench: "${join(dir, 'results.json')}" is not a tls-sst-bench results\\.json: ` +
            `${message.source.replace(/^\^/, '')}`,
        ),
      );
      assert.doesNotMatch(r.stderr, /Infinity/);
    }
    assert.equal(existsSync(join(dir, 'report.html')), false);
  }
});
