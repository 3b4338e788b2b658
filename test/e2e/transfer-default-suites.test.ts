import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult } from '../../src/results.ts';
import { DEFAULT_SUITES } from '../../src/tls/suites.ts';
import { alive, tempDir } from '../support/helpers.ts';

// A real 1 MB transfer for each default suite of TLS 1.2 and 1.3, through the
// real worker processes, with the real per-run certificates.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;

before(async () => {
  tmp = await tempDir('suites');
  const config = resolveConfig([
    { where: 'flags', raw: { tls: '1.3,1.2', sizes: '1MB', chunks: '16KiB', iterations: '1', warmup: '0' } },
  ]);
  run = await runBenchmark(config, { runId: 'test-suites', command: 'test', fixturesDir: tmp.dir });
});
after(() => tmp.remove());

const suites = [...DEFAULT_SUITES['1.3'], ...DEFAULT_SUITES['1.2']];

for (const suite of suites) {
  test(`${suite}: complete, negotiated as asked, close_notify seen`, () => {
    const records = run.records.filter((r) => r.scenario.suite === suite);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.equal(r.outcome.kind, 'complete', JSON.stringify(r.outcome));
    assert.equal(r.suiteNegotiated, suite);
    assert.equal(r.protocolNegotiated, suite.startsWith('TLS_') ? 'TLSv1.3' : 'TLSv1.2');
    assert.equal(r.closeNotify, true);
    assert.equal(r.bytesReceived, 1_000_000);
    assert.equal(r.bytesWritten, 1_000_000);
    assert.ok(r.durationMs !== null && r.durationMs > 0);
    assert.ok(r.handshakeMs !== null && r.handshakeMs > 0);
    assert.ok(r.senderCpuMs !== null && r.receiverCpuMs !== null);
    assert.ok(r.senderRssPeakBytes! > 10e6 && r.receiverRssPeakBytes! > 10e6);
    assert.equal(r.mbPerSec, 1 / (r.durationMs! / 1000));
  });
}

test('one summary per scenario, with tinybench statistics', () => {
  assert.equal(run.scenarios.length, suites.length);
  for (const s of run.scenarios) {
    assert.deepEqual(s.outcomes, { complete: 1 });
    assert.equal(s.throughput?.samples, 1);
    assert.equal(s.durationSamplesMs.length, 1);
    // one sample: mean = p50 = the record's own rate
    const rec = run.records.find((r) => r.scenarioId === s.scenarioId)!;
    assert.ok(Math.abs(s.throughput!.meanMbPerSec - rec.mbPerSec!) < 1e-6 * rec.mbPerSec!);
  }
});

test('the context records the environment and no worker outlives the run', () => {
  const env = run.context.environment;
  assert.equal(env.node, process.version);
  assert.equal(env.openssl, process.versions.openssl);
  assert.ok(env.cores >= 1);
  assert.ok('net.ipv4.tcp_wmem' in env.tcpSysctls);
  assert.equal(run.context.workerPids.length, 2);
  for (const pid of run.context.workerPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
});
