import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareExitCode, compareRuns, comparableRun, regressions, starsFor } from '../../src/compare/compare.ts';
import { isUsageError } from '../../src/errors.ts';
import { makeScenario, type Scenario } from '../../src/matrix.ts';
import type { OutcomeKind } from '../../src/outcome.ts';
import { compareMarkdown, compareText } from '../../src/report/compare.ts';
import type { RunResult, ScenarioSummary, TransferRecord } from '../../src/results.ts';
import { countOutcomes } from '../../src/stats.ts';
import { fakeEnvironment, fakeRecord } from '../support/fake-run.ts';

const FAST = makeScenario({ sizeBytes: 1e6, chunkBytes: 16384 });
const SLOW = makeScenario({ sizeBytes: 1e6, chunkBytes: 65536 });
const OTHER = makeScenario({ sizeBytes: 1e6, chunkBytes: 4096 });
const NEWER = makeScenario({ sizeBytes: 1e6, chunkBytes: 1048576 });

function record(
  runId: string,
  scenario: Scenario,
  iteration: number,
  mbPerSec: number,
  kind: OutcomeKind = 'complete',
  warmup = false,
): TransferRecord {
  const delivered = kind === 'complete' || kind === 'complete-unclean';
  const received = delivered ? scenario.sizeBytes : scenario.sizeBytes / 2;
  return fakeRecord(
    scenario,
    { kind, received },
    {
      runId,
      iteration,
      warmup,
      durationMs: delivered ? scenario.sizeBytes / 1e3 / mbPerSec : null,
      mbPerSec: delivered ? mbPerSec : null,
      receiverNoticed: !delivered,
    },
  );
}

/** One scenario's records: a warm-up (at a wild rate, which must be ignored) and one measured record per rate. */
function cell(
  runId: string,
  scenario: Scenario,
  rates: readonly number[],
  kind: OutcomeKind = 'complete',
): TransferRecord[] {
  return [record(runId, scenario, 0, 1, 'complete', true), ...rates.map((r, i) => record(runId, scenario, i, r, kind))];
}

function summary(scenario: Scenario, records: readonly TransferRecord[]): ScenarioSummary {
  const measured = records.filter((r) => r.scenarioId === scenario.id && !r.warmup);
  return {
    scenarioId: scenario.id,
    scenario,
    iterations: measured.length,
    outcomes: countOutcomes(measured),
    throughput: null, // compare reads the per-transfer samples, not this
    meanHandshakeMs: null,
    meanSenderCpuMs: null,
    meanReceiverCpuMs: null,
    maxSenderRssBytes: null,
    maxReceiverRssBytes: null,
    durationSamplesMs: measured.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs])),
  };
}

function run(
  runId: string,
  cells: readonly { scenario: Scenario; rates: readonly number[]; kind?: OutcomeKind }[],
): RunResult {
  const records = cells.flatMap((c) => cell(runId, c.scenario, c.rates, c.kind));
  return {
    context: {
      runId,
      startedAt: '2025-01-01T00:00:00.000Z',
      finishedAt: '2025-01-01T00:01:00.000Z',
      interrupted: false,
      command: 'test',
      config: {},
      environment: fakeEnvironment({
        node: '20.19.0',
        openssl: '3.0.15',
        v8: '11',
        kernel: '6',
        memoryBytes: 1e9,
        hostname: 'test',
      }),
      workerPids: [],
      fixtures: [],
    },
    scenarios: cells.map((c) => summary(c.scenario, records)),
    records,
  };
}

const BASE_RATES = [1000, 1010, 990, 1005, 995];

