import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../bin/presets.ts';
import { presetLayer } from '../../src/config/presets.ts';
import { resolveConfig, type RawConfig } from '../../src/config/schema.ts';
import { applyFilter, expandMatrix } from '../../src/matrix.ts';

const flags = (raw: RawConfig) => resolveConfig([{ where: 'flags', raw }]);

test('the product of the axes, sizes outermost, with stable ids', () => {
  const s = expandMatrix(
    flags({ sizes: '64MB,1MB', chunks: '16KiB,1MiB', suites: 'TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256' }),
  );
  assert.equal(s.length, 8);
  assert.deepEqual(
    s.map((x) => [x.sizeBytes, x.suite, x.chunkBytes]),
    [
      [64e6, 'TLS_AES_128_GCM_SHA256', 16384],
      [64e6, 'TLS_AES_128_GCM_SHA256', 1048576],
      [64e6, 'TLS_CHACHA20_POLY1305_SHA256', 16384],
      [64e6, 'TLS_CHACHA20_POLY1305_SHA256', 1048576],
      [1e6, 'TLS_AES_128_GCM_SHA256', 16384],
      [1e6, 'TLS_AES_128_GCM_SHA256', 1048576],
      [1e6, 'TLS_CHACHA20_POLY1305_SHA256', 16384],
      [1e6, 'TLS_CHACHA20_POLY1305_SHA256', 1048576],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)),
  );
  assert.equal(
    s[0]!.id,
    'size=1MB chunk=16KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=node protocol=raw streams=1',
  );
  assert.equal(new Set(s.map((x) => x.id)).size, s.length);
});

test('each suite is paired only with its own TLS version', () => {
  const s = expandMatrix(
    flags({ tls: '1.2,1.3', suites: 'TLS_AES_128_GCM_SHA256,ECDHE-ECDSA-AES128-GCM-SHA256', sizes: '1MB' }),
  );
  assert.deepEqual(
    s.map((x) => `${x.tlsVersion} ${x.suite}`),
    ['1.2 ECDHE-ECDSA-AES128-GCM-SHA256', '1.3 TLS_AES_128_GCM_SHA256'],
  );
});

test('default suites: three per TLS version', () => {
  const s = expandMatrix(flags({ tls: '1.3,1.2', sizes: '1MB' }));
  assert.deepEqual(
    s.map((x) => x.suite),
    [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
    ],
  );
});

test('TLS 1.2 suites get only the key type they can use; TLS 1.3 suites get every key', () => {
  const s = expandMatrix(
    flags({
      tls: '1.2,1.3',
      key: 'ecdsa-p256,rsa-2048',
      suites: 'ECDHE-RSA-AES128-GCM-SHA256,ECDHE-ECDSA-AES128-GCM-SHA256,TLS_AES_128_GCM_SHA256',
      sizes: '1MB',
    }),
  );
  assert.deepEqual(
    s.map((x) => `${x.suite}/${x.keyType}`),
    [
      'ECDHE-RSA-AES128-GCM-SHA256/rsa-2048',
      'ECDHE-ECDSA-AES128-GCM-SHA256/ecdsa-p256',
      'TLS_AES_128_GCM_SHA256/ecdsa-p256',
      'TLS_AES_128_GCM_SHA256/rsa-2048',
    ],
  );
});

test('values that cannot be satisfied are errors, not silent skips', () => {
  assert.throws(
    () => expandMatrix(flags({ tls: '1.3', suites: 'ECDHE-ECDSA-AES128-GCM-SHA256' })),
    /TLS 1\.2 suite but --tls is 1\.3/,
  );
  assert.throws(
    () => expandMatrix(flags({ tls: '1.2,1.3', suites: 'TLS_AES_128_GCM_SHA256' })),
    /--tls "1\.2" has no suite/,
  );
  assert.throws(
    () => expandMatrix(flags({ tls: '1.2', suites: 'ECDHE-RSA-AES128-GCM-SHA256' })),
    /needs --key rsa-2048/,
  );
  assert.throws(
    () => expandMatrix(flags({ tls: '1.2', key: 'ecdsa-p256,rsa-2048', suites: 'ECDHE-ECDSA-AES128-GCM-SHA256' })),
    /--key "rsa-2048" fits none/,
  );
  assert.throws(() => expandMatrix(flags({ filter: 'chunk=3KiB' })), /--filter "chunk=3KiB" matches none/);
});

test('--filter keeps scenarios whose id has every term', () => {
  const s = expandMatrix(
    flags({
      sizes: '1MB,64MB',
      chunks: '16KiB,1MiB',
      suites: 'TLS_AES_128_GCM_SHA256',
      filter: 'chunk=1MiB size=64MB',
    }),
  );
  assert.deepEqual(
    s.map((x) => [x.sizeBytes, x.chunkBytes]),
    [[64e6, 1048576]],
  );
  const partial = expandMatrix(flags({ tls: '1.3', sizes: '1MB', filter: 'CHACHA' }));
  assert.deepEqual(
    partial.map((x) => x.suite),
    ['TLS_CHACHA20_POLY1305_SHA256'],
  );
});

test('--smoke keeps the first value of each axis, at most 1 MB, once', () => {
  const c = resolveConfig([presetLayer('quick'), { where: 'flags', raw: { smoke: true } }], 'quick');
  const s = expandMatrix(c);
  assert.equal(s.length, 1);
  assert.equal(s[0]!.sizeBytes, 1e6);
  assert.equal(s[0]!.chunkBytes, 4096);
  assert.equal(s[0]!.suite, 'TLS_AES_128_GCM_SHA256');
  assert.equal(c.iterations, 1);
  assert.deepEqual(c.warmup, { kind: 'transfers', count: 0 });
  assert.equal(c.targetRmePercent, null);
});

test('layers: flags override the config file, which overrides the preset', () => {
  const c = resolveConfig(
    [
      presetLayer('quick'),
      { where: '--config x.json', raw: { iterations: 7, chunks: ['8KiB'] } },
      { where: 'flags', raw: { iterations: '2' } },
    ],
    'quick',
  );
  assert.equal(c.iterations, 2);
  assert.deepEqual(c.chunks, [8192]);
  assert.deepEqual(c.sizes, [1e6, 64e6, 256e6]);
  assert.equal(expandMatrix(c).length, 3 * 1 * 3);
});

test('every preset expands without error', async () => {
  const { presetNames } = await import('../../src/config/presets.ts');
  for (const name of presetNames()) {
    const s = expandMatrix(resolveConfig([presetLayer(name)], name));
    assert.ok(s.length > 0, name);
  }
});

test('read path: an axis in the id (only when not data), canonical onread sizes, external peers keep data', () => {
  const cells = expandMatrix(
    resolveConfig([
      {
        where: 'test',
        raw: {
          readPath: 'data,onread,onread:65536,onread:1MiB',
          receiverPeer: 'node,openssl',
          suites: 'TLS_AES_128_GCM_SHA256',
        },
      },
    ]),
  );
  assert.deepEqual(
    cells.map((s) => `${s.receiverPeer} ${s.readPath}`),
    ['node data', 'node onread:64KiB', 'node onread:1MiB', 'openssl data'],
  );
  assert.ok(!cells[0]!.id.includes('read='));
  assert.match(cells[1]!.id, / write=backpressure read=onread:64KiB receiver=until-eof /);
  assert.deepEqual(
    applyFilter(cells, 'read=onread:1MiB').map((s) => s.readPath),
    ['onread:1MiB'],
  );
});
