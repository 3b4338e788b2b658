import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { crc32c as portable } from '@node-rs/crc32';
import { CRC32C, CRC32C_KERNEL_ENV } from '../../src/transfer/crc32c.ts';

// The suite's CRC32C (native/crc32c.c) against @node-rs/crc32, for every
// kernel this machine can run, over lengths around each kernel's block sizes
// and at unaligned offsets; and the fallback when the addon cannot be built.
const MODULE = fileURLToPath(new URL('../../src/transfer/crc32c.ts', import.meta.url));

/** In a child process (the kernel is chosen at load time): the implementation and the CRCs of a fixed set of slices. */
function crcsIn(env: Record<string, string>): { implementation: string; crcs: number[] } {
  const script = `
    import { CRC32C, crc32c } from ${JSON.stringify(MODULE)};
    const data = Buffer.alloc(3 * 65536 + 4099);
    let x = 0x9e3779b9;
    for (let i = 0; i < data.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; data[i] = x & 0xff; }
    const crcs = [];
    for (const n of LENGTHS) for (const off of [0, 1, 7, 13]) crcs.push(crc32c(data.subarray(off, off + n), n * 2654435761 >>> 0));
    crcs.push(crc32c(Buffer.from('123456789')));
    // In steps: the running value carries across calls as one call over the whole.
    let run = 0;
    for (let at = 0; at < data.length; at += 65536 + 5) run = crc32c(data.subarray(at, at + 65536 + 5), run);
    crcs.push(run);
    console.log(JSON.stringify({ implementation: CRC32C.implementation, crcs }));
  `;
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `const LENGTHS = ${JSON.stringify(LENGTHS)};` + script],
    {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    },
  );
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout) as { implementation: string; crcs: number[] };
}

const LENGTHS = [
  0,
  1,
  3,
  8,
  15,
  16,
  17,
  63,
  64,
  65,
  127,
  128,
  129,
  255,
  256,
  257,
  511,
  512,
  513,
  767,
  1023,
  1024,
  4095,
  16384,
  65536 + 3,
  3 * 65536,
];

function expected(): number[] {
  const data = Buffer.alloc(3 * 65536 + 4099);
  let x = 0x9e3779b9;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  const crcs: number[] = [];
  for (const n of LENGTHS)
    for (const off of [0, 1, 7, 13]) crcs.push(portable(data.subarray(off, off + n), (n * 2654435761) >>> 0));
  crcs.push(portable(Buffer.from('123456789')));
  crcs.push(portable(data));
  return crcs;
}

test('the check value of CRC32C ("123456789" -> 0xE3069283), in this process', () => {
  assert.equal(CRC32C.fn(Buffer.from('123456789')), 0xe3069283);
});

test('every kernel this CPU has gives @node-rs/crc32 values, at every length and offset', () => {
  const want = expected();
  assert.equal(want.at(-2), 0xe3069283);
  const best = crcsIn({});
  const seen = new Set<string>();
  // The best kernel here, then each one below it (a cap never raises the choice).
  for (const cap of ['', 'pclmulqdq', 'sse4.2']) {
    const got = cap === '' ? best : crcsIn({ [CRC32C_KERNEL_ENV]: cap });
    assert.deepEqual(got.crcs, want, got.implementation);
    seen.add(got.implementation);
  }
  if (process.arch === 'x64') assert.match(best.implementation, /^native (vpclmulqdq-avx512|pclmulqdq|sse4\.2)$/);
  // sse4.2 is the floor of the addon, and every x86-64 server of the last decade has it.
  if (best.implementation.startsWith('native')) assert.ok(seen.has('native sse4.2'), [...seen].join(', '));
});

test('without a C compiler it falls back to @node-rs/crc32, says why, and the values are the same', () => {
  const got = crcsIn({ CC: '/nonexistent/cc' });
  assert.match(
    got.implementation,
    /^@node-rs\/crc32 \(native: \/nonexistent\/cc could not build native\/crc32c\.c: .+\)$/,
  );
  assert.deepEqual(got.crcs, expected());
  const off = crcsIn({ [CRC32C_KERNEL_ENV]: 'node-rs' });
  assert.match(off.implementation, /^@node-rs\/crc32 \(native: disabled by TLS_SST_BENCH_CRC32C_KERNEL\)$/);
});

test('addonPath names the built addon: a plain script (the bare pipe of bench:baseline) loads the same kernels', () => {
  if (!CRC32C.native) {
    assert.equal(CRC32C.addonPath, null);
    return;
  }
  assert.ok(CRC32C.addonPath !== null && CRC32C.addonPath.endsWith('.node'), String(CRC32C.addonPath));
  const script = `const { crc32c } = require(${JSON.stringify(CRC32C.addonPath)}); console.log(crc32c(Buffer.from('123456789')));`;
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  assert.equal(Number(out.stdout.trim()), 0xe3069283);
});
