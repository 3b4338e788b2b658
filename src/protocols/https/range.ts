/** What a request's `Range` header asks of a file of `size` bytes. */
export type RangeRequest =
  | { readonly kind: 'whole' }
  | { readonly kind: 'range'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable'; readonly reason: string };

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), `end` inclusive and
 * clipped to the file. Stricter than RFC 9110, which lets a server ignore a
 * malformed or multi-part Range and send 200: a benchmark client that asked for
 * a range and silently got the whole file would measure the wrong thing, so
 * anything but one well-formed satisfiable range is a 416.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const m = SINGLE.exec(header.trim());
  if (!m) return { kind: 'unsatisfiable', reason: `not one byte range: "${header}"` };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'unsatisfiable', reason: `empty range: "${header}"` };
  if (first === '') {
    const n = Number(last);
    if (n === 0) return { kind: 'unsatisfiable', reason: 'zero-length suffix' };
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size)
    return { kind: 'unsatisfiable', reason: `starts at ${first}, file has ${size} bytes` };
  if (last !== '' && Number(last) < start)
    return { kind: 'unsatisfiable', reason: `ends before it starts: "${header}"` };
  return { kind: 'range', start, end };
}

/** mulberry32: small, seeded, good enough to spread offsets; the same seed gives the same offsets. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Byte ranges of exactly `chunkBytes` at random chunk-aligned offsets (slot i
 * is bytes i*chunk .. (i+1)*chunk-1; a tail shorter than a chunk is never
 * asked for, so every request moves the same number of bytes).
 */
export function randomRanges(
  seed: number,
  sizeBytes: number,
  chunkBytes: number,
): () => { start: number; end: number } {
  const slots = Math.floor(sizeBytes / chunkBytes);
  if (slots < 1) throw new RangeError(`a ${chunkBytes}-byte range does not fit in ${sizeBytes} bytes`);
  const random = seededRandom(seed);
  return () => {
    const start = Math.floor(random() * slots) * chunkBytes;
    return { start, end: start + chunkBytes - 1 };
  };
}

export function rangeHeader(r: { start: number; end: number }): string {
  return `bytes=${r.start}-${r.end}`;
}
