import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { onExit } from '../exit-cleanup.ts';

/** setpriv(1) of util-linux, if on PATH: it sets the parent-death signal and execs the program. */
function findSetpriv(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'setpriv'), constants.X_OK);
      return join(dir, 'setpriv');
    } catch {
      // not here
    }
  }
  return null;
}
let setpriv: string | null | undefined;

/**
 * An external peer (openssl, gnutls-cli, the GnuTLS sender) that cannot
 * outlive this process: the kernel SIGKILLs it when the orchestrator dies,
 * SIGKILL included (PR_SET_PDEATHSIG through setpriv), and an exit of ours
 * kills it too. Key material and certificates reach it on pipes, never in a
 * file: `args` gets the /dev/fd paths to name them by. Node's extra stdio
 * are socket pairs, which open(2) of /dev/fd/N refuses, so bash copies each
 * into a real pipe (process substitution) and then execs the peer.
 */
export function spawnTied(
  command: string,
  args: (pemPaths: readonly string[]) => readonly string[],
  stdio: readonly ('ignore' | 'pipe' | number)[],
  pems: readonly string[] = [],
): ChildProcess {
  setpriv ??= findSetpriv();
  const sockets = pems.map((_, i) => stdio.length + i);
  const pipes = pems.map((_, i) => stdio.length + pems.length + i);
  const copy = pems.map((_, i) => `exec ${pipes[i]}< <(exec cat <&${sockets[i]}); exec ${sockets[i]}<&-;`).join(' ');
  const argv = [
    ...(setpriv ? [setpriv, '--pdeathsig', 'KILL', '--'] : []),
    command,
    ...args(pipes.map((fd) => `/dev/fd/${fd}`)),
  ];
  const child = spawn('bash', ['-c', `${copy} exec "$@"`, 'bash', ...argv], {
    stdio: [...stdio, ...pems.map(() => 'pipe' as const)],
  });
  const off = onExit(() => child.kill('SIGKILL'));
  child.once('exit', off);
  child.once('error', off);
  pems.forEach((text, i) => {
    const socket = child.stdio[sockets[i]!] as Writable | null;
    // A peer that exits before reading it (a bad option) closes it: its failure to report, not ours.
    socket?.on('error', () => undefined);
    socket?.end(text);
  });
  return child;
}
