import type { Preset } from '../src/config/preset-types.ts';

const NODE_ENDINGS = ['end', 'destroy-after-flush', 'destroy', 'tcp-fin'];
/** Every ending peers/gnutls-sender.c and peers/openssl-native.c play (SENDER_PEER_SHUTDOWNS). */
const GNUTLS_ENDINGS = ['end', 'destroy-after-flush', 'tcp-fin'];
/** OpenSSL itself, as a strict receiver and as one with SSL_OP_IGNORE_UNEXPECTED_EOF (peers/openssl-native.c). */
const NATIVE_RECEIVERS = ['openssl-native', 'openssl-native-tolerant'];

/**
 * How Node, OpenSSL and GnuTLS receivers report the same ends of a stream
 * (`end` with close_notify, `destroy-after-flush` without, and two that lose
 * data), how OpenSSL's own server ends one, and how the suite's GnuTLS server
 * (peers/gnutls-sender.c) ends one with close_notify (`end`) and without
 * (`destroy-after-flush`, `tcp-fin`), and the same three ends by OpenSSL's
 * own C API (peers/openssl-native.c), seen by OpenSSL strict and tolerant
 * (SSL_OP_IGNORE_UNEXPECTED_EOF) beside Node. gnutls-cli writes what it
 * receives one byte per write(2) (about 1 MB/s), so it gets 1 MB and 4 MB;
 * the others 1 MB and 64 MB. About a minute on 2 cores.
 */
export default {
  description:
    'EOF outcome across TLS stacks: Node sender (end, destroy-after-flush, destroy, tcp-fin) to ' +
    'node/openssl/gnutls receivers; openssl s_server sender to each; GnuTLS sender (end, destroy-after-flush, ' +
    'tcp-fin) to each; native OpenSSL sender (the same three) to node, openssl and native OpenSSL strict and ' +
    'tolerant',
  settings: {
    sizes: ['1MB', '64MB'],
    chunks: ['64KiB'],
    tls: ['1.3'],
    suites: ['TLS_AES_128_GCM_SHA256'],
    shutdown: NODE_ENDINGS,
    writePath: ['buffered'],
    receiver: ['until-eof'],
    receiverPeer: ['node', 'openssl', ...NATIVE_RECEIVERS],
    iterations: 1,
    warmup: 0,
  },
  sweeps: [
    { name: 'gnutls', settings: { sizes: ['1MB', '4MB'], receiverPeer: ['gnutls'] } },
    {
      name: 'openssl-sender',
      settings: {
        sizes: ['1MB'],
        senderPeer: ['openssl'],
        shutdown: ['end'],
        writePath: ['backpressure'],
        receiverPeer: ['node', 'openssl', 'gnutls'],
      },
    },
    {
      name: 'openssl-sender-64MB',
      settings: {
        sizes: ['64MB'],
        senderPeer: ['openssl'],
        shutdown: ['end'],
        writePath: ['backpressure'],
        receiverPeer: ['node', 'openssl'],
      },
    },
    {
      name: 'gnutls-sender',
      settings: {
        sizes: ['1MB'],
        senderPeer: ['gnutls'],
        shutdown: GNUTLS_ENDINGS,
        writePath: ['backpressure'],
        receiverPeer: ['node', 'openssl', 'gnutls'],
      },
    },
    {
      name: 'gnutls-sender-64MB',
      settings: {
        sizes: ['64MB'],
        senderPeer: ['gnutls'],
        shutdown: GNUTLS_ENDINGS,
        writePath: ['backpressure'],
        receiverPeer: ['node', 'openssl'],
      },
    },
    {
      name: 'openssl-native-sender',
      settings: {
        senderPeer: ['openssl-native'],
        shutdown: GNUTLS_ENDINGS,
        writePath: ['backpressure'],
        receiverPeer: ['node', 'openssl', ...NATIVE_RECEIVERS],
      },
    },
  ],
} as const satisfies Preset;
