/*
 * mbedtls backend: the table (see tls_backend.h and tls_mbedtls.h).
 */
#include "mbedtls_internal.h"

static const tls_backend mbedtls_backend = {
    TLS_BACKEND_VERSION,
    "mbedtls " MBEDTLS_VERSION_STRING,
    TLS_CAP_PSK | (TLS_MBC_CAP_ALPN ? TLS_CAP_ALPN : 0u),
    tls_mbt_config_new,
    tls_mbt_config_load,
    tls_mbt_config_finish,
    tls_mbt_config_free,
    tls_mbt_session_new,
    tls_mbt_session_free,
    tls_mbt_handshake,
    tls_mbt_read,
    tls_mbt_write,
    tls_mbt_flush,
    tls_mbt_close_notify,
    tls_mbt_pending,
    tls_mbt_wants_flush,
    tls_mbt_info,
};

const tls_backend *tls_backend_mbedtls(void)
{
    return &mbedtls_backend;
}
