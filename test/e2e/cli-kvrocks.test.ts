import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('kvcli');
});
after(() => tmp.remove());

type Rec = {
  scenario: { shutdown: string; streams: number; protocol: string };
  outcome: { kind: string; errorCode: string | null };
  detail: { protocol: string; attempts: number; synced: boolean } | null;
  bytesReceived: number;
  bytesExpected: number;
};

test(
  'run --protocol kvrocks: end syncs at once over 1 and 4 connections; destroy after buffered writes fails every ' +
    'attempt',
  async () => {
    const r = await runCli([
      'run',
      '--protocol',
      'kvrocks',
      '--checkpoint',
      '24MB',
      '--file-size',
      '8MB',
      '--streams',
      '1,4',
      '--chunks',
      '16KiB',
      '--suites',
      'TLS_AES_128_GCM_SHA256',
      '--shutdown',
      'end,destroy',
      '--write-path',
      'buffered',
      '--max-attempts',
      '2',
      '--retry-delay',
      '50ms',
      '--iterations',
      '1',
      '--warmup',
      '0',
      '--json',
      '--out',
      join(tmp.dir, 'out'),
      '--fixtures-dir',
      join(tmp.dir, 'fx'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const records = (JSON.parse(r.stdout) as { records: Rec[] }).records;
    assert.equal(records.length, 4);
    for (const rec of records) {
      assert.equal(rec.scenario.protocol, 'kvrocks');
      if (rec.scenario.shutdown === 'end') {
        assert.match(rec.outcome.kind, /^complete/);
        assert.deepEqual([rec.detail?.attempts, rec.detail?.synced, rec.bytesReceived], [1, true, rec.bytesExpected]);
      } else {
        assert.equal(rec.outcome.kind, 'truncated');
        assert.equal(rec.outcome.errorCode, 'EOF_BEFORE_COUNT');
        assert.deepEqual([rec.detail?.attempts, rec.detail?.synced], [2, false]);
      }
    }
    assert.match(
      r.stderr,
      /destroy\s+buffered\s+framed\s+kvrocks x4\s+truncated \[EOF_BEFORE_COUNT\].* after 2 attempts/,
    );
  },
);
