import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify, type ReceiveObservation } from '../../src/outcome.ts';

const whole: ReceiveObservation = {
  bytesExpected: 1000,
  crc32cExpected: 0xabcd,
  bytesReceived: 1000,
  crc32c: 0xabcd,
  closeNotify: true,
  error: null,
};

test('all bytes, right checksum, close_notify seen -> complete', () => {
  assert.deepEqual(classify(whole), {
    kind: 'complete',
    bytesExpected: 1000,
    bytesReceived: 1000,
    errorCode: null,
    errorMessage: null,
  });
});

test('all bytes without close_notify -> complete-unclean; not observable -> complete-close-unknown, never unclean', () => {
  assert.equal(classify({ ...whole, closeNotify: false }).kind, 'complete-unclean');
  assert.equal(classify({ ...whole, closeNotify: null }).kind, 'complete-close-unknown');
});

test('fewer bytes and a normal end -> truncated, with the bytes lost', () => {
  const o = classify({ ...whole, bytesReceived: 400, crc32c: 1, closeNotify: false });
  assert.equal(o.kind, 'truncated');
  assert.equal(o.kind === 'truncated' && o.bytesLost, 600);
  // close_notify does not make a short stream whole
  assert.equal(classify({ ...whole, bytesReceived: 999, closeNotify: true }).kind, 'truncated');
});

test('right count, wrong checksum -> corrupt; too many bytes -> corrupt', () => {
  const o = classify({ ...whole, crc32c: 0x1234 });
  assert.equal(o.kind, 'corrupt');
  assert.equal(o.errorCode, 'CRC_MISMATCH');
  assert.equal(o.errorMessage, 'crc32c 00001234 != expected 0000abcd');
  assert.equal(classify({ ...whole, bytesReceived: 1001 }).kind, 'corrupt');
});

test('errors: handshake, reset, TLS', () => {
  assert.equal(
    classify({
      ...whole,
      bytesReceived: 0,
      error: { code: 'ERR_SSL_NO_SHARED_CIPHER', message: 'x', phase: 'handshake' },
    }).kind,
    'handshake-failed',
  );
  assert.equal(
    classify({
      ...whole,
      bytesReceived: 10,
      error: { code: 'ECONNRESET', message: 'read ECONNRESET', phase: 'transfer' },
    }).kind,
    'reset',
  );
  // an RST is never complete, even when every byte arrived first
  assert.equal(
    classify({ ...whole, error: { code: 'ECONNRESET', message: 'read ECONNRESET', phase: 'transfer' } }).kind,
    'reset',
  );
  const tlsErr = classify({
    ...whole,
    bytesReceived: 10,
    error: { code: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', message: 'bad mac', phase: 'transfer' },
  });
  assert.equal(tlsErr.kind, 'tls-error');
  assert.equal(tlsErr.errorCode, 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC');
});

test('median', async () => {
  const { median } = await import('../../src/analysis/statistics.ts');
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});
