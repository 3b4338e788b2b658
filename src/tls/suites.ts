import { getCiphers } from 'node:tls';
import { usageError } from '../errors.ts';

export const TLS_VERSIONS = ['1.2', '1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export const KEY_TYPES = ['ecdsa-p256', 'rsa-2048'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Node's names for the protocol versions, as minVersion/maxVersion and getProtocol() use them. */
export const NODE_PROTOCOL: Readonly<Record<TlsVersion, 'TLSv1.2' | 'TLSv1.3'>> = {
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

export const DEFAULT_SUITES: Readonly<Record<TlsVersion, readonly string[]>> = {
  '1.3': ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'],
  '1.2': ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
};

export interface SuiteInfo {
  readonly name: string;
  readonly version: TlsVersion;
  /** The certificate key a TLS 1.2 suite needs; TLS 1.3 suites work with any. */
  readonly keyTypes: readonly KeyType[];
}

// TLS 1.2 suites authenticated by the server certificate: ECDHE with ECDSA or RSA,
// and plain RSA key exchange. PSK, SRP, DHE (needs DH params) and anonymous ones
// cannot run against this suite's certificates, so they are not offered.
const TLS12_CERT_SUITE = /^(ECDHE-ECDSA-|ECDHE-RSA-|AES\d+-)/;

/**
 * The suites this Node/OpenSSL can run here, in OpenSSL's spelling (upper case:
 * tls.getCiphers() lists lower case, which `ciphers` rejects for TLS 1.3 names).
 */
export function availableSuites(): SuiteInfo[] {
  const out: SuiteInfo[] = [];
  for (const lower of getCiphers()) {
    const name = lower.toUpperCase();
    if (name.startsWith('TLS_')) {
      out.push({ name, version: '1.3', keyTypes: KEY_TYPES });
    } else if (TLS12_CERT_SUITE.test(name)) {
      out.push({ name, version: '1.2', keyTypes: name.includes('ECDSA') ? ['ecdsa-p256'] : ['rsa-2048'] });
    }
  }
  return out;
}

/** Looks a suite up by its exact (case-sensitive) name; throws a usage error naming the choices. */
export function resolveSuite(name: string, available: readonly SuiteInfo[] = availableSuites()): SuiteInfo {
  const found = available.find((s) => s.name === name);
  if (found) return found;
  const caseHint = available.find((s) => s.name.toLowerCase() === name.toLowerCase());
  const hint = caseHint
    ? ` (names are case-sensitive: did you mean ${caseHint.name}?)`
    : name.includes('_WITH_')
      ? ' (IANA names pass setup and fail the handshake; use the OpenSSL name, see `tls-sst-bench ciphers`)'
      : '';
  throw usageError(
    `--suites "${name}" is not a suite this Node/OpenSSL can run${hint}: expected one of ` +
      `${available.map((s) => s.name).join(', ')}`,
  );
}

export function parseTlsVersion(text: string): TlsVersion {
  const v = text.trim().replace(/^TLSv?/i, '');
  if ((TLS_VERSIONS as readonly string[]).includes(v)) return v as TlsVersion;
  throw usageError(`--tls "${text}" is not a TLS version: expected one of ${TLS_VERSIONS.join(', ')}`);
}

export function parseKeyType(text: string): KeyType {
  if ((KEY_TYPES as readonly string[]).includes(text)) return text as KeyType;
  throw usageError(`--key "${text}" is not a key type: expected one of ${KEY_TYPES.join(', ')}`);
}
