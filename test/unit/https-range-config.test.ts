import assert from 'node:assert/strict';
import { test } from 'node:test';
import httpsPreset from '../../bench/https.ts';
import { resolveHttpsConfig } from '../../src/protocols/https/config.ts';
import { cellFromResult } from '../../src/protocols/https/load.ts';
import { parseRange, randomRanges } from '../../src/protocols/https/range.ts';

test('parseRange: one satisfiable range, clipped; anything else unsatisfiable', () => {
  assert.deepEqual(parseRange(undefined, 100), { kind: 'whole' });
  assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'range', start: 0, end: 9 });
  assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'range', start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=90-1000', 100), { kind: 'range', start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'range', start: 90, end: 99 });
  assert.deepEqual(parseRange('bytes=-1000', 100), { kind: 'range', start: 0, end: 99 });
  for (const bad of ['bytes=100-', 'bytes=5-4', 'bytes=-0', 'bytes=-', 'bytes=0-1,3-4', 'items=0-1', 'bytes=a-b']) {
    assert.equal(parseRange(bad, 100).kind, 'unsatisfiable', bad);
  }
});

test('randomRanges: chunk-aligned full chunks, same seed same order', () => {
  const a = randomRanges(7, 1000, 300);
  const b = randomRanges(7, 1000, 300);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const r = a();
    assert.deepEqual(r, b());
    assert.equal(r.start % 300, 0);
    assert.equal(r.end - r.start + 1, 300);
    assert.ok(r.end < 1000);
    seen.add(r.start);
  }
  assert.deepEqual(
    [...seen].sort((x, y) => x - y),
    [0, 300, 600],
  );
});

test('config: defaults, the preset, flags over the preset, cross-checks', () => {
  const d = resolveHttpsConfig([]);
  assert.deepEqual(d.sizes, [64e6]);
  assert.deepEqual(d.connections, [1, 4, 16]);
  assert.equal(d.tlsVersion, '1.3');
  const p = resolveHttpsConfig(
    [
      { where: 'preset https', raw: httpsPreset.settings },
      { where: 'flags', raw: { connections: '2' } },
    ],
    'https',
  );
  assert.deepEqual(p.sizes, [64e6]);
  assert.deepEqual(p.modes, ['whole']);
  assert.equal(p.durationMs, 30_000);
  assert.deepEqual(p.connections, [2]);
  assert.equal(p.preset, 'https');
  const v12 = resolveHttpsConfig([{ where: 'flags', raw: { suite: 'ECDHE-ECDSA-AES128-GCM-SHA256' } }]);
  assert.equal(v12.tlsVersion, '1.2');
  assert.throws(
    () => resolveHttpsConfig([{ where: 'flags', raw: { suite: 'ECDHE-RSA-AES128-GCM-SHA256' } }]),
    /--key "ecdsa-p256" cannot serve --suite ECDHE-RSA-AES128-GCM-SHA256: expected rsa-2048/,
  );
  assert.throws(
    () => resolveHttpsConfig([{ where: 'flags', raw: { mode: 'range', sizes: '1MB', rangeChunk: '2MB' } }]),
    /--range-chunk "2MB" is larger than the smallest size 1MB/,
  );
  assert.throws(
    () => resolveHttpsConfig([{ where: 'flags', raw: { duration: '0s' } }]),
    /--duration "0s" is out of range/,
  );
  assert.throws(
    () => resolveHttpsConfig([{ where: 'preset x', raw: { chunks: '1' } as never }]),
    /preset x: unknown key "chunks"/,
  );
});

test('cellFromResult: MB/s is 10^6 bytes per second of autocannon elapsed time', () => {
  const hist = {
    total: 0,
    average: 0,
    mean: 0,
    stddev: 0,
    min: 0,
    max: 0,
    p0_001: 0,
    p0_01: 0,
    p0_1: 0,
    p1: 0,
    p2_5: 0,
    p10: 0,
    p25: 0,
    p50: 0,
    p75: 0,
    p90: 0,
    p97_5: 0,
    p99: 0,
    p99_9: 0,
    p99_99: 0,
    p99_999: 0,
  };
  const cell = cellFromResult(
    {
      fixture: 'f.sst',
      sizeBytes: 64e6,
      mode: 'whole',
      rangeChunkBytes: 1024,
      connections: 4,
      durationMs: 2000,
      timeoutMs: 30_000,
      tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
      keyType: 'ecdsa-p256',
      seed: 1,
    },
    {
      duration: 2.5,
      requests: { ...hist, total: 20, sent: 24 },
      throughput: { ...hist, total: 1_280_004_000 },
      latency: { ...hist, p50: 400, p99: 900, mean: 450, max: 950 },
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      statusCodeStats: { '200': { count: 20 } },
    },
    { serverCpuMs: 2000, clientCpuMs: 1500, serverBodyBytes: 1.4e9 },
  );
  assert.equal(cell.mbPerSec, 512.0016);
  assert.equal(cell.requestsPerSec, 8);
  assert.equal(cell.elapsedMs, 2500);
  assert.equal(cell.responsesPerConnection, 5);
  assert.equal(cell.latencyP99Ms, 900);
  assert.equal(cell.rangeChunkBytes, null);
  assert.equal(cell.cellId, 'size=64MB mode=whole connections=4 tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256');
  assert.deepEqual(cell.statusCodes, { '200': 20 });
  assert.equal(cell.protocol, 'https');
  assert.deepEqual(cell.ending, { kind: 'served' });
  assert.deepEqual(cell.samples, []);
  assert.equal(cell.intervalMbPerSec, null);
});
