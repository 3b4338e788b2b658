import type { Outcome } from '../outcome.ts';
import type { ReceiverModeName } from './strategies.ts';

/**
 * How a receiver decides that the stream is over, and so which failures its
 * own logic would notice. One entry per mode.
 */
export interface ReceiverMode {
  readonly description: string;
  /** The sender puts a `<size>\r\n` line (as Kvrocks does) before the bytes. */
  readonly framed: boolean;
  /** The receiver answers `+OK\r\n` once the count is met; the sender ends only after it. */
  readonly ack: boolean;
  /**
   * Would a receiver of this kind have known that something went wrong? An
   * outcome that lost or damaged data and that this returns false for is
   * silent data loss.
   */
  readonly notices: (o: Outcome) => boolean;
}

const ERRORS: ReadonlySet<Outcome['kind']> = new Set([
  'reset',
  'tls-error',
  'stalled',
  'handshake-failed',
  'worker-crashed',
]);

export const RECEIVER_MODES_TABLE: Readonly<Record<ReceiverModeName, ReceiverMode>> = {
  'until-eof': {
    description: 'reads until the stream ends and trusts that end (the common, naive receiver)',
    framed: false,
    ack: false,
    // An EOF looks the same whether or not every byte came: only errors show.
    notices: (o) => ERRORS.has(o.kind),
  },
  framed: {
    description:
      'reads a size line, then exactly that many bytes (as a replica reads each file of a full sync); EOF ' +
      'before the count is an error',
    framed: true,
    ack: false,
    notices: (o) => ERRORS.has(o.kind) || o.bytesReceived !== o.bytesExpected,
  },
  'framed-ack': {
    description:
      'framed, and replies +OK when the count is met; the sender closes only after the ack (the robust protocol)',
    framed: true,
    ack: true,
    notices: (o) => ERRORS.has(o.kind) || o.bytesReceived !== o.bytesExpected,
  },
};

export const ACK = Buffer.from('+OK\r\n');

export function sizeLine(bytes: number): Buffer {
  return Buffer.from(`${bytes}\r\n`);
}
