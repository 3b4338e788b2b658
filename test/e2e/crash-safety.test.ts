// Every signal at every phase, over real processes: the CLI is started with
// its own TMPDIR (so concurrent suites on this machine do not count), sent a
// signal in a phase made deterministic by TLS_SST_BENCH_TEST_PAUSE (fixture
// generation, report rendering) or by the journal (a run with finished
// transfers), and then checked: exit code, journal kept, `report` rebuilds the
// folder, no process left (every process whose environment holds that
// TMPDIR, checked by PID), no file holding a private key anywhere under it.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { JOURNAL_CONTEXT, JOURNAL_RECORDS } from '../../src/journal.ts';
import { BUNDLE_ROOT, sweepFixturesDir } from '../../src/private-dirs.ts';
import { TEST_PAUSE_ENV } from '../../src/test-pause.ts';
import { BIN, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let n = 0;
before(async () => {
  tmp = await tempDir('crash');
});
after(() => tmp.remove());

const SMALL = ['--sizes', '1MB', '--chunks', '16KiB', '--suites', 'TLS_AES_128_GCM_SHA256', '--warmup', '0'];

interface Started {
  readonly child: ChildProcess;
  readonly base: string;
  readonly tmpdir: string;
  readonly out: string;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

/**
 * The CLI with its own TMPDIR, --out and --fixtures-dir (fresh: fixtures are generated); `pause`: a phase to wait in.
 */
function start(
  args: readonly string[],
  opts: { pause?: string; run?: boolean; env?: NodeJS.ProcessEnv } = {},
): Started {
  const base = join(tmp.dir, `c${n++}`);
  const tmpdir = join(base, 'tmp');
  const out = join(base, 'out');
  mkdirSync(tmpdir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, TMPDIR: tmpdir };
  delete env['NODE_TEST_CONTEXT'];
  if (opts.pause) env[TEST_PAUSE_ENV] = `${opts.pause}:${join(base, 'paused')}`;
  const full = opts.run === false ? args : [...args, '--out', out, '--fixtures-dir', join(base, 'fx')];
  const child = spawn(process.execPath, [BIN, ...full], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, base, tmpdir, out, exited, stderr: () => stderr };
}

/** Waits (event by event, not by a sleep) until `ready()` holds; fails if the process ends first. */
async function until(s: Started, ready: () => boolean, what: string): Promise<void> {
  let ended = false;
  void s.exited.then(() => (ended = true));
  while (!ready()) {
    if (ended) assert.fail(`exited before ${what}: ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const runDir = (s: Started): string => {
  const [id] = readdirSync(s.out);
  assert.ok(id, 'a run folder');
  return join(s.out, id);
};
const journalLines = (dir: string): number =>
  existsSync(join(dir, JOURNAL_RECORDS))
    ? readFileSync(join(dir, JOURNAL_RECORDS), 'utf8')
        .split('\n')
        .filter((l) => l !== '').length
    : 0;

/** Pids of live processes whose environment names this TMPDIR: the CLI's children, grandchildren, peers. */
function processesOf(tmpdir: string): number[] {
  const needle = Buffer.from(`TMPDIR=${tmpdir}\0`);
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`).includes(needle)) {
        const state = /^State:\s+(\w)/m.exec(readFileSync(`/proc/${name}/status`, 'latin1'))?.[1];
        if (state !== 'Z') pids.push(Number(name));
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** A PEM private key (not the word in source code, e.g. tsx's compile cache of src/tls/certs.ts). */
const PEM_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/]/;

/** Every file under `dir` that holds a private key. */
function keyFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && PEM_KEY.test(readFileSync(p, 'latin1'))) found.push(p);
    }
  };
  walk(dir);
  return found;
}

/**
 * Nothing left: no process (the kernel may take a moment to reap a SIGKILLed peer: wait for it, event by event), no key
 * file.
 */
