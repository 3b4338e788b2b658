import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/tls-sst-bench.js', import.meta.url));
let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('kvcli');
});
after(() => tmp.remove());

type Rec = { scenario: { shutdown: string; streams: number; protocol: string }; outcome: { kind: string; errorCode: string | null }; sync: { attempts: number; synced: boolean } | null; bytesReceived: number; bytesExpected: number };

test('run --protocol kvrocks: end syncs at once over 1 and 4 connections; destroy after buffered writes fails every attempt', async () => {
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [BIN, 'run', '--protocol', 'kvrocks', '--checkpoint', '24MB', '--file-size', '8MB', '--streams', '1,4', '--chunks', '16KiB', '--suites', 'TLS_AES_128_GCM_SHA256', '--shutdown', 'end,destroy', '--write-path', 'buffered',
        '--max-attempts', '2', '--retry-delay', '50ms', '--iterations', '1', '--warmup', '0', '--json', '--out', join(tmp.dir, 'out'), '--fixtures-dir', join(tmp.dir, 'fx')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(r.code, 0, r.stderr);
  const records = (JSON.parse(r.stdout) as { records: Rec[] }).records;
  assert.equal(records.length, 4);
  for (const rec of records) {
    assert.equal(rec.scenario.protocol, 'kvrocks');
    if (rec.scenario.shutdown === 'end') {
      assert.match(rec.outcome.kind, /^complete/);
      assert.deepEqual([rec.sync?.attempts, rec.sync?.synced, rec.bytesReceived], [1, true, rec.bytesExpected]);
    } else {
      assert.equal(rec.outcome.kind, 'truncated');
      assert.equal(rec.outcome.errorCode, 'EOF_BEFORE_COUNT');
      assert.deepEqual([rec.sync?.attempts, rec.sync?.synced], [2, false]);
    }
  }
  assert.match(r.stderr, /destroy\s+buffered\s+framed\s+kvrocks x4\s+truncated \[EOF_BEFORE_COUNT\].* after 2 attempts/);
});
