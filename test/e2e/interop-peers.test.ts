import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/schema.ts';
import { makeScenario } from '../../src/matrix.ts';
import { runBenchmark } from '../../src/runner/orchestrator.ts';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { gnutlsError, RECEIVER_PEERS } from '../../src/runner/receiver-peers.ts';
import type { WorkerProcess } from '../../src/runner/workers.ts';
import { makeRunCertificates } from '../../src/tls/certs.ts';
import type { RunResult, TransferRecord } from '../../src/results.ts';
import { stacksText } from '../../src/report/stacks.ts';
import { terminalSummary } from '../../src/report/terminal.ts';
import { markdownSummary } from '../../src/report/markdown.ts';
import { gnutlsPriority, gnutlsPriorityOf, suiteFromGnutls } from '../../src/tls/gnutls-priority.ts';
import { tempDir, requirePrograms } from '../support/helpers.ts';

// Real gnutls-cli and openssl s_server processes against the suite's Node
// workers, over loopback: how GnuTLS reports the ends Node makes, and how
// Node, OpenSSL and GnuTLS receivers see OpenSSL's own end.
let tmp: { dir: string; remove: () => Promise<void> };
let run: RunResult;

before(async () => {
  requirePrograms({ 'gnutls-cli': 'gnutls-bin', openssl: 'openssl', cc: 'gcc' });
  tmp = await tempDir('interop');
  const base = {
    sizes: '1MB',
    chunks: '64KiB',
    suites: 'TLS_AES_128_GCM_SHA256',
    receiver: 'until-eof',
    iterations: '1',
    warmup: '0',
  };
  const config = resolveConfig([
    {
      where: 'flags',
      raw: { ...base, shutdown: 'end,destroy-after-flush', writePath: 'buffered', receiverPeer: 'gnutls' },
    },
  ]);
  const fromOpenssl = resolveConfig([
    { where: 'flags', raw: { ...base, senderPeer: 'openssl', receiverPeer: 'node,openssl,gnutls' } },
  ]);
  const fromGnutls = resolveConfig([
    {
      where: 'flags',
      raw: {
        ...base,
        senderPeer: 'gnutls',
        shutdown: 'end,destroy-after-flush,tcp-fin',
        receiverPeer: 'node,openssl,gnutls',
      },
    },
  ]);
  const a = await runBenchmark(config, { runId: 'test-interop', command: 'test', fixturesDir: tmp.dir });
  const b = await runBenchmark(fromOpenssl, { runId: 'test-interop-b', command: 'test', fixturesDir: tmp.dir });
  const c = await runBenchmark(fromGnutls, { runId: 'test-interop-c', command: 'test', fixturesDir: tmp.dir });
  run = {
    ...a,
    records: [...a.records, ...b.records, ...c.records],
    scenarios: [...a.scenarios, ...b.scenarios, ...c.scenarios],
  };
});
after(() => tmp.remove());

const find = (sender: string, shutdown: string, receiver: string): TransferRecord => {
  const r = run.records.find(
    (x) => x.scenario.senderPeer === sender && x.scenario.shutdown === shutdown && x.scenario.receiverPeer === receiver,
  );
  assert.ok(r, `no record for ${sender} ${shutdown} ${receiver}`);
  return r;
};

test('gnutls receiver, end: every byte, checksum right, close_notify received', () => {
  const r = find('node', 'end', 'gnutls');
  assert.equal(r.outcome.kind, 'complete');
  assert.equal(r.closeNotify, true);
  assert.equal(r.bytesReceived, 1_000_000);
  assert.equal(r.outcome.errorCode, null);
  assert.equal(r.suiteNegotiated, 'TLS_AES_128_GCM_SHA256');
});

test('gnutls receiver, destroy-after-flush: every byte, yet GNUTLS_E_PREMATURE_TERMINATION', () => {
  const r = find('node', 'destroy-after-flush', 'gnutls');
  assert.equal(r.bytesReceived, 1_000_000);
  assert.equal(r.outcome.kind, 'tls-error');
  assert.equal(r.outcome.errorCode, 'GNUTLS_E_PREMATURE_TERMINATION');
  assert.equal(r.outcome.errorMessage, '*** Fatal error: The TLS connection was non-properly terminated.');
  assert.equal(r.closeNotify, false);
  assert.equal(r.silentLoss, false);
});