test('a run against itself: every change 0, p = 1, no regression', () => {
  const a = run('A', [
    { scenario: FAST, rates: BASE_RATES },
    { scenario: SLOW, rates: [500, 520, 480, 510, 490] },
  ]);
  const c = compareRuns(a, a, { threshold: 0.05, alpha: 0.05 });
  assert.deepEqual(
    c.compared.map((s) => ({
      id: s.scenarioId,
      change: s.changePercent,
      p: s.p,
      stars: s.stars,
      verdict: s.verdict,
      n: s.base.samplesMbPerSec.length,
    })),
    [
      { id: FAST.id, change: 0, p: 1, stars: '', verdict: 'unchanged', n: 5 },
      { id: SLOW.id, change: 0, p: 1, stars: '', verdict: 'unchanged', n: 5 },
    ],
  );
  assert.equal(c.compared[0]!.base.meanMbPerSec, 1000); // the warm-up's rate of 1 is not in the mean
  assert.equal(regressions(c).length, 0);
  assert.equal(compareExitCode(c), 0);
  assert.deepEqual([c.onlyInBase, c.onlyInNew, c.notComparable], [[], [], []]);
  assert.match(compareText(c), /No significant regression in 2 compared scenario/);
});

test('a clearly slower scenario: flagged with stars, a regression, exit code 1', () => {
  const a = run('A', [
    { scenario: FAST, rates: BASE_RATES },
    { scenario: SLOW, rates: [500, 520, 480, 510, 490] },
  ]);
  const b = run('B', [
    { scenario: FAST, rates: BASE_RATES.map((r) => r / 2) },
    { scenario: SLOW, rates: [505, 515, 485, 500, 495] },
  ]);
  const c = compareRuns(a, b, { threshold: 0.05, alpha: 0.05 });
  const fast = c.compared.find((s) => s.scenarioId === FAST.id)!;
  // Samples halved: means 1000 -> 500 (-50%); sample variances 62.5 and 62.5/4 = 15.625;
  // t = (500 - 1000) / sqrt(62.5/5 + 15.625/5) = -500 / sqrt(15.625) = -126.49, far beyond any table.
  assert.equal(fast.changePercent, -50);
  assert.ok(Math.abs(fast.t - -500 / Math.sqrt(15.625)) < 1e-9, String(fast.t));
  assert.ok(fast.p < 1e-5, String(fast.p));
  assert.equal(fast.stars, '***');
  assert.equal(fast.verdict, 'regression');
  const slow = c.compared.find((s) => s.scenarioId === SLOW.id)!;
  assert.equal(slow.verdict, 'unchanged');
  assert.equal(slow.stars, '');
  assert.deepEqual(
    regressions(c).map((s) => s.scenarioId),
    [FAST.id],
  );
  assert.equal(compareExitCode(c), 1);

  const text = compareText(c);
  assert.match(text, /chunk=16KiB\s+1000\.0\s+500\.0\s+-50\.0%\s+\S+\s+\*\*\*\s+5\/5\s+REGRESSION/);
  assert.match(text, /alpha = 0\.05/);
  assert.match(text, /1 significant regression\(s\) of 2 compared scenario\(s\): chunk=16KiB -50\.0%/);
  // The pairs both rows share are said once, above the table.
  assert.match(text, /^Every row: size=1MB tls=1\.3 suite=TLS_AES_128_GCM_SHA256/m);
  const md = compareMarkdown(c);
  assert.match(
    md,
    new RegExp(
      `\\| \`${FAST.id}\` \\| 1000\\.0 \\| 500\\.0 \\| -50\\.0% \\| [^|]+ \\| \\\\\\*\\\\\\*\\\\\\* \\| 5/5 ` +
        `\\| REGRESSION \\|`,
    ),
  );
  assert.match(md, /^\| scenario \| base MB\/s \| new MB\/s \| change \| p \| sig \| n base\/new \| verdict \|$/m);
  assert.match(md, /^\| --- \| ---: \| ---: \| ---: \| ---: \| --- \| ---: \| --- \|$/m);
});

test('a faster scenario is an improvement, not a regression', () => {
  const a = run('A', [{ scenario: FAST, rates: BASE_RATES }]);
  const b = run('B', [{ scenario: FAST, rates: BASE_RATES.map((r) => r * 1.5) }]);
  const c = compareRuns(a, b, { threshold: 0.05, alpha: 0.05 });
  assert.equal(c.compared[0]!.verdict, 'improvement');
  assert.equal(compareExitCode(c), 0);
});

