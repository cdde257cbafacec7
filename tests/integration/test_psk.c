/*
 * PSK handshakes between a real mbedtls client and server over the memory
 * pipe: success, wrong key, unknown identity, and PSK never meeting a
 * certificate suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tls_pair.h"
#include "test_backend.h"

/* The keys of psk.txt (made by make_certs.sh: client1 32 bytes, client2 16). */
static unsigned char key1[TLS_STREAM_PSK_MAX_KEY], key2[TLS_STREAM_PSK_MAX_KEY];
static size_t key1_len, key2_len;

static int load_keys(void **state)
{
    int n;
    (void)state;
    n = tls_pair_psk_from_file("psk.txt", "client1", key1, sizeof key1);
    if (n <= 0)
        return -1;
    key1_len = (size_t)n;
    n = tls_pair_psk_from_file("psk.txt", "client2", key2, sizeof key2);
    if (n <= 0)
        return -1;
    key2_len = (size_t)n;
    return 0;
}

/* A pair from a client and a server configuration; drops our references. */
static void make_pair(tls_pair *p, tls_stream_config *client, tls_stream_config *server)
{
    assert_int_equal(tls_pair_adopt(p, client, server), TLS_STREAM_OK);
}

static void psk_pair(tls_pair *p, const char *client_id, const unsigned char *client_key,
                     size_t client_key_len, const char *server_id,
                     const unsigned char *server_key, size_t server_key_len)
{
    tls_stream_config *c = NULL, *s = NULL;
    assert_int_equal(tls_pair_psk_client(&c, NULL, client_id, client_key, client_key_len),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&s, NULL, server_id, server_key, server_key_len),
                     TLS_STREAM_OK);
    make_pair(p, c, s);
}

static void assert_psk_suite(const tls_stream *s)
{
    assert_non_null(tls_stream_cipher(s));
    assert_true(tls_test_psk_negotiated(s));
}

static void test_psk_handshake_succeeds_and_data_flows_both_ways(void **state)
{
    tls_pair p;
    unsigned char buf[16];
    (void)state;

    psk_pair(&p, "client1", key1, key1_len, "client1", key1, key1_len);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_OPEN);
    assert_psk_suite(p.client);
    assert_true(tls_test_same_suite(tls_stream_cipher(p.client), tls_stream_cipher(p.server)));
    assert_string_equal(tls_stream_version(p.client), tls_test_version());
    assert_string_equal(tls_stream_version(p.server), tls_test_version());

    /* exact bytes, one record each way */
    assert_int_equal(tls_stream_write(p.client, "ping", 4), 4);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(tls_stream_write(p.server, "pong!", 5), 5);
    assert_int_equal(tls_stream_read(p.client, buf, sizeof buf), 5);
    assert_memory_equal(buf, "pong!", 5);

    /* and a larger patterned transfer both ways at once */
    assert_int_equal(tls_pair_transfer(&p, 100000), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_psk_has_no_peer_certificate(void **state)
{
    tls_pair p;
    const unsigned char *der = NULL;
    size_t len = 0;
    (void)state;

    psk_pair(&p, "client1", key1, key1_len, "client1", key1, key1_len);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_stream_peer_cert(p.client, &der, &len), TLS_STREAM_ERR_NO_PEER_CERT);
    assert_int_equal(tls_stream_peer_cert(p.server, &der, &len), TLS_STREAM_ERR_NO_PEER_CERT);
    tls_pair_free(&p);
}

/*
 * The server cannot decrypt the client's Finished (bad_record_mac) and says
 * so with an alert; the client only learns that the server refused.
 */
/* What the server says of a wrong key: in TLS 1.2 the client's Finished
 * fails to decrypt (a protocol error); in TLS 1.3 its binder is wrong (a
 * handshake failure). */
static int wrong_key_status(void)
{
    return tls_test_tls13() ? TLS_STREAM_ERR_HANDSHAKE : TLS_STREAM_ERR_PROTOCOL;
}

static void test_psk_wrong_key_fails_both_sides(void **state)
{
    tls_pair p;
    unsigned char wrong[TLS_STREAM_PSK_MAX_KEY];
    unsigned char buf[4];
    (void)state;

    memcpy(wrong, key1, key1_len);
    wrong[0] ^= 0x01;
    psk_pair(&p, "client1", wrong, key1_len, "client1", key1, key1_len);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, wrong_key_status());
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_FAILED);
    /* sticky */
    assert_int_equal(tls_stream_error(p.client), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(tls_stream_error(p.server), wrong_key_status());
    assert_int_equal(tls_stream_read(p.client, buf, sizeof buf), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(tls_stream_write(p.server, "x", 1), wrong_key_status());
    assert_int_equal(tls_stream_handshake(p.client), TLS_STREAM_ERR_PEER_ALERT);
    assert_null(tls_stream_cipher(p.client));
    tls_pair_free(&p);
}

static void test_psk_unknown_identity_is_reported_by_the_server(void **state)
{
    tls_pair p;
    const char *msg = NULL;
    (void)state;

    psk_pair(&p, "nobody", key1, key1_len, "client1", key1, key1_len);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_PSK_IDENTITY);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(tls_stream_error(p.server), TLS_STREAM_ERR_PSK_IDENTITY);
    tls_stream_error_detail(p.server, &msg);
    assert_non_null(msg);
    tls_pair_free(&p);
}

