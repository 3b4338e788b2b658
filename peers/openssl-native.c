/*
 * openssl-native: the native OpenSSL pair of tls-sst-bench, on the system
 * libssl (the same OpenSSL 3 as under Node). One program, two modes:
 *
 *   openssl-native send --host H --port P --cert PEM --key PEM --tls 1.2|1.3
 *                       --suite NAME --file F --chunk N
 *                       --end end|destroy-after-flush|tcp-fin
 *     A TLS server for exactly one connection: listens (port 0: the kernel
 *     picks), prints "listening <port>", accepts one client, writes FILE with
 *     SSL_write_ex in pieces of CHUNK bytes, then ends the stream (--end):
 *       end                  SSL_shutdown(): close_notify, then close
 *       destroy-after-flush  close() after the last record: FIN, no close_notify
 *       tcp-fin              shutdown(SHUT_WR) after the last record: FIN, no
 *                            close_notify; waits for the client to close
 *     Report line: {"bytesWritten":N,"firstByteAtMs":T|null,"protocol":..,
 *                   "suite":..,"error":null|{code,message,phase}}
 *
 *   openssl-native recv --host H --port P --ca PEM --servername NAME
 *                       --tls 1.2|1.3 --suite NAME [--ignore-unexpected-eof]
 *     A TLS client: verifies the server certificate with the CA and the name,
 *     reads with SSL_read_ex into a 1 MiB buffer (read-ahead on, 256 KiB
 *     socket reads) until the stream ends,
 *     counting and CRC32C-checking every byte (SSE4.2 crc32 instructions
 *     where the CPU has them, else a table). It prints "progress <bytes>"
 *     lines about every 100 ms, then the report line:
 *       {"bytesReceived":N,"crc32c":C,"handshakeMs":H,"firstByteAtMs":T|null,
 *        "lastByteAtMs":T|null,"closeNotify":true|false,"protocol":..,
 *        "suite":..,"error":null|{code,message,phase}}
 *     closeNotify is seen, not inferred: a message callback watches for the
 *     close_notify alert, so it is right with --ignore-unexpected-eof too
 *     (SSL_OP_IGNORE_UNEXPECTED_EOF: an EOF without close_notify reads as a
 *     clean end instead of error 0A000126, as tolerant servers set it).
 *
 * `crc FILE` prints a file's CRC32C and which code computed it (tests);
 * `version` the libssl version and the CRC32C code in use.
 *
 * Both pin the protocol (min = max version) and the suite
 * (SSL_CTX_set_ciphersuites for TLS 1.3, SSL_CTX_set_cipher_list for 1.2).
 * Times are CLOCK_MONOTONIC milliseconds (Node's process.hrtime clock).
 * Error codes: OpenSSL's packed error as 8 hex digits (0A000126), or
 * ERRNO_<n> for a failed system call. Exit 0 on a clean run, 1 on a TLS or
 * socket error, 2 on bad arguments.
 *
 * What every peer shares (clock, usage, options, sockets, the send loop and
 * its endings, the report line's JSON) is in peer-common.h.
 *
 * Written for this project from the OpenSSL 3.0 manual pages.
 */
#define _GNU_SOURCE
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdint.h>

#define PEER_NAME "openssl-native"
#define PEER_USAGE \
  "usage: openssl-native send --host H --port P --cert PEM --key PEM --tls 1.2|1.3 --suite NAME --file F --chunk N --end end|destroy-after-flush|tcp-fin\n" \
  "       openssl-native recv --host H --port P --ca PEM --servername NAME --tls 1.2|1.3 --suite NAME [--ignore-unexpected-eof]\n" \
  "       openssl-native crc FILE\n" \
  "       openssl-native version\n"
#include "peer-common.h"
#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#define READ_BUFFER (1u << 20)
/* OpenSSL's socket read size with read-ahead on. */
#define READ_AHEAD (256u << 10)

