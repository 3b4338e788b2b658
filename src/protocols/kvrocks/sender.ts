/** The sender worker's side of a sync: the master. */
import type { WorkerHandlers } from '../types.ts';
import { onKvrocksMasterMessage } from './master.ts';
import type { KvrocksOrchestratorMessage } from './messages.ts';

export const handlers: WorkerHandlers<KvrocksOrchestratorMessage> = {
  'kvrocks-serve': onKvrocksMasterMessage,
  'kvrocks-stop': onKvrocksMasterMessage,
};
