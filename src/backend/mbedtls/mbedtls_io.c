/*
 * mbedtls backend: the transport callbacks, and the send queue we own.
 *
 * mbedtls's send callback never hears "would block" from us: what the
 * transport does not take at once is queued here (one record at most: each
 * slot drains the queue before asking mbedtls for more), and our flush sends
 * it. So whether ciphertext is pending, and sending it, is our own state,
 * not mbedtls's (whose out_left and flush_output are private in 3.x).
 */
#include <limits.h>
#include <string.h>

#include "mbedtls_internal.h"

static size_t cap_int(size_t len)
{
    return len > (size_t)INT_MAX ? (size_t)INT_MAX : len;
}

/* Remember why the transport failed: mbedtls only passes on its own code,
 * and callers want the transport's (a negated errno). Sticky. */
int tls_stream_mbt_transport_failed(tls_stream_mbt_session *s, int n, int mbedtls_code)
{
    if (s->io_status == 0) {
        /* 0 or a count larger than asked break the tls_stream_io contract */
        s->io_status = n < 0 ? TLS_STREAM_ERR_IO : TLS_STREAM_ERR_INTERNAL;
        s->io_code = n;
    }
    return mbedtls_code;
}

/* The transport answers a backend call hands back as they are (see io.h). */
static int soft_status(int n)
{
    return tls_stream_bk_is_stop(n) ? n : 0;
}

/*
 * A send failed (typically: the peer sent a fatal alert and closed). So
 * that the peer's alert is reported rather than our broken pipe, mbedtls
 * goes on as if the bytes went out; it then reads what the peer already
 * sent (bio_recv) and the slot reports its alert, or else the send error
 * (send_lost in mbedtls_session.c).
 */
static void lose_send(tls_stream_mbt_session *s, int n)
{
    s->send_lost = 1;
    s->send_code = n;
    s->queue_off = s->queue_len = 0;
}

/* Append len bytes to the queue, growing it through our allocator up to
 * TLS_STREAM_MBT_QUEUE_MAX. */
static int enqueue(tls_stream_mbt_session *s, const unsigned char *buf, size_t len)
{
    const tls_stream_allocator *a = s->cfg->alloc;
    size_t used = s->queue_len - s->queue_off;

    if (used + len > TLS_STREAM_MBT_QUEUE_MAX)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR; /* a slot did not drain first: our bug */
    if (s->queue_off > 0) { /* keep the unsent bytes at the front */
        memmove(s->queue, s->queue + s->queue_off, used);
        s->queue_off = 0;
        s->queue_len = used;
    }
    if (used + len > s->queue_cap) {
        unsigned char *bigger = a->alloc(a->ctx, used + len);

        if (bigger == NULL)
            return MBEDTLS_ERR_SSL_ALLOC_FAILED;
        if (used > 0)
            memcpy(bigger, s->queue, used);
        if (s->queue != NULL)
            a->free(a->ctx, s->queue, s->queue_cap);
        s->queue = bigger;
        s->queue_cap = used + len;
    }
    memcpy(s->queue + used, buf, len);
    s->queue_len = used + len;
    return 0;
}

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = p;
    size_t sent = 0;
    int n, ret;

    len = cap_int(len);
    if (s->send_lost)
        return (int)len;
    if (s->io_status != 0)
        return MBEDTLS_ERR_NET_SEND_FAILED;
    s->sent += len;
    tls_stream_mbt_wire_feed(&s->wire, 0, buf, len);
    /* nothing queued and no interruption yet in this call: straight out,
     * as far as the transport takes it */
    while (s->queue_len == s->queue_off && s->soft == 0 && sent < len) {
        n = s->io->write(s->io->ctx, buf + sent, len - sent);
        if (n > 0 && (size_t)n <= len - sent) {
            sent += (size_t)n;
        } else if (n == TLS_STREAM_WANT_WRITE || n == TLS_STREAM_WANT_READ || soft_status(n)) {
            s->soft = soft_status(n); /* the rest waits in the queue; see tls_stream_mbt_soft */
            break;
        } else if (n < 0) {
            lose_send(s, n);
            return (int)len;
        } else {
            return tls_stream_mbt_transport_failed(s, n, MBEDTLS_ERR_NET_SEND_FAILED);
        }
    }
    if (sent < len && (ret = enqueue(s, buf + sent, len - sent)) != 0)
        return ret;
    return (int)len;
}

