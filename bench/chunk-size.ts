import type { Preset } from '../src/config/preset-types.ts';

/** Write size from 1 KiB to 16 MiB for the default TLS 1.3 suite: where does the curve flatten? */
export default {
  description: 'write size 1 KiB to 16 MiB, TLS_AES_128_GCM_SHA256, 64 MB and 512 MB, 5 iterations',
  settings: {
    sizes: ['64MB', '512MB'],
    chunks: ['1KiB', '4KiB', '8KiB', '16KiB', '32KiB', '64KiB', '256KiB', '1MiB', '4MiB', '16MiB'],
    tls: ['1.3'],
    suites: ['TLS_AES_128_GCM_SHA256'],
    iterations: 5,
    warmup: 1,
  },
} as const satisfies Preset;
