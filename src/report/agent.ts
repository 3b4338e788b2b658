import type { RunResult } from '../results.ts';

/** Pure: with --agent, the remote host and its clock, one row each (the first session; replacements count). */
export function agentRows(run: RunResult): [string, string][] {
  const a = run.context.agent;
  const s = a?.sessions[0];
  if (!a || !s) return [];
  const h = s.agent;
  return [
    [
      'agent',
      `${a.role} worker on ${a.agent} (${h.hostname}, address ${h.address}); this host ` +
        `${s.orchestrator.hostname} at ${s.orchestrator.address}; data connection via ${a.dataHost}`,
    ],
    [
      'agent build',
      `Node ${h.node}, OpenSSL ${h.openssl}, ${h.platform} ${h.arch}, kernel ${h.kernel}, ${h.cpuModel} x${h.cores}`,
    ],
    [
      'agent clock',
      `offset ${s.clock.offsetMs.toFixed(3)} ms ± ${s.clock.uncertaintyMs.toFixed(3)} ms (best of ` +
        `${s.clock.samples} round trips, ${s.clock.rttMs.toFixed(3)} ms); ${a.sessions.length} session(s)`,
    ],
  ];
}
