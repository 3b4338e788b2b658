/**
 * Concurrent `fixtures generate` processes into one folder at once: the manifest keeps
 * every entry of both (its read-modify-write is locked).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('fixtures-concurrent');
});
after(() => tmp.remove());

// Small sizes: many manifest writes in a short time, the case where a race loses an entry.
const SIZES = Array.from({ length: 12 }, (_, i) => `${16 + 4 * i}KiB`).join(',');

test('three concurrent fixtures generate keep every manifest entry (without the lock, entries were lost)', async () => {
  const dir = join(tmp.dir, 'fx');
  const runs = await Promise.all(
    ['1', '2', '3'].map((seed) =>
      runCli(['fixtures', 'generate', '--sizes', SIZES, '--seed', seed, '--fixtures-dir', dir]),
    ),
  );
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    fixtures: Record<string, unknown>;
  };
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sst'))
    .sort();
  assert.equal(files.length, 36);
  assert.deepEqual(Object.keys(manifest.fixtures).sort(), files);
  // No lock or temp file is left behind.
  assert.deepEqual(
    readdirSync(dir).filter((f) => !f.endsWith('.sst')),
    ['manifest.json'],
  );
  const list = await runCli(['fixtures', 'verify', '--fixtures-dir', dir]);
  assert.equal(list.code, 0, list.stdout);
  assert.equal(list.stdout.trim().split('\n').length, 36);
});
