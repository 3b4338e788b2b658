/**
 * What handing bytes to the checker thread costs the read loop, against
 * checking them inline: the read loop's own time per GB, feeding in-memory chunks of the sizes a TLS read delivers
 * through
 * the receiver's RingWriter and checker thread. The bytes go in batches of
 * half the ring, and the loop sleeps (no CPU) until the checker has caught
 * up, as it does in a transfer, where the checker is several times faster
 * than TLS; so the ring never fills and what is measured is the hand-over:
 *   nothing          count only (the bare pipe's work)
 *   native inline    the suite's CRC32C (native/crc32c.c) on the read loop: the inline verifier, the default
 *   node-rs inline   @node-rs/crc32 on the read loop (the fallback's cost, were it inline)
 *   copy to ring     the 'data' read path: copy each chunk into the ring
 *   reserve+commit   the onread path: TLS decrypts into the ring; the loop only advances an index
 *
 *   npm run bench:handover [-- --gib 1]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { crc32c as portable } from '@node-rs/crc32';
import { CRC32C } from '../src/transfer/crc32c.ts';
import { checkerScript, removeWorkerBundle } from '../src/runner/worker-bundle.ts';
import { Checker } from '../src/transfer/checker.ts';

const { values } = parseArgs({ options: { gib: { type: 'string', default: '1' } } });
const total = Number(values.gib) * 2 ** 30;
const CHUNKS = [16 * 1024, 64 * 1024, 1024 * 1024];
// The thread runs the bundled checker (worker threads do not get tsx's loader).
const checker = new Checker(await checkerScript());
const w = checker.writer;
const BATCH = w.capacity / 2;

/**
 * The loop's time: each batch runs synchronously on this thread, so on a
 * quiet host (cpu-lock measure) its wall time is its CPU time. (Node 20 has
 * no per-thread CPU clock; process.cpuUsage counts the checker thread too.)
 */
function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

type Hand = (chunk: Buffer) => void;
let count = 0;
let crc = 0;
const HANDS: Record<string, Hand> = {
  nothing: (c) => void (count += c.length),
  native: (c) => {
    count += c.length;
    crc = CRC32C.fn(c, crc);
  },
  portable: (c) => {
    count += c.length;
    crc = portable(c, crc);
  },
  copy: (c) => {
    count += c.length;
    if (!w.push(c)) throw new Error('ring full: the batch is too big');
  },
  direct: (c) => {
    count += c.length;
    const part = w.reserve(c.length, c.length);
    if (part === null) throw new Error('ring full: the batch is too big');
    w.commit(c.length);
  },
};

/** Feeds `total` bytes; only the loop's CPU is counted, not its sleeps. */
async function run(hand: Hand, src: Buffer): Promise<number> {
  let cpu = 0;
  for (let sent = 0; sent < total;) {
    const t = nowMs();
    for (let b = 0; b < BATCH && sent < total; b += src.length, sent += src.length) hand(src);
    cpu += nowMs() - t;
    while (w.unchecked > 0) await sleep(1);
  }
  const r = await checker.result(await w.finish());
  if (hand === HANDS.copy || hand === HANDS.direct) {
    if (r.bytes !== total) throw new Error(`checker saw ${r.bytes} of ${total}`);
  }
  return cpu;
}

console.log(
  `read-loop ms per GB (10^9 B), ${values.gib} GiB per case, median of 5; Node ${process.versions.node}; ` +
    `CRC32C: ${CRC32C.implementation}`,
);
console.log('read size  nothing  native inline  node-rs inline  copy to ring (data)  reserve+commit (onread)');
for (const chunk of CHUNKS) {
  const src = Buffer.alloc(chunk, 0x5a);
  const cells: string[] = [];
  for (const hand of Object.values(HANDS)) {
    await run(hand, src); // warm-up
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) ms.push(await run(hand, src));
    ms.sort((a, b) => a - b);
    cells.push((ms[2]! / (total / 1e9)).toFixed(1));
  }
  const widths = [7, 13, 14, 19, 23];
  console.log(`${`${chunk / 1024}KiB`.padStart(9)}  ${cells.map((c, i) => c.padStart(widths[i]!)).join('  ')}`);
}
await removeWorkerBundle();
process.exit(0);
