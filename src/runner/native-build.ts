import { spawnSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join, relative } from 'node:path';
import { CACHE_DIR, PROJECT_ROOT } from '../paths.ts';

/** A C program of peers/, compiled on first use against one system library. */
export interface NativeProgramSpec {
  /** The file name under peers/, without .c; also the cached binary's prefix. */
  readonly name: string;
  /** Linker flags, e.g. ['-lgnutls']. */
  readonly libs: readonly string[];
  /** The pkg-config package whose presence says the development files are here. */
  readonly pkgConfig: string;
  /** Looked for when pkg-config itself is missing. */
  readonly header: string;
  /** The Debian package that holds them, named in the message. */
  readonly devPackage: string;
  /** Who the development files are, in words ("the GnuTLS development files"). */
  readonly devFiles: string;
}

/** The C compiler: $CC as make uses it, else cc. */
export function compiler(): string {
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

const LOCAL_INCLUDE = /^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm;

/**
 * The files a build of `source` reads from the project: the source, then
 * every header it includes by a quoted name (found beside the including file,
 * where the compiler looks first, so no -I is needed), and theirs, once each,
 * in the order first included. A header that is not there is left out: the
 * compiler names it.
 */
export function buildInputs(source: string): string[] {
  const inputs: string[] = [];
  const visit = (file: string): void => {
    inputs.push(file);
    for (const m of readFileSync(file, 'utf8').matchAll(LOCAL_INCLUDE)) {
      const header = join(dirname(file), m[1] ?? '');
      if (!inputs.includes(header) && existsSync(header)) visit(header);
    }
  };
  visit(source);
  return inputs;
}

/**
 * One C program of peers/: what stops it from being built here, and the
 * binary, built with `cc -O2 ... LIBS` the first time it is needed, into
 * node_modules/.cache/tls-sst-bench/ under a name keyed by a hash of the
 * compiler and of the source with the headers it includes (peers/peer-common.h
 * for every peer: an edit of either rebuilds it, every later run reuses it).
 * Built under a temporary name and renamed, so parallel runs never execute a
 * half-written file.
 */
export class NativeProgram {
  readonly source: string;
  #built: Promise<string> | null = null;

  /** `dir`: where the sources are (peers/; a test builds a copy elsewhere). */
  constructor(
    readonly spec: NativeProgramSpec,
    dir = join(PROJECT_ROOT, 'peers'),
  ) {
    this.source = join(dir, `${spec.name}.c`);
  }

  /** The source as the messages name it (peers/x.c). */
  get sourceName(): string {
    return relative(PROJECT_ROOT, this.source);
  }

  /**
   * Why it cannot be built here, completing "needs ..." in one line that names
   * the package to install; null when a compiler and the headers are here.
   */
  missingToolchain(): string | null {
    if (findCompiler() === null)
      return (
        `a C compiler to build ${this.sourceName}, and "${compiler()}" is not on PATH: install gcc (apt-get ` +
        `install gcc) or set CC`
      );
    const pc = spawnSync('pkg-config', ['--exists', this.spec.pkgConfig], { stdio: 'ignore' });
    const headers = pc.error === undefined ? pc.status === 0 : existsSync(this.spec.header);
    if (!headers)
      return (
        `${this.spec.devFiles} to build ${this.sourceName} (${this.spec.header} not found): install ` +
        `${this.spec.devPackage} (apt-get install ${this.spec.devPackage})`
      );
    return null;
  }

  /**
   * The compiled program's path (a cached build needs no compiler); rejects
   * with "needs ..." (the missingToolchain line) or the compiler's first line
   * when it cannot be built.
   */
  binary(): Promise<string> {
    this.#built ??= this.#build().catch((err: unknown) => {
      this.#built = null;
      throw err;
    });
    return this.#built;
  }

  /**
   * The cached binary's key: the compiler's name, then each build input's name
   * (relative to the source's folder) and bytes, as they are now.
   */
  cacheKey(): string {
    const hash = createHash('sha256').update(compiler());
    for (const file of buildInputs(this.source)) {
      hash
        .update('\0')
        .update(relative(dirname(this.source), file))
        .update('\0')
        .update(readFileSync(file));
    }
    return hash.digest('hex').slice(0, 16);
  }

  async #build(): Promise<string> {
    const out = join(CACHE_DIR, `${this.spec.name}-${this.cacheKey()}`);
    if (executable(out)) return out;
    const missing = this.missingToolchain();
    if (missing !== null) throw new Error(`needs ${missing}`);
    await mkdir(CACHE_DIR, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await new Promise<void>((resolve, reject) => {
      const child = spawn(compiler(), ['-O2', '-Wall', '-o', tmp, this.source, ...this.spec.libs], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let text = '';
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.once('error', reject);
      child.once('close', (code) =>
        code === 0
          ? resolve()
          : reject(
              new Error(
                `${compiler()} could not build ${this.sourceName} (exit ${code}): ${text.trim().split('\n')[0] ?? ''}`,
              ),
            ),
      );
    }).catch(async (err: unknown) => {
      await rm(tmp, { force: true });
      throw err;
    });
    await rename(tmp, out);
    return out;
  }
}
