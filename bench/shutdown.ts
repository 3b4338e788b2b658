import type { Preset } from '../src/config/preset-types.ts';
import { SHUTDOWN_STRATEGIES } from '../src/transfer/strategies.ts';

/** Every shutdown strategy x write path x receiver mode at 1, 64 and 512 MB, plus OpenSSL's view. */
export default {
  description: 'every shutdown strategy x write path x receiver mode (and the OpenSSL receiver) at 1 MB, 64 MB, 512 MB',
  settings: {
    sizes: ['1MB', '64MB', '512MB'],
    chunks: ['64KiB'],
    tls: ['1.3'],
    suites: ['TLS_AES_128_GCM_SHA256'],
    shutdown: [...SHUTDOWN_STRATEGIES],
    writePath: ['backpressure', 'buffered'],
    receiver: ['until-eof', 'framed', 'framed-ack'],
    receiverPeer: ['node', 'openssl'],
    iterations: 2,
    warmup: 0,
  },
} as const satisfies Preset;
