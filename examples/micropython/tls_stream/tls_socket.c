/*
 * SSLSocket: a tls_stream over the wrapped MicroPython stream, behind
 * MicroPython's stream protocol (read/readinto/readline/write/recv/send,
 * close, ioctl/poll), with the semantics of MicroPython's mbedtls module:
 *   - the library runs non-blocking; a blocking wrapped socket blocks in its
 *     own read/write, a non-blocking one makes calls return None (EAGAIN);
 *   - poll redirects RD/WR to the direction the TLS layer needs next, and
 *     buffered plaintext is readable without asking the wrapped stream;
 *   - a failure is raised once (OSError(code, "MBEDTLS_ERR_...") or the
 *     ValueError of a verification failure) and is sticky: later calls fail
 *     with the same code and poll says POLL_NVAL;
 *   - close() sends close_notify (best effort, never blocking) and closes the
 *     wrapped stream; the GC finaliser frees everything without any I/O.
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/objarray.h"
#include "py/runtime.h"
#include "py/stream.h"

#include "mod_tls.h"
#include "tls_compat.h"

#define POLL_RDWR (MP_STREAM_POLL_RD | MP_STREAM_POLL_WR)

typedef struct deferred_error {
    int status;
    int code;
    char msg[96];
} deferred_error;

/* The socket object, with the text of a deferred tls_stream_new() error. */
typedef struct socket_obj {
    mp_tls_socket s;
    uintptr_t poll_mask; /* direction the TLS layer needs, from the last call */
    const byte *read_end; /* where the last successful read ended in its buffer */
    deferred_error deferred;
} socket_obj;

/* Free the stream without touching the wrapped stream (no I/O). */
static void abort_stream(mp_tls_socket *s)
{
    if (s->stream != NULL) {
        tls_stream_abort(s->stream); /* no transport call at all */
        s->stream = NULL;
    }
}

/* A fatal error: raise it (first time), remember it (sticky). */
static NORETURN void fail(socket_obj *o, int rc)
{
    mp_tls_socket *s = &o->s;
    const char *msg = NULL;
    int code = tls_stream_error_detail(s->stream, &msg);
    char text[128] = "";
    if (msg != NULL)
        strncpy(text, msg, sizeof text - 1);
    s->last_error = mp_tls_errcode(s->stream, rc);
    if (s->last_error == 0)
        s->last_error = MP_EIO;
    mp_tls_raise_status(rc, code, text);
}

static NORETURN void raise_deferred(socket_obj *o)
{
    deferred_error *d = &o->deferred;
    o->s.last_error = d->code != 0 ? d->code : d->status;
    mp_tls_raise_status(d->status, d->code, d->msg);
}

/* verify_callback(cert, depth) after the handshake, for the peer's certificate. */
static void run_verify_callback(socket_obj *o)
{
    mp_tls_socket *s = &o->s;
    const unsigned char *der;
    size_t len;
    if (s->checked || s->ctx->verify_callback == mp_const_none)
        return;
    s->checked = 1;
    if (tls_stream_peer_cert(s->stream, &der, &len) != TLS_STREAM_OK)
        return;
    mp_obj_t cert = mp_obj_new_memoryview('B', len, (void *)der);
    mp_int_t r = mp_obj_get_int(mp_call_function_2(s->ctx->verify_callback, cert,
        MP_OBJ_NEW_SMALL_INT(0)));
    if (r != 0) {
        abort_stream(s);
        s->last_error = MP_EPERM;
        mp_raise_msg(&mp_type_OSError, MP_ERROR_TEXT("verify_callback rejected the certificate"));
    }
}

/* The handshake is over: run verify_callback (once). */
static void after_handshake(socket_obj *o)
{
    tls_stream_conn_state st = tls_stream_state(o->s.stream);
    if (st == TLS_STREAM_STATE_OPEN || st == TLS_STREAM_STATE_PEER_CLOSED)
        run_verify_callback(o);
}

