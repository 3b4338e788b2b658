import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../support/helpers.ts';

// bin/tls-sst-bench.js as a user runs it: the exit code main() returns becomes the
// process's, and output reaches the real stdout/stderr. The table of bad inputs runs
// in-process (test/unit/cli-bad-input.test.ts); these few check the same through bin/.

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const cases: [string[], RegExp][] = [
  // a usage error from a command's own checks
  [
    ['run', '--sizes', '0'],
    /^tls-sst-bench: --sizes "0" is out of range: expected .*between 16KiB and 4GiB, e\.g\. 64MB or 16KiB$/,
  ],
  // one from commander (unknown option)
  [
    ['--frobnicate'],
    /^tls-sst-bench: unknown option "--frobnicate": expected one of --version, --help \(see --help\)$/,
  ],
  // the presets reach src/ through bin/presets.ts
  [
    ['run', '--preset', 'fast'],
    /^tls-sst-bench: --preset "fast" is not a preset: expected one of quick, chunk-size, ciphers, full/,
  ],
];

for (const [args, message] of cases) {
  test(`bin: exit 2 and one line for ${args.join(' ')}`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
  });
}

test('bin: --version prints the version on stdout and exits 0', async () => {
  const r = await runCli(['--version']);
  assert.deepEqual(r, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
});

test('bin: no arguments prints the help on stdout and exits 2', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /^Usage: tls-sst-bench \[options\] \[command\]/);
  assert.equal(r.stderr, '');
});
