import type { HttpsPreset } from '../src/protocols/https/config.ts';

/**
 * `npm run bench:https`: many replicas fetching a 64 MB SST at once over
 * HTTPS (1, 4 and 16 keep-alive connections, whole files), then one raw TLS
 * stream of the same file and suite for comparison. autocannon counts a
 * response only when it completes, so a cell must be long against one
 * response: at 16 connections a 64 MB response takes ~2 s on loopback, and
 * 30 s per cell keeps the bytes cut off at the end near 5% (20 s: ~9%) while
 * the whole preset stays near 1.5 minutes on 2 cores.
 */
const https = {
  description: '64 MB fetched whole by 1, 4 and 16 HTTPS connections (30 s each), beside one raw TLS stream',
  settings: {
    sizes: ['64MB'],
    connections: [1, 4, 16],
    mode: 'whole',
    duration: '30s',
    suite: 'TLS_AES_128_GCM_SHA256',
    key: 'ecdsa-p256',
  },
} as const satisfies HttpsPreset;

export default https;

/** The presets `https --preset` accepts (not in bench/index.ts: they are not `run` presets). */
export const HTTPS_PRESETS: Readonly<Record<string, HttpsPreset>> = { https };
