import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { resolveConfig } from '../../src/config/schema.ts';
import type { RunResult, TransferRecord } from '../../src/results.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import {
  OPENSSL_NATIVE,
  parseReportLine,
  type NativeRecvLine,
  type NativeSendLine,
} from '../../src/runner/openssl-native.ts';
import { makeRunCertificates, SERVER_NAME } from '../../src/tls/certs.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { DEFAULT_SUITES } from '../../src/tls/suites.ts';
import { tempDir } from '../support/helpers.ts';

// The native OpenSSL pair (peers/openssl-native.c), compiled here on the
// system libssl, run as real processes over loopback: on its own, and as the
// sender and receiver peers of a run.
let tmp: { dir: string; remove: () => Promise<void> };
let binary: string;
/** The program is driven by hand here, with files: the run's PEM written into this test's temp dir. */
interface PemFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCertPath: string;
}
async function pemFiles(dir: string): Promise<PemFiles> {
  const pems = await makeRunCertificates('ecdsa-p256');
  mkdirSync(dir, { recursive: true });
  const files = {
    certPath: join(dir, 'server.pem'),
    keyPath: join(dir, 'server.key'),
    caCertPath: join(dir, 'ca.pem'),
  };
  writeFileSync(files.certPath, pems.cert, { mode: 0o600 });
  writeFileSync(files.keyPath, pems.key, { mode: 0o600 });
  writeFileSync(files.caCertPath, pems.caCert, { mode: 0o600 });
  return files;
}

let certs: PemFiles;
let fixture: { path: string; bytes: number; crc: number };

const SIXTEEN_MB = 16_000_000;

before(async () => {
  tmp = await tempDir('openssl-native');
  binary = await OPENSSL_NATIVE.binary();
  await mkdir(join(tmp.dir, 'a'));
  certs = await pemFiles(join(tmp.dir, 'a'));
  // An odd length: the CRC's tail bytes (not a multiple of 8) are checked too.
  const data = randomBytes(SIXTEEN_MB + 5);
  fixture = { path: join(tmp.dir, 'fixture'), bytes: data.length, crc: crc32c(data) };
  await writeFile(fixture.path, data);
});
after(() => tmp.remove());

interface Pair {
  readonly sent: NativeSendLine;
  readonly received: NativeRecvLine;
  readonly sendExit: number | null;
  readonly recvExit: number | null;
}

/** One program's run: its stdout, and the exit code. */
function runProgram(
  args: readonly string[],
  onStdout?: (text: string) => void,
): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout);
    });
    child.on('close', (code) => resolve({ stdout, code }));
  });
}

/** `send` and `recv` against each other over loopback. */
async function pair(opts: {
  tls: '1.2' | '1.3';
  suite: string;
  end?: string;
  ca?: string;
  tolerant?: boolean;
}): Promise<Pair> {
  let onPort: (port: number) => void = () => undefined;
  const port = new Promise<number>((resolve) => (onPort = resolve));
  const sender = runProgram(
    [
      'send',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--cert',
      certs.certPath,
      '--key',
      certs.keyPath,
      '--tls',
      opts.tls,
      '--suite',
      opts.suite,
      '--file',
      fixture.path,
      '--chunk',
      '65536',
      '--end',
      opts.end ?? 'end',
    ],
    (out) => {
      const m = /^listening (\d+)$/m.exec(out);
      if (m) onPort(Number(m[1]));
    },
  );
  const receiver = runProgram([
    'recv',
    '--host',
    '127.0.0.1',
    '--port',
    String(await port),
    '--ca',
    opts.ca ?? certs.caCertPath,
    '--servername',
    SERVER_NAME,
    '--tls',
    opts.tls,
    '--suite',
    opts.suite,
    ...(opts.tolerant ? ['--ignore-unexpected-eof'] : []),
  ]);
  const [s, r] = await Promise.all([sender, receiver]);
  return {
    sent: parseReportLine<NativeSendLine>(s.stdout)!,
    received: parseReportLine<NativeRecvLine>(r.stdout)!,
    sendExit: s.code,
    recvExit: r.code,
  };
}

test('builds, and its CRC32C (SSE4.2 and table) equals @node-rs/crc32 on the same file', async () => {
  const crcOf = (env: NodeJS.ProcessEnv): Promise<string> =>
    new Promise((resolve, reject) =>
      execFile(binary, ['crc', fixture.path], { env }, (err, out) => (err ? reject(err) : resolve(out.trim()))),
    );
  const hw = await crcOf(process.env);
  const table = await crcOf({ ...process.env, OPENSSL_NATIVE_CRC_TABLE: '1' });
  assert.equal(table, `${fixture.crc} table`);
  assert.equal(hw.split(' ')[0], String(fixture.crc));
});

