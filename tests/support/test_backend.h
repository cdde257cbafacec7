/*
 * Test support: which real backend a test runs on.
 *
 * One suite for every backend: tests/CMakeLists.txt registers each test that
 * uses a real backend once per backend (names ending in _mbedtls, _openssl)
 * and, for client/server pairs, once per mixed pair (_mixed_mo: mbedtls
 * client, OpenSSL server; _mixed_om: the reverse), through these variables:
 *
 *   TLS_TEST_BACKEND          mbedtls (default) or openssl, for both roles
 *   TLS_TEST_BACKEND_CLIENT   overrides it for client configurations
 *   TLS_TEST_BACKEND_SERVER   overrides it for server configurations
 *
 * An unknown name, or openssl in a build without it, aborts the test: a
 * test never silently runs on another backend than the one it names.
 * Tests whose expected outcome differs between backends (detail codes, a
 * suite name) ask tls_test_openssl(role) and assert each backend's exact
 * outcome.
 */
#ifndef TLS_TEST_BACKEND_H
#define TLS_TEST_BACKEND_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_stream/mbedtls.h"
#if TLS_TEST_WITH_OPENSSL
#include "tls_stream/openssl.h"
#endif
#include "tls_stream/tls_stream.h"

/** The backend name chosen for role ("mbedtls" or "openssl"). */
static inline const char *tls_test_backend_name(tls_stream_role role)
{
    const char *e = getenv(role == TLS_STREAM_SERVER ? "TLS_TEST_BACKEND_SERVER" : "TLS_TEST_BACKEND_CLIENT");

    if (e == NULL || e[0] == '\0')
        e = getenv("TLS_TEST_BACKEND");
    if (e == NULL || e[0] == '\0')
        return "mbedtls";
    return e;
}

/** 1 when role runs on OpenSSL, 0 on mbedtls. */
static inline int tls_test_openssl(tls_stream_role role)
{
    return strcmp(tls_test_backend_name(role), "openssl") == 0;
}

/** The backend table chosen for role (aborts on an unknown name). */
static inline const tls_stream_backend *tls_test_backend(tls_stream_role role)
{
    const char *name = tls_test_backend_name(role);

    if (strcmp(name, "mbedtls") == 0)
        return tls_stream_backend_mbedtls();
#if TLS_TEST_WITH_OPENSSL
    if (strcmp(name, "openssl") == 0)
        return tls_stream_backend_openssl();
#endif
    fprintf(stderr, "TLS_TEST_BACKEND: unknown or not built: %s\n", name);
    abort();
}

/** 1 when both ends run on OpenSSL: a tls_pair then negotiates TLS 1.3
 *  (tls_pair_versions in tls_pair.h). */
static inline int tls_test_tls13(void)
{
    return tls_test_openssl(TLS_STREAM_CLIENT) && tls_test_openssl(TLS_STREAM_SERVER);
}

/** The protocol version a pair of the chosen backends negotiates. */
static inline const char *tls_test_version(void)
{
    return tls_test_tls13() ? "TLSv1.3" : "TLSv1.2";
}

/**
 * 1 when a and b name the same suite, whichever backend named it (mbedtls
 * spells IANA names with '-', OpenSSL with '_').
 */
static inline int tls_test_same_suite(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return 0;
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/**
 * 1 when stream s negotiated a PSK handshake: a PSK or ECDHE-PSK suite
 * (TLS 1.2), or on TLS 1.3 (where suites do not name the key exchange)
 * a handshake without any peer certificate.
 */
static inline int tls_test_psk_negotiated(const tls_stream *s)
{
    const char *cipher = tls_stream_cipher(s), *version = tls_stream_version(s);
    const unsigned char *der;
    size_t len;

    if (cipher == NULL || version == NULL)
        return 0;
    if (strcmp(version, "TLSv1.3") == 0)
        return tls_stream_peer_cert(s, &der, &len) == TLS_STREAM_ERR_NO_PEER_CERT;
    return strstr(cipher, "PSK") != NULL;
}

/** The expected value for the backend that runs role. */
#define TLS_TEST_BY_BACKEND(role, on_mbedtls, on_openssl) \
    (tls_test_openssl(role) ? (on_openssl) : (on_mbedtls))

#endif /* TLS_TEST_BACKEND_H */