/* Same identity, key of another identity: the key is what fails. */
static void test_psk_key_of_another_identity_fails(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    assert_int_equal(tls_pair_psk_client(&c, NULL, "client2", key1, key1_len), TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&s, NULL, NULL, NULL, 0), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_load_psk_file(s, tls_pair_path("psk.txt")), TLS_STREAM_OK);
    make_pair(&p, c, s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, wrong_key_status());
    tls_pair_free(&p);
}

static void test_psk_server_from_psk_file_accepts_each_identity(void **state)
{
    static const char *const ids[] = { "client1", "client2" };
    size_t i;
    (void)state;

    for (i = 0; i < 2; i++) {
        tls_pair p;
        tls_stream_config *c = NULL, *s = NULL;
        const unsigned char *key = i == 0 ? key1 : key2;
        size_t key_len = i == 0 ? key1_len : key2_len;

        assert_int_equal(tls_pair_psk_client(&c, NULL, ids[i], key, key_len), TLS_STREAM_OK);
        assert_int_equal(tls_pair_psk_server(&s, NULL, NULL, NULL, 0), TLS_STREAM_OK);
        assert_int_equal(tls_stream_config_load_psk_file(s, tls_pair_path("psk.txt")), TLS_STREAM_OK);
        make_pair(&p, c, s);
        assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
        assert_psk_suite(p.client);
        assert_psk_suite(p.server);
        assert_int_equal(tls_pair_transfer(&p, 1000), TLS_STREAM_OK);
        tls_pair_free(&p);
    }
}

/* A lookup callback: knows "cb-id" with key 16 x 0x42. */
static int lookup(void *arg, const unsigned char *identity, size_t identity_len,
                  unsigned char *key, size_t key_size)
{
    int *calls = arg;
    (*calls)++;
    if (identity_len != 5 || memcmp(identity, "cb-id", 5) != 0)
        return TLS_STREAM_ERR_PSK_IDENTITY;
    if (key_size < 16)
        return TLS_STREAM_ERR_INTERNAL;
    memset(key, 0x42, 16);
    return 16;
}

static void test_psk_server_lookup_callback_is_asked_once(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    unsigned char key[16];
    int calls = 0;
    (void)state;

    memset(key, 0x42, sizeof key);
    assert_int_equal(tls_pair_psk_client(&c, NULL, "cb-id", key, sizeof key), TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&s, NULL, NULL, NULL, 0), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk_lookup(s, lookup, &calls), TLS_STREAM_OK);
    make_pair(&p, c, s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(calls, 1);
    assert_psk_suite(p.server);
    tls_pair_free(&p);
}

/* PSK never falls back to a certificate suite: against a certificate-only
 * server there is no common suite. */
static void test_psk_client_against_certificate_server_fails(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    assert_int_equal(tls_pair_psk_client(&c, NULL, "client1", key1, key1_len), TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    make_pair(&p, c, s);
    if (tls_test_tls13()) {
        /* TLS 1.3: the server ignores the PSK and authenticates with its
         * certificate, which the PSK client refuses */
        assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_HANDSHAKE);
        assert_int_equal(p.client_rc, TLS_STREAM_ERR_HANDSHAKE);
        assert_int_equal(p.server_rc, TLS_STREAM_ERR_PEER_ALERT);
    } else {
        assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
        assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
        assert_int_equal(p.server_rc, TLS_STREAM_ERR_HANDSHAKE);
    }
    tls_pair_free(&p);
}

/* ...and a certificate client finds no common suite at a PSK server. */
static void test_certificate_client_against_psk_server_fails(void **state)
{
    tls_pair p;
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_NONE, NULL, NULL, NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&s, NULL, "client1", key1, key1_len), TLS_STREAM_OK);
    make_pair(&p, c, s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.client_rc, TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(p.server_rc, TLS_STREAM_ERR_HANDSHAKE);
    tls_pair_free(&p);
}

/* A PSK client needs neither CA nor server name, even though it verifies
 * by default. */
static void test_psk_client_without_ca_or_server_name_is_valid(void **state)
{
    tls_pair p;
    (void)state;

    psk_pair(&p, "client1", key1, key1_len, "client1", key1, key1_len);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_psk_and_certificate_on_one_side_are_rejected(void **state)
{
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    assert_int_equal(tls_pair_psk_client(&c, NULL, "client1", key1, key1_len), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_cert(c, "client.pem"), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(tls_pair_set_key(c, "client.key", NULL), TLS_STREAM_ERR_CONFIG);
    tls_stream_config_free(c);

    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(s, "client1", 7, key1, key1_len), TLS_STREAM_ERR_CONFIG);
    tls_stream_config_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psk_handshake_succeeds_and_data_flows_both_ways),
        cmocka_unit_test(test_psk_has_no_peer_certificate),
        cmocka_unit_test(test_psk_wrong_key_fails_both_sides),
        cmocka_unit_test(test_psk_unknown_identity_is_reported_by_the_server),
        cmocka_unit_test(test_psk_key_of_another_identity_fails),
        cmocka_unit_test(test_psk_server_from_psk_file_accepts_each_identity),
        cmocka_unit_test(test_psk_server_lookup_callback_is_asked_once),
        cmocka_unit_test(test_psk_client_against_certificate_server_fails),
        cmocka_unit_test(test_certificate_client_against_psk_server_fails),
        cmocka_unit_test(test_psk_client_without_ca_or_server_name_is_valid),
        cmocka_unit_test(test_psk_and_certificate_on_one_side_are_rejected),
    };
    return cmocka_run_group_tests(tests, load_keys, NULL);
}
