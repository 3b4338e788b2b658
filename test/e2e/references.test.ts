import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FixtureCache } from '../../src/fixtures/cache.ts';
import type { Fixture } from '../../src/fixtures/types.ts';
import { makeScenario } from '../../src/matrix.ts';
import { isDelivered } from '../../src/outcome.ts';
import { ceilingsOf, evpCipherOf, referenceFor, type References } from '../../src/references.ts';
import type { ScenarioSummary } from '../../src/results.ts';
import { parseOpensslSpeed } from '../../src/runner/references.ts';
import { runTransfer } from '../../src/runner/transfer.ts';
import { removeWorkerBundle } from '../../src/runner/worker-bundle.ts';
import { WorkerPair } from '../../src/runner/workers.ts';
import { RunCertificates, type CertPems } from '../../src/tls/certs.ts';
import { REFERENCE_COLUMNS, SCENARIO_COLUMNS } from '../../src/report/csv.ts';
import { runCli, tempDir } from '../support/helpers.ts';

// The reference lanes over real sockets and processes: the tcp lane's
// transport on the suite's own workers, and whole runs with --reference.
let tmp: { dir: string; remove: () => Promise<void> };

before(async () => {
  tmp = await tempDir('references');
});
after(() => tmp.remove());

/** The rows of a CSV file this suite wrote (no quoted commas in these columns). */
const csvRows = (path: string): string[][] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

/** The one run folder under `out`. */
const runDir = (out: string): string => join(out, readdirSync(out)[0]!);

test(
  'the tcp transport: the suite sender and receiver over node:net move every byte, checked, nothing negotiated, ' +
    'by each read path',
  async () => {
    const certSet = await RunCertificates.create();
    const certs: CertPems = await certSet.get('ecdsa-p256');
    const fixture: Fixture = await new FixtureCache(join(tmp.dir, 'fx')).ensure({
      sizeBytes: 4e6,
      seed: 1,
      profile: 'kv',
    });
    const pair = await WorkerPair.start(tmp.dir);
    try {
      for (const readPath of ['data', 'onread:64KiB'] as const) {
        const r = await runTransfer(pair, {
          runId: 'tcp',
          scenario: makeScenario({ sizeBytes: fixture.sizeBytes, chunkBytes: 65536, readPath }),
          fixture,
          certs,
          source: 'file',
          iteration: 0,
          warmup: false,
          stallTimeoutMs: 10_000,
          transport: 'tcp',
        });
        // complete-close-unknown: every byte and the right CRC32C; no TLS, so no close_notify
        // that could have come (closeNotify null), and an unobservable close is not called unclean.
        assert.deepEqual(
          [
            r.outcome.kind,
            isDelivered(r.outcome),
            r.bytesReceived,
            r.bytesWritten,
            r.protocolNegotiated,
            r.suiteNegotiated,
            r.closeNotify,
            r.outcome.errorCode,
          ],
          ['complete-close-unknown', true, 4e6, 4e6, null, null, null, null],
          readPath,
        );
        assert.ok(r.durationMs !== null && r.durationMs > 0);
      }
    } finally {
      await pair.stop();
      await certSet.dispose();
      await removeWorkerBundle();
    }
  },
);