/* ---------- CRC32C (Castagnoli, reflected; same value as @node-rs/crc32's crc32c) ---------- */

static uint32_t crc_table[8][256];

static void crc_table_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xFF];
}

/* Slicing-by-8 over the raw (not inverted) state. */
static uint32_t crc_sw(uint32_t c, const unsigned char *p, size_t n) {
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    w ^= c;
    c = crc_table[7][w & 0xFF] ^ crc_table[6][(w >> 8) & 0xFF] ^ crc_table[5][(w >> 16) & 0xFF] ^ crc_table[4][(w >> 24) & 0xFF] ^
        crc_table[3][(w >> 32) & 0xFF] ^ crc_table[2][(w >> 40) & 0xFF] ^ crc_table[1][(w >> 48) & 0xFF] ^ crc_table[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xFF];
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const unsigned char *p, size_t n) {
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    c64 = _mm_crc32_u64(c64, w);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c64;
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}
#endif

static int crc_hardware;

static uint32_t crc32c_update(uint32_t crc, const unsigned char *p, size_t n) {
  uint32_t c = ~crc;
#if defined(__x86_64__)
  if (crc_hardware) return ~crc_hw(c, p, n);
#endif
  return ~crc_sw(c, p, n);
}

/* ---------- options and report ---------- */

struct options {
  struct stream_options s; /* send's; recv takes --host and --port of them */
  const char *ca, *servername, *tls, *suite;
  int ignore_eof;
};

static void parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  stream_defaults(&o->s);
  for (int i = 2; i < argc; i++) {
    const char *k = argv[i];
    if (!strcmp(k, "--ignore-unexpected-eof")) {
      o->ignore_eof = 1;
      continue;
    }
    const char *v = option_value(argc, argv, &i);
    if (stream_option(&o->s, k, v)) continue;
    if (!strcmp(k, "--ca")) o->ca = v;
    else if (!strcmp(k, "--servername")) o->servername = v;
    else if (!strcmp(k, "--tls")) o->tls = v;
    else if (!strcmp(k, "--suite")) o->suite = v;
    else usage("unknown option");
  }
  if (!o->s.host || !o->s.port || !o->tls || !o->suite) usage("missing option");
  if (strcmp(o->tls, "1.2") && strcmp(o->tls, "1.3")) usage("bad --tls");
}

/* The first OpenSSL error on the queue, else the system call's errno, else the SSL_get_error value. */
static void fail_ssl(struct failure *f, SSL *ssl, int ret, const char *phase) {
  if (f->phase) return;
  int kind = ssl ? SSL_get_error(ssl, ret) : SSL_ERROR_SSL;
  unsigned long e = ERR_peek_error();
  f->phase = phase;
  if (e != 0) {
    snprintf(f->code, sizeof f->code, "%08lX", e);
    ERR_error_string_n(e, f->message, sizeof f->message);
  } else if (kind == SSL_ERROR_SYSCALL && errno != 0) {
    snprintf(f->code, sizeof f->code, "ERRNO_%d", errno);
    snprintf(f->message, sizeof f->message, "%s", strerror(errno));
  } else if (kind == SSL_ERROR_SYSCALL) {
    snprintf(f->code, sizeof f->code, "EOF");
    snprintf(f->message, sizeof f->message, "the peer closed the connection");
  } else {
    snprintf(f->code, sizeof f->code, "SSL_ERROR_%d", kind);
    snprintf(f->message, sizeof f->message, "SSL_get_error %d", kind);
  }
  ERR_clear_error();
}

static void json_negotiated(SSL *ssl, int handshaken) {
  json_field("protocol", handshaken ? SSL_get_version(ssl) : NULL);
  json_field("suite", handshaken ? SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)) : NULL);
}

