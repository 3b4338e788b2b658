/**
 * A hostile (but authenticated) peer on the control channel, as real
 * processes: garbage, oversized lines, wrong types and path tricks in every
 * field that names a file. The agent ends that session with one log line,
 * serves the next, and writes nothing outside its session folder; a fake
 * agent that sends garbage ends `run` with one line instead of a crash.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import {
  makeAgentCerts,
  agentFlags,
  ONE_CELL_RUN,
  readRun,
  runCliIn,
  startAgent,
  type AgentCertSet,
  type AgentProcess,
} from '../support/agent-helpers.ts';
import { tempDir } from '../support/helpers.ts';
import { FixtureCache } from '../../src/fixtures/cache.ts';

let tmp: { dir: string; remove: () => Promise<void> };
let certs: AgentCertSet;
let agent: AgentProcess;
let agentTmp: string;
let agentFixtures: string;
/** A file outside every folder the agent may write: a path trick aims here. */
let victim: string;
const VICTIM_TEXT = 'precious\n';

before(async () => {
  tmp = await tempDir('agent-hostile');
  certs = await makeAgentCerts(join(tmp.dir, 'certs'));
  agentTmp = join(tmp.dir, 'agent-tmp');
  agentFixtures = join(tmp.dir, 'agent-fixtures');
  for (const d of [agentTmp, agentFixtures]) mkdirSync(d);
  victim = join(tmp.dir, 'victim.sst');
  writeFileSync(victim, VICTIM_TEXT);
  agent = await startAgent('127.0.0.1:0', certs, { tmpDir: agentTmp, fixturesDir: agentFixtures });
});

after(async () => {
  await agent.stop();
  await tmp.remove();
});

/**
 * Every file and folder under the test's folder, with size and mtime: what a write, truncation or removal would change.
 */
