import { usageError } from '../errors.ts';
import type { TlsVersion } from './suites.ts';

/**
 * GnuTLS names a suite by its parts in a priority string, not by the OpenSSL
 * name this suite uses. These tables map the OpenSSL names to those parts; a
 * suite not here cannot be pinned for gnutls-cli / gnutls-serv.
 */
const TLS13_CIPHERS: Readonly<Record<string, string>> = {
  TLS_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
  TLS_AES_128_CCM_SHA256: 'AES-128-CCM',
  TLS_AES_128_CCM_8_SHA256: 'AES-128-CCM-8',
};

/** TLS 1.2: OpenSSL's key exchange prefix -> GnuTLS key exchange ('' is plain RSA key transport). */
const TLS12_KX: readonly (readonly [prefix: string, kx: string])[] = [
  ['ECDHE-ECDSA-', 'ECDHE-ECDSA'],
  ['ECDHE-RSA-', 'ECDHE-RSA'],
  ['', 'RSA'],
];

/** TLS 1.2: the rest of the OpenSSL name -> GnuTLS cipher and MAC. */
const TLS12_CIPHERS: Readonly<Record<string, readonly [cipher: string, mac: string]>> = {
  'AES128-GCM-SHA256': ['AES-128-GCM', 'AEAD'],
  'AES256-GCM-SHA384': ['AES-256-GCM', 'AEAD'],
  'CHACHA20-POLY1305': ['CHACHA20-POLY1305', 'AEAD'],
  'AES128-SHA': ['AES-128-CBC', 'SHA1'],
  'AES256-SHA': ['AES-256-CBC', 'SHA1'],
  'AES128-SHA256': ['AES-128-CBC', 'SHA256'],
  'AES256-SHA256': ['AES-256-CBC', 'SHA256'],
  'AES256-SHA384': ['AES-256-CBC', 'SHA384'],
};

/** The GnuTLS priority string that allows exactly this suite under this TLS version, or null. */
export function gnutlsPriorityOf(suite: string, version: TlsVersion): string | null {
  if (version === '1.3') {
    const cipher = TLS13_CIPHERS[suite];
    return cipher ? `NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+${cipher}:-MAC-ALL:+AEAD` : null;
  }
  for (const [prefix, kx] of TLS12_KX) {
    if (!suite.startsWith(prefix)) continue;
    const parts = TLS12_CIPHERS[suite.slice(prefix.length)];
    // 'ECDHE-RSA-…' must not fall through to plain RSA with a cipher named 'ECDHE-…'
    if (parts) return `NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+${kx}:-CIPHER-ALL:+${parts[0]}:-MAC-ALL:+${parts[1]}`;
    if (prefix !== '') return null;
  }
  return null;
}

/** The priority string for a suite, or a usage error naming the suites GnuTLS can be pinned to. */
export function gnutlsPriority(suite: string, version: TlsVersion, flag = '--suites'): string {
  const p = gnutlsPriorityOf(suite, version);
  if (p !== null) return p;
  const known = [
    ...Object.keys(TLS13_CIPHERS),
    ...TLS12_KX.flatMap(([prefix]) => Object.keys(TLS12_CIPHERS).map((c) => prefix + c)),
  ];
  throw usageError(
    `${flag} "${suite}" has no GnuTLS priority string, so a gnutls peer cannot use it: expected one of ` +
      `${known.join(', ')}`,
  );
}

/**
 * The suite's name in this suite's (OpenSSL's) spelling from the parts GnuTLS
 * names after a handshake (gnutls_kx_get_name, gnutls_cipher_get_name,
 * gnutls_mac_get_name): the inverse of the priority tables, so a requested
 * suite and the negotiated one compare by the same name. null when the parts
 * match no suite here.
 */
export function suiteFromGnutls(protocol: string, kx: string, cipher: string, mac: string): string | null {
  if (protocol === 'TLSv1.3') return Object.entries(TLS13_CIPHERS).find(([, c]) => c === cipher)?.[0] ?? null;
  const prefix = TLS12_KX.find(([, k]) => k === kx)?.[0];
  if (prefix === undefined) return null;
  const rest = Object.entries(TLS12_CIPHERS).find(([, [c, m]]) => c === cipher && m === mac)?.[0];
  return rest === undefined ? null : prefix + rest;
}