test('threshold respected: a significant 3% drop is no regression at 5%, is one at 2%', () => {
  const a = run('A', [{ scenario: FAST, rates: BASE_RATES }]);
  const b = run('B', [{ scenario: FAST, rates: BASE_RATES.map((r) => r * 0.97) }]);
  const at5 = compareRuns(a, b, { threshold: 0.05, alpha: 0.05 });
  const s = at5.compared[0]!;
  assert.ok(Math.abs(s.changePercent - -3) < 1e-9, String(s.changePercent));
  assert.ok(s.p < 0.01, `the 3% drop is significant: p ${s.p}`);
  assert.notEqual(s.stars, '');
  assert.equal(s.verdict, 'unchanged');
  assert.equal(compareExitCode(at5), 0);
  assert.equal(compareExitCode(compareRuns(a, b, { threshold: 0.02, alpha: 0.05 })), 1);
});

test('alpha respected: a big drop with too few samples to be sure is no regression', () => {
  // n = 2 each and noisy: -20% but p well above 0.05.
  const a = run('A', [{ scenario: FAST, rates: [1000, 600] }]);
  const b = run('B', [{ scenario: FAST, rates: [800, 480] }]);
  const c = compareRuns(a, b, { threshold: 0.05, alpha: 0.05 });
  assert.ok(Math.abs(c.compared[0]!.changePercent - -20) < 1e-9);
  assert.ok(c.compared[0]!.p > 0.05);
  assert.equal(compareExitCode(c), 0);
  // One sample: no p-value at all, never significant.
  const one = compareRuns(run('A', [{ scenario: FAST, rates: [1000] }]), run('B', [{ scenario: FAST, rates: [10] }]));
  assert.ok(Number.isNaN(one.compared[0]!.p));
  assert.equal(one.compared[0]!.stars, '');
  assert.equal(compareExitCode(one), 0);
  assert.match(compareText(one), /-99\.0%\s+-\s+1\/1$/m);
});

test('scenarios in one run only are listed by run; scenarios without delivered transfers are not comparable', () => {
  const a = run('A', [
    { scenario: FAST, rates: BASE_RATES },
    { scenario: OTHER, rates: BASE_RATES },
    { scenario: SLOW, rates: BASE_RATES },
  ]);
  const b = run('B', [
    { scenario: FAST, rates: BASE_RATES },
    { scenario: NEWER, rates: BASE_RATES },
    { scenario: SLOW, rates: [100, 100, 100], kind: 'truncated' },
  ]);
  const c = compareRuns(a, b);
  assert.deepEqual(
    c.compared.map((s) => s.scenarioId),
    [FAST.id],
  );
  assert.deepEqual(c.onlyInBase, [OTHER.id]);
  assert.deepEqual(c.onlyInNew, [NEWER.id]);
  assert.deepEqual(c.notComparable, [
    { scenarioId: SLOW.id, baseOutcomes: { complete: 5 }, newOutcomes: { truncated: 3 } },
  ]);
  const text = compareText(c);
  assert.match(text, new RegExp(`Only in base run A: 1\\n  ${OTHER.id}`));
  assert.match(text, new RegExp(`Only in new run B: 1\\n  ${NEWER.id}`));
  assert.match(text, new RegExp(`Not comparable .*: 1\\n  ${SLOW.id}: base complete 5; new truncated 3`));
  const md = compareMarkdown(c);
  assert.match(md, new RegExp(`### Only in base run A: 1\\n\\n- \`${OTHER.id}\``));
  assert.match(md, new RegExp(`### Only in new run B: 1\\n\\n- \`${NEWER.id}\``));
});

test('partly delivered scenario: only the delivered transfers are samples; complete-unclean counts', () => {
  const a = run('A', [{ scenario: FAST, rates: BASE_RATES, kind: 'complete-unclean' }]);
  const mixed = run('B', [{ scenario: FAST, rates: BASE_RATES }]);
  const b: RunResult = { ...mixed, records: [...mixed.records, record('B', FAST, 5, 0, 'reset')] };
  const c = compareRuns(a, b);
  const s = c.compared[0]!;
  assert.equal(s.base.samplesMbPerSec.length, 5);
  assert.deepEqual(s.new.outcomes, { complete: 5, reset: 1 });
  assert.deepEqual(s.new.samplesMbPerSec, BASE_RATES);
});

