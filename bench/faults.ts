import type { Preset } from '../src/config/preset-types.ts';

/**
 * Fault injection: a loopback proxy between sender and receiver cuts (FIN),
 * resets (RST), stalls or flips one byte of each 64 MB stream at a seeded
 * random offset. Every one must be classified as not complete.
 */
export default {
  description: '50 cuts, 20 byte flips, 10 resets and 2 stalls of a 64 MB stream, for a naive and a framed receiver',
  settings: {
    sizes: ['64MB'],
    chunks: ['64KiB'],
    tls: ['1.3'],
    suites: ['TLS_AES_128_GCM_SHA256'],
    receiver: ['until-eof', 'framed'],
    faults: 'fin:50,flip:20,rst:10,stall:2',
    stallTimeout: '2s',
  },
} as const satisfies Preset;
