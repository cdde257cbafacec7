/*
 * Signature algorithms with a real backend on both ends over the memory pipe:
 * the default lets a 512-bit RSA key sign (SHA-256 first: SHA-384/512
 * PKCS#1 v1.5 digests do not fit in 64 bytes); tls_stream_config_set_sigalgs()
 * by name; unknown and unusable names fail at tls_stream_new() naming them.
 * An OpenSSL server refuses the 512-bit key itself (security level 1), an
 * OpenSSL client signs PSS in TLS 1.2: each backend's exact outcome.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <mbedtls/version.h>

#include "test_alloc.h"
#include "tls_pair.h"
#include "test_backend.h"
#include "tls_stream/options.h"

static const char *const ECDHE_RSA[] = { "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256", NULL };

static int rsa512_handshake(const char *const *client_sigalgs, const char *const *server_sigalgs)
{
    tls_stream_config *c, *s;
    tls_pair p;
    int rc;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_NONE, NULL, NULL, NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "rsa512_server.pem", "rsa512_server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_ciphersuites(s, ECDHE_RSA), TLS_STREAM_OK);
    if (client_sigalgs != NULL)
        assert_int_equal(tls_stream_config_set_sigalgs(c, client_sigalgs), TLS_STREAM_OK);
    if (server_sigalgs != NULL)
        assert_int_equal(tls_stream_config_set_sigalgs(s, server_sigalgs), TLS_STREAM_OK);
    if (tls_test_openssl(TLS_STREAM_SERVER)) {
        /* OpenSSL's security level 1 refuses a key under 1024 bits */
        assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_ERR_BAD_KEY);
        tls_stream_config_free(c);
        tls_stream_config_free(s);
        return TLS_STREAM_ERR_BAD_KEY;
    }
    assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    rc = tls_pair_handshake(&p);
    if (rc == TLS_STREAM_OK)
        assert_string_equal(tls_stream_cipher(p.client), ECDHE_RSA[0]);
    tls_pair_free(&p);
    return rc;
}

static void test_a_512_bit_rsa_key_signs_with_the_default_algorithms(void **state)
{
    (void)state;
    assert_int_equal(rsa512_handshake(NULL, NULL),
                     TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, TLS_STREAM_OK, TLS_STREAM_ERR_BAD_KEY));
}

static void test_a_client_offering_only_sha512_cannot_get_a_512_bit_signature(void **state)
{
    static const char *const sha512[] = { "rsa_pkcs1_sha512", NULL };
    int rc = rsa512_handshake(sha512, NULL);
    (void)state;
    if (tls_test_openssl(TLS_STREAM_SERVER))
        assert_int_equal(rc, TLS_STREAM_ERR_BAD_KEY);
    else
        assert_int_not_equal(rc, TLS_STREAM_OK);
}

static void test_named_sha256_on_both_ends_handshakes(void **state)
{
    static const char *const names[] = { "rsa_pkcs1_sha256", "ecdsa_secp256r1_sha256", NULL };
    (void)state;
    assert_int_equal(rsa512_handshake(names, names),
                     TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, TLS_STREAM_OK, TLS_STREAM_ERR_BAD_KEY));
}

/* A client naming one algorithm: tls_stream_new()'s result and the detail text. */
static int new_with(const char *name, const char **msg)
{
    const char *names[2];
    tls_stream_config *c;
    tls_stream *s = NULL;
    tls_stream_io io = tls_stream_io_fd_borrow(-1);
    static char text[96];
    int rc;
    names[0] = name;
    names[1] = NULL;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_NONE, NULL, NULL, NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_sigalgs(c, names), TLS_STREAM_OK);
    rc = tls_stream_new(&s, c, &io);
    tls_stream_config_error_detail(c, msg);
    snprintf(text, sizeof text, "%s", *msg);
    *msg = text;
    tls_stream_free(s);
    tls_stream_config_free(c);
    return rc;
}

static void expect_refused(const char *name, const char *text)
{
    const char *msg = NULL;
    assert_int_equal(new_with(name, &msg), TLS_STREAM_ERR_CONFIG);
    assert_string_equal(msg, text);
}

static void test_unknown_signature_algorithm_names_are_refused_by_name(void **state)
{
    (void)state;
    expect_refused("rsa_pkcs1_md5", TLS_STREAM_MSG("unknown signature algorithm: rsa_pkcs1_md5"));
    expect_refused("ecdsa_secp256r1_sha257",
                   TLS_STREAM_MSG("unknown signature algorithm: ecdsa_secp256r1_sha257"));
}

/* mbedtls 2.28 has no PSS in TLS 1.2: named, it is refused (the default leaves it
 * out); 3.x takes it */
static void test_pss_names_are_refused_where_mbedtls_cannot_sign_them(void **state)
{
    const char *msg = NULL;
    (void)state;
    if (tls_test_openssl(TLS_STREAM_CLIENT)) /* OpenSSL signs PSS in TLS 1.2 */
        assert_int_equal(new_with("rsa_pss_rsae_sha256", &msg), TLS_STREAM_OK);
    else if (MBEDTLS_VERSION_NUMBER < 0x03000000)
        expect_refused("rsa_pss_rsae_sha256",
                       TLS_STREAM_MSG("signature algorithm not in this mbedtls: rsa_pss_rsae_sha256"));
    else
        assert_int_equal(new_with("rsa_pss_rsae_sha256", &msg), TLS_STREAM_OK);
}

static void test_empty_or_long_lists_are_bad_arguments(void **state)
{
    static const char *const empty[] = { NULL };
    const char *many[TLS_STREAM_MAX_SIGALGS + 2];
    tls_stream_config *c;
    int i;
    (void)state;
    for (i = 0; i < TLS_STREAM_MAX_SIGALGS + 1; i++)
        many[i] = "rsa_pkcs1_sha256";
    many[TLS_STREAM_MAX_SIGALGS + 1] = NULL;
    assert_int_equal(tls_stream_config_new(&c, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT,
                                           tls_test_allocator()),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_sigalgs(c, empty), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_sigalgs(c, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_sigalgs(c, many), TLS_STREAM_ERR_ARG);
    many[TLS_STREAM_MAX_SIGALGS] = NULL;
    assert_int_equal(tls_stream_config_set_sigalgs(c, many), TLS_STREAM_OK);
    tls_stream_config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_512_bit_rsa_key_signs_with_the_default_algorithms),
        cmocka_unit_test(test_a_client_offering_only_sha512_cannot_get_a_512_bit_signature),
        cmocka_unit_test(test_named_sha256_on_both_ends_handshakes),
        cmocka_unit_test(test_unknown_signature_algorithm_names_are_refused_by_name),
        cmocka_unit_test(test_pss_names_are_refused_where_mbedtls_cannot_sign_them),
        cmocka_unit_test(test_empty_or_long_lists_are_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
