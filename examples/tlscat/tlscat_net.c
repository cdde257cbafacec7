/* tlscat: sockets (connect, listen + accept one) and the queued transport. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tlscat.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* then SIGPIPE is ignored in main() */
#endif

/* NI_MAXHOST and NI_MAXSERV are not POSIX. */
#define TLSCAT_HOST_MAX 1025
#define TLSCAT_SERV_MAX 32

static void describe(const struct sockaddr *sa, socklen_t len, char *host, size_t hlen,
                     char *port, size_t plen)
{
    if (getnameinfo(sa, len, host, (socklen_t)hlen, port, (socklen_t)plen,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(host, hlen, "?");
        snprintf(port, plen, "?");
    }
}

int tlscat_connect(const char *host, const char *port, int verbose)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, err = 0, rc;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "tlscat: cannot resolve %s port %s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        fprintf(stderr, "tlscat: connect to %s port %s failed: %s\n", host, port, strerror(err));
    else if (verbose) {
        char h[TLSCAT_HOST_MAX], p[TLSCAT_SERV_MAX];
        describe(ai->ai_addr, ai->ai_addrlen, h, sizeof h, p, sizeof p);
        fprintf(stderr, "tlscat: connected to %s port %s\n", h, p);
    }
    freeaddrinfo(res);
    return fd;
}

/* Write the port atomically (tmp + rename): a reader never sees half a number. */
static int write_port_file(const char *path, const char *port)
{
    size_t n = strlen(path) + 5;
    char *tmp = malloc(n);
    FILE *f;
    int ok;

    if (tmp == NULL)
        return -1;
    snprintf(tmp, n, "%s.tmp", path);
    f = fopen(tmp, "w");
    ok = f != NULL && fprintf(f, "%s\n", port) > 0;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "tlscat: cannot write port file %s: %s\n", path, strerror(errno));
    free(tmp);
    return ok ? 0 : -1;
}

static int listen_on(const char *bind_addr, const char *port)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, err = 0, rc, one = 1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    rc = getaddrinfo(bind_addr, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "tlscat: cannot resolve %s port %s: %s\n", bind_addr, port,
                gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "tlscat: cannot listen on %s port %s: %s\n", bind_addr, port,
                strerror(err));
    return fd;
}

int tlscat_accept_one(const char *bind_addr, const char *port, const char *port_file,
                      int verbose)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char h[TLSCAT_HOST_MAX], p[TLSCAT_SERV_MAX];
    int lfd = listen_on(bind_addr, port), fd;

    if (lfd < 0)
        return -1;
    if (getsockname(lfd, (struct sockaddr *)&ss, &len) != 0) {
        fprintf(stderr, "tlscat: getsockname: %s\n", strerror(errno));
        close(lfd);
        return -1;
    }
    describe((struct sockaddr *)&ss, len, h, sizeof h, p, sizeof p);
    if (verbose)
        fprintf(stderr, "tlscat: listening on %s port %s\n", h, p);
    if (port_file != NULL && write_port_file(port_file, p) != 0) {
        close(lfd);
        return -1;
    }
    do {
        len = sizeof ss;
        fd = accept(lfd, (struct sockaddr *)&ss, &len);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        fprintf(stderr, "tlscat: accept: %s\n", strerror(errno));
    else if (verbose) {
        describe((struct sockaddr *)&ss, len, h, sizeof h, p, sizeof p);
        fprintf(stderr, "tlscat: connection from %s port %s\n", h, p);
    }
    close(lfd);
    return fd;
}

/* ---- the queued transport ------------------------------------------- */

static int conn_read(void *ctx, unsigned char *buf, size_t len)
{
    tlscat_conn *c = (tlscat_conn *)ctx;
    ssize_t n;
    do
        n = recv(c->fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TLS_STREAM_WANT_READ;
    return -errno;
}

static int queue_append(tlscat_conn *c, const unsigned char *buf, size_t len)
{
    if (c->q_off > 0 && c->q_off + c->q_len + len > c->q_cap) {
        memmove(c->q, c->q + c->q_off, c->q_len);
        c->q_off = 0;
    }
    if (c->q_len + len > c->q_cap) {
        size_t cap = c->q_cap ? c->q_cap : 65536;
        unsigned char *q;
        while (cap < c->q_len + len)
            cap *= 2;
        q = realloc(c->q, cap);
        if (q == NULL)
            return -ENOMEM;
        c->q = q;
        c->q_cap = cap;
    }
    memcpy(c->q + c->q_off + c->q_len, buf, len);
    c->q_len += len;
    return 0;
}

int tlscat_conn_drain(tlscat_conn *c)
{
    while (c->q_len > 0) {
        ssize_t n = send(c->fd, c->q + c->q_off, c->q_len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -errno;
        }
        c->q_off += (size_t)n;
        c->q_len -= (size_t)n;
    }
    c->q_off = 0;
    return 0;
}

/* Always accepts everything: the copy loop bounds the queue (TLSCAT_QUEUE_HIGH). */
static int conn_write(void *ctx, const unsigned char *buf, size_t len)
{
    tlscat_conn *c = (tlscat_conn *)ctx;
    int rc;
    if (len > (size_t)0x7fffffff)
        len = 0x7fffffff;
    rc = queue_append(c, buf, len);
    if (rc != 0)
        return rc;
    rc = tlscat_conn_drain(c); /* opportunistic; errors show again in the loop */
    (void)rc;
    return (int)len;
}

/* tlscat closes the socket itself, after the queue (close_notify) is sent. */
static int conn_close(void *ctx)
{
    (void)ctx;
    return 0;
}

tls_stream_io tlscat_conn_io(tlscat_conn *conn)
{
    tls_stream_io io;
    io.ctx = conn;
    io.read = conn_read;
    io.write = conn_write;
    io.close = conn_close;
    io.wait = NULL; /* the stream runs non-blocking */
    io.set_timeout = NULL;
    return io;
}

void tlscat_conn_free(tlscat_conn *conn)
{
    if (conn->fd >= 0)
        close(conn->fd);
    conn->fd = -1;
    free(conn->q);
    conn->q = NULL;
    conn->q_off = conn->q_len = conn->q_cap = 0;
}
