/*
 * tls_stream_io over a POSIX file descriptor (socket, pipe, terminal).
 * The descriptor itself is the ctx: (void *)(intptr_t)fd.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
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
 * As fast as raw blocking I/O: one recv()/send() per call, no poll(). A
 * blocking descriptor blocks in the kernel, where set_timeout's
 * SO_RCVTIMEO/SO_SNDTIMEO bound it; an O_NONBLOCK one answers "would block"
 * and tls_stream waits in fd_wait()'s poll() with its timeout. Which of the
 * two an EAGAIN means is asked (fcntl) only when one comes.
 */

static int fd_of(void *ctx)
{
    return (int)(intptr_t)ctx;
}

/* Return values are ints: never move more than INT_MAX bytes at once. */
static size_t cap_len(size_t len)
{
    return len > (size_t)INT_MAX ? (size_t)INT_MAX : len;
}

/* EAGAIN: "would block" on an O_NONBLOCK descriptor, the kernel timeout on a blocking one. */
static int again(void *ctx, int want)
{
    int fl = fcntl(fd_of(ctx), F_GETFL);
    if (fl != -1 && !(fl & O_NONBLOCK))
        return TLS_STREAM_ERR_TIMEOUT;
    return want;
}

static int read_result(void *ctx, ssize_t n)
{
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return again(ctx, TLS_STREAM_WANT_READ);
    return -errno;
}

static int fd_read(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n;

    if (buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    do
        n = read(fd_of(ctx), buf, cap_len(len));
    while (n < 0 && errno == EINTR);
    return read_result(ctx, n);
}

/* recv(); not a socket after all: read(). */
static int fd_read_socket(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n;

    if (buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    do
        n = recv(fd_of(ctx), buf, cap_len(len), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOTSOCK)
        return fd_read(ctx, buf, len);
    return read_result(ctx, n);
}

static int write_result(void *ctx, ssize_t n)
{
    if (n >= 0)
        return (int)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return again(ctx, TLS_STREAM_WANT_WRITE);
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
    return write_result(ctx, n);
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
        n = send(fd_of(ctx), buf, cap_len(len), MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ENOTSOCK)
        return fd_write_plain(ctx, buf, len);
    return write_result(ctx, n);
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

/* Kernel timeouts for a blocking socket (see the top); others: nothing to do. */
static int fd_set_timeout(void *ctx, int timeout_ms)
{
    struct timeval tv;

    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    if (timeout_ms == 0)
        tv.tv_usec = 1; /* 0 would mean "forever" */
    if (setsockopt(fd_of(ctx), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd_of(ctx), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        return errno == ENOTSOCK ? 0 : -errno; /* pipes: O_NONBLOCK and wait() */
    return 0;
}

tls_stream_io tls_stream_io_fd(int fd)
{
    struct stat st;
    tls_stream_io io;

    io.ctx = (void *)(intptr_t)fd;
    /* Sockets take recv()/send() (no SIGPIPE, kernel timeouts); anything
     * else read()/write(). If fstat fails, try the socket calls and let
     * ENOTSOCK pick the plain ones per call. */
    if (fstat(fd, &st) == 0 && !S_ISSOCK(st.st_mode)) {
        io.read = fd_read;
        io.write = fd_write_plain;
    } else {
        io.read = fd_read_socket;
        io.write = fd_write_socket;
    }
    io.close = fd_close;
    io.wait = fd_wait;
    io.set_timeout = fd_set_timeout;
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
