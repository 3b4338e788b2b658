import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('threshold');
});
after(() => tmp.remove());

const cli = (args: string[]) =>
  runCli([...args, '--out', join(tmp.dir, 'out'), '--fixtures-dir', join(tmp.dir, 'fx'), '--json']);

type Json = {
  result: {
    kind: string;
    failingBytes?: number;
    passingBytes?: number;
    probes: { sizeBytes: number; failures: number }[];
  };
  tcpSysctls: Record<string, string>;
};

test('destroy one event-loop turn after buffered writes fails only above the socket buffers', async () => {
  const r = await cli([
    'threshold',
    '--shutdown',
    'destroy-deferred',
    '--write-path',
    'buffered',
    '--min',
    '1MB',
    '--max',
    '32MB',
    '--trials',
    '2',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Json;
  assert.equal(j.result.kind, 'found');
  // loopback here: ~4-5 MB, about net.core.wmem_max; a few MB either way on other kernels
  assert.ok(j.result.failingBytes! > 1e6 && j.result.failingBytes! < 32e6, String(j.result.failingBytes));
  assert.ok(j.result.failingBytes! / j.result.passingBytes! <= 1.05 + 1e-9);
  assert.ok('net.ipv4.tcp_wmem' in j.tcpSysctls);
  assert.match(r.stderr, /probe 32\.0 MB: [12]\/2 failed/);
});

test('end has no threshold', async () => {
  const r = await cli([
    'threshold',
    '--shutdown',
    'end',
    '--write-path',
    'buffered',
    '--min',
    '1MB',
    '--max',
    '24MB',
    '--trials',
    '1',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Json;
  assert.equal(j.result.kind, 'none');
  assert.equal(j.result.probes.length, 1);
  // probe fixtures are removed; results were written
  assert.deepEqual(
    readdirSync(join(tmp.dir, 'fx')).filter((n) => n.startsWith('.threshold-')),
    [],
  );
  assert.equal(readdirSync(join(tmp.dir, 'out')).length, 2);
});

test('bad threshold flags exit 2 with one line', async () => {
  for (const [args, re] of [
    [['threshold', '--min', '64MB', '--max', '1MB'], /--min "64MB" is not accepted: expected a size below --max/],
    [['threshold', '--tolerance', '200%'], /--tolerance "200%" is not accepted/],
    [
      ['threshold', '--shutdown', 'end,destroy'],
      /--shutdown "end,destroy" is not accepted: threshold takes exactly one value/,
    ],
    [
      ['threshold', '--receiver-peer', 'openssl', '--receiver', 'framed'],
      /--receiver-peer "openssl" cannot play --receiver framed/,
    ],
  ] as const) {
    const r = await cli([...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});
