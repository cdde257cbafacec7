/*
 * Certificate handshakes between a real mbedtls client and server over the
 * memory pipe: each verify mode on each side, the failures each one must
 * catch (untrusted chain, wrong host name, expired certificate, missing
 * client certificate), the connection getters and ALPN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tls_pair.h"
#include "test_alloc.h"
#include "test_backend.h"

static void make_pair(tls_pair *p, tls_stream_config *client, tls_stream_config *server)
{
    assert_int_equal(tls_pair_adopt(p, client, server), TLS_STREAM_OK);
}

/* The configurations of a client with verify/ca/name and of a server with
 * cert/key that asks for no client certificate. */
static void server_auth_configs(tls_stream_config **c, tls_stream_config **s, tls_stream_verify verify, const char *ca,
                                const char *name, const char *server_cert,
                                const char *server_key)
{
    assert_int_equal(tls_pair_cert_client(c, NULL, verify, ca, name, NULL, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(s, NULL, server_cert, server_key, TLS_STREAM_VERIFY_NONE,
                                          NULL),
                     TLS_STREAM_OK);
}

/* The pair of server_auth_configs(), after tls_pair_handshake() (result in *rc). */
static void server_auth_pair(tls_pair *p, tls_stream_verify verify, const char *ca, const char *name,
                             const char *server_cert, const char *server_key, int *rc)
{
    tls_stream_config *c = NULL, *s = NULL;
    server_auth_configs(&c, &s, verify, ca, name, server_cert, server_key);
    make_pair(p, c, s);
    *rc = tls_pair_handshake(p);
}

static void assert_open(const tls_pair *p)
{
    assert_int_equal(p->client_rc, TLS_STREAM_OK);
    assert_int_equal(p->server_rc, TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(p->client), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_state(p->server), TLS_STREAM_STATE_OPEN);
}

/* ---------------------------------------------------------------------- */
/* Client verify modes                                                    */
/* ---------------------------------------------------------------------- */

static void test_client_required_with_ca_and_hostname_succeeds(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    server_auth_pair(&p, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "server.pem", "server.key",
                     &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_open(&p);
    assert_int_equal(tls_pair_transfer(&p, 5000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_client_optional_with_ca_and_hostname_succeeds(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    server_auth_pair(&p, TLS_STREAM_VERIFY_OPTIONAL, "ca.pem", "localhost", "server.pem", "server.key",
                     &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_open(&p);
    tls_pair_free(&p);
}

static void test_client_none_without_ca_succeeds(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    server_auth_pair(&p, TLS_STREAM_VERIFY_NONE, NULL, NULL, "server.pem", "server.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_open(&p);
    assert_int_equal(tls_pair_transfer(&p, 5000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

/*
 * Each bad server certificate, each client verify mode: REQUIRED and
 * OPTIONAL fail with the exact code on the client, and the server learns of
 * it from the client's alert; NONE passes.
 */
typedef struct bad_server_case {
    const char *what;
    const char *cert, *key, *server_name;
    int client_error;
} bad_server_case;

static const bad_server_case bad_servers[] = {
    { "untrusted chain", "other_server.pem", "other_server.key", "localhost", TLS_STREAM_ERR_VERIFY },
    { "wrong host name", "server.pem", "server.key", "example.com", TLS_STREAM_ERR_HOSTNAME },
    { "expired", "expired.pem", "expired.key", "localhost", TLS_STREAM_ERR_CERT_EXPIRED },
};

static void check_bad_server(const bad_server_case *bc, tls_stream_verify verify)
{
    tls_pair p;
    int rc;

    print_message("  %s, client verify %d\n", bc->what, (int)verify);
    server_auth_pair(&p, verify, verify == TLS_STREAM_VERIFY_NONE ? NULL : "ca.pem", bc->server_name,
                     bc->cert, bc->key, &rc);
    if (verify == TLS_STREAM_VERIFY_NONE) {
        assert_int_equal(rc, TLS_STREAM_OK);
        assert_open(&p);
        assert_int_equal(tls_pair_transfer(&p, 100), TLS_STREAM_OK);
    } else {
        assert_int_equal(rc, bc->client_error);
        assert_int_equal(p.client_rc, bc->client_error);
        assert_int_equal(p.server_rc, TLS_STREAM_ERR_PEER_ALERT);
        assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_FAILED);
        assert_int_equal(tls_stream_error(p.client), bc->client_error);
    }
    tls_pair_free(&p);
}

/* One named test per bad certificate and client verify mode. */
#define BAD_SERVER_TEST(name, bad_case, verify)                                                  \
    static void name(void **state)                                                               \
    {                                                                                            \
        (void)state;                                                                             \
        check_bad_server(&bad_servers[bad_case], verify);                                        \
    }

BAD_SERVER_TEST(test_client_required_rejects_untrusted_chain, 0, TLS_STREAM_VERIFY_REQUIRED)
BAD_SERVER_TEST(test_client_optional_rejects_untrusted_chain, 0, TLS_STREAM_VERIFY_OPTIONAL)
BAD_SERVER_TEST(test_client_none_accepts_untrusted_chain, 0, TLS_STREAM_VERIFY_NONE)
BAD_SERVER_TEST(test_client_required_rejects_wrong_hostname, 1, TLS_STREAM_VERIFY_REQUIRED)
BAD_SERVER_TEST(test_client_optional_rejects_wrong_hostname, 1, TLS_STREAM_VERIFY_OPTIONAL)
BAD_SERVER_TEST(test_client_none_accepts_wrong_hostname, 1, TLS_STREAM_VERIFY_NONE)
BAD_SERVER_TEST(test_client_required_rejects_expired_certificate, 2, TLS_STREAM_VERIFY_REQUIRED)
BAD_SERVER_TEST(test_client_optional_rejects_expired_certificate, 2, TLS_STREAM_VERIFY_OPTIONAL)
BAD_SERVER_TEST(test_client_none_accepts_expired_certificate, 2, TLS_STREAM_VERIFY_NONE)

/* A verifying client needs a server name. The stream may still get one
 * (tls_stream_set_server_name()), so the error comes when the handshake
 * starts, and nothing is sent. */
static void test_verifying_client_without_server_name_is_a_config_error(void **state)
{
    static const tls_stream_verify modes[] = { TLS_STREAM_VERIFY_REQUIRED, TLS_STREAM_VERIFY_OPTIONAL };
    size_t i;
    (void)state;

    for (i = 0; i < 2; i++) {
        tls_pair p;
        int rc;
        server_auth_pair(&p, modes[i], "ca.pem", NULL, "server.pem", "server.key", &rc);
        assert_int_equal(rc, TLS_STREAM_ERR_CONFIG);
        assert_int_equal(p.client_rc, TLS_STREAM_ERR_CONFIG);
        assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_FAILED);
        assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 1), 0); /* nothing sent */
        assert_int_equal(p.end[0].written_bytes, 0);
        tls_pair_free(&p);
    }
}

static void test_verifying_client_without_ca_is_a_config_error(void **state)
{
    tls_stream_config *c = NULL;
    tls_stream_mem_pipe *pipe = NULL;
    tls_stream *s = (tls_stream *)&s;
    tls_stream_io io;
    (void)state;

    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, NULL, "localhost",
                                          NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_new(&pipe, 0, tls_test_allocator()), TLS_STREAM_OK);
    io = tls_stream_mem_pipe_io(pipe, 0);
    assert_int_equal(tls_stream_new(&s, c, &io), TLS_STREAM_ERR_CONFIG);
    assert_null(s);
    tls_stream_config_free(c);
    tls_stream_mem_pipe_free(pipe);
}

static void test_stream_server_name_overrides_configuration(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    /* no name in the config, the stream's own name verifies */
    server_auth_configs(&c, &s, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", NULL, "server.pem", "server.key");
    make_pair(&p, c, s);
    assert_int_equal(tls_stream_set_server_name(p.client, "localhost"), TLS_STREAM_OK);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_stream_set_server_name(p.client, "localhost"), TLS_STREAM_ERR_STATE);
    tls_pair_free(&p);

    /* the stream's name wins over the config's */
    server_auth_configs(&c, &s, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "server.pem",
                        "server.key");
    make_pair(&p, c, s);
    assert_int_equal(tls_stream_set_server_name(p.client, "example.com"), TLS_STREAM_OK);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_HOSTNAME);
    tls_pair_free(&p);
}

static void test_chain_with_intermediates_verifies(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    server_auth_pair(&p, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "deep_chain.pem",
                     "deep_leaf.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    tls_pair_free(&p);
    server_auth_pair(&p, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "server_chain.pem",
                     "server.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_chain_deeper_than_verify_depth_is_rejected(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    server_auth_configs(&c, &s, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "deep_chain.pem",
                        "deep_leaf.key");
    assert_int_equal(tls_stream_config_set_verify_depth(c, 2), TLS_STREAM_OK);
    make_pair(&p, c, s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_VERIFY);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_PEER_ALERT);
    tls_pair_free(&p);
}

static void test_rsa_server_certificate_succeeds(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    server_auth_pair(&p, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "rsa_server.pem",
                     "rsa_server.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_null(strstr(tls_stream_cipher(p.client), "PSK"));
    tls_pair_free(&p);
}

/* ---------------------------------------------------------------------- */
/* Server verify modes (client certificates)                              */
/* ---------------------------------------------------------------------- */

/* A verifying client (REQUIRED, ca.pem, localhost) with cert/key (NULL:
 * none) against server.pem with server verify mode and ca.pem. */
static void mutual_pair(tls_pair *p, tls_stream_verify server_verify, const char *cert,
                        const char *key, int *rc)
{
    tls_stream_config *c = NULL, *s = NULL;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost",
                                          cert, key),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key", server_verify,
                                          "ca.pem"),
                     TLS_STREAM_OK);
    make_pair(p, c, s);
    *rc = tls_pair_handshake(p);
}

static void assert_peer_cert_is(const tls_stream *s, const char *file)
{
    const unsigned char *der = NULL;
    unsigned char *expected = NULL;
    size_t len = 0, expected_len = 0;

    assert_int_equal(tls_pair_cert_der(file, &expected, &expected_len), TLS_STREAM_OK);
    assert_int_equal(tls_stream_peer_cert(s, &der, &len), TLS_STREAM_OK);
    assert_non_null(der);
    assert_int_equal(len, expected_len);
    assert_memory_equal(der, expected, len);
    free(expected);
}

static void test_mutual_tls_succeeds_and_server_sees_client_certificate(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_REQUIRED, "client.pem", "client.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_open(&p);
    assert_peer_cert_is(p.server, "client.pem");
    assert_peer_cert_is(p.client, "server.pem");
    assert_int_equal(tls_pair_transfer(&p, 3000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

/*
 * The client learns that the server refused its certificate (or its lack of
 * one) from the server's alert: in its handshake on TLS 1.2; on TLS 1.3,
 * where the client's handshake ends with its own certificate and Finished,
 * in its first read.
 */
static void assert_client_refused(tls_pair *p)
{
    unsigned char buf[4];

    if (tls_test_tls13()) {
        assert_int_equal(p->client_rc, TLS_STREAM_OK);
        assert_int_equal(tls_stream_read(p->client, buf, sizeof buf), TLS_STREAM_ERR_PEER_ALERT);
    } else {
        assert_int_equal(p->client_rc, TLS_STREAM_ERR_PEER_ALERT);
    }
    assert_int_equal(tls_stream_state(p->client), TLS_STREAM_STATE_FAILED);
}

static void test_server_required_without_client_certificate_fails(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_REQUIRED, NULL, NULL, &rc);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_NO_PEER_CERT);
    assert_int_equal(rc, tls_test_tls13() ? TLS_STREAM_ERR_NO_PEER_CERT : TLS_STREAM_ERR_PEER_ALERT);
    assert_client_refused(&p);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_FAILED);
    tls_pair_free(&p);
}

static void test_server_required_rejects_untrusted_client_certificate(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_REQUIRED, "other_server.pem", "other_server.key", &rc);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_VERIFY);
    assert_client_refused(&p);
    tls_pair_free(&p);
}

