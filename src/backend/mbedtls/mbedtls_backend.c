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
    .config_new = tls_stream_mbt_config_new,
    .config_load = tls_stream_mbt_config_load,
    .config_finish = tls_stream_mbt_config_finish,
    .config_free = tls_stream_mbt_config_free,
    .session_new = tls_stream_mbt_session_new,
    .session_free = tls_stream_mbt_session_free,
    .handshake = tls_stream_mbt_handshake,
    .read = tls_stream_mbt_read,
    .write = tls_stream_mbt_write,
    .flush = tls_stream_mbt_flush,
    .close_notify = tls_stream_mbt_close_notify,
    .pending = tls_stream_mbt_pending,
    .wants_flush = tls_stream_mbt_wants_flush,
    .info = tls_stream_mbt_info,
    .session_save = tls_stream_mbt_session_save,
};

const tls_stream_backend *tls_stream_backend_mbedtls(void)
{
    return &mbedtls_backend;
}
