import type { Preset } from '../src/config/presets.ts';

/** What `npm run bench` runs: a chunk x suite sweep over three sizes, in about a minute on 2 cores. */
export default {
  description: 'chunk size x suite sweep at 1 MB, 64 MB and 256 MB (TLS 1.3 and 1.2), 3 iterations',
  settings: {
    sizes: ['1MB', '64MB', '256MB'],
    chunks: ['4KiB', '16KiB', '64KiB', '1MiB'],
    tls: ['1.3', '1.2'],
    suites: ['TLS_AES_128_GCM_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    iterations: 3,
    warmup: 1,
  },
} as const satisfies Preset;
