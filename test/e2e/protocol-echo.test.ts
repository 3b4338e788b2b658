import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunResult } from '../../src/results.ts';
import { runCli, tempDir, type CliResult } from '../support/helpers.ts';

// The test-only echo protocol (src/protocols/echo/, one registry line) through the
// same `run` (real workers on loopback), reporters and `compare` as raw and kvrocks.
/** The test hook: the CLI and its workers list echo only with it. */
const ECHO = { TLS_SST_BENCH_TEST_PROTOCOLS: 'echo' };

let tmp: { dir: string; remove: () => Promise<void> };
let runA: CliResult;
let dirA: string;
let dirB: string;

async function echoRun(out: string): Promise<{ result: CliResult; dir: string }> {
  const result = await runCli(
    [
      'run',
      '--protocol',
      'echo',
      '--sizes',
      '1MB',
      '--chunks',
      '16KiB',
      '--suites',
      'TLS_AES_128_GCM_SHA256',
      '--iterations',
      '10',
      '--warmup',
      '1',
      '--out',
      out,
      '--fixtures-dir',
      join(tmp.dir, 'fx'),
      '--json',
    ],
    ECHO,
  );
  assert.equal(result.code, 0, result.stderr);
  const runs = readdirSync(out);
  assert.equal(runs.length, 1);
  return { result, dir: join(out, runs[0]!) };
}

before(async () => {
  tmp = await tempDir('echo');
  ({ result: runA, dir: dirA } = await echoRun(join(tmp.dir, 'a')));
  ({ dir: dirB } = await echoRun(join(tmp.dir, 'b')));
});
after(() => tmp.remove());

test(
  'run --protocol echo: every byte comes back, 10 measured transfers of one cell, the protocol detail on each ' +
    'record',
  () => {
    const run = JSON.parse(runA.stdout) as RunResult;
    assert.equal(run.scenarios.length, 1);
    const id = run.scenarios[0]!.scenarioId;
    assert.equal(
      id,
      'size=1MB chunk=16KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
        'write=backpressure receiver=until-eof peer=node protocol=echo streams=1',
    );
    const measured = run.records.filter((r) => !r.warmup);
    assert.equal(measured.length, 10);
    assert.equal(run.records.length, 11);
    for (const r of measured) {
      assert.equal(r.scenario.protocol, 'echo');
      assert.deepEqual(r.scenario.params, { protocol: 'echo' });
      assert.equal(r.outcome.kind, 'complete-close-unknown');
      assert.deepEqual([r.bytesExpected, r.bytesWritten, r.bytesReceived], [1e6, 1e6, 1e6]);
      assert.deepEqual(r.detail, { protocol: 'echo', bytesEchoed: 1e6, echoMatched: true });
      assert.equal(r.suiteNegotiated, 'TLS_AES_128_GCM_SHA256');
      assert.ok(r.mbPerSec !== null && r.mbPerSec > 0);
    }
    assert.equal(run.scenarios[0]!.outcomes['complete-close-unknown'], 10);
    assert.equal(run.scenarios[0]!.throughput?.samples, 10);
    // No fixture: the echo makes its bytes as it goes.
    assert.deepEqual(run.context.fixtures, []);
  },
);

test('the reporters: the endings table names the echo, the CSVs and the summary list its cell', () => {
  assert.match(runA.stderr, /end\s+backpressure\s+until-eof\s+echo\s+complete-close-unknown/);
  const csv = readFileSync(join(dirA, 'results.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv.length, 1 + 10);
  for (const row of csv.slice(1)) assert.match(row, /,echo,/);
  assert.match(
    readFileSync(join(dirA, 'summary.md'), 'utf8'),
    /^\| end \| backpressure \| until-eof \| echo \| complete-close-unknown \|$/m,
  );
});

test('compare: a run against itself, then against a second real run, every echo sample compared', async () => {
  const self = await runCli(['compare', dirA, dirA], ECHO);
  assert.equal(self.code, 0, self.stderr);
  assert.match(self.stdout, /No significant regression in 1 compared scenario\(s\)/);
  assert.match(self.stdout, /protocol=echo.*\s0\.0%\s+1\.000\s+10\/10$/m);
  const two = await runCli(['compare', dirA, dirB], ECHO);
  assert.ok(two.code === 0 || two.code === 1, `exit ${two.code}: ${two.stderr}`);
  assert.match(two.stdout, /protocol=echo.*\s10\/10(\s|$)/m);
  assert.doesNotMatch(two.stdout, /Only in|Not comparable/);
});

test('without the test hook, echo is not a protocol: exit 2, one line naming the accepted ones', async () => {
  const r = await runCli(
    ['run', '--protocol', 'echo', '--out', join(tmp.dir, 'never'), '--fixtures-dir', join(tmp.dir, 'fx')],
    { TLS_SST_BENCH_TEST_PROTOCOLS: '' },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /--protocol "echo" is not accepted: expected one of raw, kvrocks/);
});
