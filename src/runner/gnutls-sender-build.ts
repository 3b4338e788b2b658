import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { usageError } from '../errors.ts';
import { PROJECT_ROOT } from '../paths.ts';

/** The C source of the GnuTLS sender peer, kept in the repository. */
export const GNUTLS_SENDER_SOURCE = join(PROJECT_ROOT, 'peers', 'gnutls-sender.c');
const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'tls-sst-bench');
const GNUTLS_HEADER = '/usr/include/gnutls/gnutls.h';

/** The C compiler: $CC as make uses it, else cc. */
function compiler(): string {
  return process.env['CC'] || 'cc';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The compiler's path, found on PATH as the shell would, or null. */
function findCompiler(): string | null {
  const cc = compiler();
  if (cc.includes('/')) return executable(cc) ? cc : null;
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isAbsolute(dir) && executable(join(dir, cc))) return join(dir, cc);
  }
  return null;
}

/** Whether GnuTLS's development files are here: pkg-config's word, else the header file. */
function hasGnutlsHeaders(): boolean {
  const pc = spawnSync('pkg-config', ['--exists', 'gnutls'], { stdio: 'ignore' });
  if (pc.error === undefined) return pc.status === 0;
  return existsSync(GNUTLS_HEADER);
}

let toolchainChecked = false;

/**
 * Throws a usage error (exit 2) when the GnuTLS sender cannot be built here:
 * no C compiler ($CC or cc) or no GnuTLS headers. Called before a run starts.
 */
export function checkGnutlsSenderToolchain(): void {
  if (toolchainChecked) return;
  if (findCompiler() === null) {
    throw usageError(`--sender-peer "gnutls" needs a C compiler to build peers/gnutls-sender.c, and "${compiler()}" is not on PATH: install gcc (apt-get install gcc) or set CC`);
  }
  if (!hasGnutlsHeaders()) {
    throw usageError(`--sender-peer "gnutls" needs the GnuTLS development files to build peers/gnutls-sender.c (${GNUTLS_HEADER} not found): install libgnutls28-dev (apt-get install libgnutls28-dev)`);
  }
  toolchainChecked = true;
}

let built: Promise<string> | null = null;

/**
 * The compiled sender: built with `cc -O2 ... -lgnutls` the first time it is
 * needed, into node_modules/.cache/tls-sst-bench/ under a name keyed by a
 * hash of the source and the compiler, so an edit rebuilds it and every later
 * run reuses it. Built under a temporary name and renamed, so parallel runs
 * never execute a half-written file.
 */
export function gnutlsSenderBinary(): Promise<string> {
  built ??= build().catch((err: unknown) => {
    built = null;
    throw err;
  });
  return built;
}

async function build(): Promise<string> {
  const source = readFileSync(GNUTLS_SENDER_SOURCE);
  const hash = createHash('sha256').update(compiler()).update('\0').update(source).digest('hex').slice(0, 16);
  const out = join(CACHE_DIR, `gnutls-sender-${hash}`);
  if (executable(out)) return out;
  checkGnutlsSenderToolchain();
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(compiler(), ['-O2', '-Wall', '-o', tmp, GNUTLS_SENDER_SOURCE, '-lgnutls'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${compiler()} could not build ${GNUTLS_SENDER_SOURCE} (exit ${code}): ${text.trim().split('\n')[0] ?? ''}`))));
  }).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
  await rename(tmp, out);
  return out;
}