test('openssl s_server sender: every receiver gets the whole file and its close_notify', () => {
  for (const receiver of ['node', 'openssl', 'gnutls']) {
    const r = find('openssl', 'end', receiver);
    assert.equal(r.outcome.kind, 'complete', receiver);
    assert.equal(r.closeNotify, true, receiver);
    assert.equal(r.bytesReceived, 1_000_000, receiver);
    assert.equal(r.bytesWritten, 1_000_000, receiver);
    assert.equal(r.scenario.id.includes(' sender=openssl '), true);
  }
  // Only the Node receiver reports what was negotiated: s_server obeyed the pinned suite.
  assert.equal(find('openssl', 'end', 'node').suiteNegotiated, 'TLS_AES_128_GCM_SHA256');
});

test('gnutls sender, end (gnutls_bye): every receiver gets the whole file and its close_notify', () => {
  for (const receiver of ['node', 'openssl', 'gnutls']) {
    const r = find('gnutls', 'end', receiver);
    assert.equal(r.outcome.kind, 'complete', receiver);
    assert.equal(r.closeNotify, true, receiver);
    assert.equal(r.bytesReceived, 1_000_000, receiver);
    assert.equal(r.bytesWritten, 1_000_000, receiver);
    assert.equal(r.outcome.errorCode, null, receiver);
    // the sender's report: the suite mapped back from GnuTLS's parts, and its first byte on Node's clock
    assert.equal(r.suiteNegotiated, 'TLS_AES_128_GCM_SHA256', receiver);
    assert.equal(r.protocolNegotiated, 'TLSv1.3', receiver);
    assert.ok(r.durationMs !== null && r.durationMs > 0 && r.durationMs < 60_000, `${receiver}: ${r.durationMs}`);
    assert.equal(r.scenario.id.includes(' sender=gnutls '), true);
  }
});

test('gnutls sender, destroy-after-flush (close() without gnutls_bye): unclean end, no close_notify', () => {
  const node = find('gnutls', 'destroy-after-flush', 'node');
  assert.equal(node.outcome.kind, 'complete-unclean');
  assert.equal(node.closeNotify, false);
  assert.equal(node.bytesReceived, 1_000_000);
  assert.equal(node.silentLoss, false);
  const openssl = find('gnutls', 'destroy-after-flush', 'openssl');
  assert.equal(openssl.outcome.kind, 'tls-error');
  assert.equal(openssl.outcome.errorCode, '0A000126');
  assert.equal(openssl.bytesReceived, 1_000_000);
  assert.equal(openssl.closeNotify, false);
  const gnutls = find('gnutls', 'destroy-after-flush', 'gnutls');
  assert.equal(gnutls.outcome.kind, 'tls-error');
  assert.equal(gnutls.outcome.errorCode, 'GNUTLS_E_PREMATURE_TERMINATION');
  assert.equal(gnutls.bytesReceived, 1_000_000);
});

test('gnutls sender, tcp-fin (shutdown(SHUT_WR) without gnutls_bye): FIN, no close_notify', () => {
  const node = find('gnutls', 'tcp-fin', 'node');
  assert.equal(node.outcome.kind, 'complete-unclean');
  assert.equal(node.closeNotify, false);
  assert.equal(node.bytesReceived, 1_000_000);
  assert.equal(find('gnutls', 'tcp-fin', 'openssl').outcome.errorCode, '0A000126');
});

test('gnutls sender: negotiated suite equals the requested one, TLS 1.3 and 1.2 (as the sender reports it)', async () => {
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '64KiB',
        chunks: '16KiB',
        tls: '1.3,1.2',
        suites: 'TLS_CHACHA20_POLY1305_SHA256,ECDHE-ECDSA-AES256-GCM-SHA384',
        senderPeer: 'gnutls',
        receiverPeer: 'openssl',
        iterations: '1',
        warmup: '0',
      },
    },
  ]);
  const r = await runBenchmark(config, { runId: 'test-gnutls-sender-suites', command: 'test', fixturesDir: tmp.dir });
  // The openssl receiver reports nothing negotiated: these names are the GnuTLS sender's.
  assert.deepEqual(
    r.records.map((x) => [x.scenario.suite, x.suiteNegotiated, x.protocolNegotiated, x.outcome.kind, x.bytesWritten]),
    [
      ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'TLSv1.3', 'complete', 65536],
      ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'TLSv1.2', 'complete', 65536],
    ],
  );
});

