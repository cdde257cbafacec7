/*
 * tlscat: the copy loop. One thread, poll() over stdin and the socket, the
 * TLS stream in non-blocking mode over the socket itself:
 *   stdin → tls_stream_write() → socket
 *   socket → tls_stream_read() → stdout
 * The socket is polled for the set tls_stream_wants() gives, plus input
 * (tlscat always reads what the peer sends).
 * stdin at end of file: close_notify is sent, reading goes on until the
 * peer's close_notify. The peer's close_notify first: ours is sent back and
 * the connection ends (TLS 1.2 closes both directions at once).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tlscat.h"

#define CHUNK 16384
#define READS_PER_ROUND 64
#define DRAIN_TIMEOUT_MS 10000

typedef struct pump {
    tls_stream *s;
    tlscat_conn *conn;
    int deferred, verbose;
    int opened;     /* handshake complete */
    int started;    /* handshake begun (deferred: first data either way) */
    int stdin_eof, close_sent, peer_closed;
    unsigned char in[CHUNK];
    size_t in_off, in_len;
    unsigned char out[CHUNK];
} pump;

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

static int write_stdout(const unsigned char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = {STDOUT_FILENO, POLLOUT, 0};
                (void)poll(&p, 1, -1);
                continue;
            }
            fprintf(stderr, "tlscat: stdout: %s\n", strerror(errno));
            return TLSCAT_EXIT_TRANSPORT;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int step_handshake(pump *p)
{
    int rc = tls_stream_handshake(p->s);
    p->started = 1;
    if (is_want(rc))
        return 0;
    if (rc != TLS_STREAM_OK)
        return tlscat_fail(p->s, "handshake failed", rc);
    p->opened = 1;
    if (p->verbose)
        tlscat_print_summary(p->s);
    return 0;
}

static int step_write(pump *p)
{
    while (p->in_len > 0) {
        int rc = tls_stream_write(p->s, p->in + p->in_off, p->in_len);
        if (rc > 0) {
            p->in_off += (size_t)rc;
            p->in_len -= (size_t)rc;
            continue;
        }
        if (is_want(rc))
            return 0;
        return tlscat_fail(p->s, "write failed", rc);
    }
    if (p->stdin_eof && p->in_len == 0 && !p->close_sent) {
        int rc = tls_stream_shutdown(p->s);
        if (is_want(rc))
            return 0;
        if (rc != TLS_STREAM_OK)
            return tlscat_fail(p->s, "sending close_notify failed", rc);
        p->close_sent = 1;
        if (p->verbose)
            fprintf(stderr, "tlscat: stdin ended: close_notify sent\n");
    }
    return 0;
}

static int step_read(pump *p)
{
    int i;
    for (i = 0; i < READS_PER_ROUND; i++) {
        int rc = tls_stream_read(p->s, p->out, sizeof p->out);
        if (rc > 0) {
            int ec = write_stdout(p->out, (size_t)rc);
            if (ec != 0)
                return ec;
            continue;
        }
        if (rc == 0) {
            p->peer_closed = 1;
            if (p->verbose)
                fprintf(stderr, "tlscat: peer sent close_notify\n");
            return 0;
        }
        if (rc == TLS_STREAM_ERR_TRUNCATED && p->close_sent) {
            /* Our close_notify went first and the peer closed its socket
             * without answering (gnutls-cli does so): our data is complete
             * and the peer saw our end; accept it as the end. */
            p->peer_closed = 1;
            if (p->verbose)
                fprintf(stderr, "tlscat: peer closed the connection after our close_notify\n");
            return 0;
        }
        if (is_want(rc))
            return 0;
        return tlscat_fail(p->s, "read failed", rc);
    }
    return 0;
}

/* Send what TLS still buffers (our last records). 0, or an exit code. */
static int flush(pump *p)
{
    int rc;
    if (!(tls_stream_wants(p->s) & TLS_STREAM_POLL_WRITE))
        return 0; /* nothing buffered (or the connection ended) */
    rc = tls_stream_flush(p->s);
    if (rc == TLS_STREAM_OK || is_want(rc))
        return 0;
    return tlscat_fail(p->s, "send failed", rc);
}

/* The peer closed: answer with our close_notify (if not sent yet), send it. */
static int finish(pump *p)
{
    struct pollfd pfd;
    if (!p->close_sent) {
        (void)tls_stream_shutdown(p->s); /* best effort: the peer may be gone */
        p->close_sent = 1;
    }
    while (tls_stream_wants(p->s) & TLS_STREAM_POLL_WRITE) {
        if (tls_stream_flush(p->s) != TLS_STREAM_WANT_WRITE)
            break; /* sent, or the peer closed its socket: nothing left to say */
        pfd.fd = p->conn->fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        if (poll(&pfd, 1, DRAIN_TIMEOUT_MS) <= 0)
            break;
    }
    return TLSCAT_EXIT_OK;
}

static int read_stdin(pump *p)
{
    ssize_t n;
    do
        n = read(STDIN_FILENO, p->in, sizeof p->in);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n < 0) {
        fprintf(stderr, "tlscat: stdin: %s\n", strerror(errno));
        return TLSCAT_EXIT_TRANSPORT;
    }
    if (n == 0)
        p->stdin_eof = 1;
    p->in_off = 0;
    p->in_len = (size_t)n;
    return 0;
}

static int round_trip(pump *p)
{
    int rc;
    if (!p->opened && (p->started || !p->deferred || p->in_len > 0 || p->stdin_eof))
        if ((rc = step_handshake(p)) != 0)
            return rc;
    if (p->opened) {
        if ((rc = step_write(p)) != 0)
            return rc;
        if ((rc = step_read(p)) != 0)
            return rc;
        return flush(p);
    }
    return 0;
}

int tlscat_pump(tls_stream *s, tlscat_conn *conn, int deferred, int verbose)
{
    static pump p;
    struct pollfd fds[2];
    int rc;

    memset(&p, 0, sizeof p);
    p.s = s;
    p.conn = conn;
    p.deferred = deferred;
    p.verbose = verbose;
    tls_stream_set_blocking(s, 0);

    for (;;) {
        int timeout = -1;
        nfds_t n = 0;

        if ((rc = round_trip(&p)) != 0)
            return rc;
        if (p.peer_closed)
            return finish(&p);

        /* stdin: only when the previous chunk is gone (TLS took it all) */
        fds[0].fd = -1; /* ignored by poll(), which would report POLLHUP anyway */
        fds[0].events = POLLIN;
        fds[0].revents = 0;
        if (!p.stdin_eof && p.in_len == 0 && (p.opened || !p.started))
            fds[0].fd = STDIN_FILENO;
        /* socket: the set TLS waits for, and input always (data, alerts,
         * close; the deferred handshake also starts when the peer speaks) */
        fds[1].fd = conn->fd;
        fds[1].events = POLLIN;
        if (tls_stream_wants(s) & TLS_STREAM_POLL_WRITE)
            fds[1].events |= POLLOUT;
        fds[1].revents = 0;
        n = 2;
        if (p.opened && tls_stream_pending(s) > 0)
            timeout = 0;

        rc = poll(fds, n, timeout);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "tlscat: poll: %s\n", strerror(errno));
            return TLSCAT_EXIT_TRANSPORT;
        }
        if (fds[0].fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if ((rc = read_stdin(&p)) != 0)
                return rc;
        }
        if (p.deferred && !p.started && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            p.started = 1;
    }
}
