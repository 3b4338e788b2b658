import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../support/helpers.ts';

/**
 * --host: the servers of a run (TLS sender, Kvrocks master, fault proxy) bind
 * that address and the clients connect to it. Each run records the addresses
 * its servers reported from server.address() in context.listenAddresses, so
 * these tests see where the sender really listened, not only what was asked.
 */

let tmp: { dir: string; remove: () => Promise<void> };
let fixturesDir: string;

before(async () => {
  tmp = await tempDir('host');
  fixturesDir = join(tmp.dir, 'fx');
});
after(() => tmp.remove());

interface Json {
  context: { config: { host: string }; listenAddresses: string[] };
  records: {
    outcome: { kind: string };
    closeNotify: boolean | null;
    scenario: { protocol: string; receiverPeer: string };
  }[];
}

async function runAt(name: string, args: string[]): Promise<{ json: Json; runDir: string }> {
  const out = join(tmp.dir, name);
  const r = await runCli(['run', '--smoke', '--out', out, '--fixtures-dir', fixturesDir, '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const runs = readdirSync(out);
  assert.equal(runs.length, 1);
  const runDir = join(out, runs[0]!);
  const json = JSON.parse(r.stdout) as Json;
  // results.json on disk says the same.
  assert.deepEqual(
    (JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as Json).context.listenAddresses,
    json.context.listenAddresses,
  );
  return { json, runDir };
}

test('--host ::1: the sender listens on the IPv6 loopback and the transfer completes', async () => {
  const { json } = await runAt('v6', ['--host', '::1']);
  assert.equal(json.context.config.host, '::1');
  assert.deepEqual(json.context.listenAddresses, ['::1']);
  assert.equal(json.records.length, 1);
  assert.equal(json.records[0]!.outcome.kind, 'complete');
  assert.equal(json.records[0]!.closeNotify, true);
});

test('--host 127.0.0.2: another loopback address, not the default', async () => {
  const { json } = await runAt('v4', ['--host', '127.0.0.2']);
  assert.equal(json.context.config.host, '127.0.0.2');
  assert.deepEqual(json.context.listenAddresses, ['127.0.0.2']);
  assert.equal(json.records[0]!.outcome.kind, 'complete');
});

test('default: 127.0.0.1', async () => {
  const { json } = await runAt('default', []);
  assert.equal(json.context.config.host, '127.0.0.1');
  assert.deepEqual(json.context.listenAddresses, ['127.0.0.1']);
});

test('--host ::1 with the openssl receiver (s_client -connect [::1]:port)', async () => {
  const { json } = await runAt('v6-openssl', ['--host', '::1', '--receiver-peer', 'openssl']);
  assert.deepEqual(json.context.listenAddresses, ['::1']);
  assert.equal(json.records[0]!.scenario.receiverPeer, 'openssl');
  assert.equal(json.records[0]!.outcome.kind, 'complete');
});

test('--host ::1 with --protocol kvrocks: the master listens there and the sync completes', async () => {
  const { json } = await runAt('v6-kvrocks', [
    '--host',
    '::1',
    '--protocol',
    'kvrocks',
    '--checkpoint',
    '1MB',
    '--file-size',
    '512KB',
  ]);
  assert.deepEqual(json.context.listenAddresses, ['::1']);
  assert.equal(json.records[0]!.scenario.protocol, 'kvrocks');
  assert.equal(json.records[0]!.outcome.kind, 'complete');
});

test('--host ::1 with an injected fault: the fault proxy listens there too', async () => {
  const { json } = await runAt('v6-fault', ['--host', '::1', '--faults', 'fin:1']);
  assert.deepEqual(json.context.listenAddresses, ['::1']);
  assert.equal(json.records.length, 1);
});

test('threshold --host 127.0.0.2: threshold.json records the host and where the sender listened', async () => {
  const out = join(tmp.dir, 'threshold');
  const r = await runCli([
    'threshold',
    '--shutdown',
    'end',
    '--min',
    '1MB',
    '--max',
    '2MB',
    '--trials',
    '1',
    '--host',
    '127.0.0.2',
    '--out',
    out,
    '--fixtures-dir',
    fixturesDir,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as {
    host: string;
    listenAddresses: string[];
    records: { outcome: { kind: string } }[];
  };
  assert.equal(j.host, '127.0.0.2');
  assert.deepEqual(j.listenAddresses, ['127.0.0.2']);
  assert.ok(j.records.length >= 1);
  assert.ok(
    j.records.every((x) => x.outcome.kind === 'complete'),
    JSON.stringify(j.records.map((x) => x.outcome.kind)),
  );
});
