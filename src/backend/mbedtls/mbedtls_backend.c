/*
 * mbedtls backend: the table (see tls_backend.h and tls_mbedtls.h).
 */
#include "mbedtls_internal.h"

static const tls_backend mbedtls_backend = {
    .version = TLS_BACKEND_VERSION,
    .name = "mbedtls " MBEDTLS_VERSION_STRING,
    .caps = TLS_CAP_PSK | (TLS_MBC_CAP_ALPN ? TLS_CAP_ALPN : 0u) |
            (TLS_MBC_CAP_RESUME ? TLS_CAP_RESUME : 0u) |
            (TLS_MBC_CAP_MAX_FRAGMENT ? TLS_CAP_MAX_FRAGMENT : 0u),
    .config_new = tls_mbt_config_new,
    .config_load = tls_mbt_config_load,
    .config_finish = tls_mbt_config_finish,
    .config_free = tls_mbt_config_free,
    .session_new = tls_mbt_session_new,
    .session_free = tls_mbt_session_free,
    .handshake = tls_mbt_handshake,
    .read = tls_mbt_read,
    .write = tls_mbt_write,
    .flush = tls_mbt_flush,
    .close_notify = tls_mbt_close_notify,
    .pending = tls_mbt_pending,
    .wants_flush = tls_mbt_wants_flush,
    .info = tls_mbt_info,
    .session_save = tls_mbt_session_save,
};

const tls_backend *tls_backend_mbedtls(void)
{
    return &mbedtls_backend;
}
