import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/helpers.ts';
import { runMain } from '../support/main.ts';

const RESULTS = fileURLToPath(new URL('../../results', import.meta.url));

let tmp: { dir: string; remove: () => Promise<void> };
let out: string;
let fixturesDir: string;
let badJson: string;
let unknownKey: string;
let badValue: string;
let notObject: string;
let badNode: string;
let badHost: string;
let fifo: string;
let badSampling: string;
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
  badNode = join(tmp.dir, 'badnode.json');
  writeFileSync(badNode, JSON.stringify({ node: [process.execPath, '/bin/true'] }));
  fifo = join(tmp.dir, 'settings.fifo');
  execFileSync('mkfifo', [fifo]);
  badHost = join(tmp.dir, 'badhost.json');
  writeFileSync(badHost, JSON.stringify({ host: 'db.example.com' }));
  badSampling = join(tmp.dir, 'badsampling.json');
  writeFileSync(badSampling, JSON.stringify({ targetRme: '60%', maxTime: '5s', order: 'sequential' }));
  resultsBefore = readdirSync(RESULTS);
});
after(() => tmp.remove());

// In-process: main() with captured output (test/e2e/cli-bin.test.ts checks the same through bin/).
const cli = runMain;
/** An existing file that is not PEM. */
const NOT_PEM = fileURLToPath(import.meta.url);
const AGENT = ['--agent', '127.0.0.1:9', '--agent-cert', NOT_PEM, '--agent-key', NOT_PEM, '--agent-ca', NOT_PEM];

