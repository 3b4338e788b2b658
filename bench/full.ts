import type { Preset } from '../src/config/preset-types.ts';

/** The whole range, 1 MB to 1 GB: takes tens of minutes and about 1.4 GB of fixtures. */
export default {
  description: '1 MB to 1 GB x 4 chunk sizes x 3 TLS 1.3 suites + 1 TLS 1.2 suite, 5 iterations',
  settings: {
    sizes: ['1MB', '16MB', '64MB', '256MB', '1GB'],
    chunks: ['4KiB', '16KiB', '64KiB', '1MiB'],
    tls: ['1.3', '1.2'],
    suites: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
    ],
    iterations: 5,
    warmup: 1,
  },
} as const satisfies Preset;
