/*
 * Choosing cipher suites and groups by name, with real mbedtls on both ends
 * over the memory pipe. A PSK configuration must never take a certificate
 * suite (no fallback), nor a certificate configuration a PSK suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "expect_text.h"
#include "tls_pair.h"
#include "test_backend.h"
#include "tls_stream/tls_stream.h"
#include "test_alloc.h"

static const unsigned char key[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

static void psk_pair_configs(tls_stream_config **c, tls_stream_config **s)
{
    assert_int_equal(tls_pair_psk_client(c, NULL, "client1", key, sizeof key), TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(s, NULL, "client1", key, sizeof key), TLS_STREAM_OK);
}

static void cert_pair_configs(tls_stream_config **c, tls_stream_config **s)
{
    assert_int_equal(tls_pair_cert_client(c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost",
                                          NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(s, NULL, "server.pem", "server.key", TLS_STREAM_VERIFY_NONE,
                                          NULL),
                     TLS_STREAM_OK);
}

/* Handshake c with s; returns the handshake result, the cipher into *cipher. */
static int handshake(tls_stream_config *c, tls_stream_config *s, const char **cipher)
{
    static char name[128];
    tls_pair p;
    int rc;
    assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
    rc = tls_pair_handshake(&p);
    name[0] = '\0';
    if (rc == TLS_STREAM_OK) {
        strncpy(name, tls_stream_cipher(p.client), sizeof name - 1);
        assert_true(tls_test_same_suite(tls_stream_cipher(p.server), name));
        assert_int_equal(tls_pair_transfer(&p, 4096), TLS_STREAM_OK);
    }
    *cipher = name;
    tls_pair_free(&p);
    return rc;
}

static void test_psk_client_negotiates_the_one_suite_it_names(void **state)
{
    const char *const only[] = {"TLS-PSK-WITH-AES-128-GCM-SHA256", NULL};
    tls_stream_config *c, *s;
    const char *cipher;
    (void)state;
    psk_pair_configs(&c, &s);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, only), TLS_STREAM_OK);
    assert_int_equal(handshake(c, s, &cipher), TLS_STREAM_OK);
    assert_true(tls_test_same_suite(cipher, "TLS-PSK-WITH-AES-128-GCM-SHA256"));
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_client_and_server_lists_meet_on_the_common_suite(void **state)
{
    const char *const server[] = {"TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256",
                                  "TLS-PSK-WITH-AES-256-GCM-SHA384", NULL};
    const char *const client[] = {"TLS-PSK-WITH-AES-256-GCM-SHA384", NULL};
    tls_stream_config *c, *s;
    const char *cipher;
    (void)state;
    psk_pair_configs(&c, &s);
    assert_int_equal(tls_stream_config_set_ciphersuites(s, server), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, client), TLS_STREAM_OK);
    assert_int_equal(handshake(c, s, &cipher), TLS_STREAM_OK);
    assert_true(tls_test_same_suite(cipher, "TLS-PSK-WITH-AES-256-GCM-SHA384"));
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_certificate_client_negotiates_the_suite_it_names(void **state)
{
    const char *const only[] = {"TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384", NULL};
    tls_stream_config *c, *s;
    const char *cipher;
    (void)state;
    cert_pair_configs(&c, &s);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, only), TLS_STREAM_OK);
    assert_int_equal(handshake(c, s, &cipher), TLS_STREAM_OK);
    assert_true(tls_test_same_suite(cipher, "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384"));
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

/* Configuration errors surface when the configuration freezes. */
static void check_refused(tls_stream_config *cfg, const char *const *suites, const char *detail)
{
    tls_stream_mem_pipe *pipe;
    tls_stream *st = NULL;
    tls_stream_io io;
    const char *msg;
    assert_int_equal(tls_stream_config_set_ciphersuites(cfg, suites), TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_new(&pipe, 0, tls_test_allocator()), TLS_STREAM_OK);
    io = tls_stream_mem_pipe_io(pipe, 0);
    assert_int_equal(tls_stream_new(&st, cfg, &io), TLS_STREAM_ERR_CONFIG);
    assert_null(st);
    tls_stream_config_error_detail(cfg, &msg);
    assert_string_equal(msg, detail);
    tls_stream_mem_pipe_free(pipe);
    tls_stream_config_free(cfg);
}

static void test_psk_configuration_refuses_a_certificate_suite(void **state)
{
    const char *const suites[] = {"TLS-PSK-WITH-AES-128-GCM-SHA256",
                                  "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", NULL};
    tls_stream_config *c, *s;
    (void)state;
    psk_pair_configs(&c, &s);
    check_refused(c, suites, TLS_STREAM_MSG("not a PSK or ECDHE-PSK suite: TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"));
    tls_stream_config_free(s);
}

