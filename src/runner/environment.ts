import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, release, totalmem } from 'node:os';
import type { Environment } from '../results.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { CRC32C } from '../transfer/crc32c.ts';
import { defaultVerifier } from '../transfer/verified-reader.ts';

/** Socket buffer settings decide when unflushed data can be lost, so every run records them. */
export const TCP_SYSCTLS = [
  'net/ipv4/tcp_rmem',
  'net/ipv4/tcp_wmem',
  'net/core/rmem_max',
  'net/core/wmem_max',
  'net/core/rmem_default',
  'net/core/wmem_default',
  'net/ipv4/tcp_congestion_control',
] as const;

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim().replace(/\s+/g, ' ');
  } catch {
    return null;
  }
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

export function tcpSysctls(): Record<string, string | null> {
  return Object.fromEntries(TCP_SYSCTLS.map((k) => [k.replaceAll('/', '.'), readOrNull(`/proc/sys/${k}`)]));
}

export function collectEnvironment(): Environment {
  // Not readOrNull: its whitespace folding would merge the lines.
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: flags stay false
  }
  const flagsLine = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '';
  const flags = new Set(flagsLine.trim().split(/\s+/));
  const status = git(['status', '--porcelain']);
  return {
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
    cpuModel: cpus()[0]?.model ?? /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown',
    cpuFlags: {
      aes: flags.has('aes'),
      vaes: flags.has('vaes'),
      avx2: flags.has('avx2'),
      avx512f: flags.has('avx512f'),
    },
    cores: cpus().length,
    memoryBytes: totalmem(),
    tcpSysctls: tcpSysctls(),
    gitRevision: git(['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
    hostname: hostname(),
    // The workers load the same module from the same root with the same environment, so they choose alike.
    verification: { verifier: defaultVerifier(), crc32c: CRC32C.implementation },
  };
}
