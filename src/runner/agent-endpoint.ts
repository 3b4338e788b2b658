import { readFile } from 'node:fs/promises';
import type { RunConfig } from '../config/schema.ts';
import { usageError } from '../errors.ts';
import type { Scenario } from '../matrix.ts';
import type { AgentEndpoint } from './remote-worker.ts';

export async function readPem(path: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw usageError(
      `${flag} "${path}" cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): expected a PEM file`,
    );
  }
  if (!text.includes('-----BEGIN '))
    throw usageError(`${flag} "${path}" is not PEM: expected a file with a -----BEGIN ...----- block`);
  return text;
}

/**
 * The run's agent, checked before any work: its options belong together, its
 * files are readable PEM, and every scenario is one an agent can run. null:
 * no agent, both workers here.
 */
export async function agentEndpoint(config: RunConfig, scenarios: readonly Scenario[]): Promise<AgentEndpoint | null> {
  const { agent } = config;
  const role = config.agentRole ?? 'receiver';
  if (!agent) {
    const stray = (['agentRole', 'agentCert', 'agentKey', 'agentCa'] as const).find((k) => config[k] !== undefined);
    if (stray)
      throw usageError(
        `--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} "${config[stray]}" is not accepted without ` +
          `--agent: expected --agent HOST:PORT too`,
      );
    return null;
  }
  if (config.agentCert === undefined || config.agentKey === undefined || config.agentCa === undefined) {
    throw usageError(
      '--agent needs --agent-cert, --agent-key and --agent-ca: expected the files `tls-sst-bench agent certs ' +
        '--out DIR` writes (orchestrator.pem, orchestrator.key, ca.pem)',
    );
  }
  const other = scenarios.find((s) => s.protocol !== 'raw');
  if (other)
    throw usageError(
      `--protocol "${other.protocol}" is not accepted with --agent: expected raw (the only protocol an agent runs)`,
    );
  if (role === 'receiver') {
    const peer = scenarios.find((s) => s.receiverPeer !== 'node');
    if (peer)
      throw usageError(
        `--receiver-peer "${peer.receiverPeer}" is not accepted with --agent-role receiver: expected node (the ` +
          `agent runs the node receiver)`,
      );
  }
  if (role === 'sender') {
    const peer = scenarios.find((s) => s.senderPeer !== 'node');
    if (peer)
      throw usageError(
        `--sender-peer "${peer.senderPeer}" is not accepted with --agent-role sender: expected node (the agent ` +
          `runs the node sender)`,
      );
  }
  if (config.faults.length > 0)
    throw usageError(
      '--faults is not accepted with --agent: expected a run without injected faults (the fault proxy is local)',
    );
  return {
    host: agent.host,
    port: agent.port,
    role,
    cert: await readPem(config.agentCert, '--agent-cert'),
    key: await readPem(config.agentKey, '--agent-key'),
    ca: await readPem(config.agentCa, '--agent-ca'),
  };
}