test('a run with --reference tcp,openssl,cipher: references.csv, and every cell with its three percentages', async () => {
  const out = join(tmp.dir, 'out-all');
  const r = await runCli([
    'run',
    '--sizes',
    '1MB',
    '--chunks',
    '16KiB,64KiB',
    '--tls',
    '1.3,1.2',
    '--suites',
    'TLS_AES_128_GCM_SHA256,ECDHE-ECDSA-CHACHA20-POLY1305',
    '--iterations',
    '2',
    '--warmup',
    '1',
    '--reference',
    'tcp,openssl,cipher',
    '--out',
    out,
    '--fixtures-dir',
    join(tmp.dir, 'fx'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const dir = runDir(out);
  const refs = csvRows(join(dir, 'references.csv'));
  assert.deepEqual(refs[0], [...REFERENCE_COLUMNS]);
  const col = (name: (typeof REFERENCE_COLUMNS)[number]): number => REFERENCE_COLUMNS.indexOf(name);
  // tcp per size and chunk; openssl per size, chunk and suite; cipher once per cipher.
  assert.deepEqual(
    refs
      .slice(1)
      .map((row) => [
        row[col('lane')],
        row[col('size_bytes')],
        row[col('chunk_bytes')],
        row[col('tls_version')],
        row[col('suite')],
        row[col('samples')],
        row[col('read_path')],
      ]),
    [
      ['tcp', '1000000', '16384', '', '', '2', 'data'],
      ['tcp', '1000000', '65536', '', '', '2', 'data'],
      ['openssl', '1000000', '16384', '1.3', 'TLS_AES_128_GCM_SHA256', '2', ''],
      ['openssl', '1000000', '65536', '1.3', 'TLS_AES_128_GCM_SHA256', '2', ''],
      ['openssl', '1000000', '16384', '1.2', 'ECDHE-ECDSA-CHACHA20-POLY1305', '2', ''],
      ['openssl', '1000000', '65536', '1.2', 'ECDHE-ECDSA-CHACHA20-POLY1305', '2', ''],
      ['cipher', '', '', '', 'aes-128-gcm', '1', ''],
      ['cipher', '', '', '', 'chacha20-poly1305', '1', ''],
    ],
  );
  for (const row of refs.slice(1)) assert.ok(Number(row[col('mb_per_sec')]) > 0, row.join(','));
  const cells = csvRows(join(dir, 'scenarios.csv'));
  // The header is the documented one; cells are found by column name, so appended columns move nothing.
  assert.deepEqual(cells[0], [...SCENARIO_COLUMNS]);
  const cell = (row: readonly string[], name: (typeof SCENARIO_COLUMNS)[number]): string | undefined =>
    row[cells[0]!.indexOf(name)];
  assert.equal(cells.length, 5);
  for (const row of cells.slice(1)) {
    for (const name of ['pct_of_tcp', 'pct_of_openssl', 'pct_of_cipher'] as const)
      assert.ok(Number(cell(row, name)) > 0, `${name} of ${cell(row, 'scenario_id')}`);
  }
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
    references: References;
    scenarios: ScenarioSummary[];
  };
  assert.deepEqual(json.references.skipped, []);
  assert.ok(
    json.scenarios.every(
      (s) =>
        s.ceilings &&
        s.ceilings.pctOfTcp !== null &&
        s.ceilings.pctOfOpenssl !== null &&
        s.ceilings.pctOfCipher !== null,
    ),
  );
  assert.match(r.stdout, /% tcp +% openssl +% cipher/);
  assert.match(r.stdout, /^Ceilings measured beside the cells/m);
  assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /^## How close to this machine's limits$/m);
  assert.match(
    readFileSync(join(dir, 'summary.md'), 'utf8'),
    /\| ceiling cipher \| the cipher alone, one core, 16 KiB records: openssl speed -evp aes-128-gcm -bytes 16384 -seconds 1 \(one core\); openssl speed -evp chacha20-poly1305/,
  );
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  assert.match(html, /<figure id="chart-ceilings"/);
  assert.match(html, /<section id="ceilings">/);
});

test('no C compiler: one line names gcc, the openssl lane is skipped, the run and the other lanes go on', async () => {
  const out = join(tmp.dir, 'out-nocc');
  const before = process.env['CC'];
  // A compiler that is not there: the cached build is keyed by the compiler, so this one must build and cannot.
  process.env['CC'] = '/nonexistent/cc';
  let r;
  try {
    r = await runCli([
      'run',
      '--sizes',
      '1MB',
      '--chunks',
      '64KiB',
      '--suites',
      'TLS_AES_128_GCM_SHA256',
      '--iterations',
      '1',
      '--warmup',
      '0',
      '--reference',
      'tcp,openssl',
      '--out',
      out,
      '--fixtures-dir',
      join(tmp.dir, 'fx'),
    ]);
  } finally {
    if (before === undefined) delete process.env['CC'];
    else process.env['CC'] = before;
  }
  assert.equal(r.code, 0, r.stderr);
  const line =
    'reference openssl skipped: needs a C compiler to build peers/openssl-native.c, and "/nonexistent/cc" is ' +
    'not on PATH: install gcc (apt-get install gcc) or set CC';
  // once as the run says it (stderr), once in the summary (stdout)
  assert.equal(r.stderr.split('\n').filter((l) => l.endsWith(line)).length, 1, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => l === line).length, 1, r.stdout);
  const dir = runDir(out);
  assert.deepEqual(
    csvRows(join(dir, 'references.csv')).map((row) => row[0]),
    ['lane', 'tcp'],
  );
  const cells = csvRows(join(dir, 'scenarios.csv'));
  assert.ok(Number(cells[1]![SCENARIO_COLUMNS.indexOf('pct_of_tcp')]) > 0);
  assert.equal(cells[1]![SCENARIO_COLUMNS.indexOf('pct_of_openssl')], '');
  assert.match(
    readFileSync(join(dir, 'summary.md'), 'utf8'),
    /\| ceiling openssl \| native OpenSSL, same suite and version: not measured: needs a C compiler/,
  );
});

test('a run without --reference writes no references.csv and no percentage columns in the terminal', async () => {
  const out = join(tmp.dir, 'out-none');
  const r = await runCli(['run', '--smoke', '--out', out, '--fixtures-dir', join(tmp.dir, 'fx')]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    readdirSync(runDir(out)).filter((f) => f === 'references.csv'),
    [],
  );
  assert.doesNotMatch(r.stdout, /% tcp/);
});

test('openssl speed output -> MB/s; suites -> their cipher; a cell finds its ceilings', () => {
  assert.equal(
    parseOpensslSpeed(
      "The 'numbers' are in 1000s of bytes per second processed.\ntype          16384 bytes\nAES-128-GCM    " +
        '4487151.62k\n',
    ),
    4487.15162,
  );
  assert.equal(parseOpensslSpeed('no numbers'), null);
  assert.deepEqual(
    [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-CHACHA20-POLY1305',
      'AES128-SHA',
      'AES256-SHA256',
      'TLS_AES_128_CCM_SHA256',
    ].map(evpCipherOf),
    [
      'aes-128-gcm',
      'aes-256-gcm',
      'chacha20-poly1305',
      'aes-128-gcm',
      'chacha20-poly1305',
      'aes-128-cbc-hmac-sha1',
      'aes-256-cbc-hmac-sha256',
      null,
    ],
  );
  const refs: References = {
    lanes: ['tcp', 'openssl', 'cipher'],
    measurements: [
      {
        lane: 'tcp',
        sizeBytes: 64e6,
        chunkBytes: 65536,
        tlsVersion: null,
        suite: null,
        readPath: 'data',
        mbPerSec: 2000,
        rmePercent: 2,
        samples: 3,
        source: 'tcp',
      },
      {
        lane: 'openssl',
        sizeBytes: 64e6,
        chunkBytes: 65536,
        tlsVersion: '1.3',
        suite: 'TLS_AES_256_GCM_SHA384',
        readPath: null,
        mbPerSec: 1600,
        rmePercent: 2,
        samples: 3,
        source: 'openssl',
      },
      {
        lane: 'cipher',
        sizeBytes: null,
        chunkBytes: null,
        tlsVersion: null,
        suite: 'aes-128-gcm',
        readPath: null,
        mbPerSec: 5000,
        rmePercent: null,
        samples: 1,
        source: 'speed',
      },
    ],
    skipped: [],
  };
  const cell = makeScenario({
    sizeBytes: 64e6,
    chunkBytes: 65536,
    tlsVersion: '1.2',
    suite: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  });
  // the cipher lane stands beside every suite on its cipher, whatever the TLS version
  assert.equal(referenceFor(refs, 'cipher', cell)?.mbPerSec, 5000);
  assert.equal(referenceFor(refs, 'openssl', cell), undefined);
  const summary = { scenario: cell, throughput: { meanMbPerSec: 1000 } } as ScenarioSummary;
  assert.deepEqual(ceilingsOf(summary, refs), { pctOfTcp: 50, pctOfOpenssl: null, pctOfCipher: 20 });
  assert.deepEqual(ceilingsOf({ ...summary, throughput: null }, refs), {
    pctOfTcp: null,
    pctOfOpenssl: null,
    pctOfCipher: null,
  });
});
