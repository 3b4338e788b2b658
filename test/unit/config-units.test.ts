import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHUNK_BOUNDS, SIZE_BOUNDS } from '../../src/config/schema.ts';
import { formatBytes, parseBytes, parseBytesList, parseDurationMs } from '../../src/config/units.ts';
import { BenchError } from '../../src/errors.ts';

test('decimal and binary units parse to exact bytes', () => {
  const cases: [string, number][] = [
    ['1MB', 1_000_000],
    ['64MB', 64_000_000],
    ['1GB', 1_000_000_000],
    ['64MiB', 67_108_864],
    ['16KiB', 16_384],
    ['1.5GB', 1_500_000_000],
    ['2GiB', 2_147_483_648],
    ['20000', 20_000],
    ['32KB', 32_000],
  ];
  for (const [text, bytes] of cases) assert.equal(parseBytes(text, '--sizes', SIZE_BOUNDS), bytes, text);
});

test('chunk sizes from 1 byte to 16 MiB', () => {
  assert.equal(parseBytes('1', '--chunks', CHUNK_BOUNDS), 1);
  assert.equal(parseBytes('16MiB', '--chunks', CHUNK_BOUNDS), 16 * 2 ** 20);
  assert.deepEqual(parseBytesList('4KiB,16KiB,4KiB,1MiB', '--chunks', CHUNK_BOUNDS), [4096, 16384, 1_048_576]);
});

test('bad sizes are usage errors naming the value and what is accepted', () => {
  const bad: [string, RegExp][] = [
    ['0', /out of range/],
    ['-1', /not a size/],
    ['1.5XB', /unknown unit "XB"/],
    ['2TB', /unknown unit "TB"/],
    ['5GiB', /out of range/],
    ['1mb', /unknown unit "mb"/],
    ['1.0000001KB', /not a whole number/],
    ['abc', /not a size/],
    ['', /not a size/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseBytes(text, '--sizes', SIZE_BOUNDS),
      (err: unknown) =>
        err instanceof BenchError &&
        err.code === 'USAGE' &&
        re.test(err.message) &&
        err.message.includes(`"${text}"`) &&
        /expected/.test(err.message),
      text,
    );
  }
  assert.throws(() => parseBytes('0', '--chunks', CHUNK_BOUNDS), /--chunks "0" is out of range/);
  assert.throws(() => parseBytes('32MiB', '--chunks', CHUNK_BOUNDS), /--chunks "32MiB" is out of range/);
  assert.throws(() => parseBytesList('1MB,,2MB', '--sizes', SIZE_BOUNDS), /empty item/);
});

test('formatBytes gives the shortest exact name, and round-trips', () => {
  const cases: [number, string][] = [
    [64_000_000, '64MB'],
    [67_108_864, '64MiB'],
    [16_384, '16KiB'],
    [1_000_000_000, '1GB'],
    [1_048_576, '1MiB'],
    [1500, '1500B'],
    [1000, '1KB'],
  ];
  for (const [bytes, name] of cases) {
    assert.equal(formatBytes(bytes), name);
    assert.equal(parseBytes(name, 'x', { min: 1, max: 2 ** 40 }), bytes);
  }
});

test('durations', () => {
  assert.equal(parseDurationMs('15s', '--stall-timeout', { min: 100, max: 3_600_000 }), 15_000);
  assert.equal(parseDurationMs('500ms', '--stall-timeout', { min: 100, max: 3_600_000 }), 500);
  assert.equal(parseDurationMs('2m', '--stall-timeout', { min: 100, max: 3_600_000 }), 120_000);
  assert.equal(parseDurationMs('3', '--stall-timeout', { min: 100, max: 3_600_000 }), 3000);
  assert.throws(() => parseDurationMs('10ms', '--stall-timeout', { min: 100, max: 3_600_000 }), /out of range/);
  assert.throws(() => parseDurationMs('soon', '--stall-timeout', { min: 100, max: 3_600_000 }), /not a duration/);
});
