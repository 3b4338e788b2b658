import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundleDefine, PROJECT_ROOT } from '../paths.ts';
import type { WorkerRole } from './worker-role.ts';

const ENTRIES: Readonly<Record<WorkerRole, string>> = {
  sender: fileURLToPath(new URL('../transfer/sender-worker.ts', import.meta.url)),
  receiver: fileURLToPath(new URL('../transfer/receiver-worker.ts', import.meta.url)),
};

const CHECKER_ENTRY = fileURLToPath(new URL('../transfer/checker-thread.ts', import.meta.url));

/**
 * The workers run as plain bundled JavaScript, not through tsx: tsx's loader
 * runs in its own thread with its own V8 heap (~35 MB), which would be counted
 * in every worker's RSS and is not what a real sender or receiver carries.
 * The bundle lives under node_modules/.cache so the native crc32c addon (left
 * external) resolves from the project's node_modules.
 */
let bundled: Promise<Record<WorkerRole, string>> | null = null;

export function workerScripts(): Promise<Record<WorkerRole, string>> {
  bundled ??= bundleAll();
  return bundled;
}

async function bundleAll(): Promise<Record<WorkerRole, string>> {
  const outdir = join(PROJECT_ROOT, 'node_modules', '.cache', 'tls-sst-bench', `workers-${process.pid}-${Date.now()}`);
  await mkdir(outdir, { recursive: true });
  await build({
    // checker: the receiver's checker thread, found beside receiver.mjs (src/transfer/checker.ts)
    entryPoints: { sender: ENTRIES.sender, receiver: ENTRIES.receiver, checker: CHECKER_ENTRY },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@node-rs/crc32'],
    define: bundleDefine(),
    sourcemap: 'inline',
    logLevel: 'silent',
  });
  return { sender: join(outdir, 'sender.mjs'), receiver: join(outdir, 'receiver.mjs') };
}

/** The receiver's checker thread, bundled beside it (for benchmarks that drive a Checker in-process). */
export async function checkerScript(): Promise<URL> {
  return pathToFileURL(join(dirname((await workerScripts()).receiver), 'checker.mjs'));
}

/** Removes this process's bundle (called when the run ends). */
export async function removeWorkerBundle(): Promise<void> {
  if (!bundled) return;
  const scripts = await bundled.catch(() => null);
  bundled = null;
  if (scripts) {
    const { rm } = await import('node:fs/promises');
    await rm(join(scripts.sender, '..'), { recursive: true, force: true });
  }
}
