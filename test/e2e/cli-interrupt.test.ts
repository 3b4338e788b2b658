import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { alive, BIN, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
before(async () => {
  tmp = await tempDir('sigint');
});
after(() => tmp.remove());

test('SIGINT mid-run: workers gone, partial results written and marked interrupted, exit 130', async () => {
  const out = join(tmp.dir, 'out');
  const runTemps = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('tls-sst-bench-run-'));
  const tempsBefore = new Set(runTemps());
  const child = spawn(
    process.execPath,
    [
      BIN,
      'run',
      '--sizes',
      '4MB',
      '--chunks',
      '4KiB,16KiB',
      '--iterations',
      '200',
      '--warmup',
      '0',
      '--out',
      out,
      '--fixtures-dir',
      join(tmp.dir, 'fx'),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait for three finished transfers (one line each on a non-terminal stderr), then interrupt.
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if ((stderr.match(/: complete/g) ?? []).length >= 3) resolve();
    });
  });
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stdout, /INTERRUPTED: partial results/);
  const [runId] = readdirSync(out);
  const json = JSON.parse(readFileSync(join(out, runId!, 'results.json'), 'utf8')) as {
    context: { interrupted: boolean; workerPids: number[] };
    records: { outcome: { kind: string } }[];
  };
  assert.equal(json.context.interrupted, true);
  assert.ok(json.records.length >= 3 && json.records.length < 400);
  assert.deepEqual([...new Set(json.records.map((r) => r.outcome.kind))], ['complete']);
  const csv = readFileSync(join(out, runId!, 'results.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  assert.equal(csv.length, json.records.length + 1);
  for (const pid of json.context.workerPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
  // the run's private dir (certificates, keys, worker traces) is gone
  assert.deepEqual(
    runTemps().filter((n) => !tempsBefore.has(n)),
    [],
  );
});
