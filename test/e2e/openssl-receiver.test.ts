import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import { opensslError } from '../../src/runner/receiver-peers.ts';
import type { RunResult, TransferRecord } from '../../src/results.ts';
import { tempDir, requirePrograms } from '../support/helpers.ts';

// The same Node sender, with `openssl s_client` (OpenSSL 3) as the receiver:
// the view of the stack in the Kvrocks incident.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;

before(async () => {
  requirePrograms({ openssl: 'openssl' });
  tmp = await tempDir('openssl');
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '64MB',
        chunks: '64KiB',
        suites: 'TLS_AES_128_GCM_SHA256',
        shutdown: 'end,destroy,destroy-after-flush',
        writePath: 'buffered',
        receiverPeer: 'openssl',
        iterations: '1',
        warmup: '0',
      },
    },
  ]);
  run = await runBenchmark(config, { runId: 'test-openssl', command: 'test', fixturesDir: tmp.dir });
});
after(() => tmp.remove());

const by = (shutdown: string): TransferRecord => run.records.find((r) => r.scenario.shutdown === shutdown)!;

test('end: OpenSSL sees every byte and the close_notify', () => {
  const r = by('end');
  assert.equal(r.outcome.kind, 'complete');
  assert.equal(r.closeNotify, true);
  assert.equal(r.bytesReceived, 64_000_000);
});

test('destroy-after-flush: every byte, yet OpenSSL reports 0A000126, the incident error', () => {
  const r = by('destroy-after-flush');
  assert.equal(r.bytesReceived, 64_000_000);
  assert.equal(r.outcome.kind, 'tls-error');
  assert.equal(r.outcome.errorCode, '0A000126');
  assert.match(r.outcome.errorMessage!, /unexpected eof while reading/);
  assert.equal(r.closeNotify, false);
});

test('destroy + buffered: bytes lost, and OpenSSL says so (0A000126); a Node receiver would not', () => {
  const r = by('destroy');
  assert.ok(r.bytesReceived < 64_000_000);
  assert.equal(r.outcome.errorCode, '0A000126');
  assert.equal(r.silentLoss, false);
});

test('s_client stderr parsing', () => {
  assert.deepEqual(
    opensslError(
      '40F7:error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading:../ssl/record/rec_layer_s3.c:318:\n',
      1,
    ),
    {
      code: '0A000126',
      message: 'error:0A000126:SSL routines:ssl3_read_n:unexpected eof while reading',
    },
  );
  assert.deepEqual(opensslError('depth=0 CN = localhost\nread:errno=104\n', 1), {
    code: 'ECONNRESET',
    message: 'read:errno=104',
  });
  assert.equal(opensslError('depth=0 CN = localhost\nverify return:1\n', 0), null);
  assert.deepEqual(opensslError('', 3), { code: 'EXIT_3', message: 's_client exited 3' });
});
