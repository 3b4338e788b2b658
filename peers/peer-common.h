/*
 * peer-common.h: what the C peers of tls-sst-bench (peers/NAME.c) share,
 * whatever their TLS library: the clock, the usage line, the options every
 * sender takes, listening for and connecting to one peer, the send loop and
 * its three endings, and the pieces of the JSON report line.
 *
 * A peer defines, before it includes this file (after its feature macro):
 *   PEER_NAME   its name, the prefix of every message ("gnutls-sender")
 *   PEER_USAGE  its usage lines, printed after "NAME: why"
 * Each peer stays one translation unit (`cc -O2 -Wall -o OUT peers/NAME.c
 * LIBS`: the quoted include is found beside the source), so everything here
 * is static inline: a helper one peer does not call costs it nothing and
 * raises no -Wall warning. NativeProgram (src/runner/native-build.ts) hashes
 * this file with each source that includes it, so an edit here rebuilds both.
 *
 * Written for this project from the POSIX manual pages.
 */
#ifndef PEER_COMMON_H
#define PEER_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#if !defined(PEER_NAME) || !defined(PEER_USAGE)
#error "define PEER_NAME and PEER_USAGE before including peer-common.h"
#endif

/* CLOCK_MONOTONIC in milliseconds: the clock of Node's process.hrtime, so the suite can compare times. */
static inline double monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Bad arguments: one line saying why, the usage, exit 2. */
static inline __attribute__((noreturn)) void usage(const char *why) {
  fprintf(stderr, PEER_NAME ": %s\n" PEER_USAGE, why);
  exit(2);
}

/* ---------- options ---------- */

/* How the sender ends the stream after the last record (--end). */
enum ending {
  END_CLOSE_NOTIFY, /* end: the library's close_notify, then close */
  END_CLOSE,        /* destroy-after-flush: close(): FIN, no close_notify */
  END_TCP_FIN       /* tcp-fin: shutdown(SHUT_WR): FIN, no close_notify; waits for the client to close */
};

/* The options every sending peer takes, with the same flags and checks. */
struct stream_options {
  const char *host, *port, *cert, *key, *file;
  size_t chunk;
  enum ending ending;
};

static inline void stream_defaults(struct stream_options *s) {
  memset(s, 0, sizeof *s);
  s->chunk = 65536;
}

/* The value after argv[*i] (advancing *i to it); exits 2 when there is none. */
static inline const char *option_value(int argc, char **argv, int *i) {
  if (*i + 1 >= argc) usage("missing value");
  return argv[++*i];
}

/* Takes `k v` when k is one of the stream options (1; a bad value exits 2); 0 when it is not. */
static inline int stream_option(struct stream_options *s, const char *k, const char *v) {
  if (!strcmp(k, "--host")) s->host = v;
  else if (!strcmp(k, "--port")) s->port = v;
  else if (!strcmp(k, "--cert")) s->cert = v;
  else if (!strcmp(k, "--key")) s->key = v;
  else if (!strcmp(k, "--file")) s->file = v;
  else if (!strcmp(k, "--chunk")) {
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (*end || n == 0 || n > (1UL << 30)) usage("bad --chunk");
    s->chunk = n;
  } else if (!strcmp(k, "--end")) {
    if (!strcmp(v, "end")) s->ending = END_CLOSE_NOTIFY;
    else if (!strcmp(v, "destroy-after-flush")) s->ending = END_CLOSE;
    else if (!strcmp(v, "tcp-fin")) s->ending = END_TCP_FIN;
    else usage("bad --end");
  } else return 0;
  return 1;
}

/* The fixture to send, or -1 after saying why on stderr (the caller exits 2: a bad --file). */
static inline int open_fixture(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) fprintf(stderr, PEER_NAME ": cannot open %s: %s\n", path, strerror(errno));
  return fd;
}

/* ---------- failures ---------- */

struct failure {
  char code[64]; /* room for the longest GNUTLS_E_* name */
  char message[512];
  const char *phase; /* NULL: no error */
};

/* A failed system call, as ERRNO_<n>; the first failure of a run is the one reported. */
static inline void fail_errno(struct failure *f, const char *what, const char *phase) {
  if (f->phase) return;
  int e = errno;
  f->phase = phase;
  snprintf(f->code, sizeof f->code, "ERRNO_%d", e);
  snprintf(f->message, sizeof f->message, "%s: %s", what, strerror(e));
}

/* ---------- sockets ---------- */

static inline int resolve(const char *host, const char *port, int passive, struct addrinfo **res) {
  struct addrinfo hints;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
  int rc = getaddrinfo(host, port, &hints, res);
  if (rc) fprintf(stderr, PEER_NAME ": cannot resolve %s:%s: %s\n", host, port, gai_strerror(rc));
  return rc;
}

