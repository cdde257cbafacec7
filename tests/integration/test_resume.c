/*
 * Session resumption (tickets and session-ID cache) and max fragment length,
 * with real mbedtls on both ends over the memory pipe.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_pair.h"
#include "test_backend.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/options.h"
#include "tls_stream/tls_stream.h"

typedef tls_pair_saved saved;

static tls_stream_config *client_cfg(void)
{
    tls_stream_config *c;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost",
                                          NULL, NULL),
                     TLS_STREAM_OK);
    return c;
}

/* A certificate server with tickets (lifetime > 0) and/or a cache (entries > 0). */
static tls_stream_config *server_cfg(int ticket_lifetime, int cache_entries)
{
    tls_stream_config *s;
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    if (ticket_lifetime > 0)
        assert_int_equal(tls_stream_config_set_session_tickets(s, ticket_lifetime), TLS_STREAM_OK);
    if (cache_entries > 0)
        assert_int_equal(tls_stream_config_set_session_cache(s, cache_entries, 3600), TLS_STREAM_OK);
    return s;
}

static int connect_once(tls_stream_config *c, tls_stream_config *s, const saved *offer, saved *save)
{
    return tls_pair_connect_once(c, s, offer, save, 16384);
}

static void check_resumes(int ticket_lifetime, int cache_entries)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(ticket_lifetime, cache_entries);
    saved first, second;
    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    assert_true(first.len > 0);
    assert_int_equal(connect_once(c, s, &first, &second), 1);
    /* the session saved from a resumed connection resumes again */
    assert_int_equal(connect_once(c, s, &second, NULL), 1);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_session_ticket_resumes_with_data_intact(void **state)
{
    (void)state;
    check_resumes(3600, 0);
}

static void test_session_cache_resumes_with_data_intact(void **state)
{
    (void)state;
    check_resumes(0, 16);
}

static void test_stale_ticket_falls_back_to_a_full_handshake(void **state)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(3600, 0), *restarted = server_cfg(3600, 0);
    saved first;
    (void)state;
    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    /* a restarted server has a new ticket key: the ticket cannot be read */
    assert_int_equal(connect_once(c, restarted, &first, NULL), 0);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    tls_stream_config_free(restarted);
}

