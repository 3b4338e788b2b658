import { applyLayers, type RawValue } from '../../config/layers.ts';
import { OPTIONS, SIZE_BOUNDS } from '../../config/schema.ts';
import { formatBytes, parseBytes, parseBytesList, parseDurationMs, splitList } from '../../config/units.ts';
import { BenchError, usageError } from '../../errors.ts';
import { KEY_TYPES, parseKeyType, resolveSuite, type KeyType, type TlsVersion } from '../../tls/suites.ts';

/** `whole`: GET the file; `range`: GET one chunk-sized `Range` at a random chunk-aligned offset. */
export const HTTPS_MODES = ['whole', 'range'] as const;
export type HttpsMode = (typeof HTTPS_MODES)[number];

/** A range request is 1 KiB to 1 GiB (and never more than the smallest size). */
export const RANGE_CHUNK_BOUNDS = { min: 1024, max: 2 ** 30 } as const;
export const CONNECTION_BOUNDS = { min: 1, max: 1024 } as const;
export const DURATION_BOUNDS = { min: 200, max: 3_600_000 } as const;
export const TIMEOUT_BOUNDS = { min: 1000, max: 3_600_000 } as const;

/** The validated settings of `tls-sst-bench https`. Axes are arrays: cells are size x mode x connections. */
export interface HttpsConfig {
  readonly preset: string | undefined;
  readonly sizes: readonly number[];
  readonly connections: readonly number[];
  /** How long autocannon drives each cell. */
  readonly durationMs: number;
  readonly modes: readonly HttpsMode[];
  readonly rangeChunkBytes: number;
  readonly suite: string;
  /** The suite's own version: a suite runs only under it. */
  readonly tlsVersion: TlsVersion;
  readonly keyType: KeyType;
  /** autocannon's per-request timeout (request written -> response complete). */
  readonly timeoutMs: number;
  readonly out: string | null;
  readonly json: boolean;
}

type Parsed = Omit<HttpsConfig, 'preset' | 'tlsVersion'>;

interface HttpsOptionSpec<K extends keyof Parsed> {
  readonly target: K;
  readonly flag: string;
  readonly valueName?: string;
  readonly description: string;
  readonly parse: (text: string, flag: string) => Parsed[K];
  readonly boolean?: true;
}

function integerList(bounds: { min: number; max: number }) {
  return (text: string, flag: string): number[] => {
    const values = splitList(text, flag).map((item) => {
      const n = Number(item);
      if (!/^\d+$/.test(item) || !Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
        throw usageError(`${flag} "${item}" is not accepted: expected whole numbers from ${bounds.min} to ${bounds.max}, e.g. 1,4,16`);
      }
      return n;
    });
    return [...new Set(values)];
  };
}

