/*
 * tls_stream — error codes.
 *
 * Every function that can fail returns an int: >= 0 means success (a byte
 * count for read/write), a negative value is one of the codes below.
 * TLS_STREAM_WANT_READ and TLS_STREAM_WANT_WRITE are not failures: the call would block and
 * must be repeated once the transport is ready in that direction.
 * TLS_STREAM_INTERRUPTED is not a failure either: the transport said it was
 * interrupted; the call may be repeated at once.
 *
 * The codes sit far below -4096 so that a stream adapter may return a
 * negated errno (e.g. -ECONNRESET) without colliding with them.
 */
#ifndef TLS_STREAM_TLS_ERROR_H
#define TLS_STREAM_TLS_ERROR_H

#include "tls_stream/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by every tls_* function. */
enum tls_stream_status {
    TLS_STREAM_OK = 0,
    TLS_STREAM_WANT_READ = -0x7001,     /**< would block: wait until readable, call again */
    TLS_STREAM_WANT_WRITE = -0x7002,    /**< would block: wait until writable, call again */
    /**
     * The transport was interrupted (a signal, a host language's pending
     * exception): nothing failed; handle the interruption, then call again
     * to continue where the call stopped (see tls_stream/io.h).
     */
    TLS_STREAM_INTERRUPTED = -0x7003,
    TLS_STREAM_ERR_ARG = -0x7010,       /**< a bad argument (NULL pointer, bad length, bad enum) */
    TLS_STREAM_ERR_STATE = -0x7011,     /**< the call is not valid in the current state */
    TLS_STREAM_ERR_CONFIG = -0x7012,    /**< the configuration is inconsistent or incomplete */
    TLS_STREAM_ERR_UNSUPPORTED = -0x7013, /**< the backend lacks the requested feature */
    TLS_STREAM_ERR_NOMEM = -0x7014,     /**< an allocation failed */
    TLS_STREAM_ERR_BAD_KEY = -0x7015,   /**< a private key or PSK key could not be used */
    TLS_STREAM_ERR_BAD_CERT = -0x7016,  /**< a certificate or CA could not be parsed */
    TLS_STREAM_ERR_CLOSED = -0x7020,    /**< the connection was closed (by us or the peer) */
    TLS_STREAM_ERR_TRUNCATED = -0x7021, /**< the transport ended without close_notify */
    TLS_STREAM_ERR_IO = -0x7022,        /**< the transport failed; detail has its code */
    TLS_STREAM_ERR_TIMEOUT = -0x7023,   /**< no progress within the configured timeout */
    TLS_STREAM_ERR_VERIFY = -0x7030,    /**< the peer's chain is not trusted */
    TLS_STREAM_ERR_HOSTNAME = -0x7031,  /**< the certificate does not match the host name */
    TLS_STREAM_ERR_CERT_EXPIRED = -0x7032, /**< the peer's certificate is expired or not yet valid */
    TLS_STREAM_ERR_NO_PEER_CERT = -0x7033, /**< a required peer certificate was not sent */
    TLS_STREAM_ERR_PSK_IDENTITY = -0x7034, /**< the peer's PSK identity is unknown */
    TLS_STREAM_ERR_PEER_ALERT = -0x7040, /**< the peer sent a fatal alert */
    TLS_STREAM_ERR_HANDSHAKE = -0x7041, /**< the handshake failed (no common suite, bad key...) */
    TLS_STREAM_ERR_PROTOCOL = -0x7042,  /**< the peer broke the protocol (bad record, bad MAC) */
    TLS_STREAM_ERR_INTERNAL = -0x7050   /**< a bug or an unexpected backend state */
};

/**
 * Describe a status code.
 *
 * Returns a static, NUL-terminated English string for any value (including
 * unknown codes and negated errno values, described as a transport error).
 * The caller must not free it.
 */
TLS_STREAM_API const char *tls_stream_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_ERROR_H */
