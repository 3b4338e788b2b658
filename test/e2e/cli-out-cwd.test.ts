/**
 * `--out results` is a path like any other, relative to the folder the CLI is
 * run from: only the default (no --out) is the project's results/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, tempDir } from '../support/helpers.ts';

const PROJECT_RESULTS = fileURLToPath(new URL('../../results', import.meta.url));
let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('out-cwd');
});
after(() => tmp.remove());

test('--out results from another folder writes there, not into the project results/', () => {
  const before = readdirSync(PROJECT_RESULTS);
  const r = spawnSync(
    process.execPath,
    [
      BIN,
      'run',
      '--sizes',
      '1MB',
      '--chunks',
      '64KiB',
      '--suites',
      'TLS_AES_128_GCM_SHA256',
      '--iterations',
      '1',
      '--warmup',
      '0',
      '--out',
      'results',
      '--fixtures-dir',
      join(tmp.dir, 'fx'),
    ],
    {
      cwd: tmp.dir,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const runs = readdirSync(join(tmp.dir, 'results'));
  assert.equal(runs.length, 1);
  assert.match(
    r.stdout,
    new RegExp(`results: ${join(tmp.dir, 'results', runs[0]!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`),
  );
  assert.deepEqual(readdirSync(PROJECT_RESULTS), before);
});
