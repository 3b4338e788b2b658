// @peculiar/x509 resolves its parsers through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import type { KeyType } from './suites.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** The name the client checks the server certificate against. */
export const SERVER_NAME = 'localhost';

/**
 * The run's certificates as PEM text, in memory only: Node workers get them
 * over IPC, an external peer through a pipe (/dev/fd/N), so no private key
 * is ever written to disk.
 */
export interface CertPems {
  readonly keyType: KeyType;
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

type KeyAlgorithm = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams;
type SignAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

export const ALGORITHMS: Readonly<Record<KeyType, { gen: KeyAlgorithm; sign: SignAlgorithm }>> = {
  'ecdsa-p256': {
    gen: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
  },
  'rsa-2048': {
    gen: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

export async function generateKeys(keyType: KeyType): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHMS[keyType].gen, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** A certificate authority in memory: its certificate and the key it signs with. */
export interface Issuer {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
  readonly keyType: KeyType;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * A self-signed CA named `name` (with a random tag: another CA must not even look like it), valid from a minute ago for
 * `validMs`.
 */
export async function createIssuer(name: string, keyType: KeyType, validMs: number): Promise<Issuer> {
  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + validMs);
  const keys = await generateKeys(keyType);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: `CN=${name} ${randomBytes(6).toString('hex')}`,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALGORITHMS[keyType].sign,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { cert, key: keys.privateKey, keyType, notBefore, notAfter };
}

/** A leaf certificate `cn` for `usage` (server or client auth) with these names, and its private key as PEM. */
export async function issueLeaf(
  issuer: Issuer,
  cn: string,
  usage: string,
  names: readonly string[],
): Promise<{ cert: string; key: string }> {
  const keys = await generateKeys(issuer.keyType);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `02${randomBytes(8).toString('hex')}`,
    subject: `CN=${cn}`,
    issuer: issuer.cert.subject,
    notBefore: issuer.notBefore,
    notAfter: issuer.notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: ALGORITHMS[issuer.keyType].sign,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // keyEncipherment: TLS 1.2 RSA key exchange with an RSA key.
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | (issuer.keyType === 'rsa-2048' ? x509.KeyUsageFlags.keyEncipherment : 0),
        true,
      ),
      new x509.ExtendedKeyUsageExtension([usage]),
      ...(names.length > 0
        ? [
            new x509.SubjectAlternativeNameExtension(
              names.map((n) => (isIP(n) ? { type: 'ip', value: n } : { type: 'dns', value: n })),
            ),
          ]
        : []),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/**
 * A private per-run certificate authority and one server certificate for
 * `localhost`/127.0.0.1/::1. The CA key never leaves this function; the
 * server key only as PEM in memory.
 */
export async function makeRunCertificates(keyType: KeyType): Promise<CertPems> {
  const ca = await createIssuer(`tls-sst-bench run CA (${keyType})`, keyType, 2 * 24 * 3600_000);
  const server = await issueLeaf(ca, SERVER_NAME, x509.ExtendedKeyUsage.serverAuth, [SERVER_NAME, '127.0.0.1', '::1']);
  return { keyType, caCert: ca.cert.toString('pem'), cert: server.cert, key: server.key };
}

/** The run's certificates, made on demand per key type, in memory. */
export class RunCertificates {
  readonly #cache = new Map<KeyType, Promise<CertPems>>();

  static async create(): Promise<RunCertificates> {
    return new RunCertificates();
  }

  get(keyType: KeyType): Promise<CertPems> {
    let pems = this.#cache.get(keyType);
    if (!pems) {
      pems = makeRunCertificates(keyType);
      this.#cache.set(keyType, pems);
    }
    return pems;
  }

  /** Forgets the keys (nothing is on disk). */
  async dispose(): Promise<void> {
    this.#cache.clear();
  }
}
