/**
 * The names of the interchangeable parts of a transfer. Each name is a key of a
 * table in its own module (shutdown.ts for the sender, receiver-modes.ts for
 * the receiver); these lists are what config validation accepts.
 */
export const SHUTDOWN_STRATEGIES = [
  'end',
  'end-wait-close',
  'end-destroy',
  'destroy',
  'destroy-deferred',
  'destroy-after-flush',
  'tcp-fin',
  'reset',
  'exit',
  'half-close',
] as const;
export type ShutdownStrategyName = (typeof SHUTDOWN_STRATEGIES)[number];

/** How the sender writes: waiting for 'drain' always, or the last part without waiting (naive code). */
export const WRITE_PATHS = ['backpressure', 'buffered'] as const;
export type WritePathName = (typeof WRITE_PATHS)[number];
/** `buffered` writes this much of the end of the file without waiting for 'drain'. */
export const BUFFERED_TAIL_BYTES = 16 * 2 ** 20;

export const RECEIVER_MODES = ['until-eof', 'framed', 'framed-ack'] as const;
export type ReceiverModeName = (typeof RECEIVER_MODES)[number];

/**
 * Who plays the receiver: the suite's Node worker or another TLS stack's
 * client. openssl-native and openssl-native-tolerant are peers/openssl-native.c
 * (SSL_read into 1 MiB), without and with SSL_OP_IGNORE_UNEXPECTED_EOF.
 */
export const RECEIVER_PEERS = ['node', 'openssl', 'gnutls', 'openssl-native', 'openssl-native-tolerant'] as const;
export type ReceiverPeerName = (typeof RECEIVER_PEERS)[number];
/** The receiver modes each peer can play: an external client cannot read a size line. */
export const RECEIVER_PEER_MODES: Readonly<Record<ReceiverPeerName, readonly ReceiverModeName[]>> = {
  node: RECEIVER_MODES,
  openssl: ['until-eof'],
  gnutls: ['until-eof'],
  'openssl-native': ['until-eof'],
  'openssl-native-tolerant': ['until-eof'],
};

/**
 * Who plays the sender (the TLS server): the suite's Node worker, OpenSSL's
 * `s_server` fed the fixture on stdin, or the suite's own small GnuTLS server
 * (peers/gnutls-sender.c; gnutls-serv only echoes or answers HTTP, which
 * would change the framing), or the suite's native OpenSSL server
 * (peers/openssl-native.c, SSL_write_ex of the chunk size).
 */
export const SENDER_PEERS = ['node', 'openssl', 'gnutls', 'openssl-native'] as const;
export type SenderPeerName = (typeof SENDER_PEERS)[number];
/**
 * The shutdown strategies each sender can play. s_server has one way to end:
 * at stdin EOF it sends close_notify and closes, which is what `end` means.
 */
export const SENDER_PEER_SHUTDOWNS: Readonly<Record<SenderPeerName, readonly ShutdownStrategyName[]>> = {
  node: SHUTDOWN_STRATEGIES,
  openssl: ['end'],
  // gnutls_bye(SHUT_WR); close() after the last record; shutdown(SHUT_WR) after the last record
  gnutls: ['end', 'destroy-after-flush', 'tcp-fin'],
  // SSL_shutdown; close() after the last record; shutdown(SHUT_WR) after the last record
  'openssl-native': ['end', 'destroy-after-flush', 'tcp-fin'],
};

export const SOURCES = ['file', 'memory'] as const;
export type SourceName = (typeof SOURCES)[number];
