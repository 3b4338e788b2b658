import type { Preset } from '../src/config/preset-types.ts';

/**
 * What `npm run bench` runs, both halves of the suite in under 4 minutes on 2
 * cores: a chunk x suite sweep over three sizes, and a sweep of the ways of
 * ending a 64 MB stream, seen by a naive receiver, a framed one with an ack,
 * and OpenSSL. Each cell samples until its mean MB/s is known to ±3% (95%),
 * at least 5 transfers, at most 8 s of its transfers; the cells of a size
 * take turns (interleaved), so drift hits them alike. Each cell is shown
 * against plain TCP, native OpenSSL and the cipher, measured in the same run.
 */
export default {
  description: 'chunk x suite sweep at 1, 64, 256 MB; then how 7 ways of ending a 64 MB stream look to 3 receivers',
  settings: {
    sizes: ['1MB', '64MB', '256MB'],
    chunks: ['4KiB', '16KiB', '64KiB', '1MiB'],
    tls: ['1.3', '1.2'],
    suites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    iterations: 5,
    warmup: 1,
    targetRme: '3%',
    maxTime: '8s',
    // every cell beside its ceilings: a few transfers per lane measurement (src/runner/references.ts)
    reference: ['tcp', 'openssl', 'cipher'],
  },
  sweeps: [
    {
      // The onread twins of the chunk sweep's TLS 1.3 cells at 64 and 256 MB
      // (its data cells are the same ids, run once): the tuning answer weighs
      // the read path beside the chunk size.
      name: 'read-path',
      settings: {
        sizes: ['64MB', '256MB'],
        chunks: ['16KiB', '64KiB', '1MiB'],
        tls: ['1.3'],
        suites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256'],
        readPath: ['data', 'onread'],
      },
    },
    {
      name: 'endings',
      settings: {
        sizes: ['64MB'],
        chunks: ['64KiB'],
        tls: ['1.3'],
        suites: ['TLS_AES_128_GCM_SHA256'],
        shutdown: ['end', 'destroy', 'destroy-deferred', 'destroy-after-flush', 'tcp-fin', 'reset', 'exit'],
        writePath: ['buffered'],
        receiver: ['until-eof', 'framed-ack'],
        receiverPeer: ['node', 'openssl'],
        // outcomes, not rates: a fixed 3 transfers each, no rme target
        iterations: 3,
        targetRme: 'off',
      },
    },
  ],
} as const satisfies Preset;