async function assertNothingLeft(s: Started): Promise<void> {
  for (let i = 0; i < 250 && processesOf(s.tmpdir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(processesOf(s.tmpdir), [], 'no process of the run is left');
  assert.deepEqual(keyFiles(s.tmpdir), [], 'no private key under TMPDIR');
  assert.deepEqual(keyFiles(s.base), [], 'no private key in the run folder or fixtures');
}

/** `report <dir>` turns what is there into a full folder; returns results.json. */
function reportRebuilds(dir: string, journal: number): { context: { interrupted: boolean }; records: unknown[] } {
  const r = spawnSync(process.execPath, [BIN, 'report', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['results.json', 'results.csv', 'scenarios.csv', 'summary.md', 'report.html'])
    assert.ok(existsSync(join(dir, f)), f);
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    context: { interrupted: boolean };
    records: unknown[];
  };
  assert.equal(json.context.interrupted, true);
  assert.equal(json.records.length, journal);
  assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /Interrupted: partial results/);
  return json;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  const code = signal === 'SIGHUP' ? 129 : 130;
  test(`${signal} during fixture generation stops the run: exit ${code}, journal kept, report rebuilds, nothing left`, async () => {
    const s = start(['run', ...SMALL, '--iterations', '3'], { pause: 'fixtures' });
    await until(s, () => existsSync(join(s.base, 'paused')), 'the fixture phase');
    const dir = runDir(s);
    assert.ok(existsSync(join(dir, JOURNAL_CONTEXT)), 'the run folder and its journal exist from the start');
    s.child.kill(signal);
    assert.equal(await s.exited, code, s.stderr());
    assert.equal(journalLines(dir), 0);
    // The run stopped there: its results say so (no transfer ran), and report renders them again.
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      context: { interrupted: boolean };
      records: unknown[];
    };
    assert.equal(json.context.interrupted, true);
    assert.deepEqual(json.records, []);
    assert.deepEqual(
      readdirSync(join(s.base, 'fx')).filter((f) => f.startsWith('.tmp-')),
      [],
      'the half fixture is removed',
    );
    await assertNothingLeft(s);
  });

  test(
    `${signal} during the run: exit ${code}, every finished transfer in the journal and in results.json, nothing ` +
      `left`,
    async () => {
      const s = start(['run', ...SMALL, '--iterations', '1000']);
      await until(
        s,
        () => existsSync(s.out) && readdirSync(s.out).length > 0 && journalLines(runDir(s)) >= 2,
        'two finished transfers',
      );
      s.child.kill(signal);
      assert.equal(await s.exited, code, s.stderr());
      const dir = runDir(s);
      const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
        context: { interrupted: boolean };
        records: unknown[];
      };
      assert.equal(json.context.interrupted, true);
      assert.equal(json.records.length, journalLines(dir));
      assert.ok(json.records.length >= 2 && json.records.length < 1000);
      await assertNothingLeft(s);
    },
  );
}

test('SIGINT during report rendering: exit 130 at once, the journal holds every transfer, report finishes the folder', async () => {
  const s = start(['run', ...SMALL, '--iterations', '3'], { pause: 'report' });
  await until(s, () => existsSync(join(s.base, 'paused')), 'report rendering');
  s.child.kill('SIGINT');
  assert.equal(await s.exited, 130, s.stderr());
  const dir = runDir(s);
  assert.equal(existsSync(join(dir, 'results.json')), false);
  assert.equal(journalLines(dir), 3);
  await assertNothingLeft(s);
  reportRebuilds(dir, 3);
});

test('a second SIGINT exits at once: 130, the journal kept, report rebuilds, nothing left', async () => {
  // The first stops the run after the transfer in flight; the second comes while it would write its files.
  const s = start(['run', ...SMALL, '--iterations', '1000'], { pause: 'report' });
  await until(
    s,
    () => existsSync(s.out) && readdirSync(s.out).length > 0 && journalLines(runDir(s)) >= 1,
    'a finished transfer',
  );
  s.child.kill('SIGINT');
  await until(s, () => existsSync(join(s.base, 'paused')), 'the run to stop');
  s.child.kill('SIGINT');
  assert.equal(await s.exited, 130, s.stderr());
  assert.match(s.stderr(), /SIGINT: stopped at once \(second signal\)/);
  const dir = runDir(s);
  await assertNothingLeft(s);
  reportRebuilds(dir, journalLines(dir));
});