static void test_server_optional_without_client_certificate_succeeds(void **state)
{
    tls_pair p;
    const unsigned char *der = NULL;
    size_t len = 0;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_OPTIONAL, NULL, NULL, &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_open(&p);
    assert_int_equal(tls_stream_peer_cert(p.server, &der, &len), TLS_STREAM_ERR_NO_PEER_CERT);
    assert_int_equal(tls_pair_transfer(&p, 100), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_server_optional_with_trusted_client_certificate_succeeds(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_OPTIONAL, "client.pem", "client.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_peer_cert_is(p.server, "client.pem");
    tls_pair_free(&p);
}

static void test_server_optional_rejects_untrusted_client_certificate(void **state)
{
    tls_pair p;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_OPTIONAL, "other_server.pem", "other_server.key", &rc);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_VERIFY);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_FAILED);
    /* TLS 1.2: the server refuses before its Finished, so the client's
     * handshake fails on the alert, before it could send any data */
    assert_client_refused(&p);
    tls_pair_free(&p);
}

static void test_server_none_ignores_client_certificate(void **state)
{
    tls_pair p;
    const unsigned char *der = NULL;
    size_t len = 0;
    int rc;
    (void)state;

    mutual_pair(&p, TLS_STREAM_VERIFY_NONE, "other_server.pem", "other_server.key", &rc);
    assert_int_equal(rc, TLS_STREAM_OK);
    /* not asked for, so not sent */
    assert_int_equal(tls_stream_peer_cert(p.server, &der, &len), TLS_STREAM_ERR_NO_PEER_CERT);
    tls_pair_free(&p);
}

