import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receivedCloseNotify } from '../src/transfer/close-notify.ts';

// Shapes of OpenSSL 3.0 SSL_trace output, as Node's enableTrace() prints them.
const record = (dir: 'Sent' | 'Received', inner: string) =>
  `${dir} Record\nHeader:\n  Version = TLS 1.2 (0x303)\n  Content Type = ApplicationData (23)\n  Length = 19\n  Inner Content Type = ${inner}\n`;
const alert = '    Level=warning(1), description=close notify(0)\n';

test('a received close_notify alert is found', () => {
  assert.equal(receivedCloseNotify(record('Received', 'ApplicationData (23)') + record('Received', 'Alert (21)') + alert), true);
});

test('our own close_notify (Sent) does not count', () => {
  assert.equal(receivedCloseNotify(record('Received', 'ApplicationData (23)') + record('Sent', 'Alert (21)') + alert), false);
});

test('no alert at all', () => {
  assert.equal(receivedCloseNotify(record('Received', 'ApplicationData (23)').repeat(5)), false);
  assert.equal(receivedCloseNotify(''), false);
});

// OpenSSL 3.5 (Node 24) prints the messages without the record headers: the direction is lost.
const ticket = '    NewSessionTicket, Length=261\n        ticket_lifetime_hint=7200\n        No extensions\n\n';

test('OpenSSL 3.5 trace: a close_notify before the end mark is the peer\'s', () => {
  const received = ticket + alert;
  assert.equal(receivedCloseNotify(received + alert, received.length), true);
  assert.equal(receivedCloseNotify(received), true);
});

test('OpenSSL 3.5 trace: our own close_notify after the end mark does not count', () => {
  assert.equal(receivedCloseNotify(ticket + alert, ticket.length), false);
  assert.equal(receivedCloseNotify(ticket.repeat(3), ticket.length * 3), false);
});
