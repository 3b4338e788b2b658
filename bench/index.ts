import chunkSize from './chunk-size.ts';
import ciphers from './ciphers.ts';
import faults from './faults.ts';
import full from './full.ts';
import interop from './interop.ts';
import kvrocksFullsync from './kvrocks-fullsync.ts';
import quick from './quick.ts';
import shutdown from './shutdown.ts';

/** Every preset `--preset` accepts; each has an `npm run bench:<name>` script. Add one: a file and a line. */
export const PRESETS = {
  quick,
  'chunk-size': chunkSize,
  ciphers,
  full,
  interop,
  faults,
  'kvrocks-fullsync': kvrocksFullsync,
  shutdown,
} as const;