/* After a library call: the wrapped stream's exception first, then the result. */
static int finish(socket_obj *o, int rc, uintptr_t want_read_mask, uintptr_t want_write_mask,
    int *errcode)
{
    mp_tls_socket *s = &o->s;
    if (rc >= 0) {
        /* bytes moved: report them; an exception the wrapped stream raised
         * meanwhile is raised by the next call (usable()), so that no
         * accepted byte is taken for unsent and written twice */
        after_handshake(o);
        return rc;
    }
    mp_tls_io_reraise(s);
    if (mp_tls_status_retry(rc)) {
        after_handshake(o); /* a deferred handshake may have just ended */
        o->poll_mask = rc == TLS_STREAM_WANT_READ ? want_read_mask
                     : rc == TLS_STREAM_WANT_WRITE ? want_write_mask : 0;
        *errcode = MP_EWOULDBLOCK;
        return -1;
    }
    fail(o, rc);
}

/* The checks every read/write makes first: closed, sticky error, deferred error. */
static bool usable(socket_obj *o, int *errcode)
{
    mp_tls_socket *s = &o->s;
    o->poll_mask = 0;
    mp_tls_io_reraise(s); /* left by the previous call */
    if (s->sock == MP_OBJ_NULL) {
        *errcode = MP_EBADF;
        return false;
    }
    if (s->last_error != 0) {
        *errcode = s->last_error;
        return false;
    }
    if (s->stream == NULL)
        raise_deferred(o);
    return true;
}

/*
 * read(n) and readline() call socket_read until n bytes came (mp_stream_rw),
 * each call continuing in the buffer where the last one ended. When a call
 * of such a loop fails (typically: the peer closed its transport without
 * close_notify, right after its last data), the bytes already read must not
 * be lost with the exception: the loop is ended as if the stream would
 * block, and the (sticky) error comes with the next call.
 */
static bool continues_a_read(socket_obj *o, const void *buf)
{
    return o->read_end != NULL && (const byte *)buf == o->read_end;
}

static mp_uint_t socket_read(mp_obj_t self_in, void *buf, mp_uint_t size, int *errcode)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    if (!usable(o, errcode))
        return MP_STREAM_ERROR;
    int rc = tls_stream_read(o->s.stream, buf, size);
    if (rc < 0 && !mp_tls_status_retry(rc) && o->s.pending_exc == MP_OBJ_NULL &&
        continues_a_read(o, buf)) {
        o->read_end = NULL;
        o->s.last_error = mp_tls_errcode(o->s.stream, rc);
        *errcode = MP_EAGAIN; /* mp_stream_rw returns the bytes it has */
        return MP_STREAM_ERROR;
    }
    o->read_end = rc > 0 ? (const byte *)buf + rc : NULL;
    rc = finish(o, rc, 0, MP_STREAM_POLL_WR, errcode);
    return rc < 0 ? MP_STREAM_ERROR : (mp_uint_t)rc;
}

static mp_uint_t socket_write(mp_obj_t self_in, const void *buf, mp_uint_t size, int *errcode)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    if (!usable(o, errcode))
        return MP_STREAM_ERROR;
    int rc = tls_stream_write(o->s.stream, buf, size);
    if (rc > 0)
        tls_stream_flush(o->s.stream); /* push out what was accepted, if the stream can take it */
    rc = finish(o, rc, MP_STREAM_POLL_RD, 0, errcode);
    return rc < 0 ? MP_STREAM_ERROR : (mp_uint_t)rc;
}

/* close(): close_notify (never blocking), close the wrapped stream, free. */
static void socket_close(socket_obj *o)
{
    mp_tls_socket *s = &o->s;
    if (s->sock == MP_OBJ_NULL)
        return;
    if (s->stream != NULL) {
        /* closes the wrapped stream through io_close; close_notify and
         * close failures are ignored, as MicroPython's close ignores them */
        if (tls_stream_close(s->stream) == TLS_STREAM_INTERRUPTED) {
            mp_tls_io_reraise(s); /* nothing closed yet: close() again later */
            return;
        }
        tls_stream_free(s->stream);
        s->stream = NULL;
    } else {
        int err = 0;
        mp_get_stream(s->sock)->ioctl(s->sock, MP_STREAM_CLOSE, 0, &err);
    }
    s->sock = MP_OBJ_NULL;
    mp_tls_io_reraise(s);
}

