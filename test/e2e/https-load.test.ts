import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import type { Fixture } from '../../src/fixtures/types.ts';
import { HTTPS_COLUMNS, HTTPS_SAMPLE_COLUMNS } from '../../src/protocols/https/csv.ts';
import { measureCell } from '../../src/protocols/https/load.ts';
import type { HttpsRunJson } from '../../src/protocols/https/run-json.ts';
import { assertVerified } from '../../src/protocols/https/run.ts';
import { FixtureServerProcess } from '../../src/protocols/https/server-process.ts';
import { verifiedFetch } from '../../src/protocols/https/verify.ts';
import { RunCertificates, SERVER_NAME, type CertPems } from '../../src/tls/certs.ts';
import { alive, runCli, tempDir, testCerts } from '../support/helpers.ts';

const tls = { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' } as const;

let tmp: { dir: string; remove: () => Promise<void> };
let certs: RunCertificates;
let files: CertPems;
let fixture: Fixture;
let server: FixtureServerProcess;

before(async () => {
  tmp = await tempDir('https');
  ({ certs, files } = await testCerts());
  fixture = await new FixtureCache(join(tmp.dir, 'fx')).ensure({ sizeBytes: 1e6, seed: 1, profile: 'kv' });
  server = await FixtureServerProcess.start({
    tls,
    cert: files.cert,
    key: files.key,
    host: '127.0.0.1',
    fixtures: [{ name: fixture.name, path: fixture.path, sizeBytes: fixture.sizeBytes }],
  });
});

after(async () => {
  const pid = server.pid;
  await server.stop();
  assert.equal(alive(pid), false, `server ${pid} outlived stop()`);
  assert.equal(existsSync(server.bundleDir), false);
  await certs.dispose();
  await tmp.remove();
});

/** A GET with the run CA, verified; the whole body. */
function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, servername: SERVER_NAME, ca: files.caCert, agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('autocannon for ~1 s against a 1 MB fixture: bytes moved, no errors, no non-2xx', async () => {
  const cell = await measureCell(
    {
      fixture: fixture.name,
      sizeBytes: 1e6,
      mode: 'whole',
      rangeChunkBytes: 65536,
      connections: 2,
      durationMs: 1000,
      timeoutMs: 10_000,
      tls,
      keyType: 'ecdsa-p256',
      seed: 1,
    },
    { host: '127.0.0.1', port: server.port, stats: () => server.stats() },
  );
  assert.ok(cell.bytes > 0 && cell.mbPerSec > 0, `bytes ${cell.bytes}`);
  assert.ok(cell.requests > 0);
  // every completed response is the whole file plus a small HTTP head
  assert.ok(cell.bytes >= cell.requests * 1e6 && cell.bytes < cell.requests * (1e6 + 1024));
  assert.equal(cell.errors, 0);
  assert.equal(cell.timeouts, 0);
  assert.equal(cell.non2xx, 0);
  assert.deepEqual(Object.keys(cell.statusCodes), ['200']);
  assert.ok(cell.serverBodyBytes! >= cell.requests * 1e6);
  assert.ok(cell.elapsedMs >= 1000 && cell.elapsedMs < 3000, String(cell.elapsedMs));
  assert.deepEqual(cell.ending, { kind: 'served' });
  // one whole interval in 1 s, the warm-up one; the responses in it are every one autocannon counted before the end
  assert.equal(cell.samples.length, 1);
  assert.equal(cell.samples[0]!.warmup, true);
  assert.ok(cell.samples[0]!.requests > 0 && cell.samples[0]!.requests <= cell.requests);
});

test('range mode: every response is a 206 of exactly one chunk', async () => {
  const cell = await measureCell(
    {
      fixture: fixture.name,
      sizeBytes: 1e6,
      mode: 'range',
      rangeChunkBytes: 65536,
      connections: 2,
      durationMs: 500,
      timeoutMs: 10_000,
      tls,
      keyType: 'ecdsa-p256',
      seed: 1,
    },
    { host: '127.0.0.1', port: server.port },
  );
  assert.ok(cell.requests > 0);
  assert.deepEqual(Object.keys(cell.statusCodes), ['206']);
  assert.equal(cell.errors + cell.non2xx, 0);
  assert.ok(cell.bytes >= cell.requests * 65536 && cell.bytes < cell.requests * (65536 + 1024));
  assert.equal(cell.serverCpuMs, null);
});

test('verified fetch: certificate, suite and CRC32C of the content', async () => {
  const ca = files.caCert;
  const v = await verifiedFetch({
    host: '127.0.0.1',
    port: server.port,
    ca,
    tls,
    fixture: fixture.name,
    bytesExpected: 1e6,
    crc32cExpected: fixture.crc32c,
  });
  assert.equal(v.problem, null);
  assert.equal(v.status, 200);
  assert.equal(v.bytesReceived, 1e6);
  assert.equal(v.crc32cReceived, v.crc32cExpected);
  assert.equal(v.authorized, true);
  assert.equal(v.protocolNegotiated, 'TLSv1.3');
  assert.equal(v.suiteNegotiated, 'TLS_AES_128_GCM_SHA256');
  assert.doesNotThrow(() => assertVerified(v));

  const wrong = await verifiedFetch({
    host: '127.0.0.1',
    port: server.port,
    ca,
    tls,
    fixture: fixture.name,
    bytesExpected: 1e6,
    crc32cExpected: fixture.crc32c ^ 1,
  });
  assert.match(wrong.problem ?? '', /^CRC32C [0-9a-f]{8} of the content received, the fixture's is [0-9a-f]{8}$/);
  assert.throws(
    () => assertVerified(wrong),
    (e: Error & { code?: string }) => e.code === 'FIXTURE' && /CRC32C/.test(e.message),
  );
});

test('verified fetch against a CA that did not issue the certificate fails with the TLS error', async () => {
  const other = await RunCertificates.create();
  try {
    const ca = (await other.get('ecdsa-p256')).caCert;
    const v = await verifiedFetch({
      host: '127.0.0.1',
      port: server.port,
      ca,
      tls,
      fixture: fixture.name,
      bytesExpected: 1e6,
      crc32cExpected: fixture.crc32c,
    });
    assert.equal(v.status, null);
    assert.match(v.errorCode ?? '', /UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
    assert.throws(() => assertVerified(v), /verified fetch .* failed: TLS\/HTTP error/);
  } finally {
    await other.dispose();
  }
});

test('a client offering another suite gets no connection (the server is pinned)', async () => {
  const v = await verifiedFetch({
    host: '127.0.0.1',
    port: server.port,
    ca: files.caCert,
    tls: { tlsVersion: '1.3', suite: 'TLS_CHACHA20_POLY1305_SHA256' },
    fixture: fixture.name,
    bytesExpected: 1e6,
    crc32cExpected: fixture.crc32c,
  });
  assert.equal(v.status, null);
  assert.match(v.problem ?? '', /TLS\/HTTP error/);
});

test('Range returns exactly the bytes of the file at that range', async () => {
  const file = readFileSync(fixture.path);
  const r = await get(`/fixtures/${fixture.name}`, { range: 'bytes=1000-66535' });
  assert.equal(r.status, 206);
  assert.equal(r.headers['content-range'], 'bytes 1000-66535/1000000');
  assert.equal(r.headers['content-length'], '65536');
  assert.ok(r.body.equals(file.subarray(1000, 66536)));

  const tail = await get(`/fixtures/${fixture.name}`, { range: 'bytes=-100' });
  assert.equal(tail.status, 206);
  assert.equal(tail.headers['content-range'], 'bytes 999900-999999/1000000');
  assert.ok(tail.body.equals(file.subarray(999_900)));

  const whole = await get(`/fixtures/${fixture.name}`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers['content-length'], '1000000');
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.ok(whole.body.equals(file));
});

test('a bad range is 416 with the size; an unknown fixture 404', async () => {
  for (const range of ['bytes=1000000-', 'bytes=5-1', 'bytes=0-1,5-9', 'lines=1-2']) {
    const r = await get(`/fixtures/${fixture.name}`, { range });
    assert.equal(r.status, 416, range);
    assert.equal(r.headers['content-range'], 'bytes */1000000', range);
  }
  assert.equal((await get('/fixtures/nope.sst')).status, 404);
  assert.equal((await get(`/fixtures/../${fixture.name}`)).status, 404);
});

test('CLI: https end to end writes results.json, https.csv and the raw-stream run; no process left', async () => {
  const out = join(tmp.dir, 'out');
  const r = await runCli([
    'https',
    '--sizes',
    '1MB',
    '--connections',
    '1,4',
    '--duration',
    '1s',
    '--out',
    out,
    '--fixtures-dir',
    join(tmp.dir, 'fx'),
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /autocannon does not verify the server certificate/);
  assert.match(r.stderr, /Raw TLS stream vs HTTPS/);
  const [runId, ...more] = readdirSync(out);
  assert.equal(more.length, 0);
  const dir = join(out, runId!);
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as HttpsRunJson & { schemaVersion: number };
  assert.deepEqual(JSON.parse(r.stdout), json);
  assert.equal(json.schemaVersion, 1);
  assert.equal(json.httpsVersion, 2);
  assert.deepEqual(
    json.https.map((c) => c.connections),
    [1, 4],
  );
  for (const c of json.https) {
    assert.equal(c.protocol, 'https');
    assert.ok(c.mbPerSec > 0);
    assert.equal(c.errors + c.timeouts + c.non2xx, 0);
    assert.deepEqual(c.ending, { kind: 'served' });
    assert.deepEqual(c.negotiated, [
      { protocol: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', connections: c.connections },
    ]);
    // 1 s of load is one interval, and the first is warm-up: no measured sample, the tables show the cell's total
    assert.equal(c.samples.length, 1);
    assert.equal(c.samples[0]!.warmup, true);
    assert.equal(c.intervalMbPerSec, null);
  }
  assert.equal(json.verified.length, 1);
  assert.equal(json.verified[0]!.problem, null);
  assert.equal(json.rawStream.length, 1);
  assert.ok(json.rawStream[0]!.meanMbPerSec! > 0);
  const csv = readFileSync(join(dir, 'https.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv[0], HTTPS_COLUMNS.join(','));
  assert.equal(csv.length, 3);
  const samplesCsv = readFileSync(join(dir, 'https-samples.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(samplesCsv[0], HTTPS_SAMPLE_COLUMNS.join(','));
  assert.equal(samplesCsv.length, 3);
  assert.ok(existsSync(join(dir, 'raw-stream', 'results.json')));
  // the common shape holds the raw stream's transfers only: the HTTPS cells are load records, not transfers
  assert.deepEqual(
    json.scenarios.map((s) => `${s.scenario.protocol} x${s.scenario.streams}`),
    ['raw x1'],
  );
  assert.ok(json.records.every((x) => x.scenario.protocol === 'raw'));
  const resultsCsv = readFileSync(join(dir, 'results.csv'), 'utf8');
  assert.equal((resultsCsv.match(/,https,/g) ?? []).length, 0);
  const summaryMd = readFileSync(join(dir, 'summary.md'), 'utf8');
  assert.match(summaryMd, /## HTTPS load/);
  assert.match(summaryMd, /\| size \| mode \| conns \| req\/s \| MB\/s \| ±95% \| n \|/);
  // `report` re-renders the folder from results.json: the HTTPS section comes back the same
  const again = await runCli(['report', dir]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readFileSync(join(dir, 'summary.md'), 'utf8'), summaryMd);
  assert.ok(existsSync(join(dir, 'report.html')) && existsSync(join(dir, 'summary.md')));
  assert.ok(json.context.workerPids.length >= 3);
  for (const pid of json.context.workerPids) assert.equal(alive(pid), false, `pid ${pid} left behind`);
});

test('CLI: a bad flag is one line, exit 2, nothing written', async () => {
  const out = join(tmp.dir, 'bad');
  const r = await runCli(['https', '--connections', '1,x', '--out', out]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /--connections "x" is not accepted/);
  assert.equal(existsSync(out), false);
});
