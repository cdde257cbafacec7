/*
 * Protocol versions: tls_stream_config_set_version() and TLS 1.3 (OpenSSL,
 * mbedtls 3.6) with our client and our server over the memory pipe, on every
 * backend and mixed pair: certificates, mutual TLS, external PSK, tickets,
 * and the failures. Where an end lacks TLS 1.3 (mbedtls 2.28) the same tests
 * check that TLS 1.3 is refused and that the pair settles on TLS 1.2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "test_alloc.h"
#include "tls_pair.h"
#include "tls_version.h"
#include "tls_stream/options.h"
#include "tls_stream/tls_stream.h"

static unsigned char key1[TLS_STREAM_PSK_MAX_KEY];
static size_t key1_len;

static int setup(void **state)
{
    int n = tls_pair_psk_from_file("psk.txt", "client1", key1, sizeof key1);
    (void)state;
    if (n <= 0)
        return -1;
    key1_len = (size_t)n;
    tls_pair_versions(0, 0); /* the backend's defaults, unless a test says otherwise */
    return 0;
}

static tls_stream_config *cert_client(void)
{
    tls_stream_config *c;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem",
                                          "localhost", NULL, NULL),
                     TLS_STREAM_OK);
    return c;
}

static tls_stream_config *cert_server(void)
{
    tls_stream_config *s;
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    return s;
}

static void make_pair(tls_pair *p, tls_stream_config *c, tls_stream_config *s)
{
    assert_int_equal(tls_pair_adopt(p, c, s), TLS_STREAM_OK);
}

static void assert_version(const tls_pair *p, const char *version)
{
    assert_string_equal(tls_stream_version(p->client), version);
    assert_string_equal(tls_stream_version(p->server), version);
    assert_string_equal(tls_stream_cipher(p->client), tls_stream_cipher(p->server));
    if (strcmp(version, "TLSv1.3") == 0)
        assert_non_null(strstr(tls_stream_cipher(p->client), "TLS1-3-"));
    else
        assert_null(strstr(tls_stream_cipher(p->client), "TLS1-3-"));
}

/* ---------------------------------------------------------------------- */
/* The setter                                                             */
/* ---------------------------------------------------------------------- */