/* After a lost send: input the peer already sent is there now (no waiting). */
static int input_now(const tls_stream_mbt_session *s)
{
    return s->io->wait == NULL || s->io->wait(s->io->ctx, TLS_STREAM_WANT_READ, 0) == TLS_STREAM_OK;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = p;
    int n;

    if (s->io_status != 0)
        return MBEDTLS_ERR_NET_RECV_FAILED;
    if (s->soft != 0) /* interrupted once in this call: hand it back first */
        return MBEDTLS_ERR_SSL_WANT_READ;
    /* what we queued goes out before we wait for the answer to it: a
     * blocking transport's read would wait for the peer, which waits for it.
     * A non-blocking one that cannot take it now reads on (the slot's
     * wants_flush keeps it due). */
    if (s->queue_off < s->queue_len && (n = tls_stream_mbt_drain(s)) != TLS_STREAM_OK &&
        n != TLS_STREAM_WANT_WRITE && n != TLS_STREAM_WANT_READ) {
        if ((s->soft = soft_status(n)) != 0)
            return MBEDTLS_ERR_SSL_WANT_READ;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    if (s->send_lost && !input_now(s))
        return tls_stream_mbt_transport_failed(s, s->send_code, MBEDTLS_ERR_NET_SEND_FAILED);
    len = cap_int(len);
    n = s->io->read(s->io->ctx, buf, len);
    if (s->send_lost && (n <= 0 || (size_t)n > len))
        return tls_stream_mbt_transport_failed(s, s->send_code, MBEDTLS_ERR_NET_SEND_FAILED);
    s->soft = soft_status(n);
    if (n == 0)
        s->transport_eof = 1; /* mbedtls_ssl_read() says 0 for this and for an empty record */
    if (n > 0 && (size_t)n <= len)
        tls_stream_mbt_wire_feed(&s->wire, 1, buf, (size_t)n);
    if (n >= 0 && (size_t)n <= len)
        return n;
    /* interrupted or timed out: mbedtls resumes a "want" exactly where it stopped */
    if (n == TLS_STREAM_WANT_READ || s->soft != 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n == TLS_STREAM_WANT_WRITE)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return tls_stream_mbt_transport_failed(s, n, MBEDTLS_ERR_NET_RECV_FAILED);
}

void tls_stream_mbt_io_attach(tls_stream_mbt_session *s)
{
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
}

int tls_stream_mbt_drain(tls_stream_mbt_session *s)
{
    while (s->queue_off < s->queue_len) {
        size_t left = cap_int(s->queue_len - s->queue_off);
        int n;

        if (s->io_status != 0)
            return tls_stream_mbt_error(s, MBEDTLS_ERR_NET_SEND_FAILED, TLS_STREAM_MBT_DATA);
        n = s->io->write(s->io->ctx, s->queue + s->queue_off, left);
        if (n == TLS_STREAM_WANT_WRITE || n == TLS_STREAM_WANT_READ || soft_status(n))
            return n; /* call again: the queue stays */
        if (n < 0) {
            lose_send(s, n); /* the slot's wrapper reports it (send_lost) */
            break;
        }
        if (n == 0 || (size_t)n > left) {
            tls_stream_mbt_transport_failed(s, n, MBEDTLS_ERR_NET_SEND_FAILED);
            continue; /* reported above */
        }
        s->queue_off += (size_t)n;
    }
    s->queue_off = s->queue_len = 0;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_io_free(tls_stream_mbt_session *s)
{
    if (s->queue != NULL)
        s->cfg->alloc->free(s->cfg->alloc->ctx, s->queue, s->queue_cap);
    s->queue = NULL;
    s->queue_cap = s->queue_len = s->queue_off = 0;
}

int tls_stream_mbt_soft(tls_stream_mbt_session *s)
{
    int soft = s->soft;

    s->soft = 0;
    return soft;
}
