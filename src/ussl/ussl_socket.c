/*
 * The SSLSocket methods: read, readinto, readline, write, setblocking,
 * getpeercert, cipher, close — with MicroPython's stream semantics.
 */
#include "ussl_internal.h"

static size_t cap(size_t n)
{
    return n > (size_t)INT_MAX ? (size_t)INT_MAX : n;
}

/* Every method starts here: 0, or the error to return (closed: EBADF). */
static int usable(ussl_socket *s)
{
    if (s == NULL)
        return -USSL_EINVAL;
    if (s->closed)
        return ussl_os_error(&s->err, USSL_EBADF, 0);
    if (s->deferred) {
        s->err = s->deferred_err;
        return USSL_E_VALUE;
    }
    return 0;
}

/* usable(), but a keyless server (no stream yet) is fine: 1 if it has a stream. */
static int has_stream(ussl_socket *s, int *rc)
{
    *rc = s == NULL ? -USSL_EINVAL : s->closed ? ussl_os_error(&s->err, USSL_EBADF, 0) : 0;
    return *rc == 0 && s->stream != NULL;
}

static int stream_failed(ussl_socket *s, int status)
{
    return ussl_from_stream(&s->err, s->stream, status);
}

/* How much a read call takes: n bytes (or to the end of the stream), what
 * one record gives, or up to a newline, one byte at a time, as
 * MicroPython's unbuffered readline (nothing past the newline is consumed). */
enum { READ_FULL, READ_ONCE, READ_LINE };

/*
 * MicroPython's mp_stream_rw(): repeat until n bytes (or the newline) or the
 * end of the stream; a would-block or an error after some bytes returns
 * those bytes (the error is sticky in the core, so the next call reports it).
 */
static int read_some(ussl_socket *s, unsigned char *buf, size_t n, int mode)
{
    size_t done = 0;
    int rc = usable(s);
    if (rc != 0)
        return rc;
    n = cap(n);
    if (n == 0)
        return 0;
    if (buf == NULL)
        return ussl_value_error(&s->err, TLS_STREAM_MSG("buf is NULL"));
    s->last_op_read = 1;
    while (done < n) {
        rc = tls_stream_read(s->stream, buf + done, mode == READ_LINE ? 1 : n - done);
        if (rc > 0) {
            done += (size_t)rc;
            if (mode == READ_ONCE || (mode == READ_LINE && buf[done - 1] == '\n'))
                break;
            continue;
        }
        if (rc == 0 || done > 0)
            break;
        return stream_failed(s, rc);
    }
    return (int)done;
}

int ussl_read(ussl_socket *sock, void *buf, size_t n)
{
    return read_some(sock, (unsigned char *)buf, n, READ_FULL);
}

int ussl_readinto(ussl_socket *sock, void *buf, size_t n)
{
    return read_some(sock, (unsigned char *)buf, n, READ_FULL);
}

int ussl_read1(ussl_socket *sock, void *buf, size_t n)
{
    return read_some(sock, (unsigned char *)buf, n, READ_ONCE);
}

int ussl_readline(ussl_socket *sock, void *buf, size_t size)
{
    return read_some(sock, (unsigned char *)buf, size, READ_LINE);
}

int ussl_write(ussl_socket *sock, const void *buf, size_t n)
{
    int rc = usable(sock);
    if (rc != 0)
        return rc;
    sock->last_op_read = 0;
    if (n == 0) {
        /* non-blocking writes may leave records buffered: this sends them */
        rc = tls_stream_flush(sock->stream);
        return rc == TLS_STREAM_OK ? 0 : stream_failed(sock, rc);
    }
    if (buf == NULL)
        return ussl_value_error(&sock->err, TLS_STREAM_MSG("buf is NULL"));
    rc = tls_stream_write(sock->stream, buf, cap(n));
    return rc >= 0 ? rc : stream_failed(sock, rc);
}

int ussl_do_handshake(ussl_socket *sock)
{
    int rc = usable(sock);
    if (rc != 0)
        return rc;
    sock->last_op_read = 0;
    rc = tls_stream_handshake(sock->stream);
    return rc == TLS_STREAM_OK ? 0 : stream_failed(sock, rc);
}

int ussl_setblocking(ussl_socket *sock, int flag)
{
    int rc;
    /* forwarded also for a keyless server, as MicroPython does */
    if (has_stream(sock, &rc))
        tls_stream_set_blocking(sock->stream, flag != 0);
    if (rc != 0)
        return rc;
    if (sock->sock_ops != NULL && sock->sock_ops->setblocking != NULL) {
        rc = sock->sock_ops->setblocking(sock->io.ctx, flag != 0);
        if (rc < 0)
            return ussl_transport_error(&sock->err, rc, 0);
    }
    return 0;
}

