/*
 * mbedtls backend: the table (see tls_stream/backend.h and tls_stream/mbedtls.h).
 */
#include "mbedtls_internal.h"

static const tls_stream_backend mbedtls_backend = {
    .version = TLS_STREAM_BACKEND_VERSION,
    .name = "mbedtls " MBEDTLS_VERSION_STRING,
    .caps = TLS_STREAM_CAP_PSK | (TLS_STREAM_MBC_CAP_ALPN ? TLS_STREAM_CAP_ALPN : 0u) |
            (TLS_STREAM_MBC_CAP_RESUME ? TLS_STREAM_CAP_RESUME : 0u) |
            (TLS_STREAM_MBC_CAP_MAX_FRAGMENT ? TLS_STREAM_CAP_MAX_FRAGMENT : 0u) |
            (TLS_STREAM_MBC_CAP_THREADS ? TLS_STREAM_CAP_THREADS : 0u) |
            (TLS_STREAM_MBC_MAX_VERSION == TLS_STREAM_TLS1_3 ? TLS_STREAM_CAP_TLS13 : 0u),
    TLS_STREAM_BK_SLOTS(mbt),
};

const tls_stream_backend *tls_stream_backend_mbedtls(void)
{
    return &mbedtls_backend;
}