// [args, text the one-line message must contain (the bad value and what is accepted)]
const cases: [string[], RegExp][] = [
  [['run', '--sizes', '0'], /--sizes "0" is out of range: expected .*between 16KiB and 4GiB/],
  [['run', '--sizes', '-1'], /--sizes "-1" is not a size: expected/],
  [['run', '--sizes', '1.5XB'], /--sizes "1.5XB" has unknown unit "XB": expected .*KB MB GB KiB MiB GiB/],
  [['run', '--sizes', '2TB'], /--sizes "2TB" has unknown unit "TB"/],
  [['run', '--sizes', '8GiB'], /--sizes "8GiB" is out of range/],
  [['run', '--chunks', '0'], /--chunks "0" is out of range: expected/],
  [['run', '--chunks', '64MiB'], /--chunks "64MiB" is out of range/],
  [
    ['run', '--suites', 'TLS_AES_999_GCM_SHA256'],
    /--suites "TLS_AES_999_GCM_SHA256" is not a suite .*expected one of .*TLS_AES_128_GCM_SHA256/,
  ],
  [
    ['run', '--suites', 'tls_aes_128_gcm_sha256'],
    /--suites "tls_aes_128_gcm_sha256" .*case-sensitive: did you mean TLS_AES_128_GCM_SHA256/,
  ],
  [['run', '--suites', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], /IANA names/],
  [
    ['run', '--tls', '1.3', '--suites', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    /--suites "ECDHE-ECDSA-AES128-GCM-SHA256" is a TLS 1\.2 suite but --tls is 1\.3/,
  ],
  [['run', '--tls', '1.1'], /--tls "1\.1" is not a TLS version: expected one of 1\.2, 1\.3/],
  [['run', '--tls', '1.2', '--suites', 'ECDHE-RSA-AES128-GCM-SHA256'], /needs --key rsa-2048/],
  [['run', '--key', 'ed25519'], /--key "ed25519" is not a key type: expected one of ecdsa-p256, rsa-2048/],
  [['run', '--preset', 'fast'], /--preset "fast" is not a preset: expected one of quick, chunk-size, ciphers, full/],
  [
    ['run', '--shutdown', 'slam'],
    /--shutdown "slam" is not accepted: expected one of end, end-wait-close, end-destroy/,
  ],
  [
    ['run', '--receiver', 'psychic'],
    /--receiver "psychic" is not accepted: expected one of until-eof, framed, framed-ack/,
  ],
  [
    ['run', '--receiver-peer', 'wolfssl'],
    /--receiver-peer "wolfssl" is not accepted: expected one of node, openssl, gnutls, openssl-native, openssl-native-tolerant/,
  ],
  [
    ['run', '--receiver-peer', 'gnutls', '--receiver', 'framed'],
    /--receiver-peer "gnutls" cannot play --receiver framed: it supports until-eof/,
  ],
  [
    ['run', '--read-path', 'events'],
    /--read-path "events" is not accepted: expected data, onread or onread:SIZE with SIZE 16KiB to 1MiB/,
  ],
  [
    ['run', '--read-path', 'onread:4KiB'],
    /--read-path "onread:4KiB" is not accepted: expected data, onread or onread:SIZE with SIZE 16KiB to 1MiB/,
  ],
  [['run', '--read-path', 'onread:2MiB'], /--read-path "onread:2MiB" is not accepted/],
  [['run', '--read-path', 'onread:lots'], /--read-path "onread:lots" is not accepted/],
  [
    ['run', '--read-path', 'onread', '--receiver-peer', 'openssl'],
    /--read-path "onread:64KiB" cannot be played by --receiver-peer openssl: it reads with its own buffer; use data/,
  ],
  [
    ['run', '--read-path', 'data,onread', '--receiver-peer', 'gnutls'],
    /--read-path "onread:64KiB" cannot be played by --receiver-peer gnutls/,
  ],
  [
    ['run', '--read-path', 'onread:16KiB', '--protocol', 'kvrocks'],
    /--read-path "onread:16KiB" cannot be played by --protocol kvrocks: its replica reads 4 KiB at a time, as Kvrocks does; use data/,
  ],
  [
    ['run', '--sender-peer', 'wolfssl'],
    /--sender-peer "wolfssl" is not accepted: expected one of node, openssl, gnutls, openssl-native/,
  ],
  [
    ['run', '--sender-peer', 'gnutls', '--shutdown', 'reset'],
    /--sender-peer "gnutls" cannot play --shutdown reset: it supports end, destroy-after-flush, tcp-fin/,
  ],
  [
    ['run', '--sender-peer', 'gnutls', '--shutdown', 'destroy'],
    /--sender-peer "gnutls" cannot play --shutdown destroy: it supports end, destroy-after-flush, tcp-fin/,
  ],
  [
    ['run', '--sender-peer', 'gnutls', '--write-path', 'buffered'],
    /--sender-peer "gnutls" cannot play --write-path buffered: it supports backpressure/,
  ],
  [
    ['run', '--sender-peer', 'gnutls', '--receiver', 'framed'],
    /--sender-peer "gnutls" cannot play --receiver framed: it sends no size line; it supports until-eof/,
  ],
  [
    ['run', '--sender-peer', 'openssl-native', '--shutdown', 'reset'],
    /--sender-peer "openssl-native" cannot play --shutdown reset: it supports end, destroy-after-flush, tcp-fin/,
  ],
  [
    ['run', '--receiver-peer', 'openssl-native-tolerant', '--receiver', 'framed'],
    /--receiver-peer "openssl-native-tolerant" cannot play --receiver framed: it supports until-eof/,
  ],
  [['run', '--reference', 'iperf'], /--reference "iperf" is not accepted: expected one of tcp, openssl, cipher/],
  [['run', '--reference', 'tcp,,cipher'], /--reference/],
  [
    ['run', '--sender-peer', 'openssl', '--shutdown', 'destroy-after-flush'],
    /--sender-peer "openssl" cannot play --shutdown destroy-after-flush: it supports end/,
  ],
  [
    ['run', '--sender-peer', 'openssl', '--write-path', 'buffered'],
    /--sender-peer "openssl" cannot play --write-path buffered: it supports backpressure/,
  ],
  [
    ['run', '--sender-peer', 'openssl', '--receiver', 'framed-ack'],
    /--sender-peer "openssl" cannot play --receiver framed-ack: it sends no size line; it supports until-eof/,
  ],
  [['run', '--source', 'tape'], /--source "tape" is not accepted: expected one of file, memory/],
  [['run', '--iterations', '0'], /--iterations "0" is not accepted: expected a whole number from 1 to 1000/],
  [['run', '--iterations', '2.5'], /--iterations "2\.5" is not accepted/],
  [['run', '--warmup', '-1'], /--warmup "-1" is not accepted: expected a whole number from 0 to 100/],
  [['run', '--process-warmup', 'maybe'], /--process-warmup "maybe" is not accepted: expected one of on, off/],
  [
    ['run', '--warmup', 'long'],
    /--warmup "long" is not accepted: expected a whole number of transfers from 0 to 100 or a duration such as 500ms or 2s/,
  ],
  [['run', '--warmup', '20m'], /--warmup "20m" is out of range: expected a duration/],
  [
    ['run', '--target-rme', '0%'],
    /--target-rme "0%" is not accepted: expected a percentage from 0\.1% to 50% such as 2%, or off/,
  ],
  [['run', '--target-rme', 'tight'], /--target-rme "tight" is not accepted: expected a percentage from 0\.1% to 50%/],
  [
    ['run', '--max-time', 'forever'],
    /--max-time "forever" is not a duration: expected a duration such as 500ms, 30s or 2m/,
  ],
  [['run', '--max-time', '10ms'], /--max-time "10ms" is out of range/],
  [['run', '--order', 'random'], /--order "random" is not accepted: expected one of interleaved, sequential/],
  [['run', '--alpha', '1.5'], /--alpha "1\.5" is not accepted: expected a significance level above 0 and below 1/],
  [
    ['run', '--threshold', '150%'],
    /--threshold "150%" is not accepted: expected a percentage such as 2% or a fraction such as 0\.02, from 0% to below 100%/,
  ],
  [['run', '--stall-timeout', 'soon'], /--stall-timeout "soon" is not a duration/],
  [['run', '--max-fragment', '100'], /--max-fragment "100" is out of range: expected .*between 512B and 16KiB/],
  [['run', '--filter', 'chunk=3KiB'], /--filter "chunk=3KiB" matches none of the/],
  [['run', '--seed', 'x'], /--seed "x" is not accepted: expected a whole number/],
  [['run', '--frobnicate'], /unknown option "--frobnicate": expected one of .*--sizes/],
  [['run', '--sizes'], /option '--sizes <list>' argument missing/],
  // The list is never empty: before any command the program's own flags, otherwise the command's and --help.
  [['--frobnicate'], /unknown option "--frobnicate": expected one of --version, --help \(see --help\)$/],
  [['report', '--frobnicate', 'x'], /unknown option "--frobnicate": expected one of --help \(see --help\)$/],
  [['ciphers', '--frobnicate'], /unknown option "--frobnicate": expected one of --help \(see --help\)$/],
  [
    ['profile', '--', '--frobnicate'],
    /unknown option "--frobnicate": expected one of --preset, .*--sizes, .*--help \(see --help\)$/,
  ],
  [
    ['teleport'],
    /unknown command "teleport": expected one of run, fixtures, threshold, compare, report, https, profile, ciphers/,
  ],
  [['fixtures', 'polish'], /fixtures "polish" is not an action: expected one of generate, verify, list, clean/],
  [
    ['fixtures', 'generate', '--profile', 'json'],
    /--profile "json" is not a profile: expected one of kv, incompressible, compressible/,
  ],
  [['run', '--profile', 'json'], /--profile "json" is not accepted: expected one of kv, incompressible, compressible/],
  [
    ['run', '--node', '/nonexistent/bin/node'],
    /--node "\/nonexistent\/bin\/node" is not accepted: no such file; expected the path of a Node >= 20 binary/,
  ],
  [
    ['run', '--node', '/bin/true'],
    /--node "\/bin\/true" is not accepted: it did not answer `-p process.versions` as Node does; expected the path of a Node >= 20 binary/,
  ],
  [
    ['run', '--node', process.execPath, '--node', '/bin/echo'],
    /--node "\/bin\/echo" is not accepted: it did not answer `-p process.versions` as Node does; expected the path of a Node >= 20 binary/,
  ],
  [
    ['run', '--node', '/usr/bin'],
    /--node "\/usr\/bin" is not accepted: it is a folder; expected the path of a Node >= 20 binary/,
  ],
  [
    ['run', '--node', '/etc/passwd'],
    /--node "\/etc\/passwd" is not accepted: not executable; expected the path of a Node >= 20 binary/,
  ],
  [
    ['run', '--host', 'example.com'],
    /--host "example\.com" is not accepted: expected an IPv4 or IPv6 address \(e\.g\. 127\.0\.0\.1, ::1\) or localhost/,
  ],
  [['run', '--host', '999.1.1.1'], /--host "999\.1\.1\.1" is not accepted: expected an IPv4 or IPv6 address/],
  [['run', '--host', ''], /--host "" is not accepted: expected an IPv4 or IPv6 address/],
  [['run', '--host', '[::1]'], /--host "\[::1\]" is not accepted: expected an IPv4 or IPv6 address/],
  [['threshold', '--host', 'example.com'], /--host "example\.com" is not accepted: expected an IPv4 or IPv6 address/],
  // An address this host does not have: named before anything runs (as agent --listen does).
  [
    ['run', '--host', '192.0.2.1'],
    /--host "192\.0\.2\.1" cannot be bound \(EADDRNOTAVAIL\): expected an address of this host/,
  ],
  [
    ['threshold', '--host', '192.0.2.1'],
    /--host "192\.0\.2\.1" cannot be bound \(EADDRNOTAVAIL\): expected an address of this host/,
  ],
  [
    ['run', '--agent-role', 'sender'],
    /--agent-role "sender" is not accepted without --agent: expected --agent HOST:PORT too/,
  ],
  // Two --config: which wins would be a guess, so neither does.
  [
    ['run', '--config', NOT_PEM, '--config', RESULTS],
    /--config ".*results" is given after --config ".*cli-bad-input\.test\.ts": expected one --config/,
  ],
  [
    ['fixtures', 'list', '--fixtures-dir', NOT_PEM],
    /--fixtures-dir ".*cli-bad-input\.test\.ts" is not a folder: expected the fixture cache folder/,
  ],
  [['fixtures', 'verify', '--fixtures-dir', NOT_PEM], /--fixtures-dir ".*cli-bad-input\.test\.ts" is not a folder/],
  [['fixtures', 'clean', '--fixtures-dir', NOT_PEM], /--fixtures-dir ".*cli-bad-input\.test\.ts" is not a folder/],
  [
    ['fixtures', 'generate', '--sizes', '1MB', '--fixtures-dir', NOT_PEM],
    /--fixtures-dir ".*cli-bad-input\.test\.ts" is not a folder/,
  ],
  [['run', '--agent', '10.77.0.2'], /--agent "10\.77\.0\.2" is not accepted: expected HOST:PORT with PORT 1 to 65535/],
  [['run', '--agent', 'bench-b:0'], /--agent "bench-b:0" is not accepted: expected HOST:PORT with PORT 1 to 65535/],
  [['run', '--agent-role', 'middle'], /--agent-role "middle" is not accepted: expected one of receiver, sender/],
  [
    ['run', '--agent', '127.0.0.1:9'],
    /--agent needs --agent-cert, --agent-key and --agent-ca: expected the files `tls-sst-bench agent certs/,
  ],
  [
    ['run', '--agent-cert', NOT_PEM],
    /--agent-cert ".*" is not accepted without --agent: expected --agent HOST:PORT too/,
  ],
  [
    ['run', ...AGENT.slice(0, 2), '--agent-cert', '/nonexistent/o.pem', '--agent-key', NOT_PEM, '--agent-ca', NOT_PEM],
    /--agent-cert "\/nonexistent\/o\.pem" cannot be read \(ENOENT\): expected a PEM file/,
  ],
  [['run', ...AGENT], /--agent-cert ".*cli-bad-input\.test\.ts" is not PEM: expected a file with a -----BEGIN/],
  [['run', ...AGENT, '--protocol', 'kvrocks'], /--protocol "kvrocks" is not accepted with --agent: expected raw/],
  [
    ['run', ...AGENT, '--receiver-peer', 'openssl'],
    /--receiver-peer "openssl" is not accepted with --agent-role receiver: expected node/,
  ],
  [
    ['run', ...AGENT, '--agent-role', 'sender', '--sender-peer', 'openssl'],
    /--sender-peer "openssl" is not accepted with --agent-role sender: expected node/,
  ],
  [['run', ...AGENT, '--faults', 'fin:1'], /--faults is not accepted with --agent/],
  [
    ['profile', '--', '--sizes', '1MB', '--suites', 'TLS_AES_128_GCM_SHA256', ...AGENT],
    /--agent is not accepted by profile: expected both workers on this host/,
  ],
  [['agent'], /agent needs --listen HOST:PORT, --cert FILE, --key FILE and --ca FILE/],
  [['agent', 'serve'], /agent "serve" is not accepted: expected no action \(serve, with --listen\) or certs/],
  [
    ['agent', '--listen', 'localhost', '--cert', NOT_PEM, '--key', NOT_PEM, '--ca', NOT_PEM],
    /--listen "localhost" is not accepted: expected HOST:PORT with PORT 0 to 65535/,
  ],
  [
    ['agent', '--listen', '127.0.0.1:0', '--cert', '/nonexistent/a.pem', '--key', NOT_PEM, '--ca', NOT_PEM],
    /--cert "\/nonexistent\/a\.pem" cannot be read \(ENOENT\)/,
  ],
  [
    ['agent', '--listen', '127.0.0.1:0', '--cert', NOT_PEM, '--key', NOT_PEM, '--ca', NOT_PEM],
    /--cert ".*" is not PEM/,
  ],
  [
    ['agent', '--listen', '127.0.0.1:0', '--out', '/nonexistent'],
    /--out is not accepted by `agent --listen`: expected --listen, --cert, --key, --ca, --fixtures-dir/,
  ],
  [['agent', 'certs'], /agent certs needs --out DIR/],
  [
    ['agent', 'certs', '--out', '/nonexistent/certs', '--listen', '127.0.0.1:1'],
    /--listen is not accepted by `agent certs`: expected --out, --agent-host/,
  ],
  [
    ['agent', 'certs', '--out', '/nonexistent/certs', '--agent-host', 'bad host!'],
    /--agent-host "bad host!" is not accepted: expected a host name or IP address/,
  ],
];

for (const [args, message] of cases) {
  test(`exit 2: ${args.join(' ')}`, async () => {
    const r = await cli(
      args[0] === 'run' ? ['run', '--out', out, '--fixtures-dir', fixturesDir, ...args.slice(1)] : args,
    );
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
    [
      badNode,
      /--config .*badnode\.json: node "\/bin\/true" is not accepted: it did not answer `-p process.versions` as Node does/,
    ],
    [badHost, /--config .*badhost\.json: host "db\.example\.com" is not accepted: expected an IPv4 or IPv6 address/],
    [join(tmp.dir, 'missing.json'), /--config ".*missing\.json" cannot be read \(ENOENT\)/],
    // A FIFO would block the read for ever.
    [fifo, /--config ".*settings\.fifo" is not a regular file \(a FIFO\): expected a JSON file/],
    [tmp.dir, /--config ".*" is not a regular file \(a folder\): expected a JSON file/],
    [
      badSampling,
      /--config .*badsampling\.json: targetRme "60%" is not accepted: expected a percentage from 0\.1% to 50%/,
    ],
  ];
  for (const [file, message] of configCases) {
    const r = await cli(['run', '--config', file, '--out', out, '--fixtures-dir', fixturesDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
});

test('--node: a program that answers as a Node older than 20', async () => {
  const old = join(tmp.dir, 'node18');
  writeFileSync(old, `#!/bin/sh\necho '{"node":"18.20.4","openssl":"3.0.13+quic"}'\n`);
  chmodSync(old, 0o755);
  const r = await cli(['run', '--node', old, '--out', out, '--fixtures-dir', fixturesDir]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /--node ".*node18" is not accepted: it is Node 18\.20\.4; expected the path of a Node >= 20 binary/,
  );
});

test('--sender-peer gnutls without a C compiler: which package to install, before anything runs', async () => {
  const before = process.env['CC'];
  process.env['CC'] = '/nonexistent/cc';
  try {
    const r = await cli(['run', '--sender-peer', 'gnutls', '--out', out, '--fixtures-dir', fixturesDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^tls-sst-bench: --sender-peer "gnutls" needs a C compiler to build peers\/gnutls-sender\.c, and "\/nonexistent\/cc" is not on PATH: install gcc \(apt-get install gcc\) or set CC$/m,
    );
  } finally {
    if (before === undefined) delete process.env['CC'];
    else process.env['CC'] = before;
  }
});

test('--version prints the package version and exits 0', async () => {
  const r = await cli(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    `${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}` +
      `\n`,
  );
  assert.equal(r.stderr, '');
});

test(
  '--sender-peer and --receiver-peer openssl-native without a C compiler: which package to install, before ' +
    'anything runs',
  async () => {
    const before = process.env['CC'];
    process.env['CC'] = '/nonexistent/cc';
    try {
      for (const flag of ['--sender-peer', '--receiver-peer']) {
        const r = await cli(['run', flag, 'openssl-native', '--out', out, '--fixtures-dir', fixturesDir]);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `^tls-sst-bench: ${flag} "openssl-native" needs a C compiler to build peers/openssl-native\\.c, and ` +
              `"/nonexistent/cc" is not on PATH: install gcc \\(apt-get install gcc\\) or set CC$`,
            'm',
          ),
        );
      }
    } finally {
      if (before === undefined) delete process.env['CC'];
      else process.env['CC'] = before;
    }
  },
);

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
