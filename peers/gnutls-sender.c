/*
 * gnutls-sender: the GnuTLS sender peer of tls-sst-bench (--sender-peer gnutls).
 *
 * A TLS server for exactly one connection: listens on HOST:PORT (port 0: the
 * kernel picks one), prints "listening <port>" on stdout, accepts one client,
 * does the handshake with the given certificate, key and priority string,
 * writes FILE in chunks of CHUNK bytes with gnutls_record_send, then ends the
 * stream the chosen way (--end):
 *   end                  gnutls_bye(GNUTLS_SHUT_WR): close_notify, then close
 *   destroy-after-flush  close() once every record is sent: FIN, no close_notify
 *   tcp-fin              shutdown(SHUT_WR) once every record is sent: FIN, no
 *                        close_notify; waits for the client to close, then close
 * At exit it prints one JSON line on stdout:
 *   {"bytesWritten":N,"firstByteAtMs":T|null,"protocol":"TLSv1.3"|null,
 *    "kx":"...","cipher":"...","mac":"...","iana":"...",
 *    "error":null|{"code":"GNUTLS_E_...","message":"...","phase":"handshake"|"transfer"}}
 * firstByteAtMs is CLOCK_MONOTONIC in milliseconds (the clock of Node's
 * process.hrtime) just before the first record is sent. kx/cipher/mac are
 * GnuTLS's names of the negotiated parts (those of a priority string), iana
 * the suite's IANA name. Exit 0 when the stream was written and ended, 1 on a
 * TLS or socket error, 2 on bad arguments.
 *
 * What every peer shares (clock, usage, options, sockets, the send loop and
 * its endings, the report line's JSON) is in peer-common.h.
 *
 * Written for this project from the GnuTLS 3.7 API documentation.
 */
#define _POSIX_C_SOURCE 200809L
#include <gnutls/gnutls.h>
#include <signal.h>

#define PEER_NAME "gnutls-sender"
#define PEER_USAGE "usage: gnutls-sender --host H --port P --cert PEM --key PEM --priority STR --file F --chunk N --end end|destroy-after-flush|tcp-fin\n"
#include "peer-common.h"

struct options {
  struct stream_options s;
  const char *priority;
};

static void parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  stream_defaults(&o->s);
  for (int i = 1; i < argc; i++) {
    const char *k = argv[i];
    const char *v = option_value(argc, argv, &i);
    if (stream_option(&o->s, k, v)) continue;
    if (!strcmp(k, "--priority")) o->priority = v;
    else usage("unknown option");
  }
  if (!o->s.host || !o->s.port || !o->s.cert || !o->s.key || !o->priority || !o->s.file) usage("missing option");
}

static void fail_tls(struct failure *f, int ret, const char *phase) {
  if (f->phase) return;
  const char *name = gnutls_strerror_name(ret);
  f->phase = phase;
  snprintf(f->code, sizeof f->code, "%s", name ? name : "GNUTLS_ERROR");
  snprintf(f->message, sizeof f->message, "%s", gnutls_strerror(ret));
}

static void print_report(const struct send_result *r, gnutls_session_t session, int handshaken) {
  json_send_begin(r);
  const char *protocol = NULL, *kx = NULL, *cipher = NULL, *mac = NULL, *iana = NULL;
  if (handshaken) {
    switch (gnutls_protocol_get_version(session)) {
      case GNUTLS_TLS1_3: protocol = "TLSv1.3"; break;
      case GNUTLS_TLS1_2: protocol = "TLSv1.2"; break;
      case GNUTLS_TLS1_1: protocol = "TLSv1.1"; break;
      case GNUTLS_TLS1_0: protocol = "TLSv1"; break;
      default: protocol = gnutls_protocol_get_name(gnutls_protocol_get_version(session));
    }
    kx = gnutls_kx_get_name(gnutls_kx_get(session));
    cipher = gnutls_cipher_get_name(gnutls_cipher_get(session));
    mac = gnutls_mac_get_name(gnutls_mac_get(session));
    iana = gnutls_ciphersuite_get(session);
  }
  json_field("protocol", protocol);
  json_field("kx", kx);
  json_field("cipher", cipher);
  json_field("mac", mac);
  json_field("iana", iana);
  json_end(&r->failure);
}

