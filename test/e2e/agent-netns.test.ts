/**
 * Two hosts on one machine: network namespaces tsb-a<sfx> (10.77.0.1, the
 * orchestrator) and tsb-b<sfx> (10.77.0.2, the agent) joined by a veth pair
 * (scripts/netns.sh). A 16 MB fixture crosses between them with the remote
 * worker as receiver and then as sender; every transfer is verified.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hex } from '../../src/outcome.ts';
import {
  agentFlags,
  makeAgentCerts,
  readRun,
  runCliIn,
  startAgent,
  type AgentCertSet,
  type AgentProcess,
} from '../support/agent-helpers.ts';
import { alive, tempDir } from '../support/helpers.ts';

const NETNS = fileURLToPath(new URL('../../scripts/netns.sh', import.meta.url));
const SUFFIX = `t${process.pid % 100000}`;
const A = ['ip', 'netns', 'exec', `tsb-a${SUFFIX}`];
const B = ['ip', 'netns', 'exec', `tsb-b${SUFFIX}`];

let skip: string | null = null;
let tmp: { dir: string; remove: () => Promise<void> };
let certs: AgentCertSet;
let agent: AgentProcess | null = null;
let agentTmp: string;
let agentFixtures: string;
let fixturesDir: string;

before(async () => {
  tmp = await tempDir('agent-netns');
  if (process.getuid?.() !== 0) {
    skip = 'needs root to create network namespaces';
    return;
  }
  try {
    execFileSync(NETNS, ['up', SUFFIX], { stdio: 'pipe' });
  } catch (err) {
    skip = `scripts/netns.sh up failed (ip netns add not permitted here?): ${
      String((err as { stderr?: Buffer }).stderr ?? err)
        .trim()
        .split('\n')[0]
    }`;
    return;
  }
  certs = await makeAgentCerts(join(tmp.dir, 'certs'), ['10.77.0.2']);
  agentTmp = join(tmp.dir, 'agent-tmp');
  agentFixtures = join(tmp.dir, 'agent-fixtures');
  fixturesDir = join(tmp.dir, 'fixtures');
  execFileSync('mkdir', ['-p', agentTmp, agentFixtures, fixturesDir]);
  agent = await startAgent('10.77.0.2:0', certs, { prefix: B, tmpDir: agentTmp, fixturesDir: agentFixtures });
});

after(async () => {
  try {
    if (agent) assert.equal(await agent.stop(), 0, 'SIGTERM stops the agent cleanly');
  } finally {
    if (skip === null) execFileSync(NETNS, ['down', SUFFIX], { stdio: 'pipe' });
    await tmp.remove();
  }
});

for (const role of ['receiver', 'sender'] as const) {
  test(`16 MB between namespaces, remote ${role}: every transfer complete and verified, both hosts in the context`, async (t) => {
    if (skip !== null) return t.skip(skip);
    const out = join(tmp.dir, `out-${role}`);
    const r = await runCliIn(A, [
      'run',
      '--sizes',
      '16MB',
      '--chunks',
      '64KiB',
      '--suites',
      'TLS_AES_128_GCM_SHA256',
      '--iterations',
      '2',
      '--warmup',
      '0',
      '--out',
      out,
      '--fixtures-dir',
      fixturesDir,
      ...agentFlags(`10.77.0.2:${agent!.port}`, certs, role),
    ]);
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 0, r.stderr);
    const run = readRun(out);
    assert.equal(run.records.length, 2);
    // The summary names the remote host and the clock offset.
    assert.match(
      r.stdout,
      new RegExp(
        `^agent: ${role} worker on 10\\.77\\.0\\.2:${agent!.port} \\(.+, address 10\\.77\\.0\\.2\\); this host ` +
          `.+ at 10\\.77\\.0\\.1; data connection via ` +
          `${role === 'receiver' ? '10\\.77\\.0\\.1' : '10\\.77\\.0\\.2'}$`,
        'm',
      ),
    );
    assert.match(r.stdout, /^agent clock: offset -?\d+\.\d{3} ms ± \d+\.\d{3} ms \(best of 8 round trips/m);
    for (const rec of run.records) {
      // complete = every byte arrived, the CRC32C matched the fixture's, close_notify was seen.
      assert.equal(rec.outcome.kind, 'complete', JSON.stringify(rec.outcome));
      assert.equal(rec.bytesExpected, 16e6);
      assert.equal(rec.bytesReceived, 16e6);
      assert.ok(
        rec.durationMs !== null && rec.durationMs > 0,
        `a positive duration across two clocks: ${rec.durationMs}`,
      );
    }
    const ctx = run.context;
    assert.ok(ctx.agent);
    assert.equal(ctx.agent.agent, `10.77.0.2:${agent!.port}`);
    assert.equal(ctx.agent.role, role);
    // The data connection: a remote receiver connects back to our end of the control connection; a remote sender
    // listens on the agent's address.
    assert.equal(ctx.agent.dataHost, role === 'receiver' ? '10.77.0.1' : '10.77.0.2');
    assert.equal(ctx.agent.sessions.length, 1);
    const s = ctx.agent.sessions[0]!;
    assert.equal(s.agent.address, '10.77.0.2');
    assert.equal(s.orchestrator.address, '10.77.0.1');
    assert.equal(s.orchestrator.hostname, ctx.environment.hostname);
    assert.equal(s.agent.node, process.version);
    assert.equal(s.agent.openssl, process.versions.openssl);
    assert.equal(s.agent.kernel, release());
    assert.equal(s.agent.cpuModel, cpus()[0]!.model);
    // Namespaces share one CLOCK_MONOTONIC: the measured offset must be ~0.
    assert.ok(Math.abs(s.clock.offsetMs) < 3, `offset ${s.clock.offsetMs} ms`);
    assert.equal(s.clock.samples, 8);
    assert.ok(s.clock.rttMs > 0);
    assert.equal(s.clock.uncertaintyMs, s.clock.rttMs / 2);
    if (role === 'sender') {
      // The agent made its own copy of the fixture from the spec, and it is the same bytes.
      const manifest = JSON.parse(readFileSync(join(agentFixtures, 'manifest.json'), 'utf8')) as {
        fixtures: Record<string, { crc32c: number }>;
      };
      const mine = ctx.fixtures[0]!;
      assert.equal(hex(manifest.fixtures[mine.name]!.crc32c), mine.crc32c);
    }
    // The session ended with the run: its worker is gone and its private dir removed.
    await agent!.waitFor(new RegExp(`session ${role === 'receiver' ? 1 : 2}: ended`), 10_000);
    // Namespaces share the pid space: the agent's worker can be checked from here too.
    assert.ok(s.workerPid > 0 && !ctx.workerPids.includes(s.workerPid), "workerPids are this host's");
    assert.equal(ctx.workerPids.length, 1);
    for (const pid of [...ctx.workerPids, s.workerPid])
      assert.equal(alive(pid), false, `worker ${pid} outlived the run`);
    assert.deepEqual(
      readdirSync(agentTmp).filter((n) => n.startsWith('tls-sst-bench-agent-')),
      [],
    );
  });
}
