import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ciphersText } from '../../src/cli/ciphers-command.ts';
import { resolveConfig } from '../../src/config/schema.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import type { RunResult } from '../../src/results.ts';
import { availableSuites } from '../../src/tls/suites.ts';
import { tempDir } from '../support/helpers.ts';

// `tls-sst-bench ciphers` must not offer a suite that cannot run: every one of
// them, with the key type it needs, moves 100 KB and negotiates as asked.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;
const suites = availableSuites();

before(async () => {
  tmp = await tempDir('allsuites');
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        tls: '1.3,1.2',
        key: 'ecdsa-p256,rsa-2048',
        suites: suites.map((s) => s.name).join(','),
        sizes: '100KB',
        chunks: '16KiB',
        iterations: '1',
        warmup: '0',
      },
    },
  ]);
  run = await runBenchmark(config, { runId: 'test-allsuites', command: 'test', fixturesDir: tmp.dir });
});
after(() => tmp.remove());

test('every offered suite negotiates as asked and delivers every byte', () => {
  assert.ok(suites.length >= 20, `only ${suites.length} suites`);
  for (const s of suites) {
    const records = run.records.filter((r) => r.scenario.suite === s.name);
    assert.ok(records.length >= 1, s.name);
    for (const r of records) {
      assert.equal(r.outcome.kind, 'complete', `${s.name}/${r.scenario.keyType}: ${JSON.stringify(r.outcome)}`);
      assert.equal(r.suiteNegotiated, s.name);
    }
  }
});

test('the ciphers listing names every suite under its version', () => {
  const text = ciphersText();
  for (const s of suites) assert.match(text, new RegExp(`\\b${s.name}\\b`));
  assert.match(text, /TLS 1\.3[\s\S]*\* TLS_AES_128_GCM_SHA256[\s\S]*TLS 1\.2[\s\S]*\* ECDHE-ECDSA-AES128-GCM-SHA256/);
});
