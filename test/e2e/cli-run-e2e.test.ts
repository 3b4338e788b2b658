import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESULTS_COLUMNS, SCENARIO_COLUMNS } from '../../src/report/csv.ts';
import { alive, runCli, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let result: { code: number | null; stdout: string; stderr: string };
let runDir: string;

const cli = runCli;

/** Minimal CSV reader for the suite's own output (quoted fields with commas). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trimEnd().split('\n')) {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') ((cur += '"'), i++);
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') (cells.push(cur), (cur = ''));
      else cur += ch;
    }
    cells.push(cur);
    rows.push(cells);
  }
  return rows;
}

before(async () => {
  tmp = await tempDir('e2e');
  result = await cli([
    'run',
    '--sizes',
    '2MB',
    '--chunks',
    '16KiB,1MiB',
    '--suites',
    'TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256',
    '--iterations',
    '3',
    '--warmup',
    '1',
    '--out',
    join(tmp.dir, 'out'),
    '--fixtures-dir',
    join(tmp.dir, 'fx'),
    '--json',
  ]);
  const runs = readdirSync(join(tmp.dir, 'out'));
  assert.equal(runs.length, 1);
  runDir = join(tmp.dir, 'out', runs[0]!);
});
after(() => tmp.remove());

test('exit 0, summary on stderr, results.json on stdout', () => {
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Tuning answers/);
  assert.match(result.stderr, /TLS_CHACHA20_POLY1305_SHA256/);
  const json = JSON.parse(result.stdout) as { schemaVersion: number; records: unknown[] };
  assert.equal(json.schemaVersion, 1);
  assert.equal(json.records.length, 16);
});

test('results.csv: fixed header, 12 measured rows, all complete, suite negotiated as asked', () => {
  const rows = parseCsv(readFileSync(join(runDir, 'results.csv'), 'utf8'));
  assert.deepEqual(rows[0], [...RESULTS_COLUMNS]);
  assert.deepEqual(rows[0]!.slice(0, 28), [
    'run_id',
    'scenario_id',
    'iteration',
    'size_bytes',
    'chunk_bytes',
    'tls_version',
    'suite_requested',
    'suite_negotiated',
    'protocol_negotiated',
    'key_type',
    'shutdown',
    'receiver_mode',
    'protocol',
    'streams',
    'source',
    'bytes_expected',
    'bytes_received',
    'handshake_ms',
    'duration_ms',
    'mb_per_sec',
    'sender_cpu_ms',
    'receiver_cpu_ms',
    'sender_rss_peak_bytes',
    'receiver_rss_peak_bytes',
    'outcome',
    'close_notify',
    'error_code',
    'error_message',
  ]);
  const body = rows.slice(1);
  assert.equal(body.length, 12);
  const col = (name: string) => RESULTS_COLUMNS.indexOf(name as (typeof RESULTS_COLUMNS)[number]);
  for (const row of body) {
    assert.equal(row[col('outcome')], 'complete');
    assert.equal(row[col('suite_negotiated')], row[col('suite_requested')]);
    assert.equal(row[col('bytes_received')], '2000000');
    assert.equal(row[col('close_notify')], 'true');
    assert.ok(Number(row[col('mb_per_sec')]) > 0);
  }
  assert.deepEqual([...new Set(body.map((r) => r[col('iteration')]))].sort(), ['0', '1', '2']);
});

test('scenarios.csv: one row per scenario with statistics', () => {
  const rows = parseCsv(readFileSync(join(runDir, 'scenarios.csv'), 'utf8'));
  assert.deepEqual(rows[0], [...SCENARIO_COLUMNS]);
  assert.equal(rows.length, 5);
  for (const row of rows.slice(1)) {
    assert.equal(row[SCENARIO_COLUMNS.indexOf('iterations')], '3');
    assert.equal(row[SCENARIO_COLUMNS.indexOf('complete')], '3');
    assert.ok(Number(row[SCENARIO_COLUMNS.indexOf('mean_mb_per_sec')]) > 0);
    assert.ok(Number(row[SCENARIO_COLUMNS.indexOf('rme_percent')]) >= 0);
  }
});

test('results.json: context, scenarios, every sample; no worker left', () => {
  const json = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    context: { interrupted: boolean; workerPids: number[]; environment: { openssl: string } };
    scenarios: { durationSamplesMs: number[] }[];
    records: { warmup: boolean }[];
  };
  assert.equal(json.context.interrupted, false);
  assert.equal(json.context.environment.openssl, process.versions.openssl);
  assert.equal(json.scenarios.length, 4);
  for (const s of json.scenarios) assert.equal(s.durationSamplesMs.length, 3);
  assert.equal(json.records.filter((r) => r.warmup).length, 4);
  assert.equal(json.context.workerPids.length, 2);
  for (const pid of json.context.workerPids) assert.equal(alive(pid), false, `worker ${pid} still alive`);
});

test('no private key in any file the run wrote', () => {
  const files = readdirSync(runDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  assert.ok(files.length >= 5);
  for (const e of files) {
    const text = readFileSync(join(e.parentPath ?? e.path, e.name), 'latin1');
    assert.ok(!text.includes('PRIVATE KEY'), `${e.name} holds a private key`);
  }
});
