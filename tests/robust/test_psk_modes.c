/*
 * External PSK key exchange, our client and our server (every backend and
 * mixed pair), read off the wire. TLS 1.3: psk_dhe_ke by default (the
 * ServerHello carries a key_share), and psk_ke (no key_share) when the
 * client offers only that: both complete and carry data. Only an mbedtls
 * client can offer psk_ke alone, its configuration narrowed here directly
 * (no public setter does; OpenSSL offers both modes always). Without TLS
 * 1.3 (an mbedtls 2.28 end): the forward-secret ECDHE-PSK suite comes first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "robust_util.h"
#include "tls_pair.h"
#include "tls_version.h"
#include "backend/mbedtls/mbedtls_internal.h"
#include "core/core_internal.h"
#include "core/stream_internal.h"

enum { EXT_KEY_SHARE = 51 };

/* Whether the ServerHello at the start of buf (a record) has extension ext. */
static int server_hello_has(const unsigned char *buf, size_t len, unsigned ext)
{
    size_t pos = 5 + 4 + 2 + 32, end;
    assert_true(len > pos && buf[0] == 22 && buf[5] == 2);
    pos += 1 + buf[pos] + 3; /* session ID, cipher suite, compression */
    assert_true(pos + 2 <= len);
    end = pos + 2 + ((size_t)buf[pos] << 8 | buf[pos + 1]);
    assert_true(end <= len);
    for (pos += 2; pos + 4 <= end; pos += 4 + ((size_t)buf[pos + 2] << 8 | buf[pos + 3]))
        if (((unsigned)buf[pos] << 8 | buf[pos + 1]) == ext)
            return 1;
    return 0;
}

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
static void offer_psk_ke_only(tls_stream *client)
{
    tls_stream_mbt_config *bc = client->cfg->backend_cfg;
    mbedtls_ssl_conf_tls13_key_exchange_modes(&bc->conf, MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK);
}
#else
static void offer_psk_ke_only(tls_stream *client)
{
    (void)client;
    fail_msg("no TLS 1.3 in this mbedtls");
}
#endif

/* A PSK handshake with the backend's default versions; returns whether the
 * ServerHello carried a key_share, after checking data flows both ways. */
static int psk_handshake(int psk_ke_only)
{
    tls_stream_config *cc, *sc;
    tls_stream *c, *s;
    tls_stream_io io[2];
    rb_chan ch;
    unsigned char buf[16];
    int key_share;

    tls_pair_versions(0, 0);
    assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    assert_int_equal(rb_psk_server(&sc, NULL), TLS_STREAM_OK);
    tls_pair_versions(TLS_PAIR_SUITE_VERSIONS, TLS_PAIR_SUITE_VERSIONS);
    rb_chan_init(&ch);
    io[0] = rb_chan_io(&ch, 0);
    io[1] = rb_chan_io(&ch, 1);
    assert_int_equal(tls_stream_new(&c, cc, &io[0]), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s, sc, &io[1]), TLS_STREAM_OK);
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    tls_stream_set_blocking(c, 0);
    tls_stream_set_blocking(s, 0);
    if (psk_ke_only)
        offer_psk_ke_only(c);

    assert_int_equal(tls_stream_handshake(c), TLS_STREAM_WANT_READ); /* ClientHello */
    rb_chan_forward(&ch, 0);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_READ); /* ServerHello... */
    key_share = server_hello_has(rb_chan_peek(&ch, 1), rb_chan_pending(&ch, 1), EXT_KEY_SHARE);
    assert_int_equal(rb_chan_handshake(&ch, c, s, NULL, NULL), TLS_STREAM_OK);
    assert_string_equal(tls_stream_version(c), tls_test_default_version());
    assert_string_equal(tls_stream_cipher(c), tls_stream_cipher(s));
    assert_int_equal(tls_stream_write(c, "ping", 4), 4);
    rb_chan_forward(&ch, 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    if (!tls_test_default_tls13())
        assert_non_null(strstr(tls_stream_cipher(c), "TLS-ECDHE-PSK-"));
    tls_stream_free(c);
    tls_stream_free(s);
    rb_chan_free(&ch);
    return key_share;
}

static void psk_dhe_ke_by_default(void **state)
{
    (void)state;
    /* TLS 1.2's ServerHello has no key_share: ECDHE-PSK shows in the suite */
    assert_int_equal(psk_handshake(0), tls_test_default_tls13());
}

static void psk_ke_when_the_client_offers_only_that(void **state)
{
    (void)state;
    if (!tls_test_default_tls13()) {
        assert_int_equal(psk_handshake(0), 0);
        return;
    }
    if (tls_test_openssl(TLS_STREAM_CLIENT)) {
        /* an OpenSSL client offers psk_dhe_ke too, which every server prefers */
        assert_int_equal(psk_handshake(0), 1);
        return;
    }
    assert_int_equal(psk_handshake(1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(psk_dhe_ke_by_default),
        cmocka_unit_test(psk_ke_when_the_client_offers_only_that),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
