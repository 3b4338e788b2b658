/**
 * The agent on loopback, as real processes: a client certificate from another
 * CA is refused, an unreachable agent is one line naming it, an agent that
 * dies mid-run becomes recorded outcomes (not a hang), and SIGTERM stops it.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  agentFlags,
  ONE_CELL_RUN,
  makeAgentCerts,
  readRun,
  runCliIn,
  startAgent,
  type AgentCertSet,
  type AgentProcess,
} from '../support/agent-helpers.ts';
import { alive, runCli, tempDir } from '../support/helpers.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let certs: AgentCertSet;
let otherCerts: AgentCertSet;
let agent: AgentProcess;
let agentTmp: string;
let fixturesDir: string;
let agentFixtures: string;

before(async () => {
  tmp = await tempDir('agent-loop');
  certs = await makeAgentCerts(join(tmp.dir, 'certs'));
  otherCerts = await makeAgentCerts(join(tmp.dir, 'other-certs'));
  agentTmp = join(tmp.dir, 'agent-tmp');
  fixturesDir = join(tmp.dir, 'fixtures');
  agentFixtures = join(tmp.dir, 'agent-fixtures');
  for (const d of [agentTmp, fixturesDir, agentFixtures]) mkdirSync(d);
  agent = await startAgent('127.0.0.1:0', certs, { tmpDir: agentTmp, fixturesDir: agentFixtures });
});

after(async () => {
  await agent.stop();
  await tmp.remove();
});

test('agent certs: keys 0600, the agent certificate for the given hosts, the orchestrator one for client auth', async () => {
  const set = await makeAgentCerts(join(tmp.dir, 'hosts-certs'), ['10.77.0.2', 'bench-b']);
  assert.equal(statSync(set.agentKey).mode & 0o777, 0o600);
  assert.equal(statSync(set.orchestratorKey).mode & 0o777, 0o600);
  const agentCert = new X509Certificate(readFileSync(set.agentCert));
  const client = new X509Certificate(readFileSync(set.orchestratorCert));
  const ca = new X509Certificate(readFileSync(set.ca));
  assert.equal(
    agentCert.subjectAltName,
    'IP Address:10.77.0.2, DNS:bench-b, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  );
  assert.deepEqual(agentCert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.deepEqual(client.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(agentCert.checkIssued(ca) && agentCert.verify(ca.publicKey), true);
  assert.equal(client.checkIssued(ca) && client.verify(ca.publicKey), true);
  assert.equal(agentCert.checkIssued(new X509Certificate(readFileSync(otherCerts.ca))), false);
});

test(
  'an orchestrator whose certificate is from another CA is refused: one line naming the agent, exit 1, nothing ' +
    'written',
  async () => {
    const out = join(tmp.dir, 'out-refused');
    // Our CA trusts the agent; the agent does not trust our certificate.
    const mixed = { ...otherCerts, ca: certs.ca };
    const r = await runCliIn(
      [],
      [
        ...ONE_CELL_RUN,
        '--iterations',
        '1',
        '--out',
        out,
        '--fixtures-dir',
        fixturesDir,
        ...agentFlags(`127.0.0.1:${agent.port}`, mixed),
      ],
      60_000,
    );
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => l.startsWith('tls-sst-bench: '));
    assert.equal(lines.length, 1, r.stderr);
    assert.equal(
      lines[0],
      `tls-sst-bench: agent 127.0.0.1:${agent.port}: refused the session: your certificate is not from this ` +
        `agent's --ca (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    );
    assert.equal(existsSync(out), false, 'no run folder');
    await agent.waitFor(
      /refused a control connection from 127\.0\.0\.1:\d+: its certificate is not from this agent's --ca \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
      5000,
    );
    assert.doesNotMatch(agent.log(), /session \d+:/, 'no session, no worker');
  },
);

test('an agent that trusts us but is not who our CA says is refused by us', async () => {
  const out = join(tmp.dir, 'out-unknown-agent');
  const r = await runCliIn(
    [],
    [
      ...ONE_CELL_RUN,
      '--iterations',
      '1',
      '--out',
      out,
      '--fixtures-dir',
      fixturesDir,
      ...agentFlags(`127.0.0.1:${agent.port}`, { ...certs, ca: otherCerts.ca }),
    ],
    60_000,
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^tls-sst-bench: agent 127\\.0\\.0\\.1:${agent.port}: its certificate does not verify \\(.+\\): expected ` +
        `one from --agent-ca, naming the --agent host`,
      'm',
    ),
  );
});

test('an agent reached at an address its certificate does not name is refused by us', async () => {
  // 127.0.0.2 is loopback too, but not in the certificate (made without --agent-host).
  const elsewhere = await startAgent('127.0.0.2:0', certs, { tmpDir: agentTmp, fixturesDir: agentFixtures });
  try {
    const r = await runCliIn(
      [],
      [
        ...ONE_CELL_RUN,
        '--iterations',
        '1',
        '--out',
        join(tmp.dir, 'out-altname'),
        '--fixtures-dir',
        fixturesDir,
        ...agentFlags(`127.0.0.2:${elsewhere.port}`, certs),
      ],
      60_000,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^tls-sst-bench: agent 127\\.0\\.0\\.2:${elsewhere.port}: its certificate does not verify ` +
          `\\(Hostname/IP does not match certificate's altnames: IP: 127\\.0\\.0\\.2 is not in the cert's list: ` +
          `.*\\): expected one from --agent-ca`,
        'm',
      ),
    );
  } finally {
    assert.equal(await elsewhere.stop(), 0);
  }
});

test('an unreachable agent: one line naming HOST:PORT, exit 1', async () => {
  const probe = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const r = await runCliIn(
    [],
    [
      ...ONE_CELL_RUN,
      '--iterations',
      '1',
      '--out',
      join(tmp.dir, 'out-unreachable'),
      '--fixtures-dir',
      fixturesDir,
      ...agentFlags(`127.0.0.1:${port}`, certs),
    ],
    60_000,
  );
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(`^tls-sst-bench: agent 127\\.0\\.0\\.1:${port}: cannot connect: connect ECONNREFUSED`, 'm'),
  );
});

test('--listen on an address this host does not have: exit 2', async () => {
  const r = await runCli([
    'agent',
    '--listen',
    '192.0.2.1:0',
    '--cert',
    certs.agentCert,
    '--key',
    certs.agentKey,
    '--ca',
    certs.ca,
    '--fixtures-dir',
    agentFixtures,
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^tls-sst-bench: --listen "192\.0\.2\.1:0" cannot be bound \(EADDRNOTAVAIL\): expected a free port on an address of this host\n$/,
  );
});

test('the agent dies mid-run: the transfers are recorded as worker-crashed, the run ends, its files stay private', async () => {
  const deadTmp = join(tmp.dir, 'dead-tmp');
  mkdirSync(deadTmp);
  const doomed = await startAgent('127.0.0.1:0', certs, { tmpDir: deadTmp, fixturesDir: agentFixtures });
  const out = join(tmp.dir, 'out-dead');
  const running = runCliIn(
    [],
    [
      ...ONE_CELL_RUN,
      '--iterations',
      '2',
      '--out',
      out,
      '--fixtures-dir',
      fixturesDir,
      ...agentFlags(`127.0.0.1:${doomed.port}`, certs, 'sender'),
    ],
    120_000,
  );
  await doomed.waitFor(/session 1: first request \(serve\) relayed/, 60_000);
  doomed.child.kill('SIGKILL');
  const r = await running;
  assert.equal(r.timedOut, false, 'the run did not hang');
  assert.equal(r.code, 0, r.stderr);
  const run = readRun(out);
  assert.equal(run.records.length, 2);
  const last = run.records[1]!;
  assert.equal(last.outcome.kind, 'worker-crashed', JSON.stringify(last.outcome));
  assert.equal(last.outcome.role, 'sender');
  // The transfer in flight names the agent (or finished before the kill, or failed as a dead peer shows)
  const first = run.records[0]!.outcome;
  if (first.kind === 'worker-crashed')
    assert.equal(first.errorMessage, `sender worker failed: agent 127.0.0.1:${doomed.port}: control connection lost`);
  // The first transfer may have finished before the kill, or failed in any way a dead peer shows (a reset handshake, a
  // crash): never a stall.
  assert.ok(
    run.records.every((x) => x.outcome.kind !== 'stalled'),
    JSON.stringify(run.records.map((x) => x.outcome)),
  );
  // The replacement could not reach the agent: the record says so.
  assert.equal(
    last.outcome.errorMessage,
    `sender worker lost: agent 127.0.0.1:${doomed.port}: cannot connect: connect ECONNREFUSED 127.0.0.1:${doomed.port}`,
  );
  // The sender worker on the agent's side exits when its agent goes (IPC disconnect).
  assert.equal(run.context.agent!.sessions.length, 1);
  const remotePid = run.context.agent!.sessions[0]!.workerPid;
  for (let i = 0; i < 50 && alive(remotePid); i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal(alive(remotePid), false, 'the orphaned sender worker exited');
  assert.deepEqual(
    run.context.workerPids.filter((p) => alive(p)),
    [],
  );
  // A SIGKILLed agent cannot clean up: what it left is private (dir 0700) and holds no key (the data key reached the
  // worker over IPC only).
  const [left] = readdirSync(deadTmp).filter((n) => n.startsWith(`tls-sst-bench-agent-${doomed.child.pid}-`));
  assert.ok(left, 'the session dir of the killed agent, named with its pid (swept by the next start)');
  assert.equal(statSync(join(deadTmp, left)).mode & 0o777, 0o700);
  for (const f of readdirSync(join(deadTmp, left)))
    assert.doesNotMatch(readFileSync(join(deadTmp, left, f), 'latin1'), /PRIVATE KEY/, f);
});

test('the orchestrator dies mid-run: the agent kills its worker, removes the session folder, and keeps serving', async () => {
  const sessions = (agent.log().match(/session \d+: \w+ worker pid/g) ?? []).length;
  const n = sessions + 1;
  let orchestrator: ChildProcess | undefined;
  const running = runCliIn(
    [],
    [
      ...ONE_CELL_RUN,
      '--iterations',
      '3',
      '--out',
      join(tmp.dir, 'out-orphan'),
      '--fixtures-dir',
      fixturesDir,
      ...agentFlags(`127.0.0.1:${agent.port}`, certs),
    ],
    120_000,
    (c) => (orchestrator = c),
  );
  await agent.waitFor(new RegExp(`session ${n}: first request \\(receive\\) relayed`), 60_000);
  orchestrator!.kill('SIGKILL');
  const r = await running;
  assert.equal(r.code, null);
  await agent.waitFor(new RegExp(`session ${n}: ended`), 10_000);
  const pid = Number(new RegExp(`session ${n}: receiver worker pid (\\d+)`).exec(agent.log())![1]);
  assert.equal(alive(pid), false, `the agent's worker ${pid} outlived its session`);
  assert.deepEqual(
    readdirSync(agentTmp).filter((x) => x.startsWith('tls-sst-bench-agent-')),
    [],
  );
});

test('the agent served a session after refusing one, and SIGTERM stops it cleanly with nothing left behind', async () => {
  const out = join(tmp.dir, 'out-ok');
  const r = await runCliIn(
    [],
    [
      ...ONE_CELL_RUN,
      '--iterations',
      '1',
      '--out',
      out,
      '--fixtures-dir',
      fixturesDir,
      ...agentFlags(`127.0.0.1:${agent.port}`, certs),
    ],
    120_000,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readRun(out).records[0]!.outcome.kind, 'complete');
  assert.equal(await agent.stop(), 0);
  assert.match(agent.log(), /agent stopped\n$/);
  assert.deepEqual(
    readdirSync(agentTmp).filter((n) => n.startsWith('tls-sst-bench-agent-')),
    [],
  );
});
