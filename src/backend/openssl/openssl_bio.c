/*
 * OpenSSL backend: the BIO between OpenSSL's record layer and the
 * tls_stream_io transport. No file descriptor is ever handed to OpenSSL.
 *
 * Writes never block OpenSSL: what the transport does not take at once is
 * kept in our own buffer (s->out) and sent by tls_stream_osl_out_flush().
 * So SSL_write() never answers "retry with the same data" and a chunk is
 * committed as soon as OpenSSL built its record (backend.h's write rule).
 * BIO_flush() (OpenSSL calls it at the end of each handshake flight) and
 * every read drain the buffer as far as the transport takes it; the
 * handshake slot turns "want read" into "want write" while any is left.
 */
#include <limits.h>
#include <string.h>

#include "openssl_internal.h"

/* Remember why the transport failed (OpenSSL only sees -1). Sticky. */
static void transport_failed(tls_stream_osl_session *s, int n)
{
    if (s->io_status == 0) {
        /* 0 from write, or a count larger than asked, break the contract */
        s->io_status = n < 0 ? TLS_STREAM_ERR_IO : TLS_STREAM_ERR_INTERNAL;
        s->io_code = n;
    }
}

/* Write len bytes from buf to the transport until it would block. Returns
 * the count written, or -1 when it failed; *want is the would-block. */
static long push(tls_stream_osl_session *s, const unsigned char *buf, size_t len, int *want)
{
    size_t done = 0;

    *want = 0;
    while (done < len) {
        size_t chunk = len - done > (size_t)INT_MAX ? (size_t)INT_MAX : len - done;
        int n = s->io->write(s->io->ctx, buf + done, chunk);
        if (n > 0 && (size_t)n <= chunk) {
            done += (size_t)n;
            continue;
        }
        /* interrupted or timed out: like a would-block, and the slot hands
         * the status back (tls_stream/io.h) */
        if (tls_stream_bk_is_soft(n)) {
            *want = n;
            break;
        }
        transport_failed(s, n);
        return -1;
    }
    return (long)done;
}

static int keep(tls_stream_osl_session *s, const unsigned char *buf, size_t len)
{
    const tls_stream_allocator *a = s->cfg->alloc;
    size_t used = s->out_len - s->out_off;

    if (s->out_off > 0 && used > 0)
        memmove(s->out, s->out + s->out_off, used);
    s->out_off = 0;
    s->out_len = used;
    if (used + len > s->out_cap) {
        size_t cap = used + len < 2 * s->out_cap ? 2 * s->out_cap : used + len;
        unsigned char *p = a->alloc(a->ctx, cap);
        if (p == NULL) {
            s->nomem = 1;
            return -1;
        }
        if (used > 0)
            memcpy(p, s->out, used);
        tls_stream_osl_out_free(s);
        s->out = p;
        s->out_cap = cap;
        s->out_len = used;
    }
    memcpy(s->out + s->out_len, buf, len);
    s->out_len += len;
    return 0;
}

int tls_stream_osl_out_flush(tls_stream_osl_session *s)
{
    long n;
    int want;

    if (s->io_status != 0)
        return s->io_status;
    if (s->out_len == s->out_off)
        return TLS_STREAM_OK;
    n = push(s, s->out + s->out_off, s->out_len - s->out_off, &want);
    if (n < 0)
        return s->io_status;
    s->out_off += (size_t)n;
    if (s->out_off == s->out_len) {
        s->out_off = s->out_len = 0;
        return TLS_STREAM_OK;
    }
    if (tls_stream_bk_is_stop(want))
        s->soft = want;
    return want;
}

void tls_stream_osl_out_free(tls_stream_osl_session *s)
{
    if (s->out != NULL) {
        OPENSSL_cleanse(s->out, s->out_cap);
        s->cfg->alloc->free(s->cfg->alloc->ctx, s->out, s->out_cap);
    }
    s->out = NULL;
    s->out_cap = s->out_off = s->out_len = 0;
}

