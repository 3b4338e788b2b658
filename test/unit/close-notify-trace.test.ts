import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { CloseNotifyTally, countReceivedCloseNotify, receivedCloseNotify } from '../../src/transfer/close-notify.ts';

// Shapes of OpenSSL 3.0 SSL_trace output, as Node's enableTrace() prints them.
const record = (dir: 'Sent' | 'Received', inner: string) =>
  `${dir} Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = ApplicationData (23)\n  Length = ` +
  `19\n  Inner Content Type = ${inner}\n`;
const alert = '    Level=warning(1), description=close notify(0)\n';

test('a received close_notify alert is found', () => {
  assert.equal(
    receivedCloseNotify(record('Received', 'ApplicationData (23)') + record('Received', 'Alert (21)') + alert),
    true,
  );
});

test('our own close_notify (Sent) does not count', () => {
  assert.equal(
    receivedCloseNotify(record('Received', 'ApplicationData (23)') + record('Sent', 'Alert (21)') + alert),
    false,
  );
});

test('no alert at all', () => {
  assert.equal(receivedCloseNotify(record('Received', 'ApplicationData (23)').repeat(5)), false);
  assert.equal(receivedCloseNotify(''), false);
});

// OpenSSL 3.5 (Node 24) prints the messages without the record headers: the direction is lost.
const ticket = '    NewSessionTicket, Length=261\n        ticket_lifetime_hint=7200\n        No extensions\n\n';

test("OpenSSL 3.5 trace: a close_notify before the end mark is the peer's", () => {
  const received = ticket + alert;
  assert.equal(receivedCloseNotify(received + alert, received.length), true);
  assert.equal(receivedCloseNotify(received), true);
});

test('OpenSSL 3.5 trace: our own close_notify after the end mark does not count', () => {
  assert.equal(receivedCloseNotify(ticket + alert, ticket.length), false);
  assert.equal(receivedCloseNotify(ticket.repeat(3), ticket.length * 3), false);
});

// Several sockets of one process share the trace (a Kvrocks sync over 4 connections): counted, not attributed.
test('countReceivedCloseNotify counts the received alerts of interleaved sockets, never our own', () => {
  const got = record('Received', 'Alert (21)') + alert;
  const ours = record('Sent', 'Alert (21)') + alert;
  const data = record('Received', 'ApplicationData (23)');
  assert.equal(countReceivedCloseNotify(data + got + ours + data + got + ours + got + ours + data + got + ours), 4);
  assert.equal(countReceivedCloseNotify(data + got + ours + data + ours + ours + data), 1);
  assert.equal(countReceivedCloseNotify(data.repeat(4)), 0);
});

test('CloseNotifyTally.verdict: all sent it, none did, or unknown (nothing armed, detection off, direction lost)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsb-tally-'));
  try {
    const trace = join(dir, 'trace');
    writeFileSync(trace, 'before arming: not counted\n' + record('Received', 'Alert (21)') + alert);
    const fakeSocket = { enableTrace: () => undefined } as unknown as TLSSocket;
    const tally = new CloseNotifyTally(trace);
    assert.equal(tally.verdict(2), null, 'nothing armed');
    tally.arm(fakeSocket);
    tally.arm(fakeSocket);
    const got = record('Received', 'Alert (21)') + alert;
    appendFileSync(trace, got);
    assert.equal(tally.verdict(2), false, 'one of two');
    appendFileSync(trace, record('Sent', 'Alert (21)') + alert);
    assert.equal(tally.verdict(2), false, 'our own does not count');
    appendFileSync(trace, got);
    assert.equal(tally.verdict(2), true);
    assert.equal(tally.verdict(3), null, 'a socket that was not armed');
    assert.equal(new CloseNotifyTally(null).verdict(1), null, 'detection off');
    const noHeaders = join(dir, 'trace35');
    writeFileSync(noHeaders, '');
    const t35 = new CloseNotifyTally(noHeaders);
    t35.arm(fakeSocket);
    appendFileSync(noHeaders, ticket + alert);
    assert.equal(t35.verdict(1), null, 'OpenSSL 3.5: received and sent cannot be told apart');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
