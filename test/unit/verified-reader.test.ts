import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { InlineVerifier, VerifiedReader, type OnreadOption } from '../../src/transfer/verified-reader.ts';

// The read loop as Node drives it with onread: each read lands in the buffer the options name and the callback
// gets its length. These tests play Node's part over a payload in uneven reads (real sockets: test/e2e/).
const payload = randomBytes(300_000);
const READS = [16_384, 1, 16_383, 7_000, 65_536, 16_384];

/** Feeds `bytes` through `options.onread` in READS-sized reads (cycled), as Node does; returns the callbacks' answers. */
function feed(options: OnreadOption, bytes: Buffer): boolean[] {
  const answers: boolean[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const { buffer } = options.onread;
    const into = typeof buffer === 'function' ? buffer() : buffer;
    const n = Math.min(READS[i % READS.length]!, into.length, bytes.length - at);
    bytes.copy(into, 0, at, at + n);
    answers.push(options.onread.callback(n, into));
    at += n;
  }
  return answers;
}

test('inline onread reads every read into one fixed buffer, checked in place: exact count and CRC32C', async () => {
  const seen: number[] = [];
  const reader = new VerifiedReader(new InlineVerifier(), 'onread:64KiB', { onPayload: (b) => seen.push(b) });
  const options = reader.connectOptions() as OnreadOption;
  // No function: Node then asks nothing per read (no call to choose the next buffer).
  assert.ok(options.onread.buffer instanceof Uint8Array);
  assert.equal((options.onread.buffer as Uint8Array).length, 64 * 1024);
  assert.ok(feed(options, payload).every((ok) => ok));
  const result = await reader.finish();
  assert.equal(result.bytesRead, payload.length);
  assert.equal(result.bytes, payload.length);
  assert.equal(result.crc32c, crc32c(payload));
  assert.equal(result.pauses, 0);
  assert.equal(seen.at(-1), payload.length);
});

test('inline onread with a framed size line: the line is not payload, the bytes after it are', async () => {
  const line = Buffer.from(`${payload.length}\r\n`);
  let declared: number | null = null;
  let header = Buffer.alloc(0);
  const reader = new VerifiedReader(new InlineVerifier(), 'onread:16KiB', {
    prefix: (chunk) => {
      header = Buffer.concat([header, chunk]);
      const eol = header.indexOf('\r\n');
      if (eol < 0) return null;
      declared = Number(header.subarray(0, eol).toString('latin1'));
      return header.subarray(eol + 2);
    },
    onPayload: () => undefined,
  });
  const options = reader.connectOptions() as OnreadOption;
  // The size line arrives split over the first reads (1 byte, then more): the reused buffer must not corrupt it.
  feed(options, Buffer.concat([line, payload]));
  const result = await reader.finish();
  assert.equal(declared, payload.length);
  assert.equal(result.bytes, payload.length);
  assert.equal(result.crc32c, crc32c(payload));
});

test('a corrupted byte in a reused onread buffer changes the CRC32C, the count stays', async () => {
  const damaged = Buffer.from(payload);
  damaged.writeUInt8(damaged.readUInt8(123_456) ^ 0x01, 123_456);
  const reader = new VerifiedReader(new InlineVerifier(), 'onread:64KiB', { onPayload: () => undefined });
  feed(reader.connectOptions() as OnreadOption, damaged);
  const result = await reader.finish();
  assert.equal(result.bytes, payload.length);
  assert.notEqual(result.crc32c, crc32c(payload));
  assert.equal(result.crc32c, crc32c(damaged));
});