static int bio_write(BIO *b, const char *data, int len)
{
    tls_stream_osl_session *s = BIO_get_data(b);
    const unsigned char *buf = (const unsigned char *)data;
    long n = 0;
    int want;

    BIO_clear_retry_flags(b);
    if (s->io_status != 0 || len < 0)
        return -1;
    if (len == 0)
        return 0;
    if (s->out_len == s->out_off) { /* nothing queued: straight to the transport */
        n = push(s, buf, (size_t)len, &want);
        if (n < 0)
            return -1;
        if (tls_stream_bk_is_stop(want))
            s->soft = want;
    }
    if (n < len && keep(s, buf + n, (size_t)len - (size_t)n) != 0)
        return -1;
    return len;
}

static int bio_read(BIO *b, char *data, int len)
{
    tls_stream_osl_session *s = BIO_get_data(b);
    int n;

    BIO_clear_retry_flags(b);
    if (s->io_status != 0 || len < 0)
        return -1;
    if (len == 0)
        return 0;
    /* a write of this call was interrupted (its bytes are queued): the slot
     * returns now, one interruption per call */
    if (s->soft != 0) {
        BIO_set_retry_write(b);
        return -1;
    }
    /* OpenSSL does not always flush a flight before it waits for the
     * answer: what we still hold goes out first, as far as it can (reading
     * goes on regardless, or two full pipes would wait for each other) */
    if (s->out_len > s->out_off) {
        int rc = tls_stream_osl_out_flush(s); /* a failure is sticky in io_status */

        if (s->io_status != 0)
            return -1;
        /* interrupted or timed out: hand that back before reading (a
         * blocking transport would wait for an answer to what we hold) */
        if (tls_stream_bk_is_stop(rc)) {
            BIO_set_retry_write(b);
            return -1;
        }
    }
    n = s->io->read(s->io->ctx, (unsigned char *)data, (size_t)len);
    if (n > 0 && n <= len)
        return n;
    if (n == 0) {
        s->transport_eof = 1; /* OpenSSL: SSL_R_UNEXPECTED_EOF_WHILE_READING */
        return 0;
    }
    if (n == TLS_STREAM_WANT_READ || tls_stream_bk_is_stop(n)) {
        if (n != TLS_STREAM_WANT_READ)
            s->soft = n;
        BIO_set_retry_read(b);
        return -1;
    }
    if (n == TLS_STREAM_WANT_WRITE) {
        BIO_set_retry_write(b);
        return -1;
    }
    transport_failed(s, n);
    return -1;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    tls_stream_osl_session *s = BIO_get_data(b);
    int rc;

    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        /* A would-block is not reported here: OpenSSL's handshake buffer
         * BIO in front of us does not pass our retry flags on. What stays
         * queued goes out before the next read (bio_read) or from the
         * slots (drain_out). */
        BIO_clear_retry_flags(b);
        if (s->soft != 0) /* interrupted in this call: one interruption per call */
            return 1;
        rc = tls_stream_osl_out_flush(s);
        return rc == TLS_STREAM_OK || tls_stream_bk_is_soft(rc);
    case BIO_CTRL_WPENDING:
        return (long)(s->out_len - s->out_off);
    case BIO_CTRL_EOF:
        return s->transport_eof;
    case BIO_CTRL_GET_CLOSE:
    case BIO_CTRL_SET_CLOSE:
    case BIO_CTRL_DUP:
        return 1;
    default:
        return 0;
    }
}

static int bio_create(BIO *b)
{
    BIO_set_init(b, 0);
    BIO_set_data(b, NULL);
    return 1;
}

static int bio_destroy(BIO *b)
{
    BIO_set_data(b, NULL); /* the session owns what the data points to */
    return 1;
}

BIO_METHOD *tls_stream_osl_bio_method(void)
{
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tls_stream_io");

    if (m == NULL)
        return NULL;
    if (!BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
        !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create) ||
        !BIO_meth_set_destroy(m, bio_destroy)) {
        BIO_meth_free(m);
        return NULL;
    }
    return m;
}

BIO *tls_stream_osl_bio_new(tls_stream_osl_session *s)
{
    BIO *b = BIO_new(s->cfg->bio_method);

    if (b == NULL)
        return NULL;
    BIO_set_data(b, s);
    BIO_set_init(b, 1);
    return b;
}
