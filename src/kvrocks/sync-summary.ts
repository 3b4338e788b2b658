import type { KvrocksSyncRecord } from './sync.ts';

// A leaf: results.ts keeps this on its records, and record.ts (which builds records) must not be on results.ts's import path.

/** A full sync's own summary, kept on the transfer record of that sync. */
export interface SyncSummary {
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly files: number;
  readonly streams: number;
  readonly synced: boolean;
  readonly attemptsDetail: KvrocksSyncRecord['attemptsDetail'];
}
