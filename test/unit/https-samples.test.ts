import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareExitCode, compareRuns, comparableRun, type ComparableRun } from '../../src/compare/compare.ts';
import { isUsageError } from '../../src/errors.ts';
import { httpsComparableSamples, HTTPS_SAMPLE_UNIT } from '../../src/protocols/https/compare.ts';
import { intervalStats, LoadTally, loadEnding } from '../../src/protocols/https/samples.ts';
import type { HttpsSample } from '../../src/protocols/https/results.ts';
import { compareText } from '../../src/report/compare.ts';

const A = { id: 'a' };
const B = { id: 'b' };

test(
  'LoadTally: responses and errors binned per second; first second and the ones before every connection answered ' +
    'are warm-up, the last is cool-down',
  () => {
    const t = new LoadTally(2);
    t.response(100, A, 200, 1_000_000); // second 0
    t.response(1500, A, 200, 2_000_000); // second 1: only A so far
    t.response(2100, B, 200, 3_000_000); // second 2: B's first, every connection has answered
    t.response(2900, A, 404, 500);
    t.error(3200, true); // second 3
    t.response(3300, B, 206, 4_000_000);
    t.response(4200, A, 200, 9_000_000); // second 4: past a 4 s duration, no sample
    const samples = t.samples(4000);
    assert.deepEqual(samples, [
      {
        index: 0,
        warmup: true,
        cooldown: false,
        requests: 1,
        bytes: 1_000_000,
        mbPerSec: 1,
        requestsPerSec: 1,
        errors: 0,
        timeouts: 0,
        non2xx: 0,
      },
      {
        index: 1,
        warmup: true,
        cooldown: false,
        requests: 1,
        bytes: 2_000_000,
        mbPerSec: 2,
        requestsPerSec: 1,
        errors: 0,
        timeouts: 0,
        non2xx: 0,
      },
      {
        index: 2,
        warmup: true,
        cooldown: false,
        requests: 2,
        bytes: 3_000_500,
        mbPerSec: 3.0005,
        requestsPerSec: 2,
        errors: 0,
        timeouts: 0,
        non2xx: 1,
      },
      {
        index: 3,
        warmup: false,
        cooldown: true,
        requests: 1,
        bytes: 4_000_000,
        mbPerSec: 4,
        requestsPerSec: 1,
        errors: 1,
        timeouts: 1,
        non2xx: 0,
      },
    ]);
    // a partial last interval is no sample
    assert.equal(t.samples(3999).length, 3);
  },
);

test("LoadTally: a response's bytes are spread over the time it took; cool-down covers the longest response", () => {
  const t = new LoadTally(1);
  t.response(1500, A, 200, 3_000_000, 1500); // 0-1500 ms: 2 MB in second 0, 1 MB in second 1
  t.response(3500, A, 200, 2_000_000, 2000); // 1500-3500 ms: 0.5 MB, 1 MB, 0.5 MB
  const samples = t.samples(6000);
  assert.deepEqual(
    samples.map((s) => s.bytes),
    [2_000_000, 1_500_000, 1_000_000, 500_000, 0, 0],
  );
  assert.deepEqual(
    samples.map((s) => s.requests),
    [0, 1, 0, 1, 0, 0],
  );
  // every connection answered at 1500 ms: seconds 0 and 1 are warm-up; a 2 s response: the last 2 are cool-down
  assert.deepEqual(
    samples.map((s) => [s.warmup, s.cooldown]),
    [
      [true, false],
      [true, false],
      [false, false],
      [false, false],
      [false, true],
      [false, true],
    ],
  );
});

test(
  'LoadTally: a load where not every connection answered is all warm-up; one connection answering at once leaves ' +
    'only the first second',
  () => {
    const never = new LoadTally(3);
    never.response(10, A, 200, 5);
    never.response(1010, B, 200, 5);
    assert.deepEqual(
      never.samples(3000).map((s) => s.warmup),
      [true, true, true],
    );
    const one = new LoadTally(1);
    one.response(10, A, 200, 5);
    assert.deepEqual(
      one.samples(3000).map((s) => s.warmup),
      [true, false, false],
    );
    assert.deepEqual(
      one.samples(3000).map((s) => s.cooldown),
      [false, false, true],
    );
    assert.deepEqual(
      one.samples(3000).map((s) => s.requests),
      [1, 0, 0],
    );
  },
);

