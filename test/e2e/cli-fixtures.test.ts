import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir, requirePrograms } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let fx: string;
before(async () => {
  tmp = await tempDir('fixtures-cli');
  fx = join(tmp.dir, 'fx');
});
after(() => tmp.remove());

test('fixtures generate, list, verify (with sst_dump), damage, verify again, clean', async () => {
  requirePrograms({ sst_dump: 'rocksdb-tools' });
  let r = await runCli([
    'fixtures',
    'generate',
    '--sizes',
    '1MB,100KB',
    '--profile',
    'kv,incompressible',
    '--seed',
    '3',
    '--fixtures-dir',
    fx,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 4);
  assert.match(r.stdout, /^sst-kv-100KB-seed3\.sst {2}100\.0 KB {2}crc32c [0-9a-f]{8} {2}\d+ data blocks/m);

  r = await runCli(['fixtures', 'list', '--fixtures-dir', fx]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /sst-incompressible-1MB-seed3\.sst\s+1\.0 MB\s+1000000\s+incompressible\s+3/);

  r = await runCli(['fixtures', 'verify', '--fixtures-dir', fx]);
  assert.equal(r.code, 0, r.stdout);
  assert.equal((r.stdout.match(/: crc32c ok, sst_dump ok$/gm) ?? []).length, 4, r.stdout);

  const fd = openSync(join(fx, 'sst-kv-1MB-seed3.sst'), 'r+');
  writeSync(fd, Buffer.from([0x42]), 0, 1, 123_456);
  closeSync(fd);
  r = await runCli(['fixtures', 'verify', '--fixtures-dir', fx]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /sst-kv-1MB-seed3\.sst: crc32c wrong-crc32c/);

  r = await runCli(['fixtures', 'clean', '--fixtures-dir', fx]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /removed 5 file\(s\)/);
  assert.deepEqual(readdirSync(fx), []);
});