/** A context pinned to one version and one suite; exits 2 on a suite OpenSSL refuses. */
static SSL_CTX *pinned_ctx(const SSL_METHOD *method, const struct options *o) {
  SSL_CTX *ctx = SSL_CTX_new(method);
  if (!ctx) usage("SSL_CTX_new failed");
  int version = !strcmp(o->tls, "1.3") ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  int ok = version == TLS1_3_VERSION ? SSL_CTX_set_ciphersuites(ctx, o->suite) : SSL_CTX_set_cipher_list(ctx, o->suite);
  if (!ok) {
    fprintf(stderr, "openssl-native: OpenSSL refuses --suite %s for TLS %s\n", o->suite, o->tls);
    exit(2);
  }
  return ctx;
}

/* ---------- send ---------- */

/* Blocking socket, SSL_MODE_AUTO_RETRY (the default): one call writes the whole piece. */
static int ssl_write(void *ssl, const unsigned char *buf, size_t n, unsigned long long *written, struct failure *f) {
  size_t sent;
  int ret = SSL_write_ex(ssl, buf, n, &sent);
  if (ret != 1) {
    fail_ssl(f, ssl, ret, "transfer");
    return -1;
  }
  *written += sent;
  return 0;
}

/* SSL_shutdown(): close_notify, without waiting for the client's. */
static int ssl_close_notify(void *ssl, struct failure *f) {
  int ret = SSL_shutdown(ssl);
  if (ret < 0) {
    fail_ssl(f, ssl, ret, "transfer");
    return -1;
  }
  return 0;
}

static int run_send(const struct options *o) {
  if (!o->s.cert || !o->s.key || !o->s.file) usage("send needs --cert, --key and --file");
  int file = open_fixture(o->s.file);
  if (file < 0) return 2;
  unsigned char *buf = malloc(o->s.chunk);
  if (!buf) return 1;
  SSL_CTX *ctx = pinned_ctx(TLS_server_method(), o);
  if (SSL_CTX_use_certificate_chain_file(ctx, o->s.cert) != 1 || SSL_CTX_use_PrivateKey_file(ctx, o->s.key, SSL_FILETYPE_PEM) != 1) {
    fprintf(stderr, "openssl-native: cannot load --cert %s / --key %s\n", o->s.cert, o->s.key);
    return 2;
  }

  int fd = accept_one(o->s.host, o->s.port);
  struct send_result r;
  memset(&r, 0, sizeof r);
  r.first_ms = -1;
  SSL *ssl = NULL;
  int handshaken = 0;
  if (fd < 0) {
    fail_errno(&r.failure, "accept", "handshake");
  } else {
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    int ret = SSL_accept(ssl);
    if (ret != 1) fail_ssl(&r.failure, ssl, ret, "handshake");
    else handshaken = 1;
  }
  if (handshaken) {
    const struct tls_writer writer = {ssl_write, ssl_close_notify, ssl};
    send_stream(&o->s, file, buf, fd, &writer, &r);
  }
  if (fd >= 0) close(fd);
  json_send_begin(&r);
  json_negotiated(ssl, handshaken);
  json_end(&r.failure);
  return r.failure.phase ? 1 : 0;
}

/* ---------- recv ---------- */

static int close_notify_seen;

/* Watches the records the client reads for a close_notify alert (level 1 or 2, description 0). */
static void on_message(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg) {
  (void)version, (void)ssl, (void)arg;
  const unsigned char *b = buf;
  if (!write_p && content_type == SSL3_RT_ALERT && len >= 2 && b[1] == SSL_AD_CLOSE_NOTIFY) close_notify_seen = 1;
}

