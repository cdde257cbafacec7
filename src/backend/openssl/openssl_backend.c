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
    .config_new = tls_stream_osl_config_new,
    .config_load = tls_stream_osl_config_load,
    .config_finish = tls_stream_osl_config_finish,
    .config_free = tls_stream_osl_config_free,
    .session_new = tls_stream_osl_session_new,
    .session_free = tls_stream_osl_session_free,
    .handshake = tls_stream_osl_handshake,
    .read = tls_stream_osl_read,
    .write = tls_stream_osl_write,
    .flush = tls_stream_osl_flush,
    .close_notify = tls_stream_osl_close_notify,
    .pending = tls_stream_osl_pending,
    .wants_flush = tls_stream_osl_wants_flush,
    .info = tls_stream_osl_info,
    .session_save = tls_stream_osl_session_save,
};

const tls_stream_backend *tls_stream_backend_openssl(void)
{
    return &openssl_backend;
}
