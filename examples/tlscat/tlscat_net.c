/* tlscat: sockets (connect, listen + accept one) and the transport. */
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

/* ---- the transport: the socket itself ------------------------------- */

tls_stream_io tlscat_conn_io(tlscat_conn *conn)
{
    /* borrowed: tlscat closes the socket itself, after the last flush */
    return tls_stream_io_fd_borrow(conn->fd);
}

void tlscat_conn_free(tlscat_conn *conn)
{
    if (conn->fd >= 0)
        close(conn->fd);
    conn->fd = -1;
}
