import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { crc32c as portableCrc32c } from '@node-rs/crc32';
import { CACHE_DIR, PROJECT_ROOT } from '../paths.ts';
import { compiler } from '../runner/native-build.ts';

/**
 * CRC32C for the receiver's check of every byte (and anything else that sums
 * large buffers): the suite's own addon (native/crc32c.c, carry-less
 * multiplication folding, ~50 GB/s on this VM against @node-rs/crc32's ~6)
 * when it builds here, else @node-rs/crc32. Both give the same value (tested);
 * `CRC32C.implementation` says which one a process uses, and the run's
 * environment records it.
 *
 * The addon is compiled on first use with the C compiler the peers use
 * (cc, or $CC) against Node's own headers, into node_modules/.cache under a
 * name keyed by the source, compiler and Node ABI; later processes load the
 * cached file. It is built synchronously (once, ~0.3 s) because a checker
 * thread needs the function before its first byte.
 */
export type Crc32cFn = (bytes: Uint8Array, previous?: number) => number;

export interface Crc32c {
  readonly fn: Crc32cFn;
  /** The suite's own addon (true), or the @node-rs/crc32 fallback. */
  readonly native: boolean;
  /** "native vpclmulqdq-avx512", or "@node-rs/crc32 (native: <why not>)". */
  readonly implementation: string;
  /** The built addon's file (null with the fallback): a plain script can load the same kernels (bench/baseline). */
  readonly addonPath: string | null;
}

/** Test knob: `node-rs` forces the fallback; a kernel name (sse4.2, pclmulqdq) caps the addon's choice. */
export const CRC32C_KERNEL_ENV = 'TLS_SST_BENCH_CRC32C_KERNEL';

function nodeInclude(): string | null {
  const candidates = [
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((d) => existsSync(join(d, 'node_api.h'))) ?? null;
}

interface AddonExports {
  readonly crc32c: Crc32cFn;
  readonly kernel: string;
}

/** The addon's exports and file, or why it cannot be had here. */
function loadAddon(): { readonly exports: AddonExports; readonly path: string } | string {
  if (process.arch !== 'x64') return `x86-64 only, this is ${process.arch}`;
  const source = join(PROJECT_ROOT, 'native', 'crc32c.c');
  if (!existsSync(source)) return `${source} not found`;
  const cc = compiler();
  const hash = createHash('sha256')
    .update(readFileSync(source))
    .update(`\0${cc}\0${process.versions.modules}\0${process.versions.napi}`)
    .digest('hex')
    .slice(0, 16);
  const out = join(CACHE_DIR, `crc32c-${hash}.node`);
  if (!existsSync(out)) {
    const include = nodeInclude();
    if (include === null) return "Node's headers (node_api.h) not found";
    mkdirSync(CACHE_DIR, { recursive: true });
    // Built under a temporary name and renamed: parallel workers never load a half-written file.
    const tmp = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const built = spawnSync(cc, ['-O2', '-shared', '-fPIC', '-Wall', `-I${include}`, '-o', tmp, source], {
      encoding: 'utf8',
    });
    if (built.error !== undefined || built.status !== 0) {
      rmSync(tmp, { force: true });
      const why = built.error?.message ?? (built.stderr.trim().split('\n')[0] || `exit ${built.status}`);
      return `${cc} could not build native/crc32c.c: ${why}`;
    }
    renameSync(tmp, out);
  }
  try {
    return { exports: createRequire(import.meta.url)(out) as AddonExports, path: out };
  } catch (err) {
    return `loading ${out} failed: ${(err as Error).message}`;
  }
}

/** loadAddon, with any failure (a read-only cache folder, say) as its reason. */
function tryLoadAddon(): ReturnType<typeof loadAddon> {
  try {
    return loadAddon();
  } catch (err) {
    return (err as Error).message;
  }
}

function choose(): Crc32c {
  if (process.env[CRC32C_KERNEL_ENV] === 'node-rs')
    return {
      fn: portableCrc32c,
      native: false,
      implementation: `@node-rs/crc32 (native: disabled by ${CRC32C_KERNEL_ENV})`,
      addonPath: null,
    };
  const addon = tryLoadAddon();
  if (typeof addon === 'string')
    return { fn: portableCrc32c, native: false, implementation: `@node-rs/crc32 (native: ${addon})`, addonPath: null };
  const { exports, path } = addon;
  return { fn: exports.crc32c, native: true, implementation: `native ${exports.kernel}`, addonPath: path };
}

export const CRC32C: Crc32c = choose();

/** CRC32C of `bytes`, continuing from `previous` (the same contract as @node-rs/crc32's crc32c). */
export const crc32c: Crc32cFn = CRC32C.fn;
