/*
 * tls_stream_io over a POSIX file descriptor (socket, pipe, terminal).
 * The descriptor itself is the ctx: (void *)(intptr_t)fd.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tls_stream/posix.h"

/*
 * Without MSG_NOSIGNAL (older macOS) a write to a closed peer raises
 * SIGPIPE; such platforms must set SO_NOSIGPIPE or ignore SIGPIPE.
 */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif
/*
 * Sockets are read and written with MSG_DONTWAIT even when the descriptor
 * is blocking: "would block" then reaches the core, which waits in
 * fd_wait()'s poll() with the configured timeout. A blocking read() could
 * only be interrupted by a signal. Without MSG_DONTWAIT, timeouts need an
 * O_NONBLOCK descriptor (as they do for pipes and terminals everywhere).
 */
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0
#endif

static int fd_of(void *ctx)
{
    return (int)(intptr_t)ctx;
}

/* Return values are ints: never move more than INT_MAX bytes at once. */
static size_t cap_len(size_t len)
{
    return len > (size_t)INT_MAX ? (size_t)INT_MAX : len;
}

static int fd_read(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n;

    if (buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    do
        n = read(fd_of(ctx), buf, cap_len(len));
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TLS_STREAM_WANT_READ;
    return -errno;
}

/* recv() with MSG_DONTWAIT (see above); not a socket after all: read(). */
static int fd_read_socket(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n;

    if (buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    do
        n = recv(fd_of(ctx), buf, cap_len(len), MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOTSOCK)
        return fd_read(ctx, buf, len);
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TLS_STREAM_WANT_READ;
    return -errno;
}

static int write_result(ssize_t n)
{
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return TLS_STREAM_WANT_WRITE;
    return -errno;
}

static int fd_write_plain(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n;

    if (buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    do
        n = write(fd_of(ctx), buf, cap_len(len));
    while (n < 0 && errno == EINTR);
    return write_result(n);
}

/*
 * send() with MSG_NOSIGNAL: a peer that closed yields -EPIPE instead of
 * killing the process with SIGPIPE, without touching the process's signal
 * handlers. Not a socket after all: fall back to write().
 */
static int fd_write_socket(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n;

    if (buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    do
        n = send(fd_of(ctx), buf, cap_len(len), MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOTSOCK)
        return fd_write_plain(ctx, buf, len);
    return write_result(n);
}

static int fd_close(void *ctx)
{
    /* No retry on EINTR: Linux and most systems release the fd anyway, and
     * a retry could close a descriptor another thread just opened. */
    if (close(fd_of(ctx)) != 0 && errno != EINTR)
        return -errno;
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fd_wait(void *ctx, int want, int timeout_ms)
{
    struct pollfd pfd;
    long long deadline = 0;
    int remaining = timeout_ms < 0 ? -1 : timeout_ms;
    int n;

    if (want == TLS_STREAM_WANT_READ)
        pfd.events = POLLIN;
    else if (want == TLS_STREAM_WANT_WRITE)
        pfd.events = POLLOUT;
    else
        return TLS_STREAM_ERR_ARG;
    pfd.fd = fd_of(ctx);
    if (timeout_ms > 0)
        deadline = now_ms() + timeout_ms;

    for (;;) {
        pfd.revents = 0;
        n = poll(&pfd, 1, remaining);
        if (n > 0)
            break;
        if (n == 0)
            return TLS_STREAM_ERR_TIMEOUT;
        if (errno != EINTR)
            return -errno;
        if (timeout_ms > 0) {
            /* a signal interrupted us: wait only for what is left */
            long long left = deadline - now_ms();
            if (left <= 0)
                return TLS_STREAM_ERR_TIMEOUT;
            remaining = (int)left;
        }
    }
    if (pfd.revents & POLLNVAL)
        return -EBADF;
    /* POLLIN/POLLOUT, or POLLERR/POLLHUP: the next read or write reports
     * the end of stream or the error itself, with its errno. */
    return 0;
}

tls_stream_io tls_stream_io_fd(int fd)
{
    struct stat st;
    tls_stream_io io;

    io.ctx = (void *)(intptr_t)fd;
    /* Sockets take recv()/send() (no SIGPIPE, never blocking in the kernel);
     * anything else read()/write(). If fstat fails, try the socket calls and
     * let ENOTSOCK pick the plain ones per call. */
    if (fstat(fd, &st) == 0 && !S_ISSOCK(st.st_mode)) {
        io.read = fd_read;
        io.write = fd_write_plain;
    } else {
        io.read = fd_read_socket;
        io.write = fd_write_socket;
    }
    io.close = fd_close;
    io.wait = fd_wait;
    return io;
}

tls_stream_io tls_stream_io_fd_borrow(int fd)
{
    tls_stream_io io = tls_stream_io_fd(fd);
    io.close = NULL; /* the caller keeps the descriptor */
    return io;
}

int tls_stream_io_fd_get(const tls_stream_io *io)
{
    if (io == NULL || (io->read != fd_read && io->read != fd_read_socket))
        return -1;
    return (int)(intptr_t)io->ctx;
}
