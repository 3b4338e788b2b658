import type { ReceiverModeName } from './strategies.ts';

/**
 * How a receiver decides that the stream is over. One entry per mode; the
 * receiver worker asks the mode after each event.
 */
export interface ReceiverMode {
  readonly description: string;
  /** Done when the byte count is met, without waiting for EOF? */
  readonly doneOnCount: boolean;
}

export const RECEIVER_MODES_TABLE: Readonly<Record<ReceiverModeName, ReceiverMode>> = {
  'until-eof': {
    description: 'reads until the stream ends and trusts that end (the common, naive receiver)',
    doneOnCount: false,
  },
};
