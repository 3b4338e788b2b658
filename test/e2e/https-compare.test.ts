import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compareCommand } from '../../src/cli/compare-command.ts';
import { writeHttpsRun } from '../../src/cli/https-command.ts';
import { resolveHttpsConfig } from '../../src/protocols/https/config.ts';
import { runHttpsBench } from '../../src/protocols/https/run.ts';
import type { HttpsRunJson } from '../../src/protocols/https/run-json.ts';
import { alive, tempDir } from '../support/helpers.ts';

/**
 * Two https runs of the same cell, one of them against a server that holds
 * every response back 100 ms: 1 MB responses over one connection go from
 * hundreds of MB/s to under 10, a drop no host noise comes near. 8 s of load
 * gives 6 measured one-second samples per run (the first is warm-up, the last
 * cool-down; a response that took over a second on a busy host would add one).
 * `--threshold 50%` keeps the equal pair's verdict free of timing: two runs of
 * the same delayed server can differ by a few percent with a small p (their
 * samples barely vary), never by half.
 */
const CONFIG = resolveHttpsConfig([{ where: 'flags', raw: { sizes: '1MB', connections: '1', duration: '8s' } }]);
const DELAY_MS = 100;
const THRESHOLD = '50%';

let tmp: { dir: string; remove: () => Promise<void> };

async function httpsRun(name: string, serverDelayMs?: number): Promise<string> {
  const run = await runHttpsBench(CONFIG, {
    runId: name,
    command: `test ${name}`,
    fixturesDir: join(tmp.dir, 'fx'),
    rawComparison: false,
    ...(serverDelayMs ? { serverDelayMs } : {}),
  });
  for (const pid of run.pids) assert.equal(alive(pid), false, `pid ${pid} left behind`);
  const dir = join(tmp.dir, name);
  await writeHttpsRun(dir, run);
  return dir;
}

let fast: string;
let slow: string;
let slowAgain: string;

before(async () => {
  tmp = await tempDir('https-compare');
  fast = await httpsRun('fast');
  slow = await httpsRun('slow', DELAY_MS);
  slowAgain = await httpsRun('slow-again', DELAY_MS);
});

after(async () => {
  await tmp.remove();
});

async function compare(base: string, next: string, threshold?: string): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await compareCommand(base, next, threshold === undefined ? {} : { threshold }, (t) => (text += t));
  return { code, text };
}

function cellOf(dir: string): HttpsRunJson['https'][number] {
  const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as HttpsRunJson;
  assert.equal(json.https.length, 1);
  return json.https[0]!;
}

/** Measured samples: neither warm-up nor cool-down, and clean. */
function measured(dir: string): number {
  return cellOf(dir).samples.filter((s) => !s.warmup && !s.cooldown && s.errors === 0 && s.non2xx === 0).length;
}

test('each run: 8 one-second samples, the first warm-up, the last cool-down, the rest measured', () => {
  for (const dir of [fast, slow, slowAgain]) {
    const c = cellOf(dir);
    assert.equal(c.samples.length, 8);
    assert.equal(c.samples[0]!.warmup, true);
    assert.equal(c.samples[7]!.cooldown, true);
    assert.ok(measured(dir) >= 5, `${measured(dir)} measured`);
    assert.equal(c.intervalMbPerSec?.samples, measured(dir));
    assert.deepEqual(c.ending, { kind: 'served' });
  }
  // the delayed server sends at most one 1 MB response per 100 ms
  assert.ok(cellOf(slow).intervalMbPerSec!.meanMbPerSec <= 10.1, String(cellOf(slow).intervalMbPerSec!.meanMbPerSec));
});

test('compare fast -> delayed server: a significant REGRESSION, exit 1', async () => {
  const r = await compare(fast, slow, THRESHOLD);
  assert.equal(r.code, 1, r.text);
  assert.match(r.text, /REGRESSION/);
  assert.match(r.text, /size=1MB mode=whole connections=1 tls=1\.3 suite=TLS_AES_128_GCM_SHA256 key=ecdsa-p256/);
  assert.ok(r.text.includes(`${measured(fast)}/${measured(slow)}`), r.text);
  assert.match(
    r.text,
    /one sample is one 1 s interval of an HTTPS cell's autocannon load between its warm-up and cool-down/,
  );
});

test('compare of two equal runs exits 0; a run against itself too, at the default threshold', async () => {
  const equal = await compare(slow, slowAgain, THRESHOLD);
  assert.equal(equal.code, 0, equal.text);
  assert.doesNotMatch(equal.text, /REGRESSION/);
  const itself = await compare(fast, fast);
  assert.equal(itself.code, 0, itself.text);
  assert.match(itself.text, /\+0\.0%|0\.0%/);
});
