// `npm test` on a fresh machine: scripts/install-test-deps.sh run against a
// PATH holding only what each case chooses (symlinks to a few real programs,
// fake apt-get / sudo / id that record their calls) and an empty SYSROOT
// (no headers, no /usr/bin/chromium): what it installs, and the one line it
// prints where it cannot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/helpers.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'install-test-deps.sh');
const BASH = '/bin/bash';
/** Every package of a machine that has none of them, in the script's order. */
const ALL = [
  'rocksdb-tools',
  'openssl',
  'libssl-dev',
  'iproute2',
  'gnutls-bin',
  'gcc',
  'libgnutls28-dev',
  'chromium',
  'util-linux',
];

let tmp: { dir: string; remove: () => Promise<void> };
let n = 0;
before(async () => {
  tmp = await tempDir('setup');
});
after(() => tmp.remove());

interface Machine {
  /** Real programs linked into PATH. */
  readonly real?: readonly string[];
  /** Fake programs: name -> bash body (the call is logged first). */
  readonly fake?: Readonly<Record<string, string>>;
  /** Files made under SYSROOT. */
  readonly files?: readonly string[];
}

/** A PATH dir and SYSROOT as described; returns them and the call log. */
function machine(m: Machine): { bin: string; sysroot: string; log: string } {
  const base = join(tmp.dir, `m${n++}`);
  const bin = join(base, 'bin');
  const sysroot = join(base, 'root');
  const log = join(base, 'calls.log');
  mkdirSync(bin, { recursive: true });
  mkdirSync(sysroot);
  writeFileSync(log, '');
  for (const p of m.real ?? []) {
    const found = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].map((d) => join(d, p)).find((f) => existsSync(f));
    assert.ok(found, `${p} not found on this machine`);
    symlinkSync(found, join(bin, p));
  }
  for (const [name, body] of Object.entries(m.fake ?? {})) {
    writeFileSync(join(bin, name), `#!/bin/bash\necho "${name} $*" >> ${log}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  for (const f of m.files ?? []) {
    mkdirSync(join(sysroot, f, '..'), { recursive: true });
    writeFileSync(join(sysroot, f), '');
    chmodSync(join(sysroot, f), 0o755);
  }
  return { bin, sysroot, log };
}

function runScript(
  m: { bin: string; sysroot: string },
  argv: readonly string[] = [SCRIPT],
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BASH, argv, { env: { PATH: m.bin, SYSROOT: m.sysroot }, encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const calls = (log: string): string[] =>
  readFileSync(log, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '');

test('an empty machine, as root: apt-get update, then every package in one install', () => {
  const m = machine({ real: ['env'], fake: { id: 'echo 0', 'apt-get': 'exit 0' } });
  const r = runScript(m);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `installing: ${ALL.join(' ')}\n`);
  assert.deepEqual(
    calls(m.log).filter((c) => !c.startsWith('id')),
    ['apt-get update -qq', `apt-get install -y -qq ${ALL.join(' ')}`],
  );
});

test('not root, password-less sudo: the same install through sudo -n', () => {
  const m = machine({
    real: ['env'],
    fake: { id: 'echo 1000', sudo: 'shift; [ "$1" = true ] && exit 0; exec "$@"', 'apt-get': 'exit 0' },
  });
  const r = runScript(m);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    calls(m.log).filter((c) => !c.startsWith('id')),
    [
      'sudo -n true',
      'sudo -n apt-get update -qq',
      'apt-get update -qq',
      `sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${ALL.join(' ')}`,
      `apt-get install -y -qq ${ALL.join(' ')}`,
    ],
  );
});

test('not root and no sudo: one line naming the packages and the command, exit 1, nothing run', () => {
  const m = machine({ fake: { id: 'echo 1000', 'apt-get': 'exit 0' } });
  const r = runScript(m);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    `tls-sst-bench tests need these Debian packages and cannot install them (not root, no password-less sudo): ` +
      `${ALL.join(' ')}; run: sudo apt-get install -y ${ALL.join(' ')}\n`,
  );
  assert.deepEqual(
    calls(m.log).filter((c) => !c.startsWith('id')),
    [],
  );
});

test('not root, sudo that wants a password: the same one line, never a prompt', () => {
  const m = machine({ fake: { id: 'echo 1000', sudo: 'exit 1', 'apt-get': 'exit 0' } });
  const r = runScript(m);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^tls-sst-bench tests need these Debian packages and cannot install them \(not root, no password-less sudo\): .*; run: sudo apt-get install -y /,
  );
  assert.equal(r.stderr.split('\n').length, 2);
  assert.deepEqual(
    calls(m.log).filter((c) => !c.startsWith('id')),
    ['sudo -n true'],
  );
});

test('no apt-get: one line naming the packages, exit 1', () => {
  const m = machine({ fake: { id: 'echo 0' } });
  const r = runScript(m);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `tls-sst-bench tests need these Debian packages, and this machine has no apt-get: ${ALL.join(' ')}; ` +
      `install their equivalents, then run npm test again\n`,
  );
});

test('only what is missing is installed: headers and chromium present, programs absent', () => {
  const m = machine({
    real: ['env'],
    fake: { id: 'echo 0', 'apt-get': 'exit 0', sst_dump: '', openssl: '', ip: '', cc: '', setpriv: '' },
    files: ['usr/include/openssl/ssl.h', 'usr/include/gnutls/gnutls.h'],
  });
  const r = runScript(m);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'installing: gnutls-bin chromium\n');
});

test('everything present: no apt-get call at all (idempotent)', () => {
  const programs = { sst_dump: '', openssl: '', ip: '', 'gnutls-cli': '', cc: '', setpriv: '' };
  const m = machine({
    fake: { id: 'echo 1000', 'apt-get': 'exit 9', sudo: 'exit 9', ...programs },
    files: ['usr/include/openssl/ssl.h', 'usr/include/gnutls/gnutls.h', 'usr/bin/chromium'],
  });
  const r = runScript(m);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^test dependencies present: /);
  assert.deepEqual(calls(m.log), []);
});

test('npm test (scripts/test.js) stops before any test when the packages cannot be installed', () => {
  const m = machine({ real: ['bash'], fake: { id: 'echo 1000', 'apt-get': 'exit 0' } });
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'test.js')], {
    env: { PATH: m.bin, SYSROOT: m.sysroot },
    encoding: 'utf8',
    cwd: ROOT,
  });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /^tls-sst-bench tests need these Debian packages and cannot install them .*; run: sudo apt-get install -y rocksdb-tools .*chromium/,
  );
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
});

test('a test whose program is missing fails at once and names it', () => {
  // An empty PATH (so no sst_dump): the real test file, run as npm test runs it.
  const m = machine({});
  // Without NODE_TEST_CONTEXT the child reports on its own stdout, not into this runner.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/e2e/sst-dump-accepts.test.ts'],
    { env: { ...env, PATH: m.bin }, encoding: 'utf8', cwd: ROOT },
  );
  assert.equal(r.status, 1);
  assert.match(
    r.stdout,
    /sst_dump not on PATH: this test needs Debian's rocksdb-tools; run bash scripts\/install-test-deps\.sh \(npm test does\)/,
  );
});