/** Every knob of the https command, once: its key (also the preset key), flag, help and parser. */
export const HTTPS_OPTIONS = {
  sizes: {
    target: 'sizes',
    flag: '--sizes',
    valueName: 'list',
    description: 'fixture sizes, e.g. 1MB,64MB (default 64MB)',
    parse: (t, f) => parseBytesList(t, f, SIZE_BOUNDS),
  },
  connections: {
    target: 'connections',
    flag: '--connections',
    valueName: 'list',
    description: 'concurrent HTTPS connections (replicas), e.g. 1,4,16 (default 1,4,16)',
    parse: integerList(CONNECTION_BOUNDS),
  },
  duration: {
    target: 'durationMs',
    flag: '--duration',
    valueName: 'duration',
    description: 'how long autocannon drives each cell, e.g. 5s (default 5s)',
    parse: (t, f) => parseDurationMs(t, f, DURATION_BOUNDS),
  },
  mode: {
    target: 'modes',
    flag: '--mode',
    valueName: 'list',
    description: 'whole (GET the file) or range (GET --range-chunk bytes at random chunk-aligned offsets); both: whole,range',
    parse: (t, f) =>
      [...new Set(splitList(t, f))].map((m) => {
        if ((HTTPS_MODES as readonly string[]).includes(m)) return m as HttpsMode;
        throw usageError(`${f} "${m}" is not accepted: expected one of ${HTTPS_MODES.join(', ')}`);
      }),
  },
  rangeChunk: {
    target: 'rangeChunkBytes',
    flag: '--range-chunk',
    valueName: 'size',
    description: 'bytes per range request in --mode range (default 1MiB)',
    parse: (t, f) => parseBytes(t, f, RANGE_CHUNK_BOUNDS),
  },
  suite: {
    target: 'suite',
    flag: '--suite',
    valueName: 'name',
    description: 'the one cipher suite the server accepts, OpenSSL spelling (default TLS_AES_128_GCM_SHA256)',
    parse: (t, f) => {
      try {
        return resolveSuite(t).name;
      } catch (err) {
        // resolveSuite names `run`'s flag; this command's is singular.
        if (err instanceof BenchError) throw usageError(err.message.replace(/^--suites\b/, f));
        throw err;
      }
    },
  },
  key: {
    target: 'keyType',
    flag: '--key',
    valueName: 'type',
    description: `server key type: ${KEY_TYPES.join(', ')} (default ecdsa-p256)`,
    parse: (t) => parseKeyType(t),
  },
  timeout: {
    target: 'timeoutMs',
    flag: '--timeout',
    valueName: 'duration',
    description: 'autocannon request timeout, request sent to response complete (default 30s)',
    parse: (t, f) => parseDurationMs(t, f, TIMEOUT_BOUNDS),
  },
  // the same flags, meaning and checks as `run`'s
  out: OPTIONS.out,
  json: OPTIONS.json,
} as const satisfies { readonly [key: string]: HttpsOptionSpec<keyof Parsed> };

export type HttpsConfigKey = keyof typeof HTTPS_OPTIONS;
export const HTTPS_CONFIG_KEYS = Object.keys(HTTPS_OPTIONS) as HttpsConfigKey[];

export type HttpsRawValue = RawValue;
export type HttpsRawConfig = Partial<Record<HttpsConfigKey, HttpsRawValue>>;

/** A preset of the https command: settings in the same keys and spelling as its flags' names. */
export interface HttpsPreset {
  readonly description: string;
  readonly settings: Readonly<HttpsRawConfig>;
}

export const HTTPS_DEFAULTS: Parsed = {
  sizes: [64e6],
  connections: [1, 4, 16],
  durationMs: 5000,
  modes: ['whole'],
  rangeChunkBytes: 2 ** 20,
  suite: 'TLS_AES_128_GCM_SHA256',
  keyType: 'ecdsa-p256',
  timeoutMs: 30_000,
  out: null,
  json: false,
};

/**
 * Merges layers (later wins: preset, then flags), parses every value and
 * checks the values against each other (suite and key, range chunk and sizes).
 */
export function resolveHttpsConfig(layers: readonly { where: string; raw: HttpsRawConfig }[], preset?: string): HttpsConfig {
  const parsed = applyLayers(HTTPS_OPTIONS, { ...HTTPS_DEFAULTS }, layers) as unknown as Parsed;
  const suite = resolveSuite(parsed.suite);
  if (!suite.keyTypes.includes(parsed.keyType)) {
    throw usageError(`--key "${parsed.keyType}" cannot serve --suite ${suite.name}: expected ${suite.keyTypes.join(' or ')}`);
  }
  if (parsed.modes.includes('range')) {
    const smallest = Math.min(...parsed.sizes);
    if (parsed.rangeChunkBytes > smallest) {
      throw usageError(`--range-chunk "${formatBytes(parsed.rangeChunkBytes)}" is larger than the smallest size ${formatBytes(smallest)}: expected at most that`);
    }
  }
  return { ...parsed, preset, tlsVersion: suite.version };
}
