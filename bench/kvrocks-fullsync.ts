import type { Preset } from '../src/config/preset-types.ts';

/**
 * The Kvrocks full sync over TLS (BACKGROUND.md): a 250 MB checkpoint of 64 MB
 * SST files plus MANIFEST and CURRENT, over 1 and 4 connections, 16 KiB master
 * writes, 4 KiB replica reads, a failed sync retried whole. `end` syncs; a
 * master that destroys its sockets after buffered writes fails every attempt.
 */
export default {
  description:
    '250 MB checkpoint (64 MB files) over 1 and 4 connections, end vs destroy after buffered writes, 3 attempts',
  settings: {
    protocol: 'kvrocks',
    checkpoint: ['250MB'],
    fileSize: '64MB',
    streams: ['1', '4'],
    chunks: ['16KiB'],
    tls: ['1.3'],
    suites: ['TLS_AES_128_GCM_SHA256'],
    shutdown: ['end', 'destroy'],
    writePath: ['buffered'],
    maxAttempts: 3,
    retryDelay: '200ms',
    iterations: 2,
    warmup: 0,
  },
} as const satisfies Preset;
