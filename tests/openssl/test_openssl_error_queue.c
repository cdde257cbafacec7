/*
 * The OpenSSL backend and OpenSSL's thread-local error queue: an error left
 * there by the application (or by another stream) never changes what a
 * stream reports, and every call leaves the queue empty, after a success and
 * after a failure alike.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "test_alloc.h"
#include "tls_pair.h"
#include "tls_stream/openssl.h"

static const unsigned char key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Leave errors in this thread's queue, as a careless caller would. */
static void dirty_queue(void)
{
    static const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01};
    const unsigned char *p = junk;

    assert_null(d2i_X509(NULL, &p, (long)sizeof junk));
    assert_true(ERR_peek_error() != 0);
}

static tls_stream_config *psk_config(tls_stream_role role, const unsigned char *k)
{
    tls_stream_config *cfg;

    assert_int_equal(tls_stream_config_new(&cfg, tls_stream_backend_openssl(), role, tls_test_allocator()),
                     TLS_STREAM_OK);
    if (role == TLS_STREAM_CLIENT)
        assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, k, sizeof key), TLS_STREAM_OK);
    else
        assert_int_equal(tls_stream_config_add_psk(cfg, "id", 2, key, sizeof key), TLS_STREAM_OK);
    return cfg;
}

static void pair(tls_pair *p, const unsigned char *client_key)
{
    tls_stream_config *c = psk_config(TLS_STREAM_CLIENT, client_key);
    tls_stream_config *s = psk_config(TLS_STREAM_SERVER, key);

    assert_int_equal(tls_pair_new(p, c, s, NULL), TLS_STREAM_OK);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_stale_errors_do_not_fail_a_stream_and_calls_leave_the_queue_empty(void **state)
{
    unsigned char buf[8];
    tls_pair p;
    (void)state;

    pair(&p, key);
    dirty_queue();
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(ERR_peek_error(), 0);
    dirty_queue();
    assert_int_equal(tls_stream_write(p.client, "abc", 3), 3);
    assert_int_equal(ERR_peek_error(), 0);
    dirty_queue();
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(ERR_peek_error(), 0);
    dirty_queue();
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), TLS_STREAM_WANT_READ);
    assert_int_equal(ERR_peek_error(), 0);
    tls_pair_free(&p);
}

/* A failed stream's error is its own: described in its detail, drained from
 * the queue, and not seen by the next stream of the thread. */
static void test_a_failure_is_drained_and_does_not_reach_the_next_stream(void **state)
{
    unsigned char wrong[sizeof key];
    const char *msg;
    tls_pair p;
    (void)state;

    memcpy(wrong, key, sizeof key);
    wrong[0] ^= 1;
    pair(&p, wrong);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(ERR_peek_error(), 0);
    /* SSL_R_BINDER_DOES_NOT_VERIFY, the queue's first code */
    assert_int_equal(tls_stream_error_detail(p.server, &msg), 0x0A0000FD);
    tls_pair_free(&p);

    pair(&p, key);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_pair_transfer(&p, 4096), TLS_STREAM_OK);
    assert_int_equal(ERR_peek_error(), 0);
    tls_pair_free(&p);
}

/* A configuration error is drained too. */
static void test_a_configuration_error_is_drained(void **state)
{
    static const char garbage[] = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    tls_stream_config *cfg;
    (void)state;

    assert_int_equal(tls_stream_config_new(&cfg, tls_stream_backend_openssl(), TLS_STREAM_CLIENT,
                                           tls_test_allocator()),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_ca(cfg, garbage, sizeof garbage - 1), TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(ERR_peek_error(), 0);
    tls_stream_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stale_errors_do_not_fail_a_stream_and_calls_leave_the_queue_empty),
        cmocka_unit_test(test_a_failure_is_drained_and_does_not_reach_the_next_stream),
        cmocka_unit_test(test_a_configuration_error_is_drained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
