import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.ts';
import { splitList } from './units.ts';

/**
 * The runtime axis: which Node binary runs the workers. Each runtime is
 * checked once at config time by running it (`-p process.versions`), so a
 * wrong path fails before any work with one line, not as a worker crash.
 */

/** The oldest Node the workers are built for (esbuild target node20). */
export const MIN_NODE_MAJOR = 20;

export interface Runtime {
  /** Short name in scenario ids and tables: the Node version, `~2`, `~3` for a repeated version. */
  readonly label: string;
  /** Absolute path of the binary, as given (a symlink stays a symlink). */
  readonly path: string;
  /** process.versions.node and .openssl of that binary. */
  readonly node: string;
  readonly openssl: string;
}

/** The Node running the orchestrator: the default, known without running anything. */
export function currentRuntime(): Runtime {
  return {
    label: process.versions.node,
    path: process.execPath,
    node: process.versions.node,
    openssl: process.versions.openssl ?? 'none',
  };
}

const ACCEPTED =
  `expected the path of a Node >= ${MIN_NODE_MAJOR} binary, e.g. .runtimes/node-24.x.y/bin/node from ` +
  `scripts/install-node.sh`;

/** How long a --node binary gets to answer; TLS_SST_BENCH_TEST_PROBE_TIMEOUT (seconds) shortens it for a test. */
const PROBE_TIMEOUT_S = 20;
const PROBE_TIMEOUT_ENV = 'TLS_SST_BENCH_TEST_PROBE_TIMEOUT';
/** timeout(1)'s exit status when the time was up (with -s KILL it usually dies of its own group's SIGKILL instead). */
const TIMED_OUT = 124;

const probed = new Map<string, { node: string; openssl: string }>();

/** Runs the binary once per path: its Node and OpenSSL versions, or a usage error. */
export function probeNode(path: string, flag: string): { node: string; openssl: string } {
  const known = probed.get(path);
  if (known) return known;
  const st = (() => {
    try {
      return statSync(path);
    } catch (err) {
      throw usageError(
        `${flag} "${path}" is not accepted: ` +
          ((err as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'no such file'
            : `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`) +
          `; ${ACCEPTED}`,
      );
    }
  })();
  if (st.isDirectory()) throw usageError(`${flag} "${path}" is not accepted: it is a folder; ${ACCEPTED}`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw usageError(`${flag} "${path}" is not accepted: not executable; ${ACCEPTED}`);
  }
  // Under timeout(1): it makes its own process group and, when time is up,
  // SIGKILLs all of it, so a script that hangs leaves no child behind.
  const seconds = Number(process.env[PROBE_TIMEOUT_ENV] ?? PROBE_TIMEOUT_S);
  const probe = ['-p', 'JSON.stringify({ node: process.versions.node, openssl: process.versions.openssl })'];
  const r = spawnSync('timeout', ['-s', 'KILL', String(seconds), path, ...probe], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (r.status === TIMED_OUT || r.signal === 'SIGKILL')
    throw usageError(
      `${flag} "${path}" is not accepted: it did not answer \`-p process.versions\` within ${seconds} s ` +
        `(stopped, with its children); ${ACCEPTED}`,
    );
  const answer = r.status === 0 ? r.stdout : '';
  let versions: { node?: unknown; openssl?: unknown } = {};
  try {
    versions = JSON.parse(answer) as typeof versions;
  } catch {
    // not JSON: not Node
  }
  const node = typeof versions === 'object' && versions !== null ? versions.node : undefined;
  if (typeof node !== 'string' || !/^\d+\.\d+\.\d+/.test(node)) {
    throw usageError(
      `${flag} "${path}" is not accepted: it did not answer \`-p process.versions\` as Node does; ${ACCEPTED}`,
    );
  }
  if (Number(node.split('.')[0]) < MIN_NODE_MAJOR) {
    throw usageError(`${flag} "${path}" is not accepted: it is Node ${node}; ${ACCEPTED}`);
  }
  const result = { node, openssl: typeof versions.openssl === 'string' ? versions.openssl : 'none' };
  probed.set(path, result);
  return result;
}

/**
 * `--node PATH` (repeatable, or a comma-separated list; config key `node`, a
 * list): each path once, in the order given, checked and labelled.
 */
export function parseRuntimes(text: string, flag: string): Runtime[] {
  const paths = [...new Set(splitList(text, flag).map((p) => resolve(p)))];
  const seen = new Map<string, number>();
  return paths.map((path) => {
    const { node, openssl } =
      path === process.execPath
        ? { node: process.versions.node, openssl: process.versions.openssl ?? 'none' }
        : probeNode(path, flag);
    const n = (seen.get(node) ?? 0) + 1;
    seen.set(node, n);
    return { label: n === 1 ? node : `${node}~${n}`, path, node, openssl };
  });
}