test('LoadTally: what the load sockets negotiated, counted once per socket', () => {
  const t = new LoadTally(2);
  const s1 = { getProtocol: () => 'TLSv1.3', getCipher: () => ({ name: 'TLS_AES_128_GCM_SHA256' }) };
  const s2 = { getProtocol: () => 'TLSv1.3', getCipher: () => ({ name: 'TLS_AES_128_GCM_SHA256' }) };
  t.socket(s1);
  t.socket(s1);
  t.socket(s2);
  t.socket(undefined);
  assert.deepEqual(t.negotiated(), [{ protocol: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256', connections: 2 }]);
});

function sample(index: number, mbPerSec: number, over: Partial<HttpsSample> = {}): HttpsSample {
  return {
    index,
    warmup: false,
    cooldown: false,
    requests: 1,
    bytes: mbPerSec * 1e6,
    mbPerSec,
    requestsPerSec: 1,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    ...over,
  };
}

test('intervalStats: mean, sd and 95% CI over measured clean samples only (no warm-up, no cool-down)', () => {
  const s = intervalStats([
    sample(0, 1000, { warmup: true }),
    sample(9, 1000, { cooldown: true }),
    sample(1, 10),
    sample(2, 20),
    sample(3, 30),
    sample(4, 500, { errors: 1 }),
    sample(5, 500, { non2xx: 2 }),
  ]);
  assert.equal(s.intervalMbPerSec?.samples, 3);
  assert.equal(s.intervalMbPerSec?.meanMbPerSec, 20);
  assert.equal(s.intervalMbPerSec?.sdMbPerSec, 10);
  // t(0.975, 2) = 4.302653 -> 4.302653 * 10 / sqrt(3)
  assert.ok(
    Math.abs(s.intervalMbPerSec!.ciHalfWidthMbPerSec! - 24.8414) < 1e-3,
    String(s.intervalMbPerSec!.ciHalfWidthMbPerSec),
  );
  assert.equal(s.intervalRequestsPerSec, 1);
  assert.deepEqual(intervalStats([sample(0, 5, { warmup: true })]), {
    intervalMbPerSec: null,
    intervalRequestsPerSec: null,
  });
});

test('loadEnding: errors win over non-2xx; no response at all is its own kind', () => {
  assert.deepEqual(loadEnding({ requests: 5, errors: 0, timeouts: 0, non2xx: 0 }), { kind: 'served' });
  assert.deepEqual(loadEnding({ requests: 5, errors: 2, timeouts: 1, non2xx: 3 }), {
    kind: 'errors',
    errors: 2,
    timeouts: 1,
  });
  assert.deepEqual(loadEnding({ requests: 5, errors: 0, timeouts: 0, non2xx: 3 }), { kind: 'non-2xx', non2xx: 3 });
  assert.deepEqual(loadEnding({ requests: 0, errors: 0, timeouts: 0, non2xx: 0 }), { kind: 'nothing-served' });
});

const CONTEXT = { runId: 'r', environment: { node: 'v20.20.2', cpuFlags: {}, tcpSysctls: {} } };

/** results.json of an https run, as far as compare reads it: no transfers, one cell with these samples. */
function httpsJson(runId: string, rates: readonly number[], over: Partial<HttpsSample> = {}): object {
  return {
    schemaVersion: 1,
    context: { ...CONTEXT, runId },
    scenarios: [],
    records: [],
    https: [
      {
        protocol: 'https',
        cellId: 'size=1MB mode=whole connections=1',
        samples: [
          sample(0, 1, { warmup: true }),
          ...rates.map((r, i) => sample(i + 1, r, over)),
          sample(rates.length + 1, 1, { cooldown: true }),
        ],
      },
    ],
  };
}

const load = (value: object): ComparableRun => comparableRun(value, 'test', [httpsComparableSamples]);

test('compare of two https runs: the per-second samples make a large drop a significant regression', () => {
  const base = load(httpsJson('base', [200, 210, 190, 205, 195]));
  const slow = load(httpsJson('slow', [10, 11, 9, 10, 10]));
  const c = compareRuns(base, slow);
  assert.equal(c.compared.length, 1);
  const s = c.compared[0]!;
  assert.equal(s.scenarioId, 'size=1MB mode=whole connections=1');
  assert.deepEqual(s.base.samplesMbPerSec, [200, 210, 190, 205, 195]);
  assert.deepEqual(s.base.outcomes, { served: 5 });
  assert.equal(s.changePercent, -95);
  assert.ok(s.p < 0.001, String(s.p));
  assert.equal(s.verdict, 'regression');
  assert.equal(compareExitCode(c), 1);
  assert.deepEqual(c.sampleUnits, [HTTPS_SAMPLE_UNIT]);
  assert.match(compareText(c), /REGRESSION/);
  assert.match(
    compareText(c),
    /one sample is one 1 s interval of an HTTPS cell's autocannon load between its warm-up and cool-down/,
  );
  assert.equal(compareExitCode(compareRuns(base, base)), 0);
  assert.equal(compareRuns(base, base).compared[0]!.p, 1);
});

test(
  'compare: https samples with errors are not compared, only counted; cells without samples (older files) are ' +
    'skipped',
  () => {
    const base = load(httpsJson('base', [200, 210]));
    const failing = load(httpsJson('bad', [5, 5], { errors: 3 }));
    const c = compareRuns(base, failing);
    assert.deepEqual(c.compared, []);
    assert.deepEqual(c.notComparable, [
      { scenarioId: 'size=1MB mode=whole connections=1', baseOutcomes: { served: 2 }, newOutcomes: { errors: 2 } },
    ]);
    const old = load({
      schemaVersion: 1,
      context: CONTEXT,
      scenarios: [],
      records: [],
      https: [{ cellId: 'x', mbPerSec: 5 }],
    });
    assert.equal(old.samples, undefined);
  },
);

test('compare: a damaged https sample is one usage error naming where', () => {
  const bad = { ...httpsJson('x', [1, 2]) } as { https: { samples: { mbPerSec: unknown }[] }[] };
  bad.https[0]!.samples[1]!.mbPerSec = -3;
  assert.throws(
    () => load(bad),
    (e: unknown) =>
      isUsageError(e) &&
      /^test is not a tls-sst-bench results\.json: https\[0\]\.samples\[1\]\.mbPerSec: expected a throughput in MB\/s >= 0, got -3$/.test(
        (e as Error).message,
      ),
  );
  assert.throws(
    () => load({ ...httpsJson('x', [1]), https: 5 }),
    /https is number: expected a list of HTTPS load records/,
  );
});