test(
  'SIGKILL of the orchestrator with --sender-peer openssl: no s_server left, no key on disk, report rebuilds, ' +
    'the next start sweeps the temp folder',
  async () => {
    const s = start(['run', ...SMALL, '--sender-peer', 'openssl', '--shutdown', 'end', '--iterations', '1000']);
    await until(
      s,
      () => existsSync(s.out) && readdirSync(s.out).length > 0 && journalLines(runDir(s)) >= 2,
      'two finished transfers',
    );
    s.child.kill('SIGKILL');
    await s.exited;
    const dir = runDir(s);
    const kept = journalLines(dir);
    assert.ok(kept >= 2);
    await assertNothingLeft(s);
    const left = readdirSync(s.tmpdir).filter((f) => f.startsWith(`tls-sst-bench-run-${s.child.pid}-`));
    assert.equal(left.length, 1, 'the killed run could not remove its temp folder');
    reportRebuilds(dir, kept);
    // Any next start (here `ciphers`) removes the dead process's folder.
    const next = spawnSync(process.execPath, [BIN, 'ciphers'], {
      env: { ...process.env, TMPDIR: s.tmpdir },
      encoding: 'utf8',
    });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(
      readdirSync(s.tmpdir).filter((f) => f.startsWith('tls-sst-bench-')),
      [],
    );
  },
);

test('a --node script that hangs: SIGINT while its worker starts kills the script and its child, exit 130', async () => {
  const base = join(tmp.dir, `node-script-${n}`);
  mkdirSync(base, { recursive: true });
  const script = join(base, 'node');
  // Answers the version probe as Node; as a worker it starts a child and hangs.
  writeFileSync(
    script,
    `#!/bin/bash\nif [ "$1" = -p ]; then exec ${process.execPath} "$@"; fi\nsleep 600 &\necho $! > ` +
      `${join(base, 'child.pid')}\nwait\n`,
  );
  chmodSync(script, 0o755);
  const s = start(['run', ...SMALL, '--iterations', '1', '--node', script]);
  await until(
    s,
    () => existsSync(join(base, 'child.pid')) && readFileSync(join(base, 'child.pid'), 'utf8').trim() !== '',
    'the hanging worker',
  );
  const childPid = Number(readFileSync(join(base, 'child.pid'), 'utf8'));
  s.child.kill('SIGINT');
  assert.equal(await s.exited, 130, s.stderr());
  await assertNothingLeft(s);
  assert.ok(!processesOf(s.tmpdir).includes(childPid));
});

test('a --node script that hangs on the version probe: stopped with its children, exit 2 naming it', async () => {
  const base = join(tmp.dir, `probe-script-${n}`);
  mkdirSync(base, { recursive: true });
  const script = join(base, 'node');
  writeFileSync(script, `#!/bin/bash\nsleep 600 &\necho $! > ${join(base, 'child.pid')}\nwait\n`);
  chmodSync(script, 0o755);
  // One second instead of twenty: the test hook of src/config/runtimes.ts.
  const s = start(['run', ...SMALL, '--iterations', '1', '--node', script], {
    env: { TLS_SST_BENCH_TEST_PROBE_TIMEOUT: '1' },
  });
  assert.equal(await s.exited, 2, s.stderr());
  assert.equal(
    s.stderr(),
    `tls-sst-bench: --node "${script}" is not accepted: it did not answer \`-p process.versions\` within 1 s ` +
      `(stopped, with its children); expected the path of a Node >= 20 binary, e.g. ` +
      `.runtimes/node-24.x.y/bin/node from scripts/install-node.sh\n`,
  );
  assert.ok(existsSync(join(base, 'child.pid')));
  await assertNothingLeft(s);
});