test('GnuTLS parts -> this suite name', () => {
  assert.equal(suiteFromGnutls('TLSv1.3', 'ECDHE-RSA', 'AES-256-GCM', 'AEAD'), 'TLS_AES_256_GCM_SHA384');
  assert.equal(suiteFromGnutls('TLSv1.2', 'ECDHE-ECDSA', 'AES-128-CBC', 'SHA1'), 'ECDHE-ECDSA-AES128-SHA');
  assert.equal(suiteFromGnutls('TLSv1.2', 'RSA', 'AES-256-GCM', 'AEAD'), 'AES256-GCM-SHA384');
  assert.equal(suiteFromGnutls('TLSv1.2', 'DHE-RSA', 'AES-256-GCM', 'AEAD'), null);
  assert.equal(suiteFromGnutls('TLSv1.3', '', 'CAMELLIA-128-GCM', 'AEAD'), null);
});

test('the cross-stack matrix of this run, as printed', () => {
  const text = stacksText(run);
  const line = (sender: string, shutdown: string): string =>
    text.split('\n').find((l) => l.startsWith(sender) && l.split(/\s{2,}/)[1] === shutdown)!;
  assert.deepEqual(line('node', 'end').split(/\s{2,}/), [
    'node',
    'end',
    'buffered',
    '1.0 MB',
    '-',
    '-',
    'complete, close_notify',
  ]);
  assert.deepEqual(
    line('node', 'destroy-after-flush')
      .split(/\s{2,}/)
      .slice(4),
    ['-', '-', 'tls-error GNUTLS_E_PREMATURE_TERMINATION, no close_notify'],
  );
  assert.deepEqual(
    line('openssl', 'end')
      .split(/\s{2,}/)
      .slice(4),
    ['complete, close_notify', 'complete, close_notify', 'complete, close_notify'],
  );
  assert.deepEqual(line('gnutls', 'end').split(/\s{2,}/), [
    'gnutls',
    'end',
    'backpressure',
    '1.0 MB',
    'complete, close_notify',
    'complete, close_notify',
    'complete, close_notify',
  ]);
  assert.deepEqual(
    line('gnutls', 'destroy-after-flush')
      .split(/\s{2,}/)
      .slice(4),
    [
      'complete-unclean, no close_notify',
      'tls-error 0A000126, no close_notify',
      'tls-error GNUTLS_E_PREMATURE_TERMINATION, no close_notify',
    ],
  );
  assert.match(terminalSummary(run), /EOF outcome across TLS stacks/);
  assert.match(
    markdownSummary(run),
    /## EOF outcome across TLS stacks\n[\s\S]*\| node \| destroy-after-flush \| buffered \| 1\.0 MB \| - \| - \| tls-error GNUTLS_E_PREMATURE_TERMINATION, no close_notify \|/,
  );
});

test('GnuTLS suites: real transfers pinned by the priority string, TLS 1.3 and 1.2', async () => {
  const config = resolveConfig([
    {
      where: 'flags',
      raw: {
        sizes: '64KiB',
        chunks: '16KiB',
        tls: '1.3,1.2',
        suites:
          'TLS_CHACHA20_POLY1305_SHA256,TLS_AES_128_CCM_8_SHA256,ECDHE-ECDSA-AES256-GCM-SHA384,ECDHE-ECDSA-AES128-SHA',
        receiverPeer: 'gnutls',
        iterations: '1',
        warmup: '0',
      },
    },
  ]);
  const r = await runBenchmark(config, { runId: 'test-gnutls-suites', command: 'test', fixturesDir: tmp.dir });
  assert.deepEqual(
    r.records.map((x) => [x.scenario.suite, x.suiteNegotiated, x.outcome.kind]),
    [
      ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'complete'],
      ['TLS_AES_128_CCM_8_SHA256', 'TLS_AES_128_CCM_8_SHA256', 'complete'],
      ['ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'complete'],
      ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES128-SHA', 'complete'],
    ],
  );
});

