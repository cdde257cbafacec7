/*
 * ioctl(POLL) of MicroPython's SSLSocket: the direction the TLS layer needs
 * overrides the caller's, buffered plaintext counts as readable, and a
 * closed or failed socket is POLL_NVAL.
 */
#include "ussl_internal.h"

#define RDWR (USSL_POLL_RD | USSL_POLL_WR)

/*
 * The direction TLS needs that the caller may not expect (MicroPython's
 * poll_mask): a read waiting to read is the caller's own business, but a
 * read waiting to write, a write waiting to read, or records still to be
 * sent redirect the caller's poll.
 */
static int tls_direction(const ussl_socket *s)
{
    int want = tls_stream_wants(s->stream), need = 0;
    if (want & TLS_STREAM_POLL_WRITE)
        need |= USSL_POLL_WR;
    if ((want & TLS_STREAM_POLL_READ) && !s->last_op_read)
        need |= USSL_POLL_RD;
    return need;
}

static int invalid(const ussl_socket *s)
{
    return s == NULL || s->closed || s->stream == NULL ||
           tls_stream_state(s->stream) == TLS_STREAM_STATE_FAILED;
}

/* Readable without the transport: plaintext buffered, or the peer closed (read gives 0). */
static int readable_now(const ussl_socket *s)
{
    return tls_stream_pending(s->stream) > 0 ||
           tls_stream_state(s->stream) == TLS_STREAM_STATE_PEER_CLOSED;
}

int ussl_poll(const ussl_socket *sock, int events)
{
    int need, asked, ret = 0;
    if (invalid(sock))
        return USSL_POLL_NVAL;
    need = tls_direction(sock);
    asked = events & RDWR;
    if (need != 0 && asked != 0)
        events = (events & ~RDWR) | need;
    if ((asked & USSL_POLL_RD) && readable_now(sock)) {
        ret |= USSL_POLL_RD;
        if (asked == USSL_POLL_RD && need == 0)
            return ret; /* no need to ask the transport */
    }
    if (sock->sock_ops != NULL && sock->sock_ops->poll != NULL)
        ret |= sock->sock_ops->poll(sock->io.ctx, events);
    if (need != 0) {
        /* the direction TLS needs is ready: wake the caller for whatever it
         * asked, so that it calls read/write and lets TLS progress */
        ret = (ret & need) ? (ret & ~RDWR) | asked : ret & ~RDWR & ~need;
        if (readable_now(sock))
            ret |= asked & USSL_POLL_RD;
    }
    return ret;
}

int ussl_poll_direction(const ussl_socket *sock, int events)
{
    int need;
    if (invalid(sock))
        return USSL_POLL_NVAL;
    need = tls_direction(sock);
    if ((events & USSL_POLL_RD) && need == 0 && readable_now(sock))
        return 0;
    return need != 0 ? need : events & RDWR;
}