test('starsFor: Node compare thresholds', () => {
  assert.deepEqual([0.0005, 0.001, 0.005, 0.01, 0.03, 0.05, 0.2, NaN].map(starsFor), [
    '***',
    '**',
    '**',
    '*',
    '*',
    '',
    '',
    '',
  ]);
});

test('comparableRun: accepts a results.json object, rejects others with one usage error', () => {
  const a = run('A', [{ scenario: FAST, rates: BASE_RATES }]);
  const parsed: unknown = JSON.parse(JSON.stringify({ schemaVersion: 1, ...a }));
  const loaded = comparableRun(parsed, 'x.json');
  assert.equal(compareRuns(loaded, a).compared[0]!.p, 1);
  const reject = (value: unknown, message: RegExp): void =>
    assert.throws(
      () => comparableRun(value, 'x.json'),
      (e: unknown) => isUsageError(e) && message.test(e.message) && !e.message.includes('\n'),
    );
  reject({ ...(parsed as object), schemaVersion: 2 }, /x\.json has schemaVersion 2: expected 1/);
  reject({ context: {}, scenarios: [], records: [] }, /schemaVersion undefined: expected 1/);
  reject([], /expected a JSON object/);
  const context = (parsed as { context: unknown }).context;
  const record = (parsed as { records: Record<string, unknown>[] }).records[0]!;
  reject(
    { schemaVersion: 1, context: { runId: 'A' }, scenarios: [], records: [] },
    /x\.json is not a tls-sst-bench results\.json: context\.environment is missing$/,
  );
  reject(
    { schemaVersion: 1, context, scenarios: [], records: [{ ...record, outcome: { kind: 'fine' } }] },
    /records\[0\]\.outcome\.kind is "fine": expected \("complete" \| "complete-unclean" \| /,
  );
  reject(
    { schemaVersion: 1, context, scenarios: [], records: [{ ...record, durationMs: 'slow' }] },
    /records\[0\]\.durationMs is "slow": expected number$/,
  );
  reject(
    { schemaVersion: 1, context, scenarios: [], records: [{ ...record, mbPerSec: 1e308 }] },
    /records\[0\]\.mbPerSec: expected a throughput in MB\/s <= 1000000000, got 1e\+308$/,
  );
  reject({ schemaVersion: 1, context, scenarios: [{}], records: [] }, /scenarios\[0\]\.scenarioId is missing$/);
});

test("the header names the workers' Node when --node ran them on another one than the orchestrator's", () => {
  const withRuntimes = (runId: string, node: string, openssl: string): unknown => {
    const r = run(runId, [{ scenario: FAST, rates: BASE_RATES }]);
    const environment = { ...r.context.environment, node: 'v20.20.2', openssl: '3.0.19' };
    const runtimes = [{ label: node, path: `/opt/node-${node}/bin/node`, node, openssl, ran: true }];
    return JSON.parse(JSON.stringify({ schemaVersion: 1, ...r, context: { ...r.context, environment, runtimes } }));
  };
  const base = comparableRun(withRuntimes('A', '20.20.2', '3.0.19'), 'a.json');
  const next = comparableRun(withRuntimes('B', '24.21.0', '3.5.8'), 'b.json');
  assert.deepEqual(next.context.runtimes, [{ node: '24.21.0', openssl: '3.5.8' }]);
  const lines = compareText(compareRuns(base, next)).split('\n');
  assert.equal(lines[0], 'tls-sst-bench compare  base A (Node v20.20.2, OpenSSL 3.0.19, Test CPU)');
  assert.equal(
    lines[1],
    '                       new  B (Node v20.20.2, OpenSSL 3.0.19, workers on Node 24.21.0 (OpenSSL 3.5.8), Test CPU)',
  );
});
