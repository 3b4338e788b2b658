import { usageError } from '../errors.ts';
import { NativeProgram } from './native-build.ts';

/** peers/gnutls-sender.c, the GnuTLS sender peer. */
export const GNUTLS_SENDER = new NativeProgram({
  name: 'gnutls-sender',
  libs: ['-lgnutls'],
  pkgConfig: 'gnutls',
  header: '/usr/include/gnutls/gnutls.h',
  devPackage: 'libgnutls28-dev',
  devFiles: 'the GnuTLS development files',
});

let toolchainChecked = false;

/**
 * Throws a usage error (exit 2) when the GnuTLS sender cannot be built here:
 * no C compiler ($CC or cc) or no GnuTLS headers. Called before a run starts.
 */
export function checkGnutlsSenderToolchain(): void {
  if (toolchainChecked) return;
  const missing = GNUTLS_SENDER.missingToolchain();
  if (missing !== null) throw usageError(`--sender-peer "gnutls" needs ${missing}`);
  toolchainChecked = true;
}
