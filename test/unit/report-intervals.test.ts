import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intervalThroughput, timelineIntervalMs } from '../../src/report/intervals.ts';

test('samples on interval boundaries: MB/s of each interval from the byte deltas', () => {
  const progress = [
    { atMs: 100, bytes: 100_000 },
    { atMs: 200, bytes: 300_000 },
    { atMs: 300, bytes: 400_000 },
  ];
  assert.deepEqual(intervalThroughput(progress, 100), [
    { startMs: 0, endMs: 100, mbPerSec: 1 },
    { startMs: 100, endMs: 200, mbPerSec: 2 },
    { startMs: 200, endMs: 300, mbPerSec: 1 },
  ]);
});

test('samples between boundaries: the byte count is interpolated linearly, from 0 bytes at 0 ms', () => {
  // 150 ms -> 1.5 MB, 250 ms -> 2.0 MB: 1 MB at 100 ms, 1.75 MB at 200 ms.
  const progress = [
    { atMs: 150, bytes: 1_500_000 },
    { atMs: 250, bytes: 2_000_000 },
  ];
  assert.deepEqual(intervalThroughput(progress, 100), [
    { startMs: 0, endMs: 100, mbPerSec: 10 },
    { startMs: 100, endMs: 200, mbPerSec: 7.5 },
    // the last 50 ms are half an interval: kept, over its own length
    { startMs: 200, endMs: 250, mbPerSec: 5 },
  ]);
});

test('1 s intervals over samples every 100 ms; a last partial interval under half is dropped', () => {
  // 2 MB per 100 ms for 1 s, then 1 MB per 100 ms, to 2.4 s.
  const progress = Array.from({ length: 24 }, (_, i) => {
    const atMs = (i + 1) * 100;
    return { atMs, bytes: atMs <= 1000 ? atMs * 20_000 : 20_000_000 + (atMs - 1000) * 10_000 };
  });
  assert.deepEqual(intervalThroughput(progress, 1000), [
    { startMs: 0, endMs: 1000, mbPerSec: 20 },
    { startMs: 1000, endMs: 2000, mbPerSec: 10 },
  ]);
});

test('unsorted samples and a repeated time are put in order, the later sample winning', () => {
  const progress = [
    { atMs: 200, bytes: 400_000 },
    { atMs: 100, bytes: 50_000 },
    { atMs: 100, bytes: 200_000 },
  ];
  // sorting is stable: the second sample at 100 ms is the later report
  assert.deepEqual(
    intervalThroughput(progress, 100).map((i) => i.mbPerSec),
    [2, 2],
  );
});

test('no samples, or only a sliver of an interval: no intervals', () => {
  assert.deepEqual(intervalThroughput([], 100), []);
  assert.deepEqual(intervalThroughput([{ atMs: 40, bytes: 1_000_000 }], 100), []);
});

test('a bad interval length is refused', () => {
  assert.throws(() => intervalThroughput([{ atMs: 100, bytes: 1 }], 0), RangeError);
});

test('interval length: 100 ms below 2 s of transfer, 1 s from 2 s', () => {
  assert.equal(timelineIntervalMs(150), 100);
  assert.equal(timelineIntervalMs(1999), 100);
  assert.equal(timelineIntervalMs(2000), 1000);
  assert.equal(timelineIntervalMs(60_000), 1000);
});
