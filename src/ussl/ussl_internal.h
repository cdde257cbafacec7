/*
 * What the files of the ussl layer share (not a public header).
 * Portable: freestanding headers only; allocations through the allocator hook.
 */
#ifndef TLS_STREAM_USSL_INTERNAL_H
#define TLS_STREAM_USSL_INTERNAL_H

#include <limits.h>
#include <stddef.h>

#include "../core/core_internal.h"
#include "tls_stream/ussl.h"

struct ussl_socket {
    tls_stream_allocator alloc;
    tls_stream_io io;                      /* the caller's transport */
    tls_stream *stream;             /* NULL once closed */
    const ussl_sock_ops *sock_ops;  /* may be NULL */
    int owns_io;                    /* set when wrap_socket succeeded */
    int closed;
    int close_rc;                   /* what the transport's close returned */
    int last_op_read;               /* the last read/write call was a read */
    ussl_error err;
    /* a server without key or PSK wrapped with do_handshake=False: no
     * stream; every TLS method fails with this (MicroPython fails at the
     * handshake, not at the wrap) */
    int deferred;
    ussl_error deferred_err;
};

/* ---- ussl_error.c ---- */

/** Fill e (may be NULL) and return rc. msg may be NULL. */
int ussl_set_error(ussl_error *e, int rc, ussl_error_kind kind, int code, int status,
                   const char *msg);

/** OSError(err) for a positive errno: returns -err. */
int ussl_os_error(ussl_error *e, int err, int status);

/** OSError for a transport's return n: its negated errno, or EIO when n is
 *  not one (USSL_IS_ERRNO). Returns the negative errno. */
int ussl_transport_error(ussl_error *e, int n, int status);

/** ValueError(msg): returns USSL_E_VALUE. */
int ussl_value_error(ussl_error *e, const char *msg);

/**
 * Translate a tls_stream status into MicroPython's exception, using the
 * backend's detail (code, msg; msg may be NULL or empty). Returns the ussl
 * return value. status must be negative.
 */
int ussl_from_status(ussl_error *e, int status, int detail_code, const char *detail_msg);

/** ussl_from_status() with the detail of stream s. */
int ussl_from_stream(ussl_error *e, const tls_stream *s, int status);

/** Copy src (NUL-terminated or not, at most n) into dst of dst_size, NUL-terminated. */
void ussl_strlcpy(char *dst, size_t dst_size, const char *src, size_t n);

#endif /* TLS_STREAM_USSL_INTERNAL_H */
