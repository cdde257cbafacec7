/*
 * tls_stream_io over a MicroPython stream object (a socket, io.BytesIO, an
 * io.IOBase subclass...), through its stream protocol.
 *
 * The wrapped stream may raise (KeyboardInterrupt during a blocking recv,
 * any exception from a Python stream). An exception must not unwind through
 * the library (it would leave the TLS session half-updated), so each call is
 * made under nlr_push: the exception is kept in sock->pending_exc, the
 * library is told the call was interrupted (retryable: the session
 * survives), and mp_tls_io_reraise() raises it once the library returned.
 */
#include "py/mperrno.h"
#include "py/runtime.h"
#include "py/stream.h"

#include "mod_tls.h"
#include "tls_compat.h"

/* The wrapped stream is gone (closed). */
static bool gone(const mp_tls_socket *s)
{
    return s->sock == MP_OBJ_NULL;
}

/* A stream protocol result as a tls_stream_io result. */
static int io_result(mp_uint_t n, int err, int want)
{
    if (n != MP_STREAM_ERROR)
        return (int)n; /* 0: end of stream */
    if (mp_is_nonblocking_error(err))
        return want;
    return err > 0 ? -err : -MP_EIO;
}

/* One read or write of the wrapped stream, its exception caught. */
static int io_call(mp_tls_socket *s, bool write, unsigned char *buf, size_t len)
{
    int want = write ? TLS_STREAM_WANT_WRITE : TLS_STREAM_WANT_READ;
    nlr_buf_t nlr;
    int rc;
    if (gone(s))
        return -MP_EBADF;
    if (len > 0x7fffffff)
        len = 0x7fffffff;
    if (nlr_push(&nlr) == 0) {
        const mp_stream_p_t *p = mp_get_stream(s->sock);
        int err = 0;
        mp_uint_t n = write ? p->write(s->sock, buf, len, &err) : p->read(s->sock, buf, len, &err);
        nlr_pop();
        rc = io_result(n, err, want);
        if (write && rc == 0) /* accepted nothing without saying "would block" */
            rc = want;
    } else {
        s->pending_exc = MP_OBJ_FROM_PTR(nlr.ret_val);
        rc = MP_TLS_IO_INTERRUPTED(want);
    }
    return rc;
}

static int io_read(void *ctx, unsigned char *buf, size_t len)
{
    return io_call(ctx, false, buf, len);
}

static int io_write(void *ctx, const unsigned char *buf, size_t len)
{
    return io_call(ctx, true, (unsigned char *)buf, len);
}

/* close(): MP_STREAM_CLOSE to the wrapped stream, as MicroPython does. */
static int io_close(void *ctx)
{
    mp_tls_socket *s = ctx;
    nlr_buf_t nlr;
    int rc = 0;
    if (gone(s))
        return 0;
    if (nlr_push(&nlr) == 0) {
        int err = 0;
        if (mp_get_stream(s->sock)->ioctl(s->sock, MP_STREAM_CLOSE, 0, &err) == MP_STREAM_ERROR)
            rc = err > 0 ? -err : -MP_EIO;
        nlr_pop();
    } else if (s->pending_exc == MP_OBJ_NULL) {
        s->pending_exc = MP_OBJ_FROM_PTR(nlr.ret_val);
    }
    return rc;
}

void mp_tls_io_init(mp_tls_socket *sock, tls_stream_io *io)
{
    io->ctx = sock;
    io->read = io_read;
    io->write = io_write;
    io->close = io_close;
    io->wait = NULL; /* a blocking wrapped stream blocks inside read/write */
    io->set_timeout = NULL; /* the wrapped stream keeps its own timeout */
}

void mp_tls_io_reraise(mp_tls_socket *sock)
{
    mp_obj_t exc = sock->pending_exc;
    if (exc != MP_OBJ_NULL) {
        sock->pending_exc = MP_OBJ_NULL;
        nlr_raise(exc);
    }
}
