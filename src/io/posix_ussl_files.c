/*
 * POSIX side of the ussl wrapper: the file loader behind keyfile=, certfile=,
 * ca_certs= and psk_table= paths, and the setblocking/poll methods of a
 * tls_stream_io_fd() transport (whose ctx is the descriptor, see posix_fd.c).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>

#include "tls_stream/posix.h"
#include "tls_stream/ussl.h"
#include "../core/core_internal.h"

int ussl_posix_load_file(void *arg, const char *path, ussl_blob_fn use, void *use_ctx)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc;
    (void)arg;
    if (path == NULL || use == NULL)
        return -EINVAL;
    rc = tls_stream_read_file(path, &data, &len);
    if (rc == TLS_STREAM_ERR_IO)
        return errno > 0 ? -errno : -EIO; /* OSError(errno), as MicroPython's open() */
    if (rc == TLS_STREAM_ERR_NOMEM)
        return -ENOMEM;
    if (rc != TLS_STREAM_OK)
        return -EINVAL;
    rc = use(use_ctx, data, len);
    /* keys pass through here: wiped so that the compiler cannot drop it */
    tls_stream_memzero(data, len);
    free(data);
    return rc;
}

void ussl_opts_init_posix(ussl_opts *opts)
{
    ussl_opts_init(opts);
    if (opts != NULL)
        opts->load_file = ussl_posix_load_file;
}

static int fd_of(void *ctx)
{
    return (int)(intptr_t)ctx;
}

static int fd_setblocking(void *ctx, int blocking)
{
    int fd = fd_of(ctx);
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -errno;
    flags = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
    return fcntl(fd, F_SETFL, flags) < 0 ? -errno : 0;
}

static int fd_poll(void *ctx, int events)
{
    struct pollfd p;
    int ret = 0;
    p.fd = fd_of(ctx);
    p.events = (short)(((events & USSL_POLL_RD) ? POLLIN : 0) |
                       ((events & USSL_POLL_WR) ? POLLOUT : 0));
    p.revents = 0;
    if (poll(&p, 1, 0) < 0)
        return USSL_POLL_ERR;
    if (p.revents & POLLIN)
        ret |= USSL_POLL_RD;
    if (p.revents & POLLOUT)
        ret |= USSL_POLL_WR;
    if (p.revents & POLLERR)
        ret |= USSL_POLL_ERR;
    if (p.revents & POLLHUP)
        ret |= USSL_POLL_HUP;
    if (p.revents & POLLNVAL)
        ret |= USSL_POLL_NVAL;
    return ret;
}

const ussl_sock_ops ussl_fd_sock_ops = { fd_setblocking, fd_poll };