static int run_recv(const struct options *o) {
  if (!o->ca || !o->servername) usage("recv needs --ca and --servername");
  unsigned char *buf = malloc(READ_BUFFER);
  if (!buf) return 1;
  SSL_CTX *ctx = pinned_ctx(TLS_client_method(), o);
  if (SSL_CTX_load_verify_locations(ctx, o->ca, NULL) != 1) {
    fprintf(stderr, "openssl-native: cannot load --ca %s\n", o->ca);
    return 2;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
  /* Read-ahead: one read(2) takes many records, as Node's TLS socket does
   * (it reads the socket in 64 KiB and feeds OpenSSL a memory BIO). Without
   * it OpenSSL reads each record in two calls (header, then body). */
  SSL_CTX_set_read_ahead(ctx, 1);
  SSL_CTX_set_default_read_buffer_len(ctx, READ_AHEAD);
  if (o->ignore_eof) SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_msg_callback(ctx, on_message);

  struct failure f;
  memset(&f, 0, sizeof f);
  unsigned long long received = 0;
  uint32_t crc = 0;
  double started = monotonic_ms(), handshake_ms = -1, first = -1, last = -1;
  int handshaken = 0;
  SSL *ssl = SSL_new(ctx);
  int fd = connect_to(o->s.host, o->s.port, &f);
  if (fd >= 0) {
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, o->servername);
    SSL_set1_host(ssl, o->servername);
    int ret = SSL_connect(ssl);
    if (ret != 1) fail_ssl(&f, ssl, ret, "handshake");
    else {
      handshaken = 1;
      handshake_ms = monotonic_ms() - started;
    }
  }
  double next_progress = monotonic_ms() + 100;
  while (handshaken) {
    size_t n;
    int ret = SSL_read_ex(ssl, buf, READ_BUFFER, &n);
    if (ret != 1) {
      int kind = SSL_get_error(ssl, ret);
      /* A clean end: close_notify, or (with SSL_OP_IGNORE_UNEXPECTED_EOF) a bare EOF. */
      if (kind != SSL_ERROR_ZERO_RETURN) fail_ssl(&f, ssl, ret, "transfer");
      break;
    }
    received += n;
    crc = crc32c_update(crc, buf, n);
    /* After the check: the span ends at the last byte counted and verified, not at the EOF. */
    last = monotonic_ms();
    if (first < 0) first = last;
    if (last >= next_progress) {
      printf("progress %llu\n", received);
      fflush(stdout);
      next_progress = last + 100;
    }
  }
  if (fd >= 0) close(fd);
  printf("{\"bytesReceived\":%llu,\"crc32c\":%u,\"handshakeMs\":", received, crc);
  json_time(handshake_ms);
  fputs(",\"firstByteAtMs\":", stdout);
  json_time(first);
  fputs(",\"lastByteAtMs\":", stdout);
  json_time(received > 0 ? last : -1);
  printf(",\"closeNotify\":%s", close_notify_seen ? "true" : "false");
  json_negotiated(ssl, handshaken);
  json_end(&f);
  return f.phase ? 1 : 0;
}

/* crc FILE: the CRC32C of a file, for tests of the CRC code. */
static int run_crc(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) usage("cannot open file");
  unsigned char *buf = malloc(READ_BUFFER);
  uint32_t crc = 0;
  ssize_t n;
  while ((n = read(fd, buf, READ_BUFFER)) > 0) crc = crc32c_update(crc, buf, (size_t)n);
  printf("%u %s\n", crc, crc_hardware ? "sse4.2" : "table");
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  crc_table_init();
#if defined(__x86_64__)
  __builtin_cpu_init();
  crc_hardware = __builtin_cpu_supports("sse4.2") && !getenv("OPENSSL_NATIVE_CRC_TABLE");
#endif
  if (argc < 2) usage("missing mode");
  if (!strcmp(argv[1], "version")) {
    printf("%s crc32c=%s\n", OpenSSL_version(OPENSSL_VERSION), crc_hardware ? "sse4.2" : "table");
    return 0;
  }
  if (!strcmp(argv[1], "crc")) {
    if (argc != 3) usage("crc takes one file");
    return run_crc(argv[2]);
  }
  struct options o;
  parse(argc, argv, &o);
  if (!strcmp(argv[1], "send")) return run_send(&o);
  if (!strcmp(argv[1], "recv")) return run_recv(&o);
  usage("mode must be send, recv or crc");
  return 2;
}
