import type { KvrocksSyncRecord } from './sync.ts';

// A leaf: the record detail of a sync (results.ts keeps it on its records through ../maps.ts).

/** A full sync's own summary, kept on the transfer record of that sync. */
export interface SyncSummary {
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly files: number;
  readonly streams: number;
  readonly synced: boolean;
  readonly attemptsDetail: KvrocksSyncRecord['attemptsDetail'];
}

declare module '../maps.ts' {
  interface ProtocolDetailMap {
    kvrocks: SyncSummary;
  }
}