static void test_psk_configuration_refuses_dhe_psk(void **state)
{
    const char *const suites[] = {"TLS-DHE-PSK-WITH-AES-128-GCM-SHA256", NULL};
    tls_stream_config *c, *s;
    (void)state;
    psk_pair_configs(&c, &s);
    check_refused(s, suites, TLS_STREAM_MSG("not a PSK or ECDHE-PSK suite: TLS-DHE-PSK-WITH-AES-128-GCM-SHA256"));
    tls_stream_config_free(c);
}

static void test_certificate_configuration_refuses_a_psk_suite(void **state)
{
    const char *const suites[] = {"TLS-PSK-WITH-AES-128-GCM-SHA256", NULL};
    tls_stream_config *c, *s;
    (void)state;
    cert_pair_configs(&c, &s);
    check_refused(c, suites, TLS_STREAM_MSG("a PSK suite needs a PSK: TLS-PSK-WITH-AES-128-GCM-SHA256"));
    tls_stream_config_free(s);
}

static void test_unknown_suite_name_is_a_configuration_error(void **state)
{
    const char *const suites[] = {"TLS-NO-SUCH-SUITE", NULL};
    tls_stream_config *c, *s;
    (void)state;
    cert_pair_configs(&c, &s);
    check_refused(c, suites, TLS_STREAM_MSG("unknown cipher suite: TLS-NO-SUCH-SUITE"));
    tls_stream_config_free(s);
}

static void test_suite_and_group_lists_are_checked(void **state)
{
    const char *const empty[] = {NULL};
    const char *many[TLS_STREAM_MAX_CIPHERSUITES + 2];
    const char *groups[TLS_STREAM_MAX_GROUPS + 2];
    tls_stream_config *c, *s;
    int i;
    (void)state;
    cert_pair_configs(&c, &s);
    for (i = 0; i < TLS_STREAM_MAX_CIPHERSUITES + 1; i++)
        many[i] = "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256";
    many[i] = NULL;
    for (i = 0; i < TLS_STREAM_MAX_GROUPS + 1; i++)
        groups[i] = "secp256r1";
    groups[i] = NULL;
    assert_int_equal(tls_stream_config_set_ciphersuites(c, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, empty), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, many), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_groups(c, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_groups(c, groups), TLS_STREAM_ERR_ARG);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_named_group_is_used_and_a_disjoint_one_fails(void **state)
{
    const char *const p384[] = {"secp384r1", NULL};
    const char *const p256[] = {"secp256r1", NULL};
    const char *const ecdhe[] = {"TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256", NULL};
    tls_stream_config *c, *s;
    const char *cipher;
    (void)state;
    psk_pair_configs(&c, &s);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, ecdhe), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_groups(c, p384), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_groups(s, p384), TLS_STREAM_OK);
    assert_int_equal(handshake(c, s, &cipher), TLS_STREAM_OK);
    assert_true(tls_test_same_suite(cipher, "TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256"));
    tls_stream_config_free(c);
    tls_stream_config_free(s);

    psk_pair_configs(&c, &s);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, ecdhe), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_groups(c, p256), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_groups(s, p384), TLS_STREAM_OK);
    assert_int_not_equal(handshake(c, s, &cipher), TLS_STREAM_OK);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_unknown_group_name_is_a_configuration_error(void **state)
{
    const char *const groups[] = {"secp1r1", NULL};
    tls_stream_config *c, *s;
    tls_stream_mem_pipe *pipe;
    tls_stream *st = NULL;
    tls_stream_io io;
    const char *msg;
    (void)state;
    cert_pair_configs(&c, &s);
    assert_int_equal(tls_stream_config_set_groups(c, groups), TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_new(&pipe, 0, tls_test_allocator()), TLS_STREAM_OK);
    io = tls_stream_mem_pipe_io(pipe, 0);
    assert_int_equal(tls_stream_new(&st, c, &io), TLS_STREAM_ERR_CONFIG);
    tls_stream_config_error_detail(c, &msg);
    assert_string_equal(msg, TLS_STREAM_MSG("unknown group: secp1r1"));
    tls_stream_mem_pipe_free(pipe);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psk_client_negotiates_the_one_suite_it_names),
        cmocka_unit_test(test_client_and_server_lists_meet_on_the_common_suite),
        cmocka_unit_test(test_certificate_client_negotiates_the_suite_it_names),
        cmocka_unit_test(test_psk_configuration_refuses_a_certificate_suite),
        cmocka_unit_test(test_psk_configuration_refuses_dhe_psk),
        cmocka_unit_test(test_certificate_configuration_refuses_a_psk_suite),
        cmocka_unit_test(test_unknown_suite_name_is_a_configuration_error),
        cmocka_unit_test(test_suite_and_group_lists_are_checked),
        cmocka_unit_test(test_named_group_is_used_and_a_disjoint_one_fails),
        cmocka_unit_test(test_unknown_group_name_is_a_configuration_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
