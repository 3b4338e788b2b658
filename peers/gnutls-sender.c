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
 * Written for this project from the GnuTLS 3.7 API documentation.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum ending { END_BYE, END_CLOSE, END_TCP_FIN };

struct options {
  const char *host, *port, *cert, *key, *priority, *file;
  size_t chunk;
  enum ending ending;
};

static double monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void usage(const char *why) {
  fprintf(stderr, "gnutls-sender: %s\nusage: gnutls-sender --host H --port P --cert PEM --key PEM --priority STR --file F --chunk N --end end|destroy-after-flush|tcp-fin\n", why);
  exit(2);
}

static void parse(int argc, char **argv, struct options *o) {
  memset(o, 0, sizeof *o);
  o->chunk = 65536;
  for (int i = 1; i < argc; i += 2) {
    const char *k = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) usage("missing value");
    if (!strcmp(k, "--host")) o->host = v;
    else if (!strcmp(k, "--port")) o->port = v;
    else if (!strcmp(k, "--cert")) o->cert = v;
    else if (!strcmp(k, "--key")) o->key = v;
    else if (!strcmp(k, "--priority")) o->priority = v;
    else if (!strcmp(k, "--file")) o->file = v;
    else if (!strcmp(k, "--chunk")) {
      char *end;
      unsigned long n = strtoul(v, &end, 10);
      if (*end || n == 0 || n > (1UL << 30)) usage("bad --chunk");
      o->chunk = n;
    } else if (!strcmp(k, "--end")) {
      if (!strcmp(v, "end")) o->ending = END_BYE;
      else if (!strcmp(v, "destroy-after-flush")) o->ending = END_CLOSE;
      else if (!strcmp(v, "tcp-fin")) o->ending = END_TCP_FIN;
      else usage("bad --end");
    } else usage("unknown option");
  }
  if (!o->host || !o->port || !o->cert || !o->key || !o->priority || !o->file) usage("missing option");
}

/** Prints s as a JSON string (quotes, backslashes and control characters escaped). */
static void json_string(const char *s) {
  if (!s) {
    fputs("null", stdout);
    return;
  }
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

struct report {
  unsigned long long bytes_written;
  double first_byte_ms; /* < 0: none */
  const char *error_code, *phase;
  char error_message[512];
};

static void print_report(const struct report *r, gnutls_session_t session, int handshaken) {
  printf("{\"bytesWritten\":%llu,\"firstByteAtMs\":", r->bytes_written);
  if (r->first_byte_ms < 0) fputs("null", stdout);
  else printf("%.6f", r->first_byte_ms);
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
  fputs(",\"protocol\":", stdout);
  json_string(protocol);
  fputs(",\"kx\":", stdout);
  json_string(kx);
  fputs(",\"cipher\":", stdout);
  json_string(cipher);
  fputs(",\"mac\":", stdout);
  json_string(mac);
  fputs(",\"iana\":", stdout);
  json_string(iana);
  fputs(",\"error\":", stdout);
  if (!r->error_code) fputs("null", stdout);
  else {
    fputs("{\"code\":", stdout);
    json_string(r->error_code);
    fputs(",\"message\":", stdout);
    json_string(r->error_message);
    fputs(",\"phase\":", stdout);
    json_string(r->phase);
    putchar('}');
  }
  puts("}");
  fflush(stdout);
}

static void fail_tls(struct report *r, int ret, const char *phase) {
  r->error_code = gnutls_strerror_name(ret);
  if (!r->error_code) r->error_code = "GNUTLS_ERROR";
  r->phase = phase;
  snprintf(r->error_message, sizeof r->error_message, "%s", gnutls_strerror(ret));
}

static void fail_errno(struct report *r, const char *what, const char *phase) {
  static char code[32];
  int e = errno;
  snprintf(code, sizeof code, "ERRNO_%d", e);
  r->error_code = code;
  r->phase = phase;
  snprintf(r->error_message, sizeof r->error_message, "%s: %s", what, strerror(e));
}

static int listen_on(const char *host, const char *port) {
  struct addrinfo hints, *res, *ai;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc) {
    fprintf(stderr, "gnutls-sender: cannot resolve %s:%s: %s\n", host, port, gai_strerror(rc));
    exit(1);
  }
  int fd = -1;
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    fprintf(stderr, "gnutls-sender: cannot listen on %s:%s: %s\n", host, port, strerror(errno));
    exit(1);
  }
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  unsigned bound = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) : ntohs(((struct sockaddr_in *)&ss)->sin_port);
  printf("listening %u\n", bound);
  fflush(stdout);
  return fd;
}