function snapshot(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      out.push(`${relative(tmp.dir, p)} ${st.isDirectory() ? 'dir' : `${st.size} ${st.mtimeMs}`}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(tmp.dir);
  return out;
}

interface Session {
  readonly socket: TLSSocket;
  /** Every line the agent sent, parsed. */
  readonly lines: Record<string, unknown>[];
  send(raw: string): void;
  /** Resolves when the agent closes the connection. */
  readonly closed: Promise<void>;
  /** Resolves with the first message of `type`. */
  next(type: string): Promise<Record<string, unknown>>;
}

async function open(): Promise<Session> {
  const socket = connect({
    host: '127.0.0.1',
    port: agent.port,
    cert: readFileSync(certs.orchestratorCert),
    key: readFileSync(certs.orchestratorKey),
    ca: readFileSync(certs.ca),
    minVersion: 'TLSv1.3',
  });
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('secureConnect', r));
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (t: string) => {
    buf += t;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
      buf = buf.slice(nl + 1);
    }
    for (const w of waiters) w();
  });
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return {
    socket,
    lines,
    send: (raw) => void socket.write(raw),
    closed,
    next: (type) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const m = lines.find((l) => l.type === type);
          if (m) resolve(m);
        };
        waiters.push(check);
        check();
        void closed.then(() =>
          setImmediate(() => reject(new Error(`closed before a ${type}; got ${JSON.stringify(lines)}`))),
        );
      }),
  };
}

let sessions = 0;

/**
 * One session that sends `raw`: the agent must answer `refused` naming `why`, close, log one line, and leave the
 * filesystem as it was.
 */
async function refused(raw: string, why: RegExp, prelude?: (s: Session) => Promise<void>): Promise<void> {
  const before = snapshot();
  const s = await open();
  const n = ++sessions;
  await prelude?.(s);
  s.send(raw);
  await s.closed;
  const r = s.lines.find((l) => l.type === 'refused');
  assert.ok(r, `no refused in ${JSON.stringify(s.lines)}`);
  assert.match(String(r.message), why);
  await agent.waitFor(new RegExp(`session ${n}: ended`), 20_000);
  const logged = agent
    .log()
    .split('\n')
    .filter((l) => l.startsWith(`session ${n}: refused`));
  assert.equal(logged.length, 1, agent.log());
  assert.match(logged[0]!.slice(`session ${n}: refused: `.length), why);
  assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT);
  assert.deepEqual(snapshot(), before);
}

const hello = (fields: Record<string, unknown>): string =>
  `${JSON.stringify({ type: 'hello', role: 'receiver', fixtures: [], ...fields })}\n`;
const fixture = (fields: Record<string, unknown>): Record<string, unknown> => ({
  sizeBytes: 16384,
  seed: 1,
  profile: 'kv',
  crc32c: 0,
  ...fields,
});
/** A path that climbs out of any folder under the test's into the victim. */
const climb = (): string => `../../../../../../../../..${victim}`;

test('garbage, an oversized line and wrong types each end their session with one line; the agent serves on', async () => {
  await refused('this is not json\n', /^bad control line: a line that is not JSON: "this is not json"$/);
  // Refused as soon as the buffer passes the bound, with or without a line end to come.
  await refused(`${'x'.repeat(1_100_000)}`, /^bad control line: a line longer than 1048576 characters$/);
  await refused(
    `{"type":"ping","seq":${JSON.stringify('x'.repeat(1_100_000))}}\n`,
    /^bad control line: a line longer than 1048576 characters$/,
  );
  await refused(
    '{"type":"ping","seq":"soon"}\n',
    /^bad control line: a bad message \(seq is "soon": expected number\)/,
  );
  await refused(
    '{"type":"launch"}\n',
    /^bad control line: a bad message \(type is "launch": expected \("hello" \| "ping" \| "to-worker"\)\)/,
  );
  await refused('[1,2]\n', /^bad control line: a bad message \(type is missing\)/);
  await refused('{"type":"to-worker","msg":{"type":"shutdown"}}\n', /^a worker message before hello$/);
  // After all that, a well-behaved session still gets its worker.
  const ok = await open();
  sessions += 1;
  ok.send(hello({}));
  const welcome = await ok.next('welcome');
  assert.equal(typeof welcome.pid, 'number');
  ok.send('{"type":"ping","seq":7}\n');
  assert.equal((await ok.next('pong')).seq, 7);
  ok.socket.end();
  await ok.closed;
  await agent.waitFor(new RegExp(`session ${sessions}: ended`), 20_000);
});

test('path tricks in every field that names a file are refused, and nothing outside the session folder changes', async () => {
  // role names the worker's stderr file; profile, seed and size name the fixture.
  await refused(
    hello({ role: climb() }),
    /^bad control line: a bad message \(role is ".*victim\.sst": expected \("sender" \| "receiver"\)\)/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ profile: climb() })] }),
    /fixtures\[0\]\.profile is ".*victim\.sst": expected \("kv" \| "incompressible" \| "compressible"\)/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ seed: '1/../../victim' })] }),
    /fixtures\[0\]\.seed is "1\/\.\.\/\.\.\/victim": expected number/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ seed: -1 })] }),
    /fixtures\[0\]\.seed: expected a 32-bit unsigned integer, got -1/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ seed: 1.5 })] }),
    /fixtures\[0\]\.seed: expected a 32-bit unsigned integer, got 1\.5/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ sizeBytes: '16KiB/../../x' })] }),
    /fixtures\[0\]\.sizeBytes is "16KiB\/\.\.\/\.\.\/x": expected number/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ sizeBytes: 1e300 })] }),
    /fixtures\[0\]\.sizeBytes: expected a fixture size, got 1e\+300/,
  );
  await refused(
    hello({ role: 'sender', fixtures: [fixture({ sizeBytes: 1 })] }),
    /fixtures\[0\]\.sizeBytes: expected a fixture size >= 16384, got 1/,
  );
  // The paths a worker message names are the orchestrator's and are replaced; carried files land in the session folder
  // by their hash.
  await refused(
    `${JSON.stringify({ type: 'to-worker', msg: { type: 'serve', fixturePath: victim }, files: { cert: 'x' } })}\n`,
    /msg\.id is missing/,
    async (s) => {
      s.send(hello({ role: 'receiver' }));
      await s.next('welcome');
    },
  );
  await refused(
    `${JSON.stringify({ type: 'to-worker', msg: { type: 'kvrocks-serve', files: [{ name: 'x', path: victim, sizeBytes: 1 }] } })}` +
      `\n`,
    /msg\.type is "kvrocks-serve": expected \("serve" \| "receive" \| "shutdown" \| "gc"\)/,
    async (s) => {
      s.send(hello({ role: 'receiver' }));
      await s.next('welcome');
    },
  );
  await refused(
    `${JSON.stringify({ type: 'to-worker', msg: { type: 'shutdown' }, files: { key: 'k'.repeat(70_000) } })}\n`,
    /files\.key: expected at most 65536 characters, got 70000/,
    async (s) => {
      s.send(hello({ role: 'receiver' }));
      await s.next('welcome');
    },
  );
  assert.deepEqual(
    readdirSync(agentTmp).filter((n) => n.startsWith('tls-sst-bench-agent-')),
    [],
  );
});

test(
  'a valid serve whose paths point outside: the agent uses its own copies, and nothing outside the session ' +
    'folder changes',
  async () => {
    // Generated first, so the snapshot below starts with the fixture in the agent's cache.
    const f = await new FixtureCache(agentFixtures).ensure({ sizeBytes: 16384, seed: 1, profile: 'kv' });
    const before = snapshot();
    const s = await open();
    const n = ++sessions;
    s.send(hello({ role: 'sender', fixtures: [fixture({ crc32c: f.crc32c })] }));
    await s.next('welcome');
    const serve = {
      type: 'serve',
      id: 1,
      tls: { tlsVersion: '1.3', suite: 'TLS_AES_128_GCM_SHA256' },
      cert: 'not a certificate',
      key: 'not a key',
      host: '127.0.0.1',
      fixturePath: victim,
      sizeBytes: 16384,
      fixtureCrc32c: f.crc32c,
      source: 'file',
      chunkBytes: 16384,
      maxFragment: 16384,
      shutdown: 'end',
      writePath: 'backpressure',
      receiverMode: 'until-eof',
    };
    s.send(
      `${JSON.stringify({ type: 'to-worker', msg: serve, files: { cert: 'not a certificate', key: 'not a key' } })}\n`,
    );
    // The worker cannot use a garbage certificate: it says so, the session goes on.
    const fatal = await s.next('from-worker');
    assert.equal((fatal.msg as { type: string }).type, 'fatal', JSON.stringify(fatal));
    s.socket.end();
    await s.closed;
    await agent.waitFor(new RegExp(`session ${n}: ended`), 20_000);
    assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT);
    assert.deepEqual(snapshot(), before);
  },
);

/** A fake agent: our TLS server with the agent's certificate, that answers each control connection with `script`. */
async function fakeAgent(script: (socket: TLSSocket, n: number) => void): Promise<{ port: number; close: () => void }> {
  let n = 0;
  const srv = createServer(
    {
      cert: readFileSync(certs.agentCert),
      key: readFileSync(certs.agentKey),
      ca: readFileSync(certs.ca),
      requestCert: true,
      minVersion: 'TLSv1.3',
    },
    (s) => {
      s.on('error', () => undefined);
      script(s, ++n);
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, close: () => srv.close() };
}

test('a fake agent that answers with garbage: run ends with one line naming it, no stack trace', async () => {
  const fake = await fakeAgent((s) => s.write('<html>hello</html>\n'));
  try {
    const out = join(tmp.dir, 'out-garbage');
    const r = await runCliIn(
      [],
      [
        ...ONE_CELL_RUN,
        '--iterations',
        '1',
        '--out',
        out,
        '--fixtures-dir',
        join(tmp.dir, 'fixtures'),
        ...agentFlags(`127.0.0.1:${fake.port}`, certs),
      ],
      120_000,
    );
    assert.equal(r.timedOut, false);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr.split('\n').at(-2),
      `tls-sst-bench: agent 127.0.0.1:${fake.port}: sent a bad control line: a line that is not JSON: ` +
        `"<html>hello</html>"`,
    );
  } finally {
    fake.close();
  }
});

test('a fake agent whose welcome has a wrong type: one line naming the field', async () => {
  const fake = await fakeAgent((s) => s.write(`${JSON.stringify({ type: 'welcome', pid: 'me', host: {} })}\n`));
  try {
    const r = await runCliIn(
      [],
      [
        ...ONE_CELL_RUN,
        '--iterations',
        '1',
        '--out',
        join(tmp.dir, 'out-welcome'),
        '--fixtures-dir',
        join(tmp.dir, 'fixtures'),
        ...agentFlags(`127.0.0.1:${fake.port}`, certs),
      ],
      120_000,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^tls-sst-bench: agent 127\\.0\\.0\\.1:${fake.port}: sent a bad control line: a bad message \\(pid is ` +
          `"me": expected number\\): .*\\n$`,
        'm',
      ),
    );
  } finally {
    fake.close();
  }
});