test('suite -> GnuTLS priority string', () => {
  assert.equal(
    gnutlsPriorityOf('TLS_AES_256_GCM_SHA384', '1.3'),
    'NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-256-GCM:-MAC-ALL:+AEAD',
  );
  assert.equal(
    gnutlsPriorityOf('ECDHE-RSA-CHACHA20-POLY1305', '1.2'),
    'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+CHACHA20-POLY1305:-MAC-ALL:+AEAD',
  );
  assert.equal(
    gnutlsPriorityOf('AES128-SHA', '1.2'),
    'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1',
  );
  assert.equal(
    gnutlsPriorityOf('ECDHE-ECDSA-AES256-SHA384', '1.2'),
    'NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+ECDHE-ECDSA:-CIPHER-ALL:+AES-256-CBC:-MAC-ALL:+SHA384',
  );
  // not a GnuTLS suite, and a 1.3 name under 1.2
  assert.equal(gnutlsPriorityOf('ECDHE-ECDSA-ARIA128-GCM-SHA256', '1.2'), null);
  assert.equal(gnutlsPriorityOf('TLS_AES_128_GCM_SHA256', '1.2'), null);
  assert.throws(
    () => gnutlsPriority('TLS_SM4_GCM_SM3', '1.3'),
    /--suites "TLS_SM4_GCM_SM3" has no GnuTLS priority string, so a gnutls peer cannot use it: expected one of TLS_AES_128_GCM_SHA256/,
  );
  // checked where scenarios are made, before anything runs
  assert.throws(
    () => makeScenario({ sizeBytes: 1e6, chunkBytes: 16384, suite: 'TLS_SM4_GCM_SM3', receiverPeer: 'gnutls' }),
    /no GnuTLS priority string/,
  );
});

test('gnutls-cli stderr parsing', () => {
  assert.deepEqual(
    gnutlsError(
      '*** Fatal error: The TLS connection was non-properly terminated.\n*** Server has terminated the ' +
        'connection abnormally.\n',
      1,
    ),
    {
      code: 'GNUTLS_E_PREMATURE_TERMINATION',
      message: '*** Fatal error: The TLS connection was non-properly terminated.',
    },
  );
  assert.deepEqual(gnutlsError('*** Fatal error: Error decoding the received TLS packet.\n', 1), {
    code: 'GNUTLS_E_UNEXPECTED_PACKET_LENGTH',
    message: '*** Fatal error: Error decoding the received TLS packet.',
  });
  assert.deepEqual(gnutlsError('*** Fatal error: Something new.\n', 1), {
    code: 'GNUTLS_ERROR',
    message: '*** Fatal error: Something new.',
  });
  assert.equal(gnutlsError('', 0), null);
  assert.deepEqual(gnutlsError('Error setting the x509 trust file: Error while reading file.\n', 1), {
    code: 'EXIT_1',
    message: 'Error setting the x509 trust file: Error while reading file.',
  });
});

test('gnutls-cli verifies the server: a certificate from another CA fails the handshake', async () => {
  const mine = await makeRunCertificates('ecdsa-p256');
  const other = await makeRunCertificates('ecdsa-p256');
  const server = createServer({ cert: mine.cert, key: mine.key }, (s) => s.end('never read'));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const heard = await RECEIVER_PEERS.gnutls.receive({
      request: {
        id: 1,
        tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: other.caCert,
        mode: 'until-eof',
        readPath: 'data',
        bytesExpected: 10,
        crc32cExpected: 0,
        progressIntervalMs: 100,
        closeGraceMs: 2000,
      },
      worker: undefined as unknown as WorkerProcess,
      tempDir: tmp.dir,
      stall: new Promise<number>(() => undefined),
      progress: () => undefined,
    });
    assert.equal(heard.kind, 'report');
    if (heard.kind !== 'report') return;
    assert.equal(heard.report.bytesReceived, 0);
    assert.deepEqual(heard.report.error, {
      code: 'GNUTLS_E_CERTIFICATE_ERROR',
      message: '*** Fatal error: Error in the certificate.',
      phase: 'handshake',
    });
  } finally {
    server.close();
  }
});
