/*
 * OpenSSL backend: the table (see tls_stream/backend.h and tls_stream/openssl.h).
 */
#include "openssl_internal.h"

static const tls_stream_backend openssl_backend = {
    .version = TLS_STREAM_BACKEND_VERSION,
    .name = OPENSSL_VERSION_TEXT,
    .caps = TLS_STREAM_CAP_PSK | TLS_STREAM_CAP_ALPN | TLS_STREAM_CAP_RESUME |
            TLS_STREAM_CAP_MAX_FRAGMENT | TLS_STREAM_CAP_TLS13 |
            TLS_STREAM_CAP_THREADS, /* SSL_CTX locks its own state */
    TLS_STREAM_BK_SLOTS(osl),
};

const tls_stream_backend *tls_stream_backend_openssl(void)
{
    return &openssl_backend;
}