test('profile: SIGINT during its fixture phase exits 130 with nothing left', async () => {
  const base = join(tmp.dir, `profile-${n}`);
  const s = start(
    [
      'profile',
      '--role',
      'sender',
      '--tool',
      'cpu-prof',
      '--',
      ...SMALL,
      '--iterations',
      '3',
      '--out',
      join(base, 'out'),
      '--fixtures-dir',
      join(base, 'fx'),
    ],
    { pause: 'fixtures', run: false },
  );
  await until(s, () => existsSync(join(s.base, 'paused')), 'the fixture phase');
  s.child.kill('SIGINT');
  assert.equal(await s.exited, 130, s.stderr());
  // It wrote the run's files (no transfer), marked interrupted, where --out said.
  const [runId] = readdirSync(join(base, 'out'));
  assert.equal(
    (
      JSON.parse(readFileSync(join(base, 'out', runId!, 'results.json'), 'utf8')) as {
        context: { interrupted: boolean };
      }
    ).context.interrupted,
    true,
  );
  await assertNothingLeft(s);
});

test('SIGHUP outside a run (fixtures generate) exits 129 at once, and removes its half fixture at the next run', async () => {
  const fx = join(tmp.dir, `fx-hup-${n}`);
  const s = start(['fixtures', 'generate', '--sizes', '2MB', '--fixtures-dir', fx], { pause: 'fixtures', run: false });
  await until(s, () => existsSync(join(s.base, 'paused')), 'the fixture phase');
  s.child.kill('SIGHUP');
  assert.equal(await s.exited, 129, s.stderr());
  await assertNothingLeft(s);
  const half = readdirSync(fx).filter((f) => f.startsWith('.tmp-'));
  assert.equal(half.length, 1, 'exited at once: the half fixture is there');
  assert.deepEqual(await sweepFixturesDir(fx), [join(fx, half[0]!)]);
});

test("the sweep removes only dead processes' leftovers: temp folders, worker bundles, fixture temps", async () => {
  const dead = spawnSync('true').pid!;
  const base = join(tmp.dir, 'sweep');
  const tmpdir = join(base, 'tmp');
  const fx = join(base, 'fx');
  for (const d of [
    `tls-sst-bench-run-${dead}-aaaaaa`,
    `tls-sst-bench-agent-${dead}-bbbbbb`,
    `tls-sst-bench-run-${process.pid}-cccccc`,
  ])
    mkdirSync(join(tmpdir, d), { recursive: true });
  mkdirSync(join(fx, `.threshold-${dead}-dddddd`), { recursive: true });
  mkdirSync(join(fx, `.threshold-${process.pid}-eeeeee`), { recursive: true });
  writeFileSync(join(fx, `.tmp-sst-kv-1MB-seed1.sst-${dead}`), 'x');
  writeFileSync(join(fx, `manifest.json.tmp-${dead}-1700000000000`), 'x');
  writeFileSync(join(fx, `.tmp-sst-kv-1MB-seed1.sst-${process.pid}`), 'x');
  const bundle = join(BUNDLE_ROOT, `workers-${dead}-1`);
  mkdirSync(bundle, { recursive: true });
  const r = spawnSync(process.execPath, [BIN, 'ciphers'], {
    env: { ...process.env, TMPDIR: tmpdir },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    readdirSync(tmpdir).filter((f) => f.startsWith('tls-sst-bench-')),
    [`tls-sst-bench-run-${process.pid}-cccccc`],
  );
  assert.equal(existsSync(bundle), false);
  assert.deepEqual(
    (await sweepFixturesDir(fx)).sort(),
    [`.tmp-sst-kv-1MB-seed1.sst-${dead}`, `.threshold-${dead}-dddddd`, `manifest.json.tmp-${dead}-1700000000000`]
      .map((f) => join(fx, f))
      .sort(),
  );
  assert.deepEqual(
    readdirSync(fx).sort(),
    [`.threshold-${process.pid}-eeeeee`, `.tmp-sst-kv-1MB-seed1.sst-${process.pid}`].sort(),
  );
  assert.ok(statSync(join(tmpdir, `tls-sst-bench-run-${process.pid}-cccccc`)).isDirectory());
});
