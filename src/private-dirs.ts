import { rmSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onExit } from './exit-cleanup.ts';
import { CACHE_DIR } from './paths.ts';

/**
 * Folders and files a process makes for itself carry its pid in their name,
 * so that a later start can tell a dead owner's leftovers (a SIGKILL, an OOM)
 * from a live one's and remove only the former: other runs and test suites
 * may be working on this machine at the same moment.
 */

/** Where the worker bundles live (src/runner/worker-bundle.ts): workers-<pid>-<time>. */
export const BUNDLE_ROOT = CACHE_DIR;

/** Is `pid` a live process? EPERM: alive, someone else's. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface PrivateDir {
  readonly dir: string;
  /** Removes it now; also done at process exit if never called. */
  remove(): Promise<void>;
}

/**
 * A 0700 folder `<parent>/<prefix><pid>-XXXXXX`, removed by remove() or, at
 * the latest, when this process exits (a second Ctrl-C included).
 */
export async function makePrivateDir(prefix: string, parent = tmpdir()): Promise<PrivateDir> {
  const dir = await mkdtemp(join(parent, `${prefix}${process.pid}-`));
  await chmod(dir, 0o700);
  const off = onExit(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    remove: async () => {
      off();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Names in tmpdir() of this suite's private folders, with the owner's pid. */
const TEMP_DIR = /^tls-sst-bench-(?:run|threshold|agent|https|certs)-(\d+)-/;
const BUNDLE_DIR = /^workers-(\d+)-/;
/**
 * Fixture temp files (`.tmp-<name>-<pid>`), threshold scratch folders (`.threshold-<pid>-XXXXXX`), atomic-write temps
 * (`<file>.tmp-<pid>-<time>`).
 */
const FIXTURE_LEFTOVER = /^(?:\.tmp-.*-(\d+)|\.threshold-(\d+)-.*|.*\.tmp-(\d+)-\d+)$/;

async function sweep(dir: string, pattern: RegExp): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = pattern.exec(name);
    const pid = Number(m?.slice(1).find((g) => g !== undefined));
    if (!m || !Number.isInteger(pid) || pid <= 0 || pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  return removed;
}

/** Removes the private temp folders and worker bundles of dead processes; returns what it removed. */
export async function sweepDeadProcessDirs(): Promise<string[]> {
  return [...(await sweep(tmpdir(), TEMP_DIR)), ...(await sweep(BUNDLE_ROOT, BUNDLE_DIR))];
}

/** Removes dead processes' temp files and scratch folders from a fixture folder. */
export function sweepFixturesDir(dir: string): Promise<string[]> {
  return sweep(dir, FIXTURE_LEFTOVER);
}