static void test_set_version_checks_its_arguments(void **state)
{
    tls_stream_config *c;
    (void)state;
    assert_int_equal(tls_stream_config_new(&c, tls_test_backend(TLS_STREAM_CLIENT), TLS_STREAM_CLIENT,
                                           tls_test_allocator()),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_version(NULL, 0, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_version(c, 0x0302, 0), TLS_STREAM_ERR_ARG); /* TLS 1.1 */
    assert_int_equal(tls_stream_config_set_version(c, 0, 0x0305), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_version(c, TLS_STREAM_TLS1_3, TLS_STREAM_TLS1_2),
                     TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_version(c, TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_2),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_version(c, 0, 0), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_version(c, TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_3),
                     tls_test_role_tls13(TLS_STREAM_CLIENT) ? TLS_STREAM_OK : TLS_STREAM_ERR_UNSUPPORTED);
    assert_int_equal(tls_stream_config_set_version(c, TLS_STREAM_TLS1_3, 0),
                     tls_test_role_tls13(TLS_STREAM_CLIENT) ? TLS_STREAM_OK : TLS_STREAM_ERR_UNSUPPORTED);
    tls_stream_config_free(c);
}

static void test_default_is_the_newest_version_the_backend_has(void **state)
{
    tls_pair p;
    (void)state;
    make_pair(&p, cert_client(), cert_server());
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_version(&p, tls_test_default_version());
    assert_int_equal(tls_pair_transfer(&p, 20000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_tls12_only_peer_settles_on_tls12(void **state)
{
    tls_pair p;
    tls_stream_config *c = cert_client();
    (void)state;
    tls_pair_versions(TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_2);
    make_pair(&p, c, cert_server());
    tls_pair_versions(0, 0);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_version(&p, "TLSv1.2");
    tls_pair_free(&p);
}

/* ---------------------------------------------------------------------- */
/* TLS 1.3 (or, without it, proof that it is refused)                     */
/* ---------------------------------------------------------------------- */

static void test_tls13_only_client_against_tls12_only_server_fails(void **state)
{
    tls_pair p;
    tls_stream_config *c = cert_client(), *s;
    (void)state;
    if (!tls_test_role_tls13(TLS_STREAM_CLIENT)) {
        assert_int_equal(tls_stream_config_set_version(c, TLS_STREAM_TLS1_3, TLS_STREAM_TLS1_3),
                         TLS_STREAM_ERR_UNSUPPORTED);
        tls_stream_config_free(c);
        return;
    }
    assert_int_equal(tls_stream_config_set_version(c, TLS_STREAM_TLS1_3, TLS_STREAM_TLS1_3),
                     TLS_STREAM_OK);
    tls_pair_versions(TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_2);
    s = cert_server();
    tls_pair_versions(0, 0);
    make_pair(&p, c, s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_HANDSHAKE);
    tls_pair_free(&p);
}

/* A version range the suite list has no suite for is refused when the
 * stream is made (a configuration error), not left to fail the handshake. */
static void test_versions_without_a_suite_are_a_config_error(void **state)
{
    static const char *const tls12_only[] = {"TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", NULL};
    static const char *const tls13_only[] = {"TLS1-3-AES-128-GCM-SHA256", NULL};
    static const char *const *const lists[] = {tls12_only, tls13_only};
    static const int versions[] = {TLS_STREAM_TLS1_3, TLS_STREAM_TLS1_2};
    tls_stream_config *c, *s;
    tls_pair p;
    int i;
    (void)state;
    /* without TLS 1.3 (mbedtls 2.28) only the second: a TLS 1.3 suite is
     * unknown there, which is a configuration error too */
    for (i = tls_test_role_tls13(TLS_STREAM_CLIENT) ? 0 : 1; i < 2; i++) {
        const char *msg = NULL;
        c = cert_client();
        s = cert_server();
        assert_int_equal(tls_stream_config_set_version(c, versions[i], versions[i]), TLS_STREAM_OK);
        assert_int_equal(tls_stream_config_set_ciphersuites(c, lists[i]), TLS_STREAM_OK);
        assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_ERR_CONFIG);
        tls_stream_config_error_detail(c, &msg);
        if (tls_test_role_tls13(TLS_STREAM_CLIENT))
            assert_string_equal(msg, TLS_STREAM_MSG("no cipher suite of the allowed versions"));
        tls_stream_config_free(c);
        tls_stream_config_free(s);
    }
}

/* A verifying client with cert/key (NULL: none) and a server asking for a
 * client certificate in mode verify. */
static void mtls_pair(tls_pair *p, const char *cert, const char *key, tls_stream_verify verify)
{
    tls_stream_config *c, *s;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem",
                                          "localhost", cert, key),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key", verify, "ca.pem"),
                     TLS_STREAM_OK);
    make_pair(p, c, s);
}

/* The server refused the client's certificate: in TLS 1.2 the client's
 * handshake fails on the alert; in TLS 1.3 the client is done before the
 * server judges it, and its first read meets the alert: OpenSSL's, or
 * mbedtls 3.6's, which it encrypts with its handshake key instead of the
 * application key (RFC 8446 7.1), so that it fails to decrypt. */
static void assert_client_learns_the_refusal(tls_pair *p)
{
    unsigned char buf[4];
    if (!tls_test_default_tls13()) {
        assert_int_equal(p->client_rc, TLS_STREAM_ERR_PEER_ALERT);
        return;
    }
    assert_int_equal(p->client_rc, TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(p->client, buf, sizeof buf),
                     TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, TLS_STREAM_ERR_PROTOCOL, TLS_STREAM_ERR_PEER_ALERT));
}

