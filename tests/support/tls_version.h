/*
 * The protocol version pairs negotiate with the backends' defaults: TLS 1.3
 * where both ends have it (OpenSSL; mbedtls 3.6), else TLS 1.2 (mbedtls
 * 2.28). tls_pair pins TLS 1.2 (tls_pair_versions) for the tests that check
 * TLS 1.2's flow; the ussl layer and test_tls13 use the defaults and ask
 * here rather than hard-coding a version.
 */
#ifndef TLS_TEST_VERSION_H
#define TLS_TEST_VERSION_H

#include "test_backend.h"
#include "tls_stream/backend.h"

/** Non-zero when role's backend has TLS 1.3 (its default's newest end). */
static inline int tls_test_role_tls13(tls_stream_role role)
{
    return (tls_test_backend(role)->caps & TLS_STREAM_CAP_TLS13) != 0;
}

/** Non-zero when a pair with the defaults negotiates TLS 1.3. */
static inline int tls_test_default_tls13(void)
{
    return tls_test_role_tls13(TLS_STREAM_CLIENT) && tls_test_role_tls13(TLS_STREAM_SERVER);
}

/** What tls_stream_version() says after such a handshake. */
static inline const char *tls_test_default_version(void)
{
    return tls_test_default_tls13() ? "TLSv1.3" : "TLSv1.2";
}

#endif