static void test_server_without_resumption_declines(void **state)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(0, 0);
    saved first;
    (void)state;
    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    assert_int_equal(connect_once(c, s, &first, NULL), 0);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_unreadable_session_blob_falls_back_to_a_full_handshake(void **state)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(0, 16);
    saved first;
    (void)state;
    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    memset(first.blob, 0xA5, 8); /* the header that names the format */
    assert_int_equal(connect_once(c, s, &first, NULL), 0);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_session_save_and_load_check_their_arguments_and_state(void **state)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(3600, 0);
    unsigned char small[8];
    size_t len = 99;
    tls_pair p;
    (void)state;
    assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_session_save(p.client, small, sizeof small, &len), TLS_STREAM_ERR_STATE);
    assert_int_equal(len, 0);
    assert_int_equal(tls_stream_session_load(p.client, NULL, 10), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_session_load(p.client, small, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_session_load(p.server, small, sizeof small), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_stream_session_save(p.client, small, sizeof small, &len), TLS_STREAM_ERR_ARG);
    assert_true(len > sizeof small); /* the size needed */
    assert_int_equal(tls_stream_session_save(p.client, NULL, 0, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_session_save(p.server, small, sizeof small, &len),
                     TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_session_load(p.client, small, sizeof small), TLS_STREAM_ERR_STATE);
    tls_pair_free(&p);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_resumption_settings_are_checked(void **state)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(0, 0);
    (void)state;
    assert_int_equal(tls_stream_config_set_session_tickets(c, 60), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_session_cache(c, 4, 60), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_session_tickets(s, -1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_session_cache(s, 4, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_session_cache(s, -1, 60), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_max_fragment(s, 512), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_max_fragment(c, 1000), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_max_fragment(c, 8192), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_max_fragment(c, 0), TLS_STREAM_OK);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void check_small_fragments(size_t fragment)
{
    tls_stream_config *c = client_cfg(), *s = server_cfg(0, 0);
    tls_pair p;
    assert_int_equal(tls_stream_config_set_max_fragment(c, fragment), TLS_STREAM_OK);
    assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    /* 256 KiB each way, checked byte by byte */
    assert_int_equal(tls_pair_transfer(&p, 256 * 1024), TLS_STREAM_OK);
    tls_pair_free(&p);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_max_fragment_512_transfers_data_intact(void **state)
{
    (void)state;
    check_small_fragments(512);
}

static void test_max_fragment_4096_transfers_data_intact(void **state)
{
    (void)state;
    check_small_fragments(4096);
}

static void test_max_fragment_with_psk_transfers_data_intact(void **state)
{
    static const unsigned char key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    tls_stream_config *c, *s;
    tls_pair p;
    (void)state;
    assert_int_equal(tls_pair_psk_client(&c, NULL, "client1", key, sizeof key), TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&s, NULL, "client1", key, sizeof key), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_max_fragment(c, 1024), TLS_STREAM_OK);
    assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_pair_transfer(&p, 100000), TLS_STREAM_OK);
    tls_pair_free(&p);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

#if TLS_TEST_WITH_OPENSSL
/* A client configuration on the backend named (not the one the test runs on). */
static tls_stream_config *client_cfg_on(const char *backend)
{
    const char *old = getenv("TLS_TEST_BACKEND_CLIENT");
    char previous[32] = "";
    tls_stream_config *c;

    if (old != NULL)
        snprintf(previous, sizeof previous, "%s", old);
    assert_int_equal(setenv("TLS_TEST_BACKEND_CLIENT", backend, 1), 0);
    c = client_cfg();
    if (old != NULL)
        assert_int_equal(setenv("TLS_TEST_BACKEND_CLIENT", previous, 1), 0);
    else
        assert_int_equal(unsetenv("TLS_TEST_BACKEND_CLIENT"), 0);
    return c;
}

/* A session saved by one backend, loaded into a client on the other: never
 * handed to the wrong parser, never resumed; a full, verified handshake. */
static void test_session_of_the_other_backend_is_not_offered(void **state)
{
    const char *mine = tls_test_backend_name(TLS_STREAM_CLIENT);
    const char *other = strcmp(mine, "openssl") == 0 ? "mbedtls" : "openssl";
    tls_stream_config *c = client_cfg(), *o = client_cfg_on(other), *s = server_cfg(3600, 16);
    const char *msg = NULL;
    saved first;
    tls_pair p;
    (void)state;

    assert_int_equal(connect_once(c, s, NULL, &first), 0);
    assert_int_equal(tls_pair_new(&p, o, s, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_session_load(p.client, first.blob, first.len), TLS_STREAM_OK);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_stream_resumed(p.client), 0);
    assert_int_equal(tls_stream_resumed(p.server), 0);
    assert_int_equal(tls_pair_transfer(&p, 1024), TLS_STREAM_OK);
    if (strcmp(other, "openssl") == 0) { /* it says why */
        tls_stream_error_detail(p.client, &msg);
        assert_string_equal(msg, TLS_STREAM_MSG("saved session is not from the OpenSSL backend: not offered"));
    }
    tls_pair_free(&p);
    tls_stream_config_free(c);
    tls_stream_config_free(o);
    tls_stream_config_free(s);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_ticket_resumes_with_data_intact),
        cmocka_unit_test(test_session_cache_resumes_with_data_intact),
        cmocka_unit_test(test_stale_ticket_falls_back_to_a_full_handshake),
        cmocka_unit_test(test_server_without_resumption_declines),
        cmocka_unit_test(test_unreadable_session_blob_falls_back_to_a_full_handshake),
        cmocka_unit_test(test_session_save_and_load_check_their_arguments_and_state),
        cmocka_unit_test(test_resumption_settings_are_checked),
        cmocka_unit_test(test_max_fragment_512_transfers_data_intact),
        cmocka_unit_test(test_max_fragment_4096_transfers_data_intact),
        cmocka_unit_test(test_max_fragment_with_psk_transfers_data_intact),
#if TLS_TEST_WITH_OPENSSL
        cmocka_unit_test(test_session_of_the_other_backend_is_not_offered),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
