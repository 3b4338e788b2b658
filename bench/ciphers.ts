import type { Preset } from '../src/config/preset-types.ts';

/** Every default suite of TLS 1.2 and 1.3, with both key types, at a typical and a large write size. */
export default {
  description:
    'all default suites of TLS 1.2 and 1.3, ECDSA and RSA keys where they apply, 16 KiB and 1 MiB writes, 256 MB',
  settings: {
    sizes: ['256MB'],
    chunks: ['16KiB', '1MiB'],
    tls: ['1.3', '1.2'],
    suites: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ],
    key: ['ecdsa-p256', 'rsa-2048'],
    iterations: 5,
    warmup: 1,
  },
} as const satisfies Preset;
