/*
 * The protocol version the mbedtls backend negotiates by default: TLS 1.3
 * where the build has it (mbedtls 3.6), else TLS 1.2 (2.28). Tests whose
 * outcome depends on it ask here rather than hard-coding one version.
 */
#ifndef TLS_TEST_VERSION_H
#define TLS_TEST_VERSION_H

#include "tls_stream/backend.h"
#include "tls_stream/mbedtls.h"

/** Non-zero when the backend speaks TLS 1.3 (and so defaults to it). */
static inline int tls_test_has_tls13(void)
{
    return (tls_stream_backend_mbedtls()->caps & TLS_STREAM_CAP_TLS13) != 0;
}

/** What tls_stream_version() says after a handshake with the defaults. */
static inline const char *tls_test_default_version(void)
{
    return tls_test_has_tls13() ? "TLSv1.3" : "TLSv1.2";
}

#endif
