import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assignFiles,
  commandLine,
  errorLine,
  metaLine,
  parseCommand,
  parseSizeLine,
} from '../../src/protocols/kvrocks/protocol.ts';

test('commands: _fetch_meta, _fetch_file <list>, anything else invalid', () => {
  assert.deepEqual(parseCommand('_fetch_meta'), { kind: 'fetch-meta' });
  assert.deepEqual(parseCommand('_FETCH_META'), { kind: 'fetch-meta' });
  assert.deepEqual(parseCommand('_fetch_file 000101.sst,CURRENT'), {
    kind: 'fetch-file',
    names: ['000101.sst', 'CURRENT'],
  });
  assert.equal(parseCommand('_fetch_meta x').kind, 'invalid');
  assert.equal(parseCommand('_fetch_file').kind, 'invalid');
  assert.equal(parseCommand('_fetch_file a b').kind, 'invalid');
  assert.equal(parseCommand('_fetch_file a,,b').kind, 'invalid');
  assert.deepEqual(parseCommand('PING'), { kind: 'invalid', reason: "unknown command 'PING'" });
});

test('lines on the wire', () => {
  assert.equal(commandLine({ kind: 'fetch-meta' }).toString(), '_fetch_meta\r\n');
  assert.equal(commandLine({ kind: 'fetch-file', names: ['a', 'b'] }).toString(), '_fetch_file a,b\r\n');
  assert.equal(metaLine(['a', 'b']).toString(), 'a,b\r\n');
  assert.equal(errorLine('bad\r\nthing').toString(), '-ERR bad??thing\r\n');
});

test('size lines: decimal digits only', () => {
  assert.equal(parseSizeLine('64000000'), 64_000_000);
  assert.equal(parseSizeLine('0'), 0);
  for (const bad of ['', '-1', '1e6', ' 12', '12 ', '0x10', '99999999999999999'])
    assert.equal(parseSizeLine(bad), null, bad);
});

test('file i goes to connection i mod n; no connection without a file', () => {
  assert.deepEqual(assignFiles(['a', 'b', 'c', 'd', 'e', 'f'], 4), [['a', 'e'], ['b', 'f'], ['c'], ['d']]);
  assert.deepEqual(assignFiles(['a', 'b'], 4), [['a'], ['b']]);
  assert.deepEqual(assignFiles(['a', 'b', 'c'], 1), [['a', 'b', 'c']]);
});
