import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findThreshold, type Probe } from '../../src/threshold.ts';

const fake =
  (threshold: number) =>
  async (sizeBytes: number): Promise<Probe> => ({
    sizeBytes,
    trials: 3,
    failures: sizeBytes >= threshold ? 3 : 0,
    outcomes: sizeBytes >= threshold ? { truncated: 3 } : { 'complete-unclean': 3 },
  });

test('bisects to the smallest failing size within the tolerance', async () => {
  const r = await findThreshold({ minBytes: 1e6, maxBytes: 1e9, tolerance: 0.05, probe: fake(250e6) });
  assert.equal(r.kind, 'found');
  if (r.kind !== 'found') return;
  assert.ok(r.failingBytes >= 250e6 && r.failingBytes <= 250e6 * 1.05, String(r.failingBytes));
  assert.ok(r.passingBytes < 250e6 && r.failingBytes / r.passingBytes <= 1.05);
  // max, min, then about log2(ln(1000)/ln(1.05)) = 7 bisection steps
  assert.ok(r.probes.length <= 2 + 8, `${r.probes.length} probes`);
  assert.deepEqual(
    r.probes.slice(0, 2).map((p) => p.sizeBytes),
    [1e9, 1e6],
  );
});

test('no failure up to the maximum: none', async () => {
  const r = await findThreshold({ minBytes: 1e6, maxBytes: 1e9, tolerance: 0.05, probe: fake(Infinity) });
  assert.deepEqual({ kind: r.kind, probes: r.probes.length }, { kind: 'none', probes: 1 });
});

test('fails already at the minimum: below-min', async () => {
  const r = await findThreshold({ minBytes: 1e6, maxBytes: 1e9, tolerance: 0.05, probe: fake(0) });
  assert.deepEqual({ kind: r.kind, probes: r.probes.length }, { kind: 'below-min', probes: 2 });
});

test('one failing trial of three makes a probe fail', async () => {
  const flaky = async (sizeBytes: number): Promise<Probe> => ({
    sizeBytes,
    trials: 3,
    failures: sizeBytes > 4e6 ? 1 : 0,
    outcomes: {},
  });
  const r = await findThreshold({ minBytes: 1e6, maxBytes: 64e6, tolerance: 0.05, probe: flaky });
  assert.equal(r.kind, 'found');
  if (r.kind === 'found') assert.ok(r.failingBytes > 4e6 && r.failingBytes <= 4e6 * 1.05 + 1);
});
