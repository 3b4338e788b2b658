/** The receiver worker's side of a sync: the replica. */
import type { WorkerHandlers } from '../types.ts';
import type { KvrocksOrchestratorMessage } from './messages.ts';
import { onKvrocksFetch } from './replica.ts';

export const handlers: WorkerHandlers<KvrocksOrchestratorMessage> = { 'kvrocks-fetch': onKvrocksFetch };
