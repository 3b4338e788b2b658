import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeScenario } from '../../src/matrix.ts';
import { axisNamed, differingAxes, groupKey, SCENARIO_AXES } from '../../src/scenario-axes.ts';
import { RESULTS_COLUMNS, recordRow } from '../../src/report/csv.ts';
import { OPTIONAL_AXES } from '../../src/report/columns.ts';
import { scenarioLabels } from '../../src/report/charts.ts';
import { fakeRecord } from '../support/fake-run.ts';

const M = 1024 * 1024;

// Ids as the code before the axis table built them: compare reads old results.json by id and a journal's records are
// keyed by it.
const PINNED: readonly [Parameters<typeof makeScenario>[0], string][] = [
  [
    { sizeBytes: 64e6, chunkBytes: 16384 },
    'size=64MB chunk=16KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=node protocol=raw streams=1',
  ],
  [
    {
      sizeBytes: 1e6,
      chunkBytes: 1500,
      tlsVersion: '1.2',
      suite: 'ECDHE-RSA-AES128-GCM-SHA256',
      keyType: 'rsa-2048',
      maxFragment: 4096,
    },
    'size=1MB chunk=1500B tls=1.2 suite=ECDHE-RSA-AES128-GCM-SHA256 key=rsa-2048 frag=4096 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=node protocol=raw streams=1',
  ],
  [
    {
      sizeBytes: 16e6,
      chunkBytes: 64 * 1024,
      shutdown: 'destroy-after-flush',
      writePath: 'buffered',
      receiverMode: 'framed',
    },
    'size=16MB chunk=64KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 ' +
      'shutdown=destroy-after-flush write=buffered receiver=framed peer=node protocol=raw streams=1',
  ],
  [
    { sizeBytes: 16e6, chunkBytes: 64 * 1024, readPath: 'onread:64KiB' },
    'size=16MB chunk=64KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure read=onread:64KiB receiver=until-eof peer=node protocol=raw streams=1',
  ],
  [
    { sizeBytes: 16e6, chunkBytes: 64 * 1024, receiverPeer: 'openssl' },
    'size=16MB chunk=64KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=openssl protocol=raw streams=1',
  ],
  [
    { sizeBytes: 16e6, chunkBytes: 64 * 1024, senderPeer: 'openssl-native', receiverPeer: 'openssl-native-tolerant' },
    'size=16MB chunk=64KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=openssl-native-tolerant sender=openssl-native protocol=raw ' +
      'streams=1',
  ],
  [
    {
      sizeBytes: 256 * M,
      chunkBytes: 16384,
      protocol: 'kvrocks',
      receiverMode: 'framed',
      streams: 4,
      fileBytes: 64 * M,
    },
    'size=256MiB chunk=16KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=framed peer=node protocol=kvrocks streams=4 files=64MiB',
  ],
  [
    { sizeBytes: 64e6, chunkBytes: 16384, runtime: '22.1.0' },
    'size=64MB chunk=16KiB tls=1.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=node protocol=raw streams=1 node=22.1.0',
  ],
  [
    { sizeBytes: 64e6, chunkBytes: 16384, runtime: '20.20.2~2', suite: 'TLS_CHACHA20_POLY1305_SHA256' },
    'size=64MB chunk=16KiB tls=1.3 suite=TLS_CHACHA20_POLY1305_SHA256 key=ecdsa-p256 frag=16384 shutdown=end ' +
      'write=backpressure receiver=until-eof peer=node protocol=raw streams=1 node=20.20.2~2',
  ],
];

test('ids built from the axis table are byte for byte the ids of before it', () => {
  for (const [fields, id] of PINNED) assert.equal(makeScenario(fields).id, id);
});

test('every Scenario field is the field of exactly one axis, and every axis has a flag', () => {
  // params are the protocol's own settings (they follow from its protocol and the run's options), not an axis
  const { id: _id, params: _params, ...fields } = makeScenario({ sizeBytes: 64e6, chunkBytes: 16384, runtime: 'a' });
  assert.deepEqual(SCENARIO_AXES.map((a) => a.field).sort(), Object.keys(fields).sort());
  assert.equal(new Set(SCENARIO_AXES.map((a) => a.name)).size, SCENARIO_AXES.length);
  for (const a of SCENARIO_AXES) assert.match(a.flag, /^--[a-z-]+$/, a.name);
});

test('the axes name their results.csv columns, and a record row fills every column', () => {
  const columns = SCENARIO_AXES.flatMap((a) => (a.csv ? [a.csv.column] : []));
  assert.deepEqual(
    columns.filter((c) => !(RESULTS_COLUMNS as readonly string[]).includes(c)),
    [],
  );
  const s = makeScenario({
    sizeBytes: 256 * M,
    chunkBytes: 16384,
    protocol: 'kvrocks',
    receiverMode: 'framed',
    streams: 4,
    fileBytes: 64 * M,
  });
  const row = recordRow(fakeRecord(s, { kind: 'complete', received: s.sizeBytes }));
  assert.deepEqual(Object.keys(row).sort(), [...RESULTS_COLUMNS].sort());
  assert.deepEqual(
    [row.size_bytes, row.chunk_bytes, row.suite_requested, row.streams, row.file_bytes, row.read_path, row.sender_peer],
    [256 * M, 16384, 'TLS_AES_128_GCM_SHA256', 4, 64 * M, 'data', 'node'],
  );
});

test('the table columns shown only when they vary are the axis table ones, in id order', () => {
  assert.deepEqual(
    OPTIONAL_AXES.map((a) => a.header),
    ['key', 'frag', 'shutdown', 'write', 'read', 'receiver', 'peer', 'sender', 'protocol', 'streams', 'node'],
  );
});

test('chart labels tell cells apart that differ only in who sent', () => {
  const node = makeScenario({ sizeBytes: 16e6, chunkBytes: 65536, receiverPeer: 'openssl' });
  const sServer = makeScenario({
    sizeBytes: 16e6,
    chunkBytes: 65536,
    receiverPeer: 'openssl',
    senderPeer: 'openssl-native',
  });
  const labels = scenarioLabels([node, sServer]);
  assert.deepEqual([labels.get(node.id), labels.get(sServer.id)], ['sender node', 'sender openssl-native']);
});

test('grouping is by structured fields: all but the tuned axis and the fields it moves', () => {
  const a = makeScenario({ sizeBytes: 16e6, chunkBytes: 65536 });
  const b = makeScenario({
    sizeBytes: 16e6,
    chunkBytes: 65536,
    tlsVersion: '1.2',
    suite: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  });
  assert.equal(groupKey(a, ['suite']).key, groupKey(b, ['suite']).key);
  assert.notEqual(groupKey(a, ['chunk']).key, groupKey(b, ['chunk']).key);
  assert.deepEqual(Object.keys(groupKey(a, ['suite']).group), [
    'chunkBytes',
    'fileBytes',
    'keyType',
    'maxFragment',
    'protocol',
    'readPath',
    'receiverMode',
    'receiverPeer',
    'senderPeer',
    'shutdown',
    'sizeBytes',
    'streams',
    'writePath',
  ]);
  assert.deepEqual(differingAxes(a, b), ['suite']);
  assert.deepEqual(differingAxes(a, makeScenario({ sizeBytes: 1e6, chunkBytes: 65536 })), ['size']);
  assert.throws(() => axisNamed('colour'), /no scenario axis "colour": expected one of size, chunk, tls/);
});