int ussl_getpeercert(ussl_socket *sock, int binary_form, const unsigned char **der, size_t *len)
{
    int rc;
    if (der != NULL)
        *der = NULL;
    if (len != NULL)
        *len = 0;
    if (!has_stream(sock, &rc))
        return rc;
    if (der == NULL || len == NULL)
        return ussl_value_error(&sock->err, TLS_STREAM_MSG("der and len are required"));
    if (!binary_form)
        return ussl_value_error(&sock->err,
                                TLS_STREAM_MSG("getpeercert: only binary_form=True is supported"));
    /* before the handshake, or no certificate sent: None */
    (void)tls_stream_peer_cert(sock->stream, der, len);
    return 0;
}

int ussl_cipher(const ussl_socket *sock, const char **name, const char **version)
{
    if (name != NULL)
        *name = NULL;
    if (version != NULL)
        *version = NULL;
    if (sock == NULL)
        return -USSL_EINVAL;
    if (sock->closed)
        return -USSL_EBADF;
    if (sock->stream == NULL)
        return 0;
    if (name != NULL)
        *name = tls_stream_cipher(sock->stream);
    if (version != NULL)
        *version = tls_stream_version(sock->stream);
    return 0;
}

int ussl_session_save(ussl_socket *sock, unsigned char *buf, size_t size, size_t *len)
{
    int rc;
    if (sock == NULL || len == NULL)
        return -USSL_EINVAL;
    *len = 0;
    if (sock->closed)
        return -USSL_EBADF;
    if (sock->stream == NULL)
        return ussl_value_error(&sock->err, TLS_STREAM_MSG("no session"));
    rc = tls_stream_session_save(sock->stream, buf, size, len);
    if (rc == TLS_STREAM_OK)
        return 0;
    return ussl_value_error(&sock->err,
                            rc == TLS_STREAM_ERR_ARG ? TLS_STREAM_MSG("buffer too small") : tls_stream_strerror(rc));
}

int ussl_session_resumed(const ussl_socket *sock)
{
    return sock != NULL && !sock->closed && sock->stream != NULL && tls_stream_resumed(sock->stream);
}

/* Release the stream: free (closing the transport once) or abort (no call at all). */
static void drop_stream(ussl_socket *sock, int abort)
{
    if (sock->stream == NULL) { /* a keyless server: only the transport is ours */
        if (!abort && sock->io.close != NULL)
            (void)sock->io.close(sock->io.ctx);
    } else if (abort) {
        tls_stream_abort(sock->stream);
    } else {
        tls_stream_free(sock->stream);
    }
    sock->stream = NULL;
    sock->closed = 1;
}

int ussl_close(ussl_socket *sock)
{
    int rc;
    if (sock == NULL)
        return -USSL_EINVAL;
    if (sock->closed)
        return 0;
    if (sock->stream == NULL) { /* a keyless server: the transport only */
        rc = sock->io.close != NULL ? sock->io.close(sock->io.ctx) : 0;
        sock->closed = 1;
        return rc < 0 ? ussl_transport_error(&sock->err, rc, TLS_STREAM_ERR_IO) : 0;
    }
    rc = tls_stream_close(sock->stream); /* closes the transport too (proxy_close) */
    if (rc == TLS_STREAM_INTERRUPTED)
        return stream_failed(sock, rc); /* nothing closed: call again */
    drop_stream(sock, 0);
    /* close_notify failures are ignored, as MicroPython ignores them; the
     * transport's own close failing is reported */
    if (sock->close_rc < 0)
        return ussl_transport_error(&sock->err, sock->close_rc, TLS_STREAM_ERR_IO);
    return 0;
}

static void free_socket(ussl_socket *sock, int abort)
{
    tls_stream_allocator a;
    if (sock == NULL)
        return;
    if (!sock->closed)
        drop_stream(sock, abort);
    a = sock->alloc;
    tls_stream_memzero(sock, sizeof *sock);
    tls_stream_dealloc(&a, sock, sizeof *sock);
}

void ussl_free(ussl_socket *sock)
{
    free_socket(sock, 0);
}

void ussl_abort(ussl_socket *sock)
{
    free_socket(sock, 1);
}

const ussl_error *ussl_last_error(const ussl_socket *sock)
{
    static const ussl_error none = { USSL_NO_ERROR, 0, 0, { 0 } };
    return sock != NULL ? &sock->err : &none;
}