static mp_uint_t socket_poll(socket_obj *o, uintptr_t arg, int *errcode)
{
    mp_tls_socket *s = &o->s;
    uintptr_t saved = 0;
    mp_uint_t ret = 0;
    if (s->sock == MP_OBJ_NULL || s->last_error != 0)
        return MP_STREAM_POLL_NVAL;
    if (o->poll_mask != 0 && (arg & POLL_RDWR)) {
        saved = arg & POLL_RDWR;
        arg = (arg & ~saved) | o->poll_mask;
    }
    if ((arg & MP_STREAM_POLL_RD) && s->stream != NULL && tls_stream_pending(s->stream) > 0) {
        ret |= MP_STREAM_POLL_RD;
        if (arg == MP_STREAM_POLL_RD)
            return MP_STREAM_POLL_RD;
    }
    mp_uint_t r = mp_get_stream(s->sock)->ioctl(s->sock, MP_STREAM_POLL, arg, errcode);
    if (r == MP_STREAM_ERROR)
        return r;
    ret |= r;
    if (ret & o->poll_mask)
        ret |= saved;
    return ret;
}

static mp_uint_t socket_ioctl(mp_obj_t self_in, mp_uint_t request, uintptr_t arg, int *errcode)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    if (request == MP_STREAM_CLOSE) {
        socket_close(o);
        return 0;
    }
    if (request == MP_STREAM_POLL)
        return socket_poll(o, arg, errcode);
    *errcode = MP_EINVAL;
    return MP_STREAM_ERROR;
}

/* do_handshake_on_connect: loop like MicroPython, waiting 1 ms between tries. */
static void run_handshake(socket_obj *o)
{
    mp_tls_socket *s = &o->s;
    for (;;) {
        int rc = tls_stream_handshake(s->stream);
        if (rc == TLS_STREAM_OK) {
            mp_tls_io_reraise(s);
            run_verify_callback(o);
            return;
        }
        if (s->pending_exc != MP_OBJ_NULL || !mp_tls_status_retry(rc)) {
            /* the wrap fails: the wrapped stream stays the caller's */
            nlr_buf_t nlr;
            if (nlr_push(&nlr) == 0) {
                int errcode;
                finish(o, rc, 0, 0, &errcode);
                nlr_pop();
            } else {
                abort_stream(s);
                s->sock = MP_OBJ_NULL;
                nlr_jump(nlr.ret_val);
            }
        }
        mp_event_wait_ms(1);
    }
}

mp_obj_t mp_tls_socket_new(mp_tls_context *ctx, mp_obj_t sock, bool server_side,
    bool do_handshake, mp_obj_t server_hostname)
{
    const char *name = NULL;
    mp_get_stream_raise(sock, MP_STREAM_OP_READ | MP_STREAM_OP_WRITE | MP_STREAM_OP_IOCTL);
    if (server_hostname != mp_const_none)
        name = mp_obj_str_get_str(server_hostname);
    else if (!server_side && ctx->role == TLS_STREAM_CLIENT &&
             ctx->verify_mode == TLS_STREAM_VERIFY_REQUIRED && !mp_tls_context_has_psk(ctx))
        mp_raise_ValueError(MP_ERROR_TEXT("CERT_REQUIRED requires server_hostname"));
    tls_stream_config *cfg = mp_tls_context_config(ctx);

    socket_obj *o = mp_obj_malloc_with_finaliser(socket_obj, &mp_tls_socket_type);
    mp_tls_socket *s = &o->s;
    s->ctx = ctx;
    s->sock = sock;
    s->stream = NULL;
    s->pending_exc = MP_OBJ_NULL;
    s->deferred = 0;
    s->last_error = 0;
    s->checked = 0;
    s->server_side = server_side;
    o->poll_mask = 0;
    o->read_end = NULL;
    memset(&o->deferred, 0, sizeof o->deferred);

    tls_stream_io io;
    mp_tls_io_init(s, &io);
    int rc = tls_stream_new(&s->stream, cfg, &io);
    if (rc == TLS_STREAM_ERR_NOMEM)
        mp_raise_OSError(MP_ENOMEM);
    if (rc != TLS_STREAM_OK) {
        /* MicroPython reports a context it cannot use (a server without a
         * key, a verifying client without CA) when the handshake runs */
        const char *msg = NULL;
        s->stream = NULL;
        s->deferred = 1;
        o->deferred.status = rc;
        o->deferred.code = tls_stream_config_error_detail(cfg, &msg);
        if (msg != NULL)
            strncpy(o->deferred.msg, msg, sizeof o->deferred.msg - 1);
        if (do_handshake) {
            s->sock = MP_OBJ_NULL;
            raise_deferred(o);
        }
        return MP_OBJ_FROM_PTR(o);
    }
    tls_stream_set_blocking(s->stream, 0);
    if (name != NULL && ctx->role == TLS_STREAM_CLIENT &&
        (rc = tls_stream_set_server_name(s->stream, name)) != TLS_STREAM_OK) {
        abort_stream(s);
        s->sock = MP_OBJ_NULL;
        mp_tls_raise_status(rc, 0, "server_hostname");
    }
    if (do_handshake)
        run_handshake(o);
    return MP_OBJ_FROM_PTR(o);
}

