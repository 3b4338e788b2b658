import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateOffset, toLocalTimes } from '../../src/agent/control.ts';
import type { ReceiverReport, SenderReport } from '../../src/transfer/messages.ts';
import { agentRows } from '../../src/report/agent.ts';
import type { RunResult } from '../../src/results.ts';

test('the offset comes from the tightest round trip, ± half of it', () => {
  // Remote clock runs 1000 ms ahead. Sample 2 is tight (2 ms) and the agent read its clock 0.5 ms after the middle.
  const offset = estimateOffset([
    { sentMs: 10, receivedMs: 30, remoteMs: 1012 },
    { sentMs: 40, receivedMs: 42, remoteMs: 1041.5 },
    { sentMs: 50, receivedMs: 58, remoteMs: 1050 },
  ]);
  assert.deepEqual(offset, { offsetMs: 1000.5, rttMs: 2, uncertaintyMs: 1, samples: 3 });
  assert.throws(() => estimateOffset([]), /no samples/);
});

test("a remote worker's times are moved onto our clock; other messages pass unchanged", () => {
  const negotiated = { protocol: 'TLSv1.3', suite: 'TLS_AES_128_GCM_SHA256' };
  const sent: SenderReport = {
    type: 'sent',
    id: 1,
    bytesWritten: 5,
    firstByteAtMs: 1500,
    negotiated,
    error: null,
    cpuMs: 1,
    rssPeakBytes: 2,
  };
  const received: ReceiverReport = {
    type: 'received',
    id: 1,
    bytesReceived: 5,
    crc32c: 7,
    closeNotify: true,
    declaredBytes: null,
    handshakeMs: 3,
    doneAtMs: 1600,
    negotiated,
    error: null,
    cpuMs: 1,
    rssPeakBytes: 2,
  };
  assert.deepEqual(toLocalTimes(sent, 1000), { ...sent, firstByteAtMs: 500 });
  assert.deepEqual(toLocalTimes(received, 1000), { ...received, doneAtMs: 600, handshakeMs: 3 });
  assert.deepEqual(toLocalTimes({ ...sent, firstByteAtMs: null }, 1000), { ...sent, firstByteAtMs: null });
  const progress = { type: 'progress', id: 1, bytes: 9 } as const;
  assert.equal(toLocalTimes(progress, 1000), progress);
});

test('the report rows of an agent run: where, what build, which clock offset', () => {
  const host = {
    hostname: 'bench-b',
    node: 'v20.20.2',
    openssl: '3.0.19',
    kernel: '6.1.0',
    platform: 'linux',
    arch: 'x64',
    cpuModel: 'AMD EPYC',
    cores: 2,
    address: '10.77.0.2',
  };
  const session = {
    agent: host,
    orchestrator: { hostname: 'bench-a', address: '10.77.0.1' },
    clock: { offsetMs: 1000.25, rttMs: 0.2, uncertaintyMs: 0.1, samples: 8 },
  };
  const run = {
    context: {
      agent: {
        agent: '10.77.0.2:7000',
        role: 'receiver' as const,
        dataHost: '10.77.0.1',
        sessions: [session, session],
      },
    },
  } as unknown as RunResult;
  assert.deepEqual(agentRows(run), [
    [
      'agent',
      'receiver worker on 10.77.0.2:7000 (bench-b, address 10.77.0.2); this host bench-a at 10.77.0.1; data ' +
        'connection via 10.77.0.1',
    ],
    ['agent build', 'Node v20.20.2, OpenSSL 3.0.19, linux x64, kernel 6.1.0, AMD EPYC x2'],
    ['agent clock', 'offset 1000.250 ms ± 0.100 ms (best of 8 round trips, 0.200 ms); 2 session(s)'],
  ]);
  assert.deepEqual(agentRows({ context: { agent: null } } as unknown as RunResult), []);
});
