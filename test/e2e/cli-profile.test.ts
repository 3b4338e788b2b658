import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VERIFIER_ENV } from '../../src/transfer/verified-reader.ts';
import { runCli, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('profile');
});
after(() => tmp.remove());

for (const [verifier, threads] of [
  ['inline', 1],
  ['thread', 2],
] as const) {
  test(
    `profile --tool cpu-prof writes the worker's .cpuprofile next to the run (${verifier} verifier: ${threads} ` +
      `thread(s))`,
    async () => {
      const out = join(tmp.dir, `out-${verifier}`);
      const args = [
        'profile',
        '--role',
        'receiver',
        '--tool',
        'cpu-prof',
        '--',
        '--sizes',
        '4MB',
        '--suites',
        'TLS_AES_128_GCM_SHA256',
        '--iterations',
        '2',
        '--out',
        out,
        '--fixtures-dir',
        join(tmp.dir, 'fx'),
      ];
      const r = await runCli(args, { [VERIFIER_ENV]: verifier });
      assert.equal(r.code, 0, r.stderr);
      const [runId] = readdirSync(out);
      const profiles = readdirSync(join(out, runId!, 'profile')).filter((f) => f.endsWith('.cpuprofile'));
      // one per thread: the receiver's read loop, and (thread verifier) its checker thread
      assert.equal(profiles.length, threads);
      const frames = profiles.map(
        (f) =>
          (
            JSON.parse(readFileSync(join(out, runId!, 'profile', f), 'utf8')) as {
              nodes: { callFrame: { functionName: string; url: string } }[];
            }
          ).nodes,
      );
      // the receiver's own code is in them: the read loop, and the checker that checksums when it has a thread
      assert.equal(
        frames.filter((nodes) => nodes.some((n) => n.callFrame.url.endsWith('receiver.mjs'))).length,
        1,
        'receiver worker frames',
      );
      assert.equal(
        frames.filter((nodes) => nodes.some((n) => n.callFrame.functionName === 'runChecker')).length,
        threads - 1,
        'checker thread frames',
      );
      assert.match(
        r.stdout,
        threads > 1
          ? /cpu-prof profile of the receiver worker \(one per thread\): .*\.cpuprofile/
          : /cpu-prof profile of the receiver worker: .*\.cpuprofile/,
      );
      assert.ok(readdirSync(join(out, runId!)).includes('results.json'));
    },
  );
}

test('profile: bad role, bad tool, or more than one scenario exit 2 with one line', async () => {
  for (const [args, re] of [
    [
      ['profile', '--role', 'middlebox', '--', '--sizes', '1MB'],
      /--role "middlebox" is not accepted: expected sender or receiver/,
    ],
    [
      ['profile', '--tool', 'perf', '--', '--sizes', '1MB'],
      /--tool "perf" is not accepted: expected one of cpu-prof, flame, doctor/,
    ],
    [
      ['profile', '--', '--sizes', '1MB,2MB', '--suites', 'TLS_AES_128_GCM_SHA256'],
      /the run flags give 2 scenarios: expected exactly one/,
    ],
    [['profile', '--', '--sizes', '0'], /--sizes "0" is out of range/],
  ] as const) {
    const r = await runCli([...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
