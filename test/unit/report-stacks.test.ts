import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeScenario } from '../../src/matrix.ts';
import type { Observed, Outcome } from '../../src/outcome.ts';
import type { RunResult, TransferRecord } from '../../src/results.ts';
import { showsStacks, stackCellText, stacksMatrix, stacksTable } from '../../src/report/stacks.ts';
import type { ReceiverPeerName, SenderPeerName, ShutdownStrategyName } from '../../src/transfer/strategies.ts';
import { fakeRecord } from '../support/fake-run.ts';

interface Spec {
  readonly sender?: SenderPeerName;
  readonly shutdown: ShutdownStrategyName;
  readonly receiver: ReceiverPeerName;
  readonly kind: Outcome['kind'];
  readonly code?: string;
  readonly closeNotify: Observed;
  readonly received?: number;
  readonly silent?: boolean;
  readonly warmup?: boolean;
}

const SIZE = 1_000_000;

function record(s: Spec, iteration = 0): TransferRecord {
  const scenario = makeScenario({
    sizeBytes: SIZE,
    chunkBytes: 65536,
    shutdown: s.shutdown,
    receiverPeer: s.receiver,
    senderPeer: s.sender ?? 'node',
  });
  return fakeRecord(
    scenario,
    { kind: s.kind, received: s.received ?? SIZE, errorCode: s.code ?? null },
    {
      runId: 'stacks',
      iteration,
      warmup: s.warmup ?? false,
      source: 'file',
      suiteNegotiated: null,
      protocolNegotiated: null,
      handshakeMs: null,
      durationMs: 10,
      mbPerSec: 100,
      closeNotify: s.closeNotify,
      receiverNoticed: !s.silent,
      silentLoss: s.silent ?? false,
      wallMs: 12,
    },
  );
}

const runOf = (records: TransferRecord[]): RunResult => ({ records, scenarios: [] }) as unknown as RunResult;

test('rows are sender x ending x size, columns the receivers in the order node, openssl, gnutls', () => {
  const run = runOf([
    record({
      shutdown: 'destroy-after-flush',
      receiver: 'gnutls',
      kind: 'tls-error',
      code: 'GNUTLS_E_PREMATURE_TERMINATION',
      closeNotify: false,
    }),
    record({ shutdown: 'destroy-after-flush', receiver: 'node', kind: 'complete-unclean', closeNotify: false }),
    record({
      shutdown: 'destroy-after-flush',
      receiver: 'openssl',
      kind: 'tls-error',
      code: '0A000126',
      closeNotify: false,
    }),
    record({ sender: 'openssl', shutdown: 'end', receiver: 'node', kind: 'complete', closeNotify: true }),
    record({
      shutdown: 'destroy',
      receiver: 'node',
      kind: 'truncated',
      closeNotify: null,
      received: 500_000,
      silent: true,
    }),
    record({ shutdown: 'destroy', receiver: 'node', kind: 'complete', closeNotify: true, warmup: true }),
  ]);
  assert.deepEqual(stacksMatrix(run).receivers, ['node', 'openssl', 'gnutls']);
  assert.deepEqual(stacksTable(run), {
    header: ['sender', 'shutdown', 'write', 'size', 'node receiver', 'openssl receiver', 'gnutls receiver'],
    rows: [
      [
        'node',
        'destroy-after-flush',
        'backpressure',
        '1.0 MB',
        'complete-unclean, no close_notify',
        'tls-error 0A000126, no close_notify',
        'tls-error GNUTLS_E_PREMATURE_TERMINATION, no close_notify',
      ],
      ['node', 'destroy', 'backpressure', '1.0 MB', 'truncated, close_notify unknown, -500.0 KB, SILENT', '-', '-'],
      ['openssl', 'end', 'backpressure', '1.0 MB', 'complete, close_notify', '-', '-'],
    ],
  });
  assert.equal(showsStacks(run), true);
});

test('a cell over several transfers counts each outcome and close_notify', () => {
  const run = runOf([
    record({ shutdown: 'tcp-fin', receiver: 'openssl', kind: 'tls-error', code: '0A000126', closeNotify: false }, 0),
    record({ shutdown: 'tcp-fin', receiver: 'openssl', kind: 'complete', closeNotify: true }, 1),
    record({ shutdown: 'tcp-fin', receiver: 'openssl', kind: 'tls-error', code: '0A000126', closeNotify: false }, 2),
  ]);
  const cell = stacksMatrix(run).rows[0]!.cells.get('openssl')!;
  assert.equal(stackCellText(cell), 'tls-error 2/3, complete 1/3 0A000126, close_notify 1/3, no close_notify 2/3');
});

test('not shown for a run of Node to Node only', () => {
  const run = runOf([
    record({ shutdown: 'end', receiver: 'node', kind: 'complete', closeNotify: true }),
    record({ shutdown: 'destroy', receiver: 'node', kind: 'complete-unclean', closeNotify: false }),
  ]);
  assert.equal(showsStacks(run), false);
});
