import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli, tempDir } from './helpers.ts';

const RESULTS = fileURLToPath(new URL('../results', import.meta.url));

let tmp: { dir: string; remove: () => Promise<void> };
let out: string;
let fixturesDir: string;
let badJson: string;
let unknownKey: string;
let badValue: string;
let notObject: string;
let resultsBefore: string[];

before(async () => {
  tmp = await tempDir('badinput');
  out = join(tmp.dir, 'out');
  fixturesDir = join(tmp.dir, 'fixtures');
  mkdirSync(out);
  mkdirSync(fixturesDir);
  badJson = join(tmp.dir, 'bad.json');
  writeFileSync(badJson, '{ "sizes": ["1MB", }');
  unknownKey = join(tmp.dir, 'unknown.json');
  writeFileSync(unknownKey, JSON.stringify({ sizes: '1MB', chunkSize: '16KiB' }));
  badValue = join(tmp.dir, 'badvalue.json');
  writeFileSync(badValue, JSON.stringify({ chunks: ['16KiB', '0'] }));
  notObject = join(tmp.dir, 'list.json');
  writeFileSync(notObject, '["1MB"]');
  resultsBefore = readdirSync(RESULTS);
});
after(() => tmp.remove());

const cli = runCli;

// [args, text the one-line message must contain (the bad value and what is accepted)]
const cases: [string[], RegExp][] = [
  [['run', '--sizes', '0'], /--sizes "0" is out of range: expected .*between 16KiB and 4GiB/],
  [['run', '--sizes', '-1'], /--sizes "-1" is not a size: expected/],
  [['run', '--sizes', '1.5XB'], /--sizes "1.5XB" has unknown unit "XB": expected .*KB MB GB KiB MiB GiB/],
  [['run', '--sizes', '2TB'], /--sizes "2TB" has unknown unit "TB"/],
  [['run', '--sizes', '8GiB'], /--sizes "8GiB" is out of range/],
  [['run', '--chunks', '0'], /--chunks "0" is out of range: expected/],
  [['run', '--chunks', '64MiB'], /--chunks "64MiB" is out of range/],
  [['run', '--suites', 'TLS_AES_999_GCM_SHA256'], /--suites "TLS_AES_999_GCM_SHA256" is not a suite .*expected one of .*TLS_AES_128_GCM_SHA256/],
  [['run', '--suites', 'tls_aes_128_gcm_sha256'], /--suites "tls_aes_128_gcm_sha256" .*case-sensitive: did you mean TLS_AES_128_GCM_SHA256/],
  [['run', '--suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], /IANA names/],
  [['run', '--tls', '1.3', '--suites', 'ECDHE-ECDSA-AES128-GCM-SHA256'], /--suites "ECDHE-ECDSA-AES128-GCM-SHA256" is a TLS 1\.2 suite but --tls is 1\.3/],
  [['run', '--tls', '1.1'], /--tls "1\.1" is not a TLS version: expected one of 1\.2, 1\.3/],
  [['run', '--tls', '1.2', '--suites', 'ECDHE-RSA-AES128-GCM-SHA256'], /needs --key rsa-2048/],
  [['run', '--key', 'ed25519'], /--key "ed25519" is not a key type: expected one of ecdsa-p256, rsa-2048/],
  [['run', '--preset', 'fast'], /--preset "fast" is not a preset: expected one of quick, chunk-size, ciphers, full/],
  [["run", "--shutdown", "slam"], /--shutdown "slam" is not accepted: expected one of end, end-wait-close, end-destroy/],
  [['run', '--receiver', 'psychic'], /--receiver "psychic" is not accepted: expected one of until-eof, framed, framed-ack/],
  [['run', '--receiver-peer', 'wolfssl'], /--receiver-peer "wolfssl" is not accepted: expected one of node, openssl, gnutls/],
  [['run', '--receiver-peer', 'gnutls', '--receiver', 'framed'], /--receiver-peer "gnutls" cannot play --receiver framed: it supports until-eof/],
  [['run', '--sender-peer', 'gnutls'], /--sender-peer "gnutls" is not accepted: expected one of node, openssl/],
  [['run', '--sender-peer', 'openssl', '--shutdown', 'destroy-after-flush'], /--sender-peer "openssl" cannot play --shutdown destroy-after-flush: it supports end/],
  [['run', '--sender-peer', 'openssl', '--write-path', 'buffered'], /--sender-peer "openssl" cannot play --write-path buffered: it supports backpressure/],
  [['run', '--sender-peer', 'openssl', '--receiver', 'framed-ack'], /--sender-peer "openssl" cannot play --receiver framed-ack: it sends no size line; it supports until-eof/],
  [['run', '--source', 'tape'], /--source "tape" is not accepted: expected one of file, memory/],
  [['run', '--iterations', '0'], /--iterations "0" is not accepted: expected a whole number from 1 to 1000/],
  [['run', '--iterations', '2.5'], /--iterations "2\.5" is not accepted/],
  [['run', '--warmup', '-1'], /--warmup "-1" is not accepted: expected a whole number from 0 to 100/],
  [['run', '--stall-timeout', 'soon'], /--stall-timeout "soon" is not a duration/],
  [['run', '--max-fragment', '100'], /--max-fragment "100" is out of range: expected .*between 512B and 16KiB/],
  [['run', '--filter', 'chunk=3KiB'], /--filter "chunk=3KiB" matches none of the/],
  [['run', '--seed', 'x'], /--seed "x" is not accepted: expected a whole number/],
  [['run', '--frobnicate'], /unknown option "--frobnicate": expected one of .*--sizes/],
  [['run', '--sizes'], /option '--sizes <list>' argument missing/],
  [['teleport'], /unknown command "teleport": expected one of run, fixtures, threshold, compare, report, https, profile, ciphers/],
  [['fixtures', 'polish'], /fixtures "polish" is not an action: expected one of generate, verify, list, clean/],
  [['fixtures', 'generate', '--profile', 'json'], /--profile "json" is not a profile: expected one of kv, incompressible, compressible/],
  [['run', '--profile', 'json'], /--profile "json" is not accepted: expected one of kv, incompressible, compressible/],
];

for (const [args, message] of cases) {
  test(`exit 2: ${args.join(' ')}`, async () => {
    const r = await cli(args[0] === 'run' ? ['run', '--out', out, '--fixtures-dir', fixturesDir, ...args.slice(1)] : args);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line, got: ${r.stderr}`);
    assert.match(lines[0]!, /^tls-sst-bench: /);
    assert.match(lines[0]!, message);
    assert.equal(r.stdout, '');
  });
}

test('config files: malformed, unknown key, bad value, not an object, missing', async () => {
  const configCases: [string, RegExp][] = [
    [badJson, /--config ".*bad\.json" is not valid JSON/],
    [unknownKey, /unknown key "chunkSize": expected one of sizes, chunks/],
    [badValue, /--config .*badvalue\.json: chunks "16KiB,0" |--config .*badvalue\.json: chunks "0" is out of range/],
    [notObject, /expected a JSON object of settings/],
    [join(tmp.dir, 'missing.json'), /--config ".*missing\.json" cannot be read \(ENOENT\)/],
  ];
  for (const [file, message] of configCases) {
    const r = await cli(['run', '--config', file, '--out', out, '--fixtures-dir', fixturesDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('an unwritable or unusable --out', async () => {
  const file = join(tmp.dir, 'a-file');
  writeFileSync(file, 'x');
  let r = await cli(['run', '--smoke', '--out', join(file, 'sub'), '--fixtures-dir', fixturesDir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out ".*a-file\/sub" is not usable: .*a-file is not a folder/);
  if (process.getuid?.() !== 0) {
    const ro = join(tmp.dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    r = await cli(['run', '--smoke', '--out', ro, '--fixtures-dir', fixturesDir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is not writable/);
  }
});

test('nothing was written by any bad input', () => {
  assert.deepEqual(readdirSync(out), []);
  assert.deepEqual(readdirSync(fixturesDir), []);
  assert.deepEqual(readdirSync(RESULTS), resultsBefore);
});
