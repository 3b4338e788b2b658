// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { ALGORITHMS, generateKeys, privateKeyPem } from './certs.ts';

/** The files `tls-sst-bench agent certs` writes: the agent side and the orchestrator side of the control channel. */
export interface AgentCertFiles {
  readonly ca: string;
  readonly agentCert: string;
  readonly agentKey: string;
  readonly orchestratorCert: string;
  readonly orchestratorKey: string;
}

const DAY_MS = 24 * 3600_000;
const ALG = ALGORITHMS['ecdsa-p256'];

/**
 * A control-channel CA, the agent's server certificate (SAN: `hosts` plus
 * localhost, 127.0.0.1 and ::1) and the orchestrator's client certificate,
 * written into `dir` (keys 0600). The CA key stays in memory: to admit another
 * orchestrator, make a new set.
 */
export async function writeAgentCertificates(dir: string, hosts: readonly string[], validDays = 30): Promise<AgentCertFiles> {
  await mkdir(dir, { recursive: true });
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + validDays * DAY_MS);
  const tag = randomBytes(6).toString('hex');
  const caKeys = await generateKeys('ecdsa-p256');
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: `CN=tls-sst-bench agent CA ${tag}`,
    notBefore,
    notAfter,
    keys: caKeys,
    signingAlgorithm: ALG.sign,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leaf = async (cn: string, usage: string, sans: x509.JsonGeneralName[]): Promise<{ cert: string; key: string }> => {
    const keys = await generateKeys('ecdsa-p256');
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: `02${randomBytes(8).toString('hex')}`,
      subject: `CN=${cn}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: ALG.sign,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...(sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
      ],
    });
    return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
  };
  const names = [...new Set([...hosts, 'localhost', '127.0.0.1', '::1'])];
  const agent = await leaf(
    'tls-sst-bench agent',
    x509.ExtendedKeyUsage.serverAuth,
    names.map((n) => (isIP(n) ? { type: 'ip', value: n } : { type: 'dns', value: n })),
  );
  const orchestrator = await leaf('tls-sst-bench orchestrator', x509.ExtendedKeyUsage.clientAuth, []);
  const files: AgentCertFiles = {
    ca: join(dir, 'ca.pem'),
    agentCert: join(dir, 'agent.pem'),
    agentKey: join(dir, 'agent.key'),
    orchestratorCert: join(dir, 'orchestrator.pem'),
    orchestratorKey: join(dir, 'orchestrator.key'),
  };
  await writeFile(files.ca, ca.toString('pem'), { mode: 0o644 });
  await writeFile(files.agentCert, agent.cert, { mode: 0o644 });
  await writeFile(files.agentKey, agent.key, { mode: 0o600 });
  await writeFile(files.orchestratorCert, orchestrator.cert, { mode: 0o644 });
  await writeFile(files.orchestratorKey, orchestrator.key, { mode: 0o600 });
  // writeFile's mode applies only to a new file: an old key file keeps its bits otherwise.
  await chmod(files.agentKey, 0o600);
  await chmod(files.orchestratorKey, 0o600);
  return files;
}
