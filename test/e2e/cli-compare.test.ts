import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult, ScenarioSummary, TransferRecord } from '../../src/results.ts';
import { isUsageError } from '../../src/errors.ts';
import { parseAlpha, parseThreshold } from '../../src/cli/compare-command.ts';
import { runCli, tempDir, type CliResult } from '../support/helpers.ts';
import { runMain } from '../support/main.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let runA: string;
let runB: string;
let slowDir: string;

const SLOWED = 'chunk=16KiB';
const KEPT = 'chunk=64KiB';

async function benchRun(out: string): Promise<string> {
  const r = await runCli([
    'run',
    '--sizes',
    '1MB',
    '--chunks',
    '16KiB,64KiB',
    '--suites',
    'TLS_AES_128_GCM_SHA256',
    '--iterations',
    '10',
    '--warmup',
    '1',
    '--fixtures-dir',
    join(tmp.dir, 'fx'),
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const ids = readdirSync(out);
  assert.equal(ids.length, 1);
  return join(out, ids[0]!);
}

type ResultsFile = RunResult & { schemaVersion: number };

/**
 * A copy of run A in which the 16KiB scenario is twice as slow: every record's
 * mbPerSec halved (durationMs doubled) and its scenarios entry scaled to match.
 * Why a copy and not a real slower run: the real way to make TLS slower here,
 * --max-fragment 512, changes the scenario id (frag=512), so compare would list
 * the two cells as "only in one run" instead of comparing them; and two real
 * runs of the same settings differ by chance (±30% was seen on a busy machine),
 * which cannot give an exact expected drop. Halving keeps each sample's relative
 * spread, so t = (1 - 0.5) * sqrt(n) / (cv * sqrt(1 + 0.25)) = 1.41 / cv for
 * n = 10: significant at 0.05 for any coefficient of variation cv below ~0.6.
 */
function slowedCopy(run: ResultsFile): ResultsFile {
  const slow = (id: string): boolean => id.includes(` ${SLOWED} `);
  const records: TransferRecord[] = run.records.map((r) =>
    slow(r.scenarioId)
      ? {
          ...r,
          mbPerSec: r.mbPerSec === null ? null : r.mbPerSec * 0.5,
          durationMs: r.durationMs === null ? null : r.durationMs * 2,
        }
      : r,
  );
  const scenarios: ScenarioSummary[] = run.scenarios.map((s) => {
    if (!slow(s.scenarioId)) return s;
    const t = s.throughput;
    return {
      ...s,
      throughput: t && {
        ...t,
        meanMbPerSec: t.meanMbPerSec / 2,
        sdMbPerSec: t.sdMbPerSec / 2,
        p50MbPerSec: t.p50MbPerSec / 2,
        p99MbPerSec: t.p99MbPerSec / 2,
        minMbPerSec: t.minMbPerSec / 2,
        maxMbPerSec: t.maxMbPerSec / 2,
      },
      durationSamplesMs: s.durationSamplesMs.map((d) => d * 2),
    };
  });
  return { ...run, context: { ...run.context, runId: `${run.context.runId}-slowed` }, scenarios, records };
}

function rowOf(stdout: string, part: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(part));
  assert.ok(line, `no row for ${part} in:\n${stdout}`);
  return line;
}

function assertUsage(r: CliResult, message: RegExp): void {
  assert.equal(r.code, 2, `exit code: ${r.code}\n${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^tls-sst-bench: /);
  assert.match(lines[0]!, message);
}

before(async () => {
  tmp = await tempDir('compare');
  runA = await benchRun(join(tmp.dir, 'a'));
  runB = await benchRun(join(tmp.dir, 'b'));
  slowDir = join(tmp.dir, 'slow');
  mkdirSync(slowDir);
  const a = JSON.parse(readFileSync(join(runA, 'results.json'), 'utf8')) as ResultsFile;
  writeFileSync(join(slowDir, 'results.json'), JSON.stringify(slowedCopy(a), null, 2));
});
after(() => tmp.remove());

test('a run against itself: exit 0, no significant regression', async () => {
  const r = await runMain(['compare', runA, join(runA, 'results.json')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /No significant regression in 2 compared scenario\(s\)/);
  assert.match(r.stdout, /alpha = 0\.05/);
  for (const part of [SLOWED, KEPT]) assert.match(rowOf(r.stdout, part), /\s0\.0%\s+1\.000\s+10\/10$/);
});

test('two real runs of the same settings: every scenario compared (the verdict is up to the machine)', async () => {
  const r = await runMain(['compare', runA, runB]);
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  for (const part of [SLOWED, KEPT]) assert.match(rowOf(r.stdout, part), /\s10\/10(\s|$)/);
  assert.doesNotMatch(r.stdout, /Only in|Not comparable/);
});

test('a twice-as-slow copy: exit 1, the scenario flagged with stars, Markdown written', async () => {
  const md = join(tmp.dir, 'out', 'compare.md');
  const r = await runMain(['compare', runA, slowDir, '--md', md]);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(rowOf(r.stdout, SLOWED), /\s-50\.0%\s+\S+\s+\*{1,3}\s+10\/10\s+REGRESSION$/);
  assert.match(rowOf(r.stdout, KEPT), /\s0\.0%\s+1\.000\s+10\/10$/);
  assert.match(r.stdout, /1 significant regression\(s\) of 2 compared scenario\(s\): chunk=16KiB -50\.0%/);
  const text = readFileSync(md, 'utf8');
  assert.match(text, /^\| scenario \| base MB\/s \| new MB\/s \| change \| p \| sig \| n base\/new \| verdict \|$/m);
  assert.match(
    text,
    new RegExp(
      `^\\| \`size=1MB ${SLOWED} [^|]*\` \\|[^|]+\\|[^|]+\\| -50\\.0% \\|[^|]+\\| (\\\\\\*){1,3} \\| 10/10 \\| ` +
        `REGRESSION \\|$`,
      'm',
    ),
  );
});

