import { resolve } from 'node:path';
import { Agent } from '../agent/server.ts';
import { formatHostPort } from '../agent/control.ts';
import { hostPort } from '../config/parsers.ts';
import { splitList } from '../config/units.ts';
import { usageError } from '../errors.ts';
import { DEFAULT_FIXTURES_DIR } from '../paths.ts';
import { readPem } from '../runner/agent-endpoint.ts';
import { removeWorkerBundle } from '../runner/worker-bundle.ts';
import { writeAgentCertificates } from '../tls/agent-certs.ts';
import { assertWritableDir } from './run-command.ts';
import { stoppable } from './signals.ts';

export interface AgentFlags {
  readonly listen?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly fixturesDir?: string;
  readonly out?: string;
  readonly agentHost?: string;
}

const SERVE_FLAGS = ['listen', 'cert', 'key', 'ca', 'fixturesDir'] as const;
const CERTS_FLAGS = ['out', 'agentHost'] as const;
const flagName = (k: string): string => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function onlyFlags(flags: AgentFlags, allowed: readonly string[], action: string): void {
  const stray = Object.entries(flags).find(([k, v]) => v !== undefined && !allowed.includes(k));
  if (stray)
    throw usageError(
      `${flagName(stray[0])} is not accepted by \`agent ${action}\`: expected ${allowed.map(flagName).join(', ')}`,
    );
}

/** `tls-sst-bench agent certs --out DIR [--agent-host HOST,...]`. */
async function certsAction(flags: AgentFlags, out: (line: string) => void): Promise<number> {
  onlyFlags(flags, CERTS_FLAGS, 'certs');
  if (flags.out === undefined || flags.out.trim() === '')
    throw usageError(
      'agent certs needs --out DIR: expected the folder that receives ca.pem, agent.pem/.key, orchestrator.pem/.key',
    );
  const hosts = flags.agentHost === undefined ? [] : splitList(flags.agentHost, '--agent-host');
  for (const h of hosts) {
    if (!/^[A-Za-z0-9.:-]+$/.test(h))
      throw usageError(`--agent-host "${h}" is not accepted: expected a host name or IP address, e.g. 10.77.0.2`);
  }
  const dir = resolve(flags.out);
  await assertWritableDir(dir, '--out');
  const f = await writeAgentCertificates(dir, hosts);
  out(`agent side:        --cert ${f.agentCert} --key ${f.agentKey} --ca ${f.ca}`);
  out(`orchestrator side: --agent-cert ${f.orchestratorCert} --agent-key ${f.orchestratorKey} --agent-ca ${f.ca}`);
  out(`the agent certificate is valid for: ${[...new Set([...hosts, 'localhost', '127.0.0.1', '::1'])].join(', ')}`);
  return 0;
}

/** `tls-sst-bench agent --listen HOST:PORT --cert --key --ca`: serves until SIGINT/SIGTERM. */
async function serveAction(flags: AgentFlags, out: (line: string) => void): Promise<number> {
  onlyFlags(flags, SERVE_FLAGS, '--listen');
  if (flags.listen === undefined || flags.cert === undefined || flags.key === undefined || flags.ca === undefined) {
    throw usageError(
      'agent needs --listen HOST:PORT, --cert FILE, --key FILE and --ca FILE: expected the agent side of ' +
        '`tls-sst-bench agent certs --out DIR`',
    );
  }
  const { host, port } = hostPort(true)(flags.listen, '--listen');
  // One after the other: the first bad file is the one named, every time.
  const cert = await readPem(flags.cert, '--cert');
  const key = await readPem(flags.key, '--key');
  const ca = await readPem(flags.ca, '--ca');
  const fixturesDir = flags.fixturesDir ? resolve(flags.fixturesDir) : DEFAULT_FIXTURES_DIR;
  await assertWritableDir(fixturesDir, '--fixtures-dir');
  let agent: Agent;
  try {
    agent = await Agent.start({ host, port, cert, key, ca, fixturesDir, log: out });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES' || e.code === 'ENOTFOUND') {
      throw usageError(
        `--listen "${flags.listen}" cannot be bound (${e.code}): expected a free port on an address of this host`,
      );
    }
    throw usageError(
      `--cert/--key/--ca do not make a TLS server (${e.message}): expected the agent.pem, agent.key and ca.pem ` +
        `of one \`agent certs\` set`,
    );
  }
  out(`agent listening on ${formatHostPort(host, agent.address.port)}`);
  // SIGINT, SIGTERM or SIGHUP: stop serving (its way of ending, exit 0).
  await stoppable(
    (signal) => new Promise<void>((done) => (signal.aborted ? done() : signal.addEventListener('abort', () => done()))),
    'stopping the agent',
  );
  await agent.close();
  await removeWorkerBundle();
  out('agent stopped');
  return 0;
}

export async function agentCommand(
  action: string | undefined,
  flags: AgentFlags,
  out: (line: string) => void,
): Promise<number> {
  if (action === 'certs') return certsAction(flags, out);
  if (action !== undefined)
    throw usageError(`agent "${action}" is not accepted: expected no action (serve, with --listen) or certs`);
  return serveAction(flags, out);
}