/*
 * A TCP socket on the first address of HOST:PORT that takes it: listening
 * (passive) or connected. -1 (errno set) when none does; exits 1 when the
 * name does not resolve.
 */
static inline int open_socket(const char *host, const char *port, int passive) {
  struct addrinfo *res, *ai;
  if (resolve(host, port, passive, &res)) exit(1);
  int fd = -1;
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    if (passive) {
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) break;
    } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

/* Listens on HOST:PORT (port 0: the kernel picks) and prints "listening <port>"; exits 1 when it cannot. */
static inline int listen_on(const char *host, const char *port) {
  int fd = open_socket(host, port, 1);
  if (fd < 0) {
    fprintf(stderr, PEER_NAME ": cannot listen on %s:%s: %s\n", host, port, strerror(errno));
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

/* Exactly one connection: listens (as listen_on), accepts one client, stops listening. -1 (errno set) when accept fails. */
static inline int accept_one(const char *host, const char *port) {
  int lfd = listen_on(host, port);
  int fd;
  do fd = accept(lfd, NULL, NULL);
  while (fd < 0 && errno == EINTR);
  close(lfd);
  return fd;
}

/* A TCP connection to HOST:PORT, or -1 with f filled (phase handshake); exits 1 when the name does not resolve. */
static inline int connect_to(const char *host, const char *port, struct failure *f) {
  int fd = open_socket(host, port, 0);
  if (fd < 0) fail_errno(f, "connect", "handshake");
  return fd;
}

/* ---------- sending ---------- */

/* What differs between TLS libraries in sending a stream; the loop and the endings are send_stream's. */
struct tls_writer {
  /* Sends all n bytes as records, adding what went out to *written: 0, or -1 with f filled. */
  int (*write)(void *session, const unsigned char *buf, size_t n, unsigned long long *written, struct failure *f);
  /* Sends close_notify (--end end): 0, or -1 with f filled. */
  int (*close_notify)(void *session, struct failure *f);
  void *session;
};

/* What a sender reports, whatever its library. */
struct send_result {
  unsigned long long written;
  double first_ms; /* the clock just before the first record went out; < 0: none */
  struct failure failure;
};

/*
 * Writes FILE to the handshaken session in pieces of o->chunk bytes (buf
 * holds one), then ends the stream as o->ending says. Every failure is in
 * r->failure (phase transfer); the caller closes fd.
 */
static inline void send_stream(const struct stream_options *o, int file, unsigned char *buf, int fd, const struct tls_writer *w, struct send_result *r) {
  for (;;) {
    ssize_t got = read(file, buf, o->chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      fail_errno(&r->failure, "read fixture", "transfer");
      return;
    }
    if (got == 0) break;
    if (r->first_ms < 0) r->first_ms = monotonic_ms();
    if (w->write(w->session, buf, (size_t)got, &r->written, &r->failure) < 0) return;
  }
  switch (o->ending) {
    case END_CLOSE_NOTIFY:
      w->close_notify(w->session, &r->failure);
      break;
    case END_CLOSE:
      break;
    case END_TCP_FIN: {
      if (shutdown(fd, SHUT_WR) < 0) {
        fail_errno(&r->failure, "shutdown", "transfer");
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

/* ---------- the JSON report line ---------- */

/* Prints s as a JSON string (quotes, backslashes and control characters escaped), or null. */
static inline void json_string(const char *s) {
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

/* ,"name":"value" (or null). */
static inline void json_field(const char *name, const char *value) {
  printf(",\"%s\":", name);
  json_string(value);
}

/* A time in milliseconds, null when < 0 (none). */
static inline void json_time(double ms) {
  if (ms < 0) fputs("null", stdout);
  else printf("%.6f", ms);
}

/* The start of a sender's line: {"bytesWritten":N,"firstByteAtMs":T|null (the library's fields follow). */
static inline void json_send_begin(const struct send_result *r) {
  printf("{\"bytesWritten\":%llu,\"firstByteAtMs\":", r->written);
  json_time(r->first_ms);
}

/* The end of every report line: ,"error":null|{code,message,phase}}, then the line is flushed. */
static inline void json_end(const struct failure *f) {
  fputs(",\"error\":", stdout);
  if (!f->phase) fputs("null", stdout);
  else {
    fputs("{\"code\":", stdout);
    json_string(f->code);
    fputs(",\"message\":", stdout);
    json_string(f->message);
    fputs(",\"phase\":", stdout);
    json_string(f->phase);
    putchar('}');
  }
  puts("}");
  fflush(stdout);
}

#endif