/** Sends len bytes as records, retrying on GNUTLS_E_AGAIN / GNUTLS_E_INTERRUPTED; 0 or a GnuTLS error. */
static int send_all(gnutls_session_t session, const char *buf, size_t len, struct report *r) {
  while (len > 0) {
    ssize_t n = gnutls_record_send(session, buf, len);
    if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) continue;
    if (n < 0) return (int)n;
    r->bytes_written += (unsigned long long)n;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct options o;
  parse(argc, argv, &o);
  signal(SIGPIPE, SIG_IGN);

  int file = open(o.file, O_RDONLY);
  if (file < 0) {
    fprintf(stderr, "gnutls-sender: cannot open %s: %s\n", o.file, strerror(errno));
    return 2;
  }
  char *buf = malloc(o.chunk);
  if (!buf) return 1;

  int ret = gnutls_global_init();
  if (ret < 0) {
    fprintf(stderr, "gnutls-sender: gnutls_global_init: %s\n", gnutls_strerror(ret));
    return 1;
  }
  gnutls_certificate_credentials_t creds;
  gnutls_certificate_allocate_credentials(&creds);
  ret = gnutls_certificate_set_x509_key_file(creds, o.cert, o.key, GNUTLS_X509_FMT_PEM);
  if (ret < 0) {
    fprintf(stderr, "gnutls-sender: cannot load --cert %s / --key %s: %s\n", o.cert, o.key, gnutls_strerror(ret));
    return 2;
  }
  gnutls_priority_t priority;
  const char *bad = NULL;
  ret = gnutls_priority_init(&priority, o.priority, &bad);
  if (ret < 0) {
    fprintf(stderr, "gnutls-sender: bad --priority at \"%s\": %s\n", bad ? bad : "", gnutls_strerror(ret));
    return 2;
  }

  int lfd = listen_on(o.host, o.port);
  int fd;
  do fd = accept(lfd, NULL, NULL);
  while (fd < 0 && errno == EINTR);
  close(lfd);

  struct report r;
  memset(&r, 0, sizeof r);
  r.first_byte_ms = -1;
  if (fd < 0) {
    fail_errno(&r, "accept", "handshake");
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
    fail_tls(&r, ret, "handshake");
    print_report(&r, session, 0);
    close(fd);
    return 1;
  }

  int failed = 0;
  for (;;) {
    ssize_t got = read(file, buf, o.chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      fail_errno(&r, "read fixture", "transfer");
      failed = 1;
      break;
    }
    if (got == 0) break;
    if (r.first_byte_ms < 0) r.first_byte_ms = monotonic_ms();
    ret = send_all(session, buf, (size_t)got, &r);
    if (ret < 0) {
      fail_tls(&r, ret, "transfer");
      failed = 1;
      break;
    }
  }

  if (!failed) {
    switch (o.ending) {
      case END_BYE:
        do ret = gnutls_bye(session, GNUTLS_SHUT_WR);
        while (ret == GNUTLS_E_AGAIN || ret == GNUTLS_E_INTERRUPTED);
        if (ret < 0) {
          fail_tls(&r, ret, "transfer");
          failed = 1;
        }
        break;
      case END_CLOSE:
        break;
      case END_TCP_FIN: {
        if (shutdown(fd, SHUT_WR) < 0) {
          fail_errno(&r, "shutdown", "transfer");
          failed = 1;
          break;
        }
        /* Wait for the client to close: read (and drop) whatever it sends until EOF. */
        char sink[4096];
        ssize_t n;
        do n = read(fd, sink, sizeof sink);
        while (n > 0 || (n < 0 && errno == EINTR));
        break;
      }
    }
  }
  close(fd);
  print_report(&r, session, 1);
  gnutls_deinit(session);
  gnutls_priority_deinit(priority);
  gnutls_certificate_free_credentials(creds);
  gnutls_global_deinit();
  free(buf);
  close(file);
  return failed ? 1 : 0;
}
