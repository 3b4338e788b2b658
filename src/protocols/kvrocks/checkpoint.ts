/**
 * A synthetic RocksDB checkpoint, as a Kvrocks master would take for a full
 * sync: SST files `000101.sst`, `000102.sst`, ... (each a cached, verified
 * fixture), then a small `MANIFEST-000100` and `CURRENT`.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { writeFileAtomic } from '../../atomic-write.ts';
import { formatBytes } from '../../config/units.ts';
import { usageError } from '../../errors.ts';
import type { FixtureCache } from '../../fixtures/cache.ts';
import { maskCrc, writeVarint } from '../../sst/format.ts';
import { writeInternalKey } from '../../sst/keys.ts';
import { MAX_FIXTURE_BYTES, MIN_FIXTURE_BYTES } from '../../sst/writer.ts';
import type { Fixture, FixtureProfile } from '../../fixtures/types.ts';

export interface CheckpointSpec {
  /** Bytes of SST data in all (MANIFEST and CURRENT come on top). */
  readonly totalBytes: number;
  /** Size of each SST file; the last one takes the remainder. */
  readonly fileBytes: number;
  /** Base seed; file i (0-based) is the fixture of seed `seed + i`. */
  readonly seed: number;
  readonly profile: FixtureProfile;
}

export interface CheckpointFile {
  readonly name: string;
  readonly path: string;
  readonly sizeBytes: number;
  readonly crc32c: number;
}

export interface Checkpoint {
  readonly spec: CheckpointSpec;
  /** Where MANIFEST and CURRENT were written (the SST files stay in the fixture cache). */
  readonly dir: string;
  /** In the order the master lists them: SST files, MANIFEST, CURRENT. */
  readonly files: readonly CheckpointFile[];
  /** Sum of every file's size: what a full sync moves. */
  readonly totalBytes: number;
}

/** The MANIFEST's file number; SST files are numbered from the next one. */
const MANIFEST_NUMBER = 100;
export const MANIFEST_NAME = `MANIFEST-${String(MANIFEST_NUMBER).padStart(6, '0')}`;
export const CURRENT_NAME = 'CURRENT';

export function sstName(index: number): string {
  return `${String(MANIFEST_NUMBER + 1 + index).padStart(6, '0')}.sst`;
}

/**
 * Pure: the SST file sizes for a checkpoint. Full files of `fileBytes`, the
 * last takes the remainder; a remainder below the smallest fixture is merged
 * into the file before it.
 */
export function planCheckpoint(totalBytes: number, fileBytes: number): number[] {
  const min = formatBytes(MIN_FIXTURE_BYTES);
  if (!Number.isSafeInteger(totalBytes) || totalBytes < MIN_FIXTURE_BYTES) {
    throw usageError(
      `checkpoint size ${String(totalBytes)} bytes is too small: expected a whole number of bytes, at least ${min}`,
    );
  }
  if (
    !Number.isSafeInteger(fileBytes) ||
    fileBytes < MIN_FIXTURE_BYTES ||
    fileBytes > MAX_FIXTURE_BYTES - MIN_FIXTURE_BYTES
  ) {
    throw usageError(
      `checkpoint file size ${String(fileBytes)} bytes is not supported: expected ${min} to ` +
        `${formatBytes(MAX_FIXTURE_BYTES - MIN_FIXTURE_BYTES)}`,
    );
  }
  const full = Math.floor(totalBytes / fileBytes);
  const rest = totalBytes - full * fileBytes;
  if (full === 0) return [totalBytes];
  const sizes = new Array<number>(full).fill(fileBytes);
  if (rest >= MIN_FIXTURE_BYTES) sizes.push(rest);
  else sizes[full - 1] = fileBytes + rest;
  return sizes;
}

/**
 * The checkpoint for `spec`: fixtures from the cache (generated if missing),
 * MANIFEST and CURRENT written under `<cache dir>/kvrocks/<spec>/` if they are
 * not there already with the same content.
 */
export async function buildCheckpoint(cache: FixtureCache, spec: CheckpointSpec): Promise<Checkpoint> {
  const sizes = planCheckpoint(spec.totalBytes, spec.fileBytes);
  const fixtures: Fixture[] = [];
  // One at a time: generation is CPU-bound and the cache's manifest is rewritten per fixture.
  for (const [i, sizeBytes] of sizes.entries()) {
    fixtures.push(await cache.ensure({ sizeBytes, seed: spec.seed + i, profile: spec.profile }));
  }
  const dir = join(
    cache.dir,
    'kvrocks',
    `checkpoint-${formatBytes(spec.totalBytes)}-${formatBytes(spec.fileBytes)}-${spec.profile}-seed${spec.seed}`,
  );
  await mkdir(dir, { recursive: true });
  const manifest = encodeManifest(fixtures);
  const current = Buffer.from(`${MANIFEST_NAME}\n`, 'latin1');
  const files: CheckpointFile[] = fixtures.map((f, i) => ({
    name: sstName(i),
    path: f.path,
    sizeBytes: f.sizeBytes,
    crc32c: f.crc32c,
  }));
  for (const [name, bytes] of [
    [MANIFEST_NAME, manifest],
    [CURRENT_NAME, current],
  ] as const) {
    const path = join(dir, name);
    const existing = await readFile(path).catch(() => null);
    if (!existing?.equals(bytes)) await writeFileAtomic(path, bytes);
    files.push({ name, path, sizeBytes: bytes.length, crc32c: crc32c(bytes) });
  }
  return { spec, dir, files, totalBytes: files.reduce((n, f) => n + f.sizeBytes, 0) };
}