/* ---------------------------------------------------------------------- */
/* Getters and ALPN                                                       */
/* ---------------------------------------------------------------------- */

static void test_getters_before_and_after_the_handshake(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    const unsigned char *der = NULL;
    size_t len = 0;
    (void)state;

    server_auth_configs(&c, &s, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "server.pem",
                        "server.key");
    make_pair(&p, c, s);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_NEW);
    assert_null(tls_stream_cipher(p.client));
    assert_null(tls_stream_version(p.client));
    assert_null(tls_stream_alpn(p.client));
    assert_int_equal(tls_stream_peer_cert(p.client, &der, &len), TLS_STREAM_ERR_STATE);

    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_string_equal(tls_stream_version(p.client), tls_test_version());
    assert_string_equal(tls_stream_version(p.server), tls_test_version());
    assert_non_null(tls_stream_cipher(p.client));
    assert_true(tls_test_same_suite(tls_stream_cipher(p.client), tls_stream_cipher(p.server)));
    if (tls_test_tls13()) /* the OpenSSL server's first choice */
        assert_string_equal(tls_stream_cipher(p.client), "TLS1-3-AES-256-GCM-SHA384");
    else
        assert_non_null(strstr(tls_stream_cipher(p.client), "ECDHE"));
    assert_null(strstr(tls_stream_cipher(p.client), "PSK"));
    assert_null(tls_stream_alpn(p.client));
    assert_null(tls_stream_alpn(p.server));
    /* the server's certificate, byte for byte (server.der is its DER form) */
    assert_peer_cert_is(p.client, "server.der");
    assert_int_equal(tls_stream_pending(p.client), 0);
    assert_int_equal(tls_stream_error(p.client), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void alpn_pair(tls_pair *p, const char *const *client_protos,
                      const char *const *server_protos)
{
    tls_stream_config *c = NULL, *s = NULL;
    server_auth_configs(&c, &s, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", "server.pem",
                        "server.key");
    if (client_protos != NULL)
        assert_int_equal(tls_stream_config_set_alpn(c, client_protos), TLS_STREAM_OK);
    if (server_protos != NULL)
        assert_int_equal(tls_stream_config_set_alpn(s, server_protos), TLS_STREAM_OK);
    make_pair(p, c, s);
}

static void test_alpn_negotiates_the_common_protocol(void **state)
{
    static const char *const client_protos[] = { "h2", "http/1.1", NULL };
    static const char *const server_protos[] = { "http/1.1", NULL };
    tls_pair p;
    (void)state;

    alpn_pair(&p, client_protos, server_protos);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_non_null(tls_stream_alpn(p.client));
    assert_non_null(tls_stream_alpn(p.server));
    assert_string_equal(tls_stream_alpn(p.client), "http/1.1");
    assert_string_equal(tls_stream_alpn(p.server), "http/1.1");
    tls_pair_free(&p);
}

static void test_alpn_offered_to_a_server_without_alpn_gives_none(void **state)
{
    static const char *const client_protos[] = { "h2", "http/1.1", NULL };
    tls_pair p;
    (void)state;

    alpn_pair(&p, client_protos, NULL);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_null(tls_stream_alpn(p.client));
    assert_null(tls_stream_alpn(p.server));
    tls_pair_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_required_with_ca_and_hostname_succeeds),
        cmocka_unit_test(test_client_optional_with_ca_and_hostname_succeeds),
        cmocka_unit_test(test_client_none_without_ca_succeeds),
        cmocka_unit_test(test_client_required_rejects_untrusted_chain),
        cmocka_unit_test(test_client_optional_rejects_untrusted_chain),
        cmocka_unit_test(test_client_none_accepts_untrusted_chain),
        cmocka_unit_test(test_client_required_rejects_wrong_hostname),
        cmocka_unit_test(test_client_optional_rejects_wrong_hostname),
        cmocka_unit_test(test_client_none_accepts_wrong_hostname),
        cmocka_unit_test(test_client_required_rejects_expired_certificate),
        cmocka_unit_test(test_client_optional_rejects_expired_certificate),
        cmocka_unit_test(test_client_none_accepts_expired_certificate),
        cmocka_unit_test(test_verifying_client_without_server_name_is_a_config_error),
        cmocka_unit_test(test_verifying_client_without_ca_is_a_config_error),
        cmocka_unit_test(test_stream_server_name_overrides_configuration),
        cmocka_unit_test(test_chain_with_intermediates_verifies),
        cmocka_unit_test(test_chain_deeper_than_verify_depth_is_rejected),
        cmocka_unit_test(test_rsa_server_certificate_succeeds),
        cmocka_unit_test(test_mutual_tls_succeeds_and_server_sees_client_certificate),
        cmocka_unit_test(test_server_required_without_client_certificate_fails),
        cmocka_unit_test(test_server_required_rejects_untrusted_client_certificate),
        cmocka_unit_test(test_server_optional_without_client_certificate_succeeds),
        cmocka_unit_test(test_server_optional_with_trusted_client_certificate_succeeds),
        cmocka_unit_test(test_server_optional_rejects_untrusted_client_certificate),
        cmocka_unit_test(test_server_none_ignores_client_certificate),
        cmocka_unit_test(test_getters_before_and_after_the_handshake),
        cmocka_unit_test(test_alpn_negotiates_the_common_protocol),
        cmocka_unit_test(test_alpn_offered_to_a_server_without_alpn_gives_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
