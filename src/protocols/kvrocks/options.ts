/** The flags only a Kvrocks sync reads, entries of the main option table (which lists them after --protocol). */
import { SIZE_BOUNDS } from '../../config/bounds.ts';
import { option } from '../../config/options.ts';
import { integer, oneOf } from '../../config/parsers.ts';
import { parseBytes, parseBytesList, parseDurationMs, splitList } from '../../config/units.ts';

/** The config keys its options write (besides --checkpoint, another name for --sizes). */
export interface KvrocksConfig {
  /** Parallel file connections (1 or 4). */
  readonly streams: readonly number[];
  /** Checkpoint file size (the sizes are checkpoint totals). */
  readonly fileBytes: number;
  readonly maxAttempts: number;
  readonly retryDelayMs: number;
}

export const KVROCKS_OPTIONS = [
  option({
    key: 'checkpoint',
    target: 'sizes',
    flag: '--checkpoint',
    valueName: 'list',
    // no default of its own: it is --sizes
    description: 'with --protocol kvrocks: checkpoint sizes (the same axis as --sizes), e.g. 250MB',
    parse: (t, f) => parseBytesList(t, f, SIZE_BOUNDS),
  }),
  option({
    key: 'fileSize',
    target: 'fileBytes',
    flag: '--file-size',
    valueName: 'size',
    description: 'with --protocol kvrocks: size of each checkpoint SST file (the last takes the rest)',
    parse: (t, f) => parseBytes(t, f, SIZE_BOUNDS),
    default: '64MB',
  }),
  option({
    key: 'streams',
    target: 'streams',
    flag: '--streams',
    valueName: 'list',
    description: 'with --protocol kvrocks: file connections, 1 or 4 (file i on connection i mod n)',
    parse: (t, f) => [
      ...new Set(
        splitList(t, f)
          .map((x) => oneOf(['1', '4'] as const)(x, f))
          .map(Number),
      ),
    ],
    default: '1',
    smoke: 'first',
  }),
  option({
    key: 'maxAttempts',
    target: 'maxAttempts',
    flag: '--max-attempts',
    valueName: 'n',
    description: 'with --protocol kvrocks: a failed sync is retried whole, up to this many attempts',
    parse: integer(1, 100),
    default: '3',
  }),
  option({
    key: 'retryDelay',
    target: 'retryDelayMs',
    flag: '--retry-delay',
    valueName: 'duration',
    description: 'with --protocol kvrocks: wait before a retry (Kvrocks waits 10s)',
    parse: (t, f) => parseDurationMs(t, f, { min: 0, max: 600_000 }),
    default: '200ms',
  }),
] as const;
