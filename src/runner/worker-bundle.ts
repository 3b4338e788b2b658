import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { bundleDefine, CACHE_DIR } from '../paths.ts';
import { PROTOCOLS } from '../protocols/registry.ts';
import type { WorkerRole } from './worker-role.ts';

const ENTRIES: Readonly<Record<WorkerRole, string>> = {
  sender: fileURLToPath(new URL('../transfer/sender-worker.ts', import.meta.url)),
  receiver: fileURLToPath(new URL('../transfer/receiver-worker.ts', import.meta.url)),
};

const CHECKER_ENTRY = fileURLToPath(new URL('../transfer/checker-thread.ts', import.meta.url));

const HANDLER_LISTS: Readonly<Record<WorkerRole, string>> = {
  sender: fileURLToPath(new URL('../protocols/sender-handlers.ts', import.meta.url)),
  receiver: fileURLToPath(new URL('../protocols/receiver-handlers.ts', import.meta.url)),
};

/**
 * Each worker gets its role's module of every registered protocol by a
 * static import, in place of protocols/<role>-handlers.ts (which finds them
 * through the registry, and so would bundle the orchestrator's side of every
 * protocol).
 */
const protocolHandlers: Plugin = {
  name: 'protocol-handlers',
  setup(b) {
    b.onLoad({ filter: /[\\/]protocols[\\/](sender|receiver)-handlers\.ts$/ }, (args) => {
      const role = (Object.keys(HANDLER_LISTS) as WorkerRole[]).find((r) => HANDLER_LISTS[r] === args.path);
      if (role === undefined) return undefined;
      const files = PROTOCOLS.flatMap((p) => (p.handlers?.[role] ? [fileURLToPath(p.handlers[role])] : []));
      const contents = [
        ...files.map((f, i) => `import { handlers as h${i} } from ${JSON.stringify(f)};`),
        `export const HANDLERS = [${files.map((_, i) => `h${i}`).join(', ')}];`,
      ].join('\n');
      return { contents, loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

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
  const outdir = join(CACHE_DIR, `workers-${process.pid}-${Date.now()}`);
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
    plugins: [protocolHandlers],
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
