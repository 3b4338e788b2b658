import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { endingsMatrix } from '../../src/report/endings.ts';
import { faultSummaries } from '../../src/report/faults.ts';
import { markdownSummary } from '../../src/report/markdown.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult } from '../../src/results.ts';
import { tempDir } from '../support/helpers.ts';

// Faults injected by a loopback proxy at seeded random offsets of an 8 MB stream:
// none may be classified complete; a flipped byte is a TLS error at once.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;

before(async () => {
  tmp = await tempDir('faults');
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '4MB',
        chunks: '64KiB',
        suites: 'TLS_AES_128_GCM_SHA256',
        receiver: 'until-eof,framed',
        faults: 'fin:6,flip:5,rst:4,stall:1',
        stallTimeout: '5s',
      },
    },
  ]);
  run = await runBenchmark(config, { runId: 'test-faults', command: 'test', fixturesDir: tmp.dir });
});
after(() => tmp.remove());

test('one transfer per fault, every one classified as not complete', () => {
  assert.equal(run.records.length, 2 * 16);
  const s = faultSummaries(run);
  assert.deepEqual(
    s.map((x) => [x.kind, x.injected, x.falseComplete]),
    [
      ['fin', 12, 0],
      ['flip', 10, 0],
      ['rst', 8, 0],
      ['stall', 2, 0],
    ],
  );
});

test('a cut (FIN) is a truncation: silent for until-eof, noticed when framed', () => {
  const cuts = run.records.filter((r) => r.fault?.kind === 'fin');
  for (const r of cuts) assert.equal(r.outcome.kind, 'truncated');
  assert.ok(cuts.filter((r) => r.scenario.receiverMode === 'until-eof').every((r) => r.silentLoss));
  assert.ok(cuts.filter((r) => r.scenario.receiverMode === 'framed').every((r) => !r.silentLoss && r.receiverNoticed));
});

test('a flipped byte is a TLS error at once, not an idle timeout', () => {
  for (const r of run.records.filter((x) => x.fault?.kind === 'flip')) {
    assert.ok(r.outcome.kind === 'tls-error' || r.outcome.kind === 'handshake-failed', r.outcome.kind);
    assert.match(r.outcome.errorCode ?? '', /^ERR_SSL_|^ERR_/);
    // The verdict comes at once and the run moves on, far below the 5 s stall
    // timeout. (A sender cut off by the proxy may not report: its side of the
    // record is then empty, and it is replaced after a short grace.)
    assert.ok(r.wallMs < 2500, `${r.outcome.kind} took ${r.wallMs} ms`);
  }
});

test('a stalled stream is stalled, after the stall timeout', () => {
  for (const r of run.records.filter((x) => x.fault?.kind === 'stall')) {
    assert.equal(r.outcome.kind, 'stalled');
    assert.ok(r.wallMs >= 5000);
  }
});

test('an RST is never complete', () => {
  for (const r of run.records.filter((x) => x.fault?.kind === 'rst'))
    assert.ok(r.outcome.kind === 'reset' || r.outcome.kind === 'truncated', r.outcome.kind);
});

test('--read-path onread: a cut is truncated, a flip a TLS error, an RST never complete, none complete', async () => {
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '4MB',
        chunks: '64KiB',
        suites: 'TLS_AES_128_GCM_SHA256',
        receiver: 'until-eof,framed',
        readPath: 'onread',
        faults: 'fin:3,flip:3,rst:3',
        stallTimeout: '5s',
      },
    },
  ]);
  const onread = await runBenchmark(config, { runId: 'test-faults-onread', command: 'test', fixturesDir: tmp.dir });
  assert.equal(onread.records.length, 2 * 9);
  assert.ok(onread.records.every((r) => r.scenario.readPath === 'onread:64KiB'));
  assert.deepEqual(
    faultSummaries(onread).map((x) => [x.kind, x.injected, x.falseComplete]),
    [
      ['fin', 6, 0],
      ['flip', 6, 0],
      ['rst', 6, 0],
    ],
  );
  for (const r of onread.records) {
    if (r.fault?.kind === 'fin') assert.equal(r.outcome.kind, 'truncated');
    if (r.fault?.kind === 'flip')
      assert.ok(r.outcome.kind === 'tls-error' || r.outcome.kind === 'handshake-failed', r.outcome.kind);
    if (r.fault?.kind === 'rst')
      assert.ok(r.outcome.kind === 'reset' || r.outcome.kind === 'truncated', r.outcome.kind);
  }
});

test('injected faults are no finding about the way of ending: no "Avoid ... end" advice, the faults table has them', () => {
  // The until-eof cuts lost data silently, but the proxy cut them, not `end`.
  assert.ok(run.records.some((r) => r.silentLoss));
  assert.deepEqual(endingsMatrix(run).rows, []);
  const md = markdownSummary(run);
  assert.doesNotMatch(md, /Avoid these ways of ending/);
  assert.match(md, /Zero false complete: every injected fault was classified as not complete\./);
});