for (const tls of ['1.3', '1.2'] as const) {
  for (const suite of DEFAULT_SUITES[tls]) {
    test(`moves 16 MB with ${suite}: every byte, the right CRC32C, the pinned suite, close_notify`, async () => {
      const { sent, received, sendExit, recvExit } = await pair({ tls, suite });
      assert.deepEqual(
        {
          bytes: received.bytesReceived,
          crc: received.crc32c,
          protocol: received.protocol,
          suite: received.suite,
          closeNotify: received.closeNotify,
          error: received.error,
          exit: recvExit,
        },
        {
          bytes: fixture.bytes,
          crc: fixture.crc,
          protocol: `TLSv${tls}`,
          suite,
          closeNotify: true,
          error: null,
          exit: 0,
        },
      );
      assert.deepEqual(
        { bytes: sent.bytesWritten, protocol: sent.protocol, suite: sent.suite, error: sent.error, exit: sendExit },
        { bytes: fixture.bytes, protocol: `TLSv${tls}`, suite, error: null, exit: 0 },
      );
      assert.ok(received.lastByteAtMs! >= received.firstByteAtMs! && received.firstByteAtMs! >= sent.firstByteAtMs!);
    });
  }
}

test('refuses a server certificate from another CA: 0A000086 in the handshake, no byte read', async () => {
  await mkdir(join(tmp.dir, 'b'));
  const other = await pemFiles(join(tmp.dir, 'b'));
  const { received, recvExit } = await pair({ tls: '1.3', suite: 'TLS_AES_128_GCM_SHA256', ca: other.caCertPath });
  assert.equal(recvExit, 1);
  assert.equal(received.bytesReceived, 0);
  assert.equal(received.protocol, null);
  assert.equal(received.error?.code, '0A000086');
  assert.equal(received.error?.phase, 'handshake');
  assert.match(received.error?.message ?? '', /certificate verify failed/);
});

// Each ending, as the strict receiver and the tolerant one (SSL_OP_IGNORE_UNEXPECTED_EOF) report it.
const ENDINGS: readonly [end: string, tolerant: boolean, code: string | null, closeNotify: boolean, exit: number][] = [
  ['end', false, null, true, 0],
  ['end', true, null, true, 0],
  ['destroy-after-flush', false, '0A000126', false, 1],
  ['destroy-after-flush', true, null, false, 0],
  ['tcp-fin', false, '0A000126', false, 1],
  ['tcp-fin', true, null, false, 0],
];
for (const [end, tolerant, code, closeNotify, exit] of ENDINGS) {
  test(
    `--end ${end} seen by the ${tolerant ? 'tolerant' : 'strict'} receiver: ${code ?? 'no error'}, close_notify ` +
      `${closeNotify}`,
    async () => {
      const { received, recvExit, sent } = await pair({ tls: '1.3', suite: 'TLS_AES_128_GCM_SHA256', end, tolerant });
      assert.deepEqual(
        {
          bytes: received.bytesReceived,
          crc: received.crc32c,
          code: received.error?.code ?? null,
          phase: received.error?.phase ?? null,
          closeNotify: received.closeNotify,
          exit: recvExit,
          senderError: sent.error,
        },
        {
          bytes: fixture.bytes,
          crc: fixture.crc,
          code,
          phase: code ? 'transfer' : null,
          closeNotify,
          exit,
          senderError: null,
        },
      );
    },
  );
}

// The same pair as a run's peers: the outcomes and codes of the endings matrix.
let run: RunResult;
const find = (sender: string, shutdown: string, receiver: string): TransferRecord => {
  const r = run.records.find(
    (x) => x.scenario.senderPeer === sender && x.scenario.shutdown === shutdown && x.scenario.receiverPeer === receiver,
  );
  assert.ok(r, `no record for ${sender} ${shutdown} ${receiver}`);
  return r;
};

