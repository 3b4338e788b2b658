// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { createIssuer, issueLeaf } from './certs.ts';

/** The files `tls-sst-bench agent certs` writes: the agent side and the orchestrator side of the control channel. */
export interface AgentCertFiles {
  readonly ca: string;
  readonly agentCert: string;
  readonly agentKey: string;
  readonly orchestratorCert: string;
  readonly orchestratorKey: string;
}

const DAY_MS = 24 * 3600_000;

/**
 * A control-channel CA, the agent's server certificate (SAN: `hosts` plus
 * localhost, 127.0.0.1 and ::1) and the orchestrator's client certificate,
 * written into `dir` (keys 0600). The CA key stays in memory: to admit another
 * orchestrator, make a new set.
 */
export async function writeAgentCertificates(
  dir: string,
  hosts: readonly string[],
  validDays = 30,
): Promise<AgentCertFiles> {
  await mkdir(dir, { recursive: true });
  const ca = await createIssuer('tls-sst-bench agent CA', 'ecdsa-p256', validDays * DAY_MS);
  const agent = await issueLeaf(ca, 'tls-sst-bench agent', x509.ExtendedKeyUsage.serverAuth, [
    ...new Set([...hosts, 'localhost', '127.0.0.1', '::1']),
  ]);
  const orchestrator = await issueLeaf(ca, 'tls-sst-bench orchestrator', x509.ExtendedKeyUsage.clientAuth, []);
  const files: AgentCertFiles = {
    ca: join(dir, 'ca.pem'),
    agentCert: join(dir, 'agent.pem'),
    agentKey: join(dir, 'agent.key'),
    orchestratorCert: join(dir, 'orchestrator.pem'),
    orchestratorKey: join(dir, 'orchestrator.key'),
  };
  await writeFile(files.ca, ca.cert.toString('pem'), { mode: 0o644 });
  await writeFile(files.agentCert, agent.cert, { mode: 0o644 });
  await writeFile(files.agentKey, agent.key, { mode: 0o600 });
  await writeFile(files.orchestratorCert, orchestrator.cert, { mode: 0o644 });
  await writeFile(files.orchestratorKey, orchestrator.key, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an old key file keeps its bits otherwise.
  await chmod(files.agentKey, 0o600);
  await chmod(files.orchestratorKey, 0o600);
  return files;
}
