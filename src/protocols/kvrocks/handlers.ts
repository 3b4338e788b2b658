/** The Kvrocks worker side: the master runs in the sender worker, the replica in the receiver worker. */
import type { ProtocolHandlers } from '../types.ts';
import { onKvrocksMasterMessage } from './master.ts';
import type { KvrocksOrchestratorMessage } from './messages.ts';
import { onKvrocksFetch } from './replica.ts';

export const handlers: ProtocolHandlers<KvrocksOrchestratorMessage> = {
  sender: { 'kvrocks-serve': onKvrocksMasterMessage, 'kvrocks-stop': onKvrocksMasterMessage },
  receiver: { 'kvrocks-fetch': onKvrocksFetch },
};
