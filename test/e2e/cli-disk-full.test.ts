import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { humanBytes } from '../../src/config/units.ts';
import { runCli, tempDir } from '../support/helpers.ts';

/**
 * Not enough disk, as a user meets it: the fixture cache or --out on a small
 * filesystem (a tmpfs this test mounts; root only, as in CI). Every case exits
 * 2 with one line naming the size and the free space, and writes nothing.
 */

let tmp: { dir: string; remove: () => Promise<void> };
const mounted: string[] = [];
let skipReason: string | null = null;

/** A tmpfs of `size` at a new folder under the test's temp dir. */
function mountTmpfs(name: string, size: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  mounted.push(dir);
  return dir;
}

let small: string; // 8 MiB: less than any fixture plus the 256 MiB margin
let roomy: string; // 300 MiB: room for 1 MB plus the margin, not for 64 MB
let tiny: string; // 64 KiB: less than a run's result files

before(async () => {
  tmp = await tempDir('diskfull');
  try {
    small = mountTmpfs('small', '8m');
    roomy = mountTmpfs('roomy', '300m');
    tiny = mountTmpfs('tiny', '64k');
  } catch (err) {
    skipReason = `cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]}): needs root, as in CI`;
  }
});

after(async () => {
  // Always unmount, even after a failure; then the temp dir can go.
  for (const dir of mounted.reverse()) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    }
  }
  await tmp.remove();
});

function skipped(t: TestContext): boolean {
  if (skipReason) t.skip(skipReason);
  return skipReason !== null;
}

const free = (dir: string): string => {
  const s = statfsSync(dir);
  return humanBytes(s.bavail * s.bsize);
};

function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${stderr}`);
  return lines[0]!;
}

test('fixtures generate into a cache on a small filesystem: exit 2, size and free space named, nothing written', async (t) => {
  if (skipped(t)) return;
  const fx = join(small, 'fx');
  const r = await runCli(['fixtures', 'generate', '--sizes', '1MB', '--fixtures-dir', fx]);
  assert.equal(r.code, 2, r.stderr);
  const line = oneLine(r.stderr);
  assert.equal(
    line,
    `tls-sst-bench: not enough disk for a 1.0 MB fixture in ${fx}: ${free(small)} free, need 269.4 MB (size + ` +
      `268.4 MB margin)`,
  );
  assert.equal(r.stdout, '');
  assert.deepEqual(readdirSync(small), []);
});

test('fixtures generate of several: checked together before the first is written', async (t) => {
  if (skipped(t)) return;
  const r = await runCli([
    'fixtures',
    'generate',
    '--sizes',
    '1MB,2MB',
    '--profile',
    'kv,incompressible',
    '--fixtures-dir',
    small,
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    oneLine(r.stderr),
    new RegExp(
      `not enough disk for 4 fixtures totalling 6\\.0 MB in ${small}: ${free(small).replace('.', '\\.')} free, ` +
        `need 274\\.4 MB`,
    ),
  );
  assert.deepEqual(readdirSync(small), []);
});

test('run with --fixtures-dir on a small filesystem: exit 2 before the run, no fixture, no run folder', async (t) => {
  if (skipped(t)) return;
  const out = join(tmp.dir, 'out-small');
  const r = await runCli(['run', '--smoke', '--fixtures-dir', join(small, 'fx'), '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    oneLine(r.stderr),
    new RegExp(
      `^tls-sst-bench: not enough disk for a 1\\.0 MB fixture in ${small}/fx: ` +
        `${free(small).replace('.', '\\.')} free, need 269\\.4 MB`,
    ),
  );
  assert.deepEqual(readdirSync(small), []);
  assert.equal(existsSync(out), false);
});

test('the check is the size against the free space: 1 MB fits on 300 MiB, 64 MB does not', async (t) => {
  if (skipped(t)) return;
  const ok = await runCli(['fixtures', 'generate', '--sizes', '1MB', '--fixtures-dir', roomy]);
  assert.equal(ok.code, 0, ok.stderr);
  const before = readdirSync(roomy).sort();
  assert.deepEqual(before, ['manifest.json', 'sst-kv-1MB-seed1.sst']);
  const freeNow = free(roomy);
  const r = await runCli(['fixtures', 'generate', '--sizes', '64MB', '--fixtures-dir', roomy]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(
    oneLine(r.stderr),
    `tls-sst-bench: not enough disk for a 64.0 MB fixture in ${roomy}: ${freeNow} free, need 332.4 MB (size + ` +
      `268.4 MB margin)`,
  );
  assert.deepEqual(readdirSync(roomy).sort(), before);
});

test(
  'run with --out on a small filesystem: exit 2 naming the size of the results and the free space, only the ' +
    'journal kept',
  async (t) => {
    if (skipped(t)) return;
    const r = await runCli(['run', '--smoke', '--fixtures-dir', join(tmp.dir, 'fx'), '--out', tiny]);
    assert.equal(r.code, 2, r.stderr);
    // The run happened (its progress is on stderr); the last line is the one error line.
    const last = r.stderr.trimEnd().split('\n').at(-1)!;
    // The journal was written as the run went: it is all that stays, and the line says so.
    const [runId, ...more] = readdirSync(tiny);
    assert.deepEqual(more, []);
    assert.match(
      last,
      new RegExp(
        `^tls-sst-bench: not enough disk for the results in ${tiny}: ${free(tiny).replace('.', '\\.')} free, the ` +
          `run's files need \\d+\\.\\d KB; only the journal was kept in ${tiny}/${runId} \\(run tls-sst-bench ` +
          `report on it once there is room\\)`,
      ),
    );
    assert.equal(r.stdout, '');
    assert.deepEqual(readdirSync(join(tiny, runId!)).sort(), ['context.json', 'records.jsonl']);
  },
);
