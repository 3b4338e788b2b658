import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessSync, constants, readFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { RunCertificates, type CertPems } from '../../src/tls/certs.ts';

/** A private temp dir removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `tsb-test-${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function testCerts(): Promise<{ certs: RunCertificates; files: CertPems }> {
  const certs = await RunCertificates.create();
  return { certs, files: await certs.get('ecdsa-p256') };
}

/** A one-connection TLS 1.3 server on 127.0.0.1:0 that runs `onSocket`. */
export async function tlsServer(
  files: CertPems,
  onSocket: (s: TLSSocket) => void,
): Promise<{ port: number; close: () => void }> {
  const srv = createServer(
    { key: files.key, cert: files.cert, minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_GCM_SHA256' },
    (s) => {
      srv.close();
      s.on('error', () => undefined);
      onSocket(s);
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, close: () => srv.close() };
}

/**
 * Throws at once, naming the program and its Debian package, when a program a
 * test needs is not on PATH: without it a transfer would wait out its stall
 * timeout before failing. `npm test` installs them (scripts/install-test-deps.sh).
 */
export function requirePrograms(programs: Readonly<Record<string, string>>): void {
  const dirs = (process.env['PATH'] ?? '').split(':').filter((d) => d !== '');
  const onPath = (name: string): boolean =>
    dirs.some((d) => {
      try {
        accessSync(join(d, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  const missing = Object.entries(programs).filter(([name]) => !onPath(name));
  if (missing.length > 0) {
    throw new Error(
      `${missing.map(([n]) => n).join(', ')} not on PATH: this test needs Debian's ` +
        `${missing.map(([, p]) => p).join(', ')}; run bash scripts/install-test-deps.sh (npm test does)`,
    );
  }
}

/** Is a process with this pid alive? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The CLI as a user runs it. */
export const BIN = fileURLToPath(new URL('../../bin/tls-sst-bench.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in a child process and collects its exit code and output. */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