test(
  'a fake agent that turns to garbage after its welcome: the transfer is worker-crashed naming it, and the run ' +
    'goes on to exit 0',
  async () => {
    const host = {
      hostname: 'fake',
      node: 'v20.0.0',
      openssl: '3.0.0',
      kernel: 'x',
      platform: 'linux',
      arch: 'x64',
      cpuModel: 'x',
      cores: 1,
    };
    const fake = await fakeAgent((s, n) => {
      if (n > 1) return void s.write('garbage again\n');
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (t: string) => {
        buf += t;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const m = JSON.parse(buf.slice(0, nl)) as { type: string; seq?: number };
          buf = buf.slice(nl + 1);
          if (m.type === 'hello') s.write(`${JSON.stringify({ type: 'welcome', pid: 4242, host })}\n`);
          else if (m.type === 'ping') s.write(`${JSON.stringify({ type: 'pong', seq: m.seq, atMs: 1 })}\n`);
          else if (m.type === 'to-worker') s.write('{"type":"from-worker","msg":{"type":"received","id":"x"}}\n');
        }
      });
    });
    try {
      const out = join(tmp.dir, 'out-late-garbage');
      // A lost receiver leaves our sender waiting for a connection until the stall timeout: a short one.
      const r = await runCliIn(
        [],
        [
          ...ONE_CELL_RUN,
          '--iterations',
          '2',
          '--stall-timeout',
          '2s',
          '--out',
          out,
          '--fixtures-dir',
          join(tmp.dir, 'fixtures'),
          ...agentFlags(`127.0.0.1:${fake.port}`, certs),
        ],
        120_000,
      );
      assert.equal(r.timedOut, false);
      assert.equal(r.code, 0, r.stderr);
      const run = readRun(out);
      assert.deepEqual(
        run.records.map((x) => x.outcome.kind),
        ['worker-crashed', 'worker-crashed'],
      );
      assert.match(
        run.records[0]!.outcome.errorMessage!,
        new RegExp(
          `^receiver worker failed: agent 127\\.0\\.0\\.1:${fake.port} sent a bad control line: a bad message ` +
            `\\(msg\\.id is "x": expected number\\)`,
        ),
      );
      // The replacement session got garbage before its welcome: lost, said once per transfer.
      assert.match(
        run.records[1]!.outcome.errorMessage!,
        /receiver worker lost: agent .* sent a bad control line: a line that is not JSON: "garbage again"/,
      );
    } finally {
      fake.close();
    }
  },
);
