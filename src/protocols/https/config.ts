import { applyLayers, type RawValue } from '../../config/layers.ts';
import { OPTIONS, SIZE_BOUNDS } from '../../config/schema.ts';
import { formatBytes, parseBytes, parseBytesList, parseDurationMs, splitList } from '../../config/units.ts';
import { BenchError, usageError } from '../../errors.ts';
import { KEY_TYPES, parseKeyType, resolveSuite, type TlsVersion } from '../../tls/suites.ts';
import { defaultsOf, option, optionTable, type OptionValues, type RawOptions } from '../../config/options.ts';

/** `whole`: GET the file; `range`: GET one chunk-sized `Range` at a random chunk-aligned offset. */
export const HTTPS_MODES = ['whole', 'range'] as const;
export type HttpsMode = (typeof HTTPS_MODES)[number];

/** A range request is 1 KiB to 1 GiB (and never more than the smallest size). */
export const RANGE_CHUNK_BOUNDS = { min: 1024, max: 2 ** 30 } as const;
export const CONNECTION_BOUNDS = { min: 1, max: 1024 } as const;
export const DURATION_BOUNDS = { min: 200, max: 3_600_000 } as const;
export const TIMEOUT_BOUNDS = { min: 1000, max: 3_600_000 } as const;

function integerList(bounds: { min: number; max: number }) {
  return (text: string, flag: string): number[] => {
    const values = splitList(text, flag).map((item) => {
      const n = Number(item);
      if (!/^\d+$/.test(item) || !Number.isSafeInteger(n) || n < bounds.min || n > bounds.max) {
        throw usageError(
          `${flag} "${item}" is not accepted: expected whole numbers from ${bounds.min} to ${bounds.max}, e.g. 1,4,16`,
        );
      }
      return n;
    });
    return [...new Set(values)];
  };
}

/**
 * Every knob of the https command, once: its key (also the preset key), flag,
 * help, parser and default; HttpsConfig, the flags and their --help come from it.
 */
export const HTTPS_OPTIONS = [
  option({
    key: 'sizes',
    target: 'sizes',
    flag: '--sizes',
    valueName: 'list',
    description: 'fixture sizes, e.g. 1MB,64MB',
    parse: (t, f) => parseBytesList(t, f, SIZE_BOUNDS),
    default: '64MB',
  }),
  option({
    key: 'connections',
    target: 'connections',
    flag: '--connections',
    valueName: 'list',
    description: 'concurrent HTTPS connections (replicas), e.g. 1,4,16',
    parse: integerList(CONNECTION_BOUNDS),
    default: '1,4,16',
  }),
  option({
    key: 'duration',
    target: 'durationMs',
    flag: '--duration',
    valueName: 'duration',
    description: 'how long autocannon drives each cell, e.g. 5s',
    parse: (t, f) => parseDurationMs(t, f, DURATION_BOUNDS),
    default: '5s',
  }),
  option({
    key: 'mode',
    target: 'modes',
    flag: '--mode',
    valueName: 'list',
    description:
      'whole (GET the file) or range (GET --range-chunk bytes at random chunk-aligned offsets); both: whole,range',
    parse: (t, f) =>
      [...new Set(splitList(t, f))].map((m) => {
        if ((HTTPS_MODES as readonly string[]).includes(m)) return m as HttpsMode;
        throw usageError(`${f} "${m}" is not accepted: expected one of ${HTTPS_MODES.join(', ')}`);
      }),
    default: 'whole',
  }),
  option({
    key: 'rangeChunk',
    target: 'rangeChunkBytes',
    flag: '--range-chunk',
    valueName: 'size',
    description: 'bytes per range request in --mode range',
    parse: (t, f) => parseBytes(t, f, RANGE_CHUNK_BOUNDS),
    default: '1MiB',
  }),
  option({
    key: 'suite',
    target: 'suite',
    flag: '--suite',
    valueName: 'name',
    description: 'the one cipher suite the server accepts, OpenSSL spelling',
    parse: (t, f) => {
      try {
        return resolveSuite(t).name;
      } catch (err) {
        // resolveSuite names `run`'s flag; this command's is singular.
        if (err instanceof BenchError) throw usageError(err.message.replace(/^--suites\b/, f));
        throw err;
      }
    },
    default: 'TLS_AES_128_GCM_SHA256',
  }),
  option({
    key: 'key',
    target: 'keyType',
    flag: '--key',
    valueName: 'type',
    description: `server key type: ${KEY_TYPES.join(', ')}`,
    parse: (t) => parseKeyType(t),
    default: 'ecdsa-p256',
  }),
  option({
    key: 'timeout',
    target: 'timeoutMs',
    flag: '--timeout',
    valueName: 'duration',
    description: 'autocannon request timeout, request sent to response complete',
    parse: (t, f) => parseDurationMs(t, f, TIMEOUT_BOUNDS),
    default: '30s',
  }),
  // the same flags, meaning and checks as `run`'s
  OPTIONS.out,
  OPTIONS.json,
];

const HTTPS_TABLE = optionTable(HTTPS_OPTIONS);

/** The validated settings of `tls-sst-bench https`. Axes are arrays: cells are size x mode x connections. */
export interface HttpsConfig extends OptionValues<typeof HTTPS_OPTIONS> {
  readonly preset: string | undefined;
  /** The suite's own version: a suite runs only under it. */
  readonly tlsVersion: TlsVersion;
}

export type HttpsConfigKey = keyof typeof HTTPS_TABLE;
export const HTTPS_CONFIG_KEYS = Object.keys(HTTPS_TABLE) as HttpsConfigKey[];

export type HttpsRawValue = RawValue;
export type HttpsRawConfig = RawOptions<typeof HTTPS_OPTIONS>;

/** A preset of the https command: settings in the same keys and spelling as its flags' names. */
export interface HttpsPreset {
  readonly description: string;
  readonly settings: Readonly<HttpsRawConfig>;
}

/**
 * Merges layers (later wins: preset, then flags), parses every value and
 * checks the values against each other (suite and key, range chunk and sizes).
 */
export function resolveHttpsConfig(
  layers: readonly { where: string; raw: HttpsRawConfig }[],
  preset?: string,
): HttpsConfig {
  const parsed = applyLayers(HTTPS_TABLE, defaultsOf(HTTPS_OPTIONS), layers);
  const suite = resolveSuite(parsed.suite);
  if (!suite.keyTypes.includes(parsed.keyType)) {
    throw usageError(
      `--key "${parsed.keyType}" cannot serve --suite ${suite.name}: expected ${suite.keyTypes.join(' or ')}`,
    );
  }
  if (parsed.modes.includes('range')) {
    const smallest = Math.min(...parsed.sizes);
    if (parsed.rangeChunkBytes > smallest) {
      throw usageError(
        `--range-chunk "${formatBytes(parsed.rangeChunkBytes)}" is larger than the smallest size ` +
          `${formatBytes(smallest)}: expected at most that`,
      );
    }
  }
  return { ...parsed, preset, tlsVersion: suite.version };
}