test('as peers of a run: what each receiver reports for each ending of the native sender', async () => {
  const base = { sizes: '1MB', chunks: '64KiB', suites: 'TLS_AES_128_GCM_SHA256', iterations: '1', warmup: '0' };
  const native = resolveConfig([
    {
      where: 'flags',
      raw: {
        ...base,
        senderPeer: 'openssl-native',
        shutdown: 'end,destroy-after-flush,tcp-fin',
        receiverPeer: 'node,openssl-native,openssl-native-tolerant',
      },
    },
  ]);
  // The Node sender's unclean end (destroy-after-flush) seen by the native receivers.
  const fromNode = resolveConfig([
    {
      where: 'flags',
      raw: { ...base, shutdown: 'destroy-after-flush', receiverPeer: 'openssl-native,openssl-native-tolerant' },
    },
  ]);
  // A FIN mid-stream (destroy with the tail written unawaited): data lost.
  const lossy = resolveConfig([
    {
      where: 'flags',
      raw: {
        ...base,
        shutdown: 'destroy',
        writePath: 'buffered',
        receiverPeer: 'openssl-native,openssl-native-tolerant',
      },
    },
  ]);
  const a = await runBenchmark(native, { runId: 'test-native', command: 'test', fixturesDir: tmp.dir });
  const b = await runBenchmark(fromNode, { runId: 'test-native-b', command: 'test', fixturesDir: tmp.dir });
  const c = await runBenchmark(lossy, { runId: 'test-native-c', command: 'test', fixturesDir: tmp.dir });
  run = { ...a, records: [...a.records, ...b.records, ...c.records] };
  const row = (sender: string, shutdown: string, receiver: string): [string, string | null, boolean | null, number] => {
    const r = find(sender, shutdown, receiver);
    return [r.outcome.kind, r.outcome.errorCode, r.closeNotify, r.bytesReceived];
  };
  assert.deepEqual(
    {
      endNode: row('openssl-native', 'end', 'node'),
      endStrict: row('openssl-native', 'end', 'openssl-native'),
      endTolerant: row('openssl-native', 'end', 'openssl-native-tolerant'),
      closeNode: row('openssl-native', 'destroy-after-flush', 'node'),
      closeStrict: row('openssl-native', 'destroy-after-flush', 'openssl-native'),
      closeTolerant: row('openssl-native', 'destroy-after-flush', 'openssl-native-tolerant'),
      finNode: row('openssl-native', 'tcp-fin', 'node'),
      finStrict: row('openssl-native', 'tcp-fin', 'openssl-native'),
      finTolerant: row('openssl-native', 'tcp-fin', 'openssl-native-tolerant'),
      nodeCloseStrict: row('node', 'destroy-after-flush', 'openssl-native'),
      nodeCloseTolerant: row('node', 'destroy-after-flush', 'openssl-native-tolerant'),
    },
    {
      endNode: ['complete', null, true, 1e6],
      endStrict: ['complete', null, true, 1e6],
      endTolerant: ['complete', null, true, 1e6],
      closeNode: ['complete-unclean', null, false, 1e6],
      closeStrict: ['tls-error', '0A000126', false, 1e6],
      closeTolerant: ['complete-unclean', null, false, 1e6],
      finNode: ['complete-unclean', null, false, 1e6],
      finStrict: ['tls-error', '0A000126', false, 1e6],
      finTolerant: ['complete-unclean', null, false, 1e6],
      nodeCloseStrict: ['tls-error', '0A000126', false, 1e6],
      nodeCloseTolerant: ['complete-unclean', null, false, 1e6],
    },
  );
  // Mid-stream FIN: the strict receiver fails the stream; the tolerant one takes it as a clean end: silent loss, as
  // Node's.
  const strict = find('node', 'destroy', 'openssl-native');
  const tolerant = find('node', 'destroy', 'openssl-native-tolerant');
  assert.deepEqual(
    [strict.outcome.kind, strict.outcome.errorCode, strict.silentLoss],
    ['tls-error', '0A000126', false],
  );
  assert.deepEqual([tolerant.outcome.kind, tolerant.outcome.errorCode, tolerant.silentLoss], ['truncated', null, true]);
  assert.ok(strict.bytesReceived < 1e6 && tolerant.bytesReceived < 1e6);
  // The native pair names what it negotiated as Node does, and its span is timed.
  const r = find('openssl-native', 'end', 'openssl-native');
  assert.deepEqual(
    [r.protocolNegotiated, r.suiteNegotiated, r.bytesWritten],
    ['TLSv1.3', 'TLS_AES_128_GCM_SHA256', 1e6],
  );
  assert.ok(r.durationMs !== null && r.durationMs > 0);
});