static void test_tls13_mutual_tls(void **state)
{
    tls_pair p;
    const unsigned char *der;
    size_t len;
    (void)state;
    mtls_pair(&p, "client.pem", "client.key", TLS_STREAM_VERIFY_REQUIRED);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_version(&p, tls_test_default_version());
    assert_int_equal(tls_stream_peer_cert(p.server, &der, &len), TLS_STREAM_OK);
    assert_true(len > 0);
    assert_int_equal(tls_stream_peer_cert(p.client, &der, &len), TLS_STREAM_OK);
    assert_int_equal(tls_pair_transfer(&p, 5000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_tls13_missing_client_certificate(void **state)
{
    tls_pair p;
    (void)state;
    mtls_pair(&p, NULL, NULL, TLS_STREAM_VERIFY_REQUIRED);
    tls_pair_handshake(&p);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_NO_PEER_CERT);
    assert_client_learns_the_refusal(&p);
    tls_pair_free(&p);
}

/* Server OPTIONAL: a bad client certificate is refused, none is fine. */
static void test_tls13_server_optional_client_certificate(void **state)
{
    tls_pair p;
    (void)state;
    mtls_pair(&p, "other_server.pem", "other_server.key", TLS_STREAM_VERIFY_OPTIONAL);
    tls_pair_handshake(&p);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_VERIFY);
    assert_client_learns_the_refusal(&p);
    tls_pair_free(&p);

    mtls_pair(&p, NULL, NULL, TLS_STREAM_VERIFY_OPTIONAL);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_version(&p, tls_test_default_version());
    assert_int_equal(tls_pair_transfer(&p, 1000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_tls13_untrusted_server_is_refused_and_the_server_told(void **state)
{
    tls_pair p;
    tls_stream_config *s;
    const char *msg = NULL;
    (void)state;
    assert_int_equal(tls_pair_cert_server(&s, NULL, "other_server.pem", "other_server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    make_pair(&p, cert_client(), s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_VERIFY);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_VERIFY);
    /* a TLS 1.3 client refuses before its keys are in place: a plaintext
     * alert, which the server reports as the alert it is */
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_PEER_ALERT);
    tls_stream_error_detail(p.server, &msg);
    assert_string_equal(msg, TLS_STREAM_MSG("peer alert 48 (unknown_ca)"));
    tls_pair_free(&p);
}

static void psk_pair(tls_pair *p, const unsigned char *client_key, const char *client_id)
{
    tls_stream_config *c, *s;
    assert_int_equal(tls_pair_psk_client(&c, NULL, client_id, client_key, key1_len),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&s, NULL, "client1", key1, key1_len), TLS_STREAM_OK);
    make_pair(p, c, s);
}

static void test_tls13_psk_handshake_and_data(void **state)
{
    tls_pair p;
    const unsigned char *der;
    size_t len;
    (void)state;
    psk_pair(&p, key1, "client1");
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_version(&p, tls_test_default_version());
    if (tls_test_default_tls13()) /* the SHA-256 suites an external PSK takes */
        assert_non_null(strstr(tls_stream_cipher(p.client), "SHA256"));
    else
        assert_non_null(strstr(tls_stream_cipher(p.client), "PSK"));
    assert_int_equal(tls_stream_peer_cert(p.client, &der, &len), TLS_STREAM_ERR_NO_PEER_CERT);
    assert_int_equal(tls_pair_transfer(&p, 20000), TLS_STREAM_OK);
    assert_int_equal(tls_stream_resumed(p.client), 0);
    assert_int_equal(tls_stream_resumed(p.server), 0);
    tls_pair_free(&p);
}

static void test_tls13_psk_wrong_key_fails_both_sides(void **state)
{
    tls_pair p;
    unsigned char wrong[TLS_STREAM_PSK_MAX_KEY];
    (void)state;
    memcpy(wrong, key1, key1_len);
    wrong[0] ^= 1;
    psk_pair(&p, wrong, "client1");
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
    /* TLS 1.2: the Finished fails to decrypt; TLS 1.3: the binder is wrong */
    assert_int_equal(p.server_rc,
                     tls_test_default_tls13() ? TLS_STREAM_ERR_HANDSHAKE : TLS_STREAM_ERR_PROTOCOL);
    tls_pair_free(&p);
}

static void test_tls13_psk_unknown_identity(void **state)
{
    tls_pair p;
    (void)state;
    psk_pair(&p, key1, "nobody");
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_PSK_IDENTITY);
    tls_pair_free(&p);
}

/* A PSK client never settles for a certificate handshake (no fallback). */
static void test_tls13_psk_client_refuses_a_certificate_server(void **state)
{
    tls_pair p;
    tls_stream_config *c;
    (void)state;
    assert_int_equal(tls_pair_psk_client(&c, NULL, "client1", key1, key1_len), TLS_STREAM_OK);
    make_pair(&p, c, cert_server());
    tls_pair_handshake(&p);
    if (tls_test_default_tls13()) {
        /* the server picks a certificate handshake, which the client's
         * PSK-only key exchange modes do not allow: the client refuses */
        assert_int_equal(p.client_rc, TLS_STREAM_ERR_HANDSHAKE);
        assert_int_equal(p.server_rc, TLS_STREAM_ERR_PEER_ALERT);
    } else {
        /* TLS 1.2: no common suite, the server refuses */
        assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
        assert_int_equal(p.server_rc, TLS_STREAM_ERR_HANDSHAKE);
    }
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_FAILED);
    tls_pair_free(&p);
}

typedef tls_pair_saved saved;

static int connect_once(tls_stream_config *c, tls_stream_config *s, const saved *offer, saved *save)
{
    return tls_pair_connect_once(c, s, offer, save, 4096);
}

static void test_tls13_ticket_resumes(void **state)
{
    tls_stream_config *c = cert_client(), *s = cert_server();
    saved first, second;
    (void)state;
    assert_int_equal(tls_stream_config_set_session_tickets(s, 3600), TLS_STREAM_OK);
    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    assert_int_equal(connect_once(c, s, &first, &second), 1);
    assert_int_equal(connect_once(c, s, &second, NULL), 1);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_tls13_ticket_of_another_server_is_a_full_handshake(void **state)
{
    tls_stream_config *c = cert_client(), *s = cert_server(), *other = cert_server();
    saved first;
    (void)state;
    assert_int_equal(tls_stream_config_set_session_tickets(s, 3600), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_session_tickets(other, 3600), TLS_STREAM_OK);
    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    assert_int_equal(connect_once(c, other, &first, NULL), 0);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    tls_stream_config_free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_version_checks_its_arguments),
        cmocka_unit_test(test_default_is_the_newest_version_the_backend_has),
        cmocka_unit_test(test_tls12_only_peer_settles_on_tls12),
        cmocka_unit_test(test_tls13_only_client_against_tls12_only_server_fails),
        cmocka_unit_test(test_versions_without_a_suite_are_a_config_error),
        cmocka_unit_test(test_tls13_mutual_tls),
        cmocka_unit_test(test_tls13_missing_client_certificate),
        cmocka_unit_test(test_tls13_server_optional_client_certificate),
        cmocka_unit_test(test_tls13_untrusted_server_is_refused_and_the_server_told),
        cmocka_unit_test(test_tls13_psk_handshake_and_data),
        cmocka_unit_test(test_tls13_psk_wrong_key_fails_both_sides),
        cmocka_unit_test(test_tls13_psk_unknown_identity),
        cmocka_unit_test(test_tls13_psk_client_refuses_a_certificate_server),
        cmocka_unit_test(test_tls13_ticket_resumes),
        cmocka_unit_test(test_tls13_ticket_of_another_server_is_a_full_handshake),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