test('--threshold above the drop: no regression; --alpha accepted', async () => {
  const r = await runMain(['compare', runA, slowDir, '--threshold', '60%', '--alpha', '0.01']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /regression = mean down by more than 60% with p < 0\.01/);
});

test('bad input: exit 2, one line naming the value and what is accepted, nothing written', async () => {
  const notJson = join(tmp.dir, 'not-json.json');
  writeFileSync(notJson, 'this is not json');
  const v2 = join(tmp.dir, 'v2.json');
  writeFileSync(
    v2,
    JSON.stringify({ ...JSON.parse(readFileSync(join(runA, 'results.json'), 'utf8')), schemaVersion: 99 }),
  );
  const md = join(tmp.dir, 'bad', 'never.md');
  const missing = join(tmp.dir, 'no-such-run');
  const cases: [string[], RegExp][] = [
    [
      ['compare', missing, runA, '--md', md],
      /run ".*no-such-run" does not exist: expected a run folder containing results\.json, or a results\.json file/,
    ],
    [
      ['compare', runA, join(tmp.dir, 'fx'), '--md', md],
      /run ".*fx" has no readable results\.json \(ENOENT\): expected a run folder written by tls-sst-bench run/,
    ],
    [
      ['compare', notJson, runA],
      /not-json\.json" is not valid JSON .*: expected a results\.json written by tls-sst-bench run/,
    ],
    [['compare', runA, v2, '--md', md], /v2\.json" has schemaVersion 99: expected 1/],
    [
      ['compare', runA, runA, '--threshold', 'abc'],
      /--threshold "abc" is not accepted: expected a percentage such as 5% or a fraction such as 0\.05/,
    ],
    [
      ['compare', runA, runA, '--alpha', '0'],
      /--alpha "0" is not accepted: expected a significance level above 0 and below 1/,
    ],
    [['compare', runA], /missing required argument 'new-run'/],
  ];
  const results = await Promise.all(cases.map(([args]) => runMain(args)));
  results.forEach((r, i) => assertUsage(r, cases[i]![1]));
  assert.equal(existsSync(md), false);
});

test('--threshold and --alpha values (parsed in-process: the CLI path is covered above)', () => {
  assert.deepEqual(['5%', '0.05', '0%', '12.5%', '.2'].map(parseThreshold), [0.05, 0.05, 0, 0.125, 0.2]);
  assert.deepEqual(['0.05', '0.01', '1%'].map(parseAlpha), [0.05, 0.01, 0.01]);
  for (const bad of ['150%', '100%', '5', '-1%', '', '5 %x'])
    assert.throws(
      () => parseThreshold(bad),
      (e: unknown) => isUsageError(e) && e.message.includes(`--threshold "${bad}"`),
    );
  for (const bad of ['1.5', '1', '0%', 'p', '-0.05'])
    assert.throws(
      () => parseAlpha(bad),
      (e: unknown) => isUsageError(e) && e.message.includes(`--alpha "${bad}"`),
    );
});