/** Sends n bytes as records, retrying on GNUTLS_E_AGAIN / GNUTLS_E_INTERRUPTED. */
static int send_all(void *session, const unsigned char *buf, size_t n, unsigned long long *written, struct failure *f) {
  while (n > 0) {
    ssize_t sent = gnutls_record_send(session, buf, n);
    if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED) continue;
    if (sent < 0) {
      fail_tls(f, (int)sent, "transfer");
      return -1;
    }
    *written += (unsigned long long)sent;
    buf += sent;
    n -= (size_t)sent;
  }
  return 0;
}

/** gnutls_bye(GNUTLS_SHUT_WR): close_notify, without waiting for the client's. */
static int bye(void *session, struct failure *f) {
  int ret;
  do ret = gnutls_bye(session, GNUTLS_SHUT_WR);
  while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
  if (ret < 0) {
    fail_tls(f, ret, "transfer");
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct options o;
  parse(argc, argv, &o);
  signal(SIGPIPE, SIG_IGN);

  int file = open_fixture(o.s.file);
  if (file < 0) return 2;
  unsigned char *buf = malloc(o.s.chunk);
  if (!buf) return 1;

  int ret = gnutls_global_init();
  if (ret < 0) {
    fprintf(stderr, "gnutls-sender: gnutls_global_init: %s\n", gnutls_strerror(ret));
    return 1;
  }
  gnutls_certificate_credentials_t creds;
  gnutls_certificate_allocate_credentials(&creds);
  ret = gnutls_certificate_set_x509_key_file(creds, o.s.cert, o.s.key, GNUTLS_X509_FMT_PEM);
  if (ret < 0) {
    fprintf(stderr, "gnutls-sender: cannot load --cert %s / --key %s: %s\n", o.s.cert, o.s.key, gnutls_strerror(ret));
    return 2;
  }
  gnutls_priority_t priority;
  const char *bad = NULL;
  ret = gnutls_priority_init(&priority, o.priority, &bad);
  if (ret < 0) {
    fprintf(stderr, "gnutls-sender: bad --priority at \"%s\": %s\n", bad ? bad : "", gnutls_strerror(ret));
    return 2;
  }

  int fd = accept_one(o.s.host, o.s.port);
  struct send_result r;
  memset(&r, 0, sizeof r);
  r.first_ms = -1;
  if (fd < 0) {
    fail_errno(&r.failure, "accept", "handshake");
    print_report(&r, NULL, 0);
    return 1;
  }

  gnutls_session_t session;
  gnutls_init(&session, GNUTLS_SERVER);
  gnutls_priority_set(session, priority);
  gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, creds);
  gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
  gnutls_transport_set_int(session, fd);
  gnutls_handshake_set_timeout(session, GNUTLS_DEFAULT_HANDSHAKE_TIMEOUT);

  do ret = gnutls_handshake(session);
  while (ret < 0 && gnutls_error_is_fatal(ret) == 0);
  if (ret < 0) {
    fail_tls(&r.failure, ret, "handshake");
    print_report(&r, session, 0);
    close(fd);
    return 1;
  }

  const struct tls_writer writer = {send_all, bye, session};
  send_stream(&o.s, file, buf, fd, &writer, &r);
  close(fd);
  print_report(&r, session, 1);
  gnutls_deinit(session);
  gnutls_priority_deinit(priority);
  gnutls_certificate_free_credentials(creds);
  gnutls_global_deinit();
  free(buf);
  close(file);
  return r.failure.phase ? 1 : 0;
}