/* ---- methods ---------------------------------------------------------------- */

static mp_obj_t socket_setblocking(mp_obj_t self_in, mp_obj_t flag)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    mp_obj_t dest[3];
    if (o->s.sock == MP_OBJ_NULL)
        mp_raise_OSError(MP_EBADF);
    mp_load_method(o->s.sock, MP_QSTR_setblocking, dest);
    dest[2] = flag;
    return mp_call_method_n_kw(1, 0, dest);
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_setblocking_obj, socket_setblocking);

/* __del__ (the GC finaliser): free without I/O; the wrapped stream has its own. */
static mp_obj_t socket_del(mp_obj_t self_in)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    abort_stream(&o->s);
    o->s.sock = MP_OBJ_NULL;
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_del_obj, socket_del);

static mp_obj_t socket_getpeercert(mp_obj_t self_in, mp_obj_t binary_form)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    const unsigned char *der;
    size_t len;
    if (!mp_obj_is_true(binary_form))
        mp_raise_NotImplementedError(NULL);
    if (o->s.stream == NULL || tls_stream_peer_cert(o->s.stream, &der, &len) != TLS_STREAM_OK)
        return mp_const_none;
    return mp_obj_new_bytes(der, len);
}
static MP_DEFINE_CONST_FUN_OBJ_2(socket_getpeercert_obj, socket_getpeercert);

static mp_obj_t socket_cipher(mp_obj_t self_in)
{
    socket_obj *o = MP_OBJ_TO_PTR(self_in);
    const char *name = o->s.stream != NULL ? tls_stream_cipher(o->s.stream) : NULL;
    const char *version = o->s.stream != NULL ? tls_stream_version(o->s.stream) : NULL;
    if (name == NULL || version == NULL)
        return mp_const_none;
    mp_obj_t t[2] = { mp_obj_new_str_from_cstr(name), mp_obj_new_str_from_cstr(version) };
    return mp_obj_new_tuple(2, t);
}
static MP_DEFINE_CONST_FUN_OBJ_1(socket_cipher_obj, socket_cipher);

static const mp_rom_map_elem_t socket_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
    { MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
    { MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv), MP_ROM_PTR(&mp_stream_read1_obj) },
    { MP_ROM_QSTR(MP_QSTR_recv_into), MP_ROM_PTR(&mp_stream_readinto_obj) },
    { MP_ROM_QSTR(MP_QSTR_send), MP_ROM_PTR(&mp_stream_write1_obj) },
    { MP_ROM_QSTR(MP_QSTR_sendall), MP_ROM_PTR(&mp_stream_write_obj) },
    { MP_ROM_QSTR(MP_QSTR_setblocking), MP_ROM_PTR(&socket_setblocking_obj) },
    { MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&socket_del_obj) },
    #if MICROPY_UNIX_COVERAGE
    { MP_ROM_QSTR(MP_QSTR_ioctl), MP_ROM_PTR(&mp_stream_ioctl_obj) },
    #endif
    { MP_ROM_QSTR(MP_QSTR_getpeercert), MP_ROM_PTR(&socket_getpeercert_obj) },
    { MP_ROM_QSTR(MP_QSTR_cipher), MP_ROM_PTR(&socket_cipher_obj) },
};
static MP_DEFINE_CONST_DICT(socket_locals_dict, socket_locals_table);

static const mp_stream_p_t socket_stream_p = {
    .read = socket_read,
    .write = socket_write,
    .ioctl = socket_ioctl,
};

MP_DEFINE_CONST_OBJ_TYPE(
    mp_tls_socket_type,
    MP_QSTR_SSLSocket,
    MP_TYPE_FLAG_NONE,
    protocol, &socket_stream_p,
    locals_dict, &socket_locals_dict
    );
