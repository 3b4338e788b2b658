import { formatBytes, parseBytes } from './units.ts';
import { usageError } from '../errors.ts';
import { resolveSuite } from '../tls/suites.ts';
import { applyLayers } from './layers.ts';
import { defaultsOf, option, optionTable, single, type OptionValues, type RawOptions } from './options.ts';
import { OPTIONS, SIZE_BOUNDS } from './schema.ts';

/** `5%` or `0.05`, between 0.1% and 50%. */
export function parseTolerance(text: string, flag = '--tolerance'): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!(value >= 0.001 && value <= 0.5))
    throw usageError(`${flag} "${text}" is not accepted: expected a fraction such as 5% or 0.05, from 0.1% to 50%`);
  return value;
}

/**
 * Every knob of `tls-sst-bench threshold`: one scenario (one value of each of
 * run's axes it varies, with its own defaults: the ending that loses data) and
 * the search. The fixture and address knobs are run's own entries.
 */
export const THRESHOLD_OPTIONS = [
  option({
    ...OPTIONS.shutdown,
    target: 'shutdown',
    valueName: 'name',
    parse: single(OPTIONS.shutdown.parse, 'threshold'),
    default: 'destroy',
    smoke: undefined,
  }),
  option({
    ...OPTIONS.writePath,
    target: 'writePath',
    valueName: 'name',
    parse: single(OPTIONS.writePath.parse, 'threshold'),
    default: 'buffered',
    smoke: undefined,
  }),
  option({
    ...OPTIONS.receiver,
    target: 'receiverMode',
    valueName: 'name',
    parse: single(OPTIONS.receiver.parse, 'threshold'),
    default: 'until-eof',
    smoke: undefined,
  }),
  option({
    ...OPTIONS.receiverPeer,
    target: 'receiverPeer',
    valueName: 'name',
    parse: single(OPTIONS.receiverPeer.parse, 'threshold'),
    default: 'node',
    smoke: undefined,
  }),
  option({
    key: 'suite',
    target: 'suite',
    flag: '--suite',
    valueName: 'name',
    description: 'cipher suite in OpenSSL spelling (see `tls-sst-bench ciphers`)',
    parse: (t) => resolveSuite(t),
    default: 'TLS_AES_128_GCM_SHA256',
  }),
  option({
    key: 'chunk',
    target: 'chunkBytes',
    flag: '--chunk',
    valueName: 'size',
    description: 'write size of the sender',
    parse: single(OPTIONS.chunks.parse, 'threshold'),
    default: '16KiB',
  }),
  option({
    key: 'min',
    target: 'minBytes',
    flag: '--min',
    valueName: 'size',
    description: 'smallest size searched',
    parse: (t, f) => parseBytes(t, f, SIZE_BOUNDS),
    default: '1MB',
  }),
  option({
    key: 'max',
    target: 'maxBytes',
    flag: '--max',
    valueName: 'size',
    description: 'largest size searched',
    parse: (t, f) => parseBytes(t, f, SIZE_BOUNDS),
    default: '1GB',
  }),
  option({
    key: 'trials',
    target: 'trials',
    flag: '--trials',
    valueName: 'n',
    description: 'transfers per probed size; one failure fails the size',
    parse: OPTIONS.iterations.parse,
    default: '3',
  }),
  option({
    key: 'tolerance',
    target: 'tolerance',
    flag: '--tolerance',
    valueName: 'fraction',
    description: 'stop when failing/passing sizes are this close',
    parse: parseTolerance,
    default: '5%',
  }),
  OPTIONS.stallTimeout,
  OPTIONS.seed,
  OPTIONS.host,
  OPTIONS.profile,
  OPTIONS.source,
  option({
    ...OPTIONS.out,
    description: 'folder that receives <run-id>/threshold.json',
    // threshold has always taken an empty --out as the default folder
    parse: (t) => (t === '' ? null : t),
  }),
  option({ ...OPTIONS.json, description: 'print threshold.json on stdout' }),
];

const THRESHOLD_TABLE = optionTable(THRESHOLD_OPTIONS);

export type ThresholdConfig = OptionValues<typeof THRESHOLD_OPTIONS>;
export type ThresholdRawConfig = RawOptions<typeof THRESHOLD_OPTIONS>;

/** The flags over the defaults, parsed, and checked against each other (the search range, the suite's key). */
export function resolveThresholdConfig(raw: ThresholdRawConfig): ThresholdConfig {
  const config = applyLayers(THRESHOLD_TABLE, defaultsOf(THRESHOLD_OPTIONS), [{ where: 'flags', raw }]);
  if (config.minBytes >= config.maxBytes)
    throw usageError(
      `--min "${raw.min}" is not accepted: expected a size below --max (${formatBytes(config.maxBytes)})`,
    );
  return config;
}