// RocksDB VersionEdit tags (db/version_edit.h) and log format (db/log_format.h).
const TAG_COMPARATOR = 1;
const TAG_LOG_NUMBER = 2;
const TAG_NEXT_FILE_NUMBER = 3;
const TAG_LAST_SEQUENCE = 4;
const TAG_NEW_FILE4 = 103;
const NEW_FILE4_TERMINATE = 1;
const LOG_BLOCK_BYTES = 32 * 1024;
const LOG_HEADER_BYTES = 7;
const LOG_FULL = 1;
const LOG_FIRST = 2;
const LOG_MIDDLE = 3;
const LOG_LAST = 4;
/** Upper bound of one NewFile4 entry: tags, numbers, two internal keys of at most 40 bytes, sequence numbers. */
const MAX_NEW_FILE_BYTES = 128;

/**
 * A MANIFEST in RocksDB's log format holding one VersionEdit that adds every
 * SST file to level 0 (keys and sequence numbers from the fixture key scheme).
 * `ldb manifest_dump` decodes it; it is not a consistent database (every
 * fixture numbers its entries from 1, so L0 files share sequence numbers and
 * RocksDB's consistency check refuses to open it). Nothing opens it: the file
 * is there so the sync moves what a real one moves, with deterministic bytes.
 */
export function encodeManifest(fixtures: readonly Fixture[]): Buffer {
  const edit = Buffer.alloc(64 + fixtures.length * MAX_NEW_FILE_BYTES);
  let p = 0;
  const varint = (v: number): void => {
    p = writeVarint(edit, p, v);
  };
  const bytes = (b: Uint8Array): void => {
    varint(b.length);
    edit.set(b, p);
    p += b.length;
  };
  const key = new Uint8Array(64);
  const internalKey = (profile: FixtureProfile, index: number): Uint8Array =>
    key.slice(0, writeInternalKey(profile, index, key));
  varint(TAG_COMPARATOR);
  bytes(Buffer.from('leveldb.BytewiseComparator', 'latin1'));
  varint(TAG_LOG_NUMBER);
  varint(0);
  varint(TAG_NEXT_FILE_NUMBER);
  varint(MANIFEST_NUMBER + 1 + fixtures.length);
  varint(TAG_LAST_SEQUENCE);
  varint(fixtures.reduce((m, f) => Math.max(m, f.entries), 0));
  for (const [i, f] of fixtures.entries()) {
    varint(TAG_NEW_FILE4);
    varint(0); // level
    varint(MANIFEST_NUMBER + 1 + i);
    varint(f.sizeBytes);
    bytes(internalKey(f.profile, 0));
    bytes(internalKey(f.profile, f.entries - 1));
    varint(1); // smallest sequence number: entry i has i + 1
    varint(f.entries);
    varint(NEW_FILE4_TERMINATE);
  }
  return encodeLogRecord(edit.subarray(0, p));
}

/**
 * One log record, fragmented across 32 KiB blocks as RocksDB's log::Writer
 * does (a block tail too short for a header is zero-filled). A checkpoint of
 * a few hundred files outgrows one block.
 */
function encodeLogRecord(payload: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  let blockOffset = 0;
  let left = payload;
  let first = true;
  do {
    const leftover = LOG_BLOCK_BYTES - blockOffset;
    if (leftover < LOG_HEADER_BYTES) {
      parts.push(Buffer.alloc(leftover));
      blockOffset = 0;
    }
    const n = Math.min(left.length, LOG_BLOCK_BYTES - blockOffset - LOG_HEADER_BYTES);
    const last = n === left.length;
    const type = first && last ? LOG_FULL : first ? LOG_FIRST : last ? LOG_LAST : LOG_MIDDLE;
    const fragment = left.subarray(0, n);
    const header = Buffer.alloc(LOG_HEADER_BYTES);
    // The CRC covers the type byte, then the fragment.
    header.writeUInt32LE(maskCrc(crc32c(fragment, crc32c(Buffer.from([type])))), 0);
    header.writeUInt16LE(n, 4);
    header[6] = type;
    parts.push(header, Buffer.from(fragment));
    blockOffset += LOG_HEADER_BYTES + n;
    left = left.subarray(n);
    first = false;
  } while (left.length > 0);
  return Buffer.concat(parts);
}
