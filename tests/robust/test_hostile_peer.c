/*
 * Hostile and malformed peers: a real tls_stream at one end, and at the
 * other a scripted raw peer (hand-built records) or a real peer whose bytes
 * the test edits in flight (rb_chan). Each test asserts the exact error.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect_text.h"
#include "robust_util.h"
#include "test_backend.h"
#include "backend/mbedtls/mbedtls_internal.h"
#include "core/stream_internal.h"
#include "test_alloc.h"

typedef struct link {
    rb_chan ch;
    tls_stream_io io[2];
    tls_stream *s[2]; /* [0] client, [1] server; either may be NULL (scripted) */
} link;

/* Links still open when an assertion ended a test: closed by the teardown. */
static link *open_links[4];

static void link_open(link *l, tls_stream_config *cc, tls_stream_config *sc)
{
    int i;
    for (i = 0; i < 4 && open_links[i] != NULL; i++)
        ;
    assert_true(i < 4);
    open_links[i] = l;
    rb_chan_init(&l->ch);
    for (i = 0; i < 2; i++) {
        tls_stream_config *cfg = i == 0 ? cc : sc;
        l->io[i] = rb_chan_io(&l->ch, i);
        l->s[i] = NULL;
        if (cfg != NULL) {
            assert_int_equal(tls_stream_new(&l->s[i], cfg, &l->io[i]), TLS_STREAM_OK);
            tls_stream_set_blocking(l->s[i], 0);
            tls_stream_config_free(cfg);
        }
    }
}

static void link_psk(link *l, int client, int server)
{
    tls_stream_config *cc = NULL, *sc = NULL;
    if (client)
        assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    if (server)
        assert_int_equal(rb_psk_server(&sc, NULL), TLS_STREAM_OK);
    link_open(l, cc, sc);
}

/*
 * The same with the side that is a tool, not the stream under test (it is
 * driven through mbedtls's own API, or only produces a TLS 1.2 message for
 * the script), on mbedtls whatever the backend the test runs on.
 */
static void link_psk_tool(link *l, int client, int server, tls_stream_role tool)
{
    const char *var = tool == TLS_STREAM_SERVER ? "TLS_TEST_BACKEND_SERVER" : "TLS_TEST_BACKEND_CLIENT";
    const char *old = getenv(var);
    char saved[32] = "";

    if (old != NULL)
        snprintf(saved, sizeof saved, "%s", old);
    assert_int_equal(setenv(var, "mbedtls", 1), 0);
    link_psk(l, client, server);
    if (old != NULL)
        assert_int_equal(setenv(var, saved, 1), 0);
    else
        assert_int_equal(unsetenv(var), 0);
}

static void link_close(link *l)
{
    int i;
    for (i = 0; i < 4; i++)
        if (open_links[i] == l)
            open_links[i] = NULL;
    tls_stream_free(l->s[0]);
    tls_stream_free(l->s[1]);
    l->s[0] = l->s[1] = NULL;
    rb_chan_free(&l->ch);
}

static int close_leftovers(void **state)
{
    int i;
    (void)state;
    for (i = 0; i < 4; i++)
        if (open_links[i] != NULL)
            link_close(open_links[i]);
    return 0;
}

static mbedtls_ssl_context *ssl_of(tls_stream *s)
{
    return &((tls_stream_mbt_session *)s->session)->ssl;
}

static int read_until_quiet(tls_stream *s, unsigned char *buf, size_t len, size_t *total)
{
    int rc = 1, i;
    *total = 0;
    for (i = 0; i < 10000; i++) {
        rc = tls_stream_read(s, buf + *total, len - *total);
        if (rc <= 0)
            return rc;
        *total += (size_t)rc;
        if (*total == len)
            return rc;
    }
    return rc;
}

/* A handshake record holding body (the first 4 bytes are the message header). */
static size_t hs_record(unsigned char *out, const unsigned char *msg, size_t len)
{
    out[0] = 22;
    out[1] = 3;
    out[2] = 3;
    out[3] = (unsigned char)(len >> 8);
    out[4] = (unsigned char)len;
    memcpy(out + 5, msg, len);
    return len + 5;
}

/* The client's first flight (ClientHello record), from a real client. */
static size_t client_hello(link *l, unsigned char *out, size_t size)
{
    size_t n;
    assert_int_equal(tls_stream_handshake(l->s[0]), TLS_STREAM_WANT_READ);
    n = rb_chan_pending(&l->ch, 0);
    assert_true(n > 5 && n <= size);
    memcpy(out, rb_chan_peek(&l->ch, 0), n);
    rb_chan_drop(&l->ch, 0, n);
    return n;
}

/*
 * The alert the side at end sent (the first alert record in the channel):
 * the description of a plaintext fatal alert, ALERT_ENCRYPTED for an alert
 * record we cannot read (TLS 1.2 after ChangeCipherSpec), ALERT_NONE when
 * it sent nothing, ALERT_OTHER for a warning or an unparsable record. On
 * mbedtls 2.28 and 3.6 alike (we send the alert where mbedtls does not).
 */
enum { ALERT_NONE = -1, ALERT_ENCRYPTED = -2, ALERT_OTHER = -3 };
static int alert_sent(link *l, int end)
{
    const unsigned char *p = rb_chan_peek(&l->ch, end);
    size_t n = rb_chan_pending(&l->ch, end), r;
    int type;

    for (; (r = rb_record(p, n, &type)) != 0; p += r, n -= r) {
        if (type != 21)
            continue; /* e.g. the ClientHello the test did not take */
        if (p[3] != 0 || p[4] != 2)
            return ALERT_ENCRYPTED;
        return p[5] == 2 ? p[6] : ALERT_OTHER;
    }
    return n == 0 ? ALERT_NONE : ALERT_OTHER;
}

/* The side at end (0 client, 1 server) told its peer exactly alert, when
 * it runs on mbedtls (ours or mbedtls's own). OpenSSL's alerts are its own
 * business (in TLS 1.3 their type is encrypted, and some inputs it drops
 * without one): the statuses the tests assert hold for it. */
static void expect_alert(link *l, int end, int alert)
{
    if (!tls_test_openssl(end == 0 ? TLS_STREAM_CLIENT : TLS_STREAM_SERVER))
        assert_int_equal(alert_sent(l, end), alert);
}

/* ---------------------------------------------------------------------- */

static void truncated_record_header_is_truncation(void **state)
{
    static const unsigned char part[] = {22, 3, 3};
    static link l;
    (void)state;
    link_psk(&l, 1, 0);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ);
    rb_chan_put(&l.ch, 0, part, sizeof part);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ);
    l.ch.eof[0] = 1;
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_ERR_TRUNCATED); /* sticky */
    link_close(&l);
}

static void truncated_record_body_is_truncation(void **state)
{
    static const unsigned char part[] = {22, 3, 3, 0, 64, 2, 0, 0, 60, 3, 3};
    static link l;
    (void)state;
    link_psk(&l, 1, 0);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ);
    rb_chan_put(&l.ch, 0, part, sizeof part);
    l.ch.eof[0] = 1;
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_ERR_TRUNCATED);
    link_close(&l);
}

static void record_longer_than_maximum_is_protocol_error(void **state)
{
    /* 2^14 + 2048 + 1: above what any TLS 1.2 record may carry */
    static const unsigned char hs_hdr[] = {22, 3, 3, 0x48, 0x01};
    static link l;
    (void)state;
    /* during the handshake */
    link_psk(&l, 1, 0);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ);
    rb_chan_put(&l.ch, 0, hs_hdr, sizeof hs_hdr);
    assert_int_equal(rb_handshake_until_quiet(l.s[0], 10), TLS_STREAM_ERR_PROTOCOL);
    expect_alert(&l, 0, 22 /* record_overflow */);
    link_close(&l);
}

static void record_longer_than_maximum_after_handshake_is_protocol_error(void **state)
{
    static const unsigned char app_hdr[] = {23, 3, 3, 0xff, 0xff};
    unsigned char buf[64];
    static link l;
    (void)state;
    link_psk(&l, 1, 1);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    rb_chan_put(&l.ch, 0, app_hdr, sizeof app_hdr);
    assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), TLS_STREAM_ERR_PROTOCOL);
    expect_alert(&l, 0, ALERT_ENCRYPTED);
    rb_chan_forward(&l.ch, 0); /* record_overflow, which the peer reads as such */
    assert_int_equal(tls_stream_read(l.s[1], buf, sizeof buf), TLS_STREAM_ERR_PEER_ALERT);
    link_close(&l);
}

static void zero_length_records_are_bounded(void **state)
{
    unsigned char buf[64];
    size_t got;
    int i, rc;
    static link l;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_SERVER);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    /* a few empty records (a CBC countermeasure some stacks use): data still flows */
    for (i = 0; i < 3; i++)
        assert_int_equal(mbedtls_ssl_write(ssl_of(l.s[1]), (const unsigned char *)"", 0), 0);
    assert_int_equal(tls_stream_write(l.s[1], "data", 4), 4);
    rb_chan_forward(&l.ch, 1);
    rc = read_until_quiet(l.s[0], buf, 4, &got);
    assert_int_equal(rc, 4);
    assert_int_equal(got, 4);
    assert_memory_equal(buf, "data", 4);
    /* a flood of them: refused after a bounded number, not looped on */
    for (i = 0; i < 200; i++)
        assert_int_equal(mbedtls_ssl_write(ssl_of(l.s[1]), (const unsigned char *)"", 0), 0);
    rb_chan_forward(&l.ch, 1);
    assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), TLS_STREAM_ERR_PROTOCOL);
    expect_alert(&l, 0, ALERT_ENCRYPTED);
    link_close(&l);
}

static void corrupted_ciphertext_is_bad_mac_protocol_error(void **state)
{
    unsigned char buf[64];
    size_t n;
    static link l;
    (void)state;
    link_psk(&l, 1, 1);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_write(l.s[1], "secret data", 11), 11);
    n = rb_chan_pending(&l.ch, 1);
    assert_true(n > 20);
    rb_chan_peek(&l.ch, 1)[n - 3] ^= 0x01; /* in the tag */
    rb_chan_forward(&l.ch, 1);
    assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), TLS_STREAM_ERR_PROTOCOL);
    expect_alert(&l, 0, ALERT_ENCRYPTED);
    /* the reader told the writer: bad_record_mac */
    rb_chan_forward(&l.ch, 0);
    assert_int_equal(tls_stream_read(l.s[1], buf, sizeof buf), TLS_STREAM_ERR_PEER_ALERT);
    link_close(&l);
}

static void corrupted_finished_fails_the_handshake(void **state)
{
    static link l;
    unsigned char *p;
    size_t n, off = 0, r;
    int type, rc_c, rc_s;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_CLIENT); /* a TLS 1.2 Finished */
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ); /* ClientHello */
    rb_chan_forward(&l.ch, 0);
    assert_int_equal(tls_stream_handshake(l.s[1]), TLS_STREAM_WANT_READ); /* ServerHello..Done */
    rb_chan_forward(&l.ch, 1);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ); /* CKE, CCS, Finished */
    p = rb_chan_peek(&l.ch, 0);
    n = rb_chan_pending(&l.ch, 0);
    /* the last record is the encrypted Finished: flip one of its bytes */
    while ((r = rb_record(p + off, n - off, &type)) != 0 && off + r < n)
        off += r;
    assert_int_equal(off + r, n);
    assert_int_equal(type, 22);
    p[n - 1] ^= 0x80;
    rb_chan_forward(&l.ch, 0);
    rc_s = rb_handshake_until_quiet(l.s[1], 10);
    assert_int_equal(rc_s, TLS_STREAM_ERR_PROTOCOL);
    expect_alert(&l, 1, 20 /* bad_record_mac */);
    rb_chan_forward(&l.ch, 1);
    rc_c = rb_handshake_until_quiet(l.s[0], 10);
    assert_int_equal(rc_c, TLS_STREAM_ERR_PEER_ALERT);
    link_close(&l);
}

static void unexpected_handshake_message_is_refused(void **state)
{
    /* ServerHelloDone where the ServerHello must come */
    static const unsigned char done[] = {14, 0, 0, 0};
    unsigned char rec[16], hello[1024];
    static link l;
    (void)state;
    link_psk(&l, 1, 0);
    (void)client_hello(&l, hello, sizeof hello);
    rb_chan_put(&l.ch, 0, rec, hs_record(rec, done, sizeof done));
    assert_int_equal(rb_handshake_until_quiet(l.s[0], 10), TLS_STREAM_ERR_HANDSHAKE);
    expect_alert(&l, 0, 50 /* decode_error (mbedtls's choice, both versions) */);
    /* we told the peer: an alert record went out */
    assert_true(rb_chan_pending(&l.ch, 0) >= 7);
    assert_int_equal(rb_chan_peek(&l.ch, 0)[0], 21);
    link_close(&l);
}

static void fatal_alert_mid_handshake_is_peer_alert(void **state)
{
    static const unsigned char alert[] = {21, 3, 3, 0, 2, 2, 40};
    unsigned char hello[1024];
    const char *msg;
    static link l;
    (void)state;
    link_psk(&l, 1, 0);
    (void)client_hello(&l, hello, sizeof hello);
    rb_chan_put(&l.ch, 0, alert, sizeof alert);
    assert_int_equal(rb_handshake_until_quiet(l.s[0], 10), TLS_STREAM_ERR_PEER_ALERT);
    /* OpenSSL: SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE */
    assert_int_equal(tls_stream_error_detail(l.s[0], &msg),
                     TLS_TEST_BY_BACKEND(TLS_STREAM_CLIENT, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, 0x0A000410));
    expect_text_contains(msg, "40"); /* handshake_failure */
    link_close(&l);
}

static void renegotiation_request_from_client_is_refused(void **state)
{
    unsigned char buf[64];
    tls_stream_mbt_session *cs;
    static link l;
    int type, rc;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_CLIENT);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    /* the client's mbedtls is told to allow it (test-only), and asks */
    cs = (tls_stream_mbt_session *)l.s[0]->session;
    mbedtls_ssl_conf_renegotiation(&cs->cfg->conf, MBEDTLS_SSL_RENEGOTIATION_ENABLED);
    rc = mbedtls_ssl_renegotiate(&cs->ssl);
    assert_int_equal(rc, MBEDTLS_ERR_SSL_WANT_READ);
    assert_true(rb_chan_pending(&l.ch, 0) > 0); /* the encrypted ClientHello */
    rb_chan_forward(&l.ch, 0);
    /* our server refuses: no data, no failure, a no_renegotiation warning alert */
    assert_int_equal(tls_stream_read(l.s[1], buf, sizeof buf), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_state(l.s[1]), TLS_STREAM_STATE_OPEN);
    assert_true(rb_record(rb_chan_peek(&l.ch, 1), rb_chan_pending(&l.ch, 1), &type) > 0);
    assert_int_equal(type, 21);
    /* and the connection still carries data to the client */
    assert_int_equal(tls_stream_write(l.s[1], "still here", 10), 10);
    link_close(&l);
}

static void renegotiation_request_from_server_is_refused(void **state)
{
    unsigned char buf[64];
    tls_stream_mbt_session *ss;
    static link l;
    int type;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_SERVER);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    ss = (tls_stream_mbt_session *)l.s[1]->session;
    mbedtls_ssl_conf_renegotiation(&ss->cfg->conf, MBEDTLS_SSL_RENEGOTIATION_ENABLED);
    (void)mbedtls_ssl_renegotiate(&ss->ssl); /* sends HelloRequest */
    assert_true(rb_chan_pending(&l.ch, 1) > 0);
    rb_chan_forward(&l.ch, 1);
    assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_state(l.s[0]), TLS_STREAM_STATE_OPEN);
    assert_true(rb_record(rb_chan_peek(&l.ch, 0), rb_chan_pending(&l.ch, 0), &type) > 0);
    assert_int_equal(type, 21); /* no_renegotiation */
    link_close(&l);
}

/*
 * A ClientHello split over one-byte handshake records. RFC 5246 allows it;
 * mbedtls 2.28 does not reassemble TLS handshake messages and refuses the
 * first fragment. What we check: a clean, exact error, no crash, no hang.
 */
static void handshake_fragmented_byte_by_byte_fails_cleanly(void **state)
{
    unsigned char hello[1024], frag[6];
    size_t n, i;
    static link l;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_CLIENT);
    n = client_hello(&l, hello, sizeof hello);
    assert_int_equal(rb_record(hello, n, NULL), n);
    for (i = 5; i < n; i++) {
        memcpy(frag, hello, 3);
        frag[3] = 0;
        frag[4] = 1;
        frag[5] = hello[i];
        rb_chan_put(&l.ch, 1, frag, sizeof frag);
    }
    if (tls_test_openssl(TLS_STREAM_SERVER)) {
        /* OpenSSL reassembles the fragments (as RFC 5246 allows) and answers */
        int type;
        assert_int_equal(rb_handshake_until_quiet(l.s[1], 10), TLS_STREAM_WANT_READ);
        assert_true(rb_record(rb_chan_peek(&l.ch, 1), rb_chan_pending(&l.ch, 1), &type) > 0);
        assert_int_equal(type, 22); /* ServerHello */
    } else {
        assert_int_equal(rb_handshake_until_quiet(l.s[1], 10), TLS_STREAM_ERR_HANDSHAKE);
        expect_alert(&l, 1, 50 /* decode_error */);
    }
    link_close(&l);
}

static void garbage_before_client_hello_is_protocol_error(void **state)
{
    static const unsigned char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    unsigned char hello[1024];
    size_t n;
    static link l;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_CLIENT);
    n = client_hello(&l, hello, sizeof hello);
    rb_chan_put(&l.ch, 1, junk, sizeof junk - 1);
    rb_chan_put(&l.ch, 1, hello, n);
    assert_int_equal(rb_handshake_until_quiet(l.s[1], 10), TLS_STREAM_ERR_HANDSHAKE);
    expect_alert(&l, 1, 10 /* unexpected_message: no such record type */);
    link_close(&l);
}

static void sslv2_hello_is_refused(void **state)
{
    /* SSLv2-compatible CLIENT-HELLO offering TLS 1.0, three suites */
    static const unsigned char v2[] = {
        0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x20,
        0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x00, 0x00, 0xff,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static link l;
    (void)state;
    link_psk(&l, 0, 1);
    rb_chan_put(&l.ch, 1, v2, sizeof v2);
    assert_int_equal(rb_handshake_until_quiet(l.s[1], 10), TLS_STREAM_ERR_HANDSHAKE);
    expect_alert(&l, 1, 10 /* unexpected_message: no such record type */);
    link_close(&l);
}

/*
 * The transport ends after k bytes of one direction, for every k short of
 * the whole handshake: the side reading it reports TLS_STREAM_ERR_TRUNCATED.
 */
static void connection_closed_at_every_byte_of_the_handshake(void **state)
{
    size_t total[2], k;
    int dir;
    static link l;
    (void)state;
    link_psk(&l, 1, 1);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    total[0] = l.ch.in[1].len; /* client -> server bytes */
    total[1] = l.ch.in[0].len;
    link_close(&l);
    for (dir = 0; dir < 2; dir++) {
        int reader = 1 - dir;
        for (k = 0; k < total[dir]; k++) {
            size_t sent = 0;
            int rc[2] = {TLS_STREAM_WANT_READ, TLS_STREAM_WANT_READ}, round;
            link_psk(&l, 1, 1);
            for (round = 0; round < 100; round++) {
                int i;
                for (i = 0; i < 2; i++)
                    if (rc[i] == TLS_STREAM_WANT_READ || rc[i] == TLS_STREAM_WANT_WRITE)
                        rc[i] = tls_stream_handshake(l.s[i]);
                rb_chan_forward(&l.ch, reader);
                sent += rb_chan_forward_n(&l.ch, dir, k - sent);
                if (sent == k)
                    l.ch.eof[reader] = 1;
                if (rc[reader] != TLS_STREAM_WANT_READ && rc[reader] != TLS_STREAM_WANT_WRITE)
                    break;
            }
            if (rc[reader] != TLS_STREAM_ERR_TRUNCATED)
                print_error("direction %d cut after %zu/%zu bytes: reader got %d\n", dir, k,
                            total[dir], rc[reader]);
            assert_int_equal(rc[reader], TLS_STREAM_ERR_TRUNCATED);
            link_close(&l);
        }
    }
}

static void close_without_close_notify_mid_transfer_is_truncated(void **state)
{
    unsigned char buf[16384];
    size_t got, n;
    int allow;
    (void)state;
    for (allow = 0; allow < 2; allow++) {
        tls_stream_config *cc, *sc;
        static link l;
        assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
        assert_int_equal(rb_psk_server(&sc, NULL), TLS_STREAM_OK);
        assert_int_equal(tls_stream_config_insecure_allow_truncation(cc, allow), TLS_STREAM_OK);
        link_open(&l, cc, sc);
        assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
        tls_pair_fill(TLS_PAIR_S2C, 0, buf, 10000);
        assert_int_equal(tls_stream_write(l.s[1], buf, 10000), 10000);
        n = rb_chan_pending(&l.ch, 1);
        rb_chan_forward_n(&l.ch, 1, n / 2); /* half a record, then the end */
        l.ch.eof[0] = 1;
        assert_int_equal(read_until_quiet(l.s[0], buf, sizeof buf, &got),
                         allow ? 0 : TLS_STREAM_ERR_TRUNCATED);
        assert_int_equal(got, 0);
        assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), allow ? 0 : TLS_STREAM_ERR_TRUNCATED);
        link_close(&l);
    }
}

static void data_after_close_notify_is_ignored(void **state)
{
    unsigned char buf[64];
    size_t got;
    static link l;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_SERVER);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_write(l.s[1], "before", 6), 6);
    assert_int_equal(mbedtls_ssl_close_notify(ssl_of(l.s[1])), 0);
    /* a peer that keeps talking after its close_notify */
    assert_int_equal(mbedtls_ssl_write(ssl_of(l.s[1]), (const unsigned char *)"after", 5), 5);
    rb_chan_forward(&l.ch, 1);
    assert_int_equal(read_until_quiet(l.s[0], buf, sizeof buf, &got), 0);
    assert_int_equal(got, 6);
    assert_memory_equal(buf, "before", 6);
    assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), 0);
    assert_int_equal(tls_stream_read(l.s[0], buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(l.s[0]), TLS_STREAM_STATE_PEER_CLOSED);
    link_close(&l);
}

/*
 * An identity longer than TLS_STREAM_PSK_MAX_IDENTITY on the wire: the real
 * client's ClientKeyExchange is rewritten with a 300-byte identity. The
 * server refuses it as an unknown identity.
 */
static void oversized_psk_identity_on_the_wire_is_unknown_identity(void **state)
{
    unsigned char *p, rec[1024];
    size_t n, r, body, id_len, rest;
    int type;
    static link l;
    (void)state;
    link_psk_tool(&l, 1, 1, TLS_STREAM_CLIENT); /* a TLS 1.2 ClientKeyExchange */
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ);
    rb_chan_forward(&l.ch, 0);
    assert_int_equal(tls_stream_handshake(l.s[1]), TLS_STREAM_WANT_READ);
    rb_chan_forward(&l.ch, 1);
    assert_int_equal(tls_stream_handshake(l.s[0]), TLS_STREAM_WANT_READ);
    p = rb_chan_peek(&l.ch, 0);
    n = rb_chan_pending(&l.ch, 0);
    r = rb_record(p, n, &type);
    assert_true(r > 0 && type == 22 && p[5] == 16); /* ClientKeyExchange */
    body = (size_t)p[6] << 16 | (size_t)p[7] << 8 | p[8];
    id_len = (size_t)p[9] << 8 | p[10];
    rest = body - 2 - id_len;
    {
        size_t new_id = 300, new_body = 2 + new_id + rest, len = 4 + new_body;
        rec[0] = 22; rec[1] = 3; rec[2] = 3;
        rec[3] = (unsigned char)(len >> 8); rec[4] = (unsigned char)len;
        rec[5] = 16;
        rec[6] = 0; rec[7] = (unsigned char)(new_body >> 8); rec[8] = (unsigned char)new_body;
        rec[9] = (unsigned char)(new_id >> 8); rec[10] = (unsigned char)new_id;
        memset(rec + 11, 'A', new_id);
        memcpy(rec + 11 + new_id, p + 11 + id_len, rest);
        rb_chan_put(&l.ch, 1, rec, 5 + len);
    }
    rb_chan_drop(&l.ch, 0, r);
    rb_chan_forward(&l.ch, 0);
    /* mbedtls asks the lookup, which refuses it; OpenSSL refuses an identity
     * longer than its 256-byte limit as malformed (DATA_LENGTH_TOO_LONG) */
    assert_int_equal(rb_handshake_until_quiet(l.s[1], 10),
                     TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, TLS_STREAM_ERR_PSK_IDENTITY, TLS_STREAM_ERR_PROTOCOL));
    link_close(&l);
}

static int lookup_too_long(void *arg, const unsigned char *identity, size_t identity_len,
                           unsigned char *key, size_t key_size)
{
    (void)arg;
    (void)identity;
    (void)identity_len;
    memset(key, 7, key_size);
    return (int)key_size + 16; /* claims more than fits */
}

static void psk_key_longer_than_allowed_is_refused(void **state)
{
    unsigned char key[64];
    tls_stream_config *cfg, *cc;
    static link l;
    (void)state;
    memset(key, 1, sizeof key);
    assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(TLS_STREAM_CLIENT), TLS_STREAM_CLIENT, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, key, TLS_STREAM_PSK_MAX_KEY + 1), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, key, TLS_STREAM_PSK_MAX_KEY), TLS_STREAM_OK);
    tls_stream_config_free(cfg);
    assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(TLS_STREAM_SERVER), TLS_STREAM_SERVER, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(cfg, "id", 2, key, TLS_STREAM_PSK_MAX_KEY + 1), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(tls_stream_config_load_psk_table(cfg,
        "id:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20\n", 70),
        TLS_STREAM_ERR_BAD_KEY);
    /* a lookup breaking its contract: the handshake fails, nothing overflows */
    assert_int_equal(tls_stream_config_set_psk_lookup(cfg, lookup_too_long, NULL), TLS_STREAM_OK);
    assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    link_open(&l, cc, cfg);
    assert_int_equal(rb_chan_handshake(&l.ch, l.s[0], l.s[1], NULL, NULL), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(tls_stream_error(l.s[1]), TLS_STREAM_ERR_INTERNAL);
    link_close(&l);
}

static void oversized_psk_identity_in_configuration_is_refused(void **state)
{
    unsigned char id[TLS_STREAM_PSK_MAX_IDENTITY + 1];
    tls_stream_config *cfg;
    (void)state;
    memset(id, 'i', sizeof id);
    assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(TLS_STREAM_CLIENT), TLS_STREAM_CLIENT, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(cfg, id, sizeof id, rb_psk_key, 32), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_psk(cfg, id, sizeof id - 1, rb_psk_key, 32), TLS_STREAM_OK);
    tls_stream_config_free(cfg);
    assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(TLS_STREAM_SERVER), TLS_STREAM_SERVER, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(cfg, id, sizeof id, rb_psk_key, 32), TLS_STREAM_ERR_ARG);
    tls_stream_config_free(cfg);
}

/* deep_leaf <- int3 <- int2 <- int1 <- ca: four certificates below the anchor. */
static void chain_deeper_than_verify_depth_is_refused(void **state)
{
    int depth;
    (void)state;
    for (depth = 3; depth <= 4; depth++) {
        tls_stream_config *cc, *sc;
        static link l;
        int crc, src;
        assert_int_equal(tls_pair_cert_client(&cc, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem",
                                              "localhost", NULL, NULL), TLS_STREAM_OK);
        assert_int_equal(tls_stream_config_set_verify_depth(cc, depth), TLS_STREAM_OK);
        assert_int_equal(tls_pair_cert_server(&sc, NULL, "deep_chain.pem", "deep_leaf.key",
                                              TLS_STREAM_VERIFY_NONE, NULL), TLS_STREAM_OK);
        link_open(&l, cc, sc);
        rb_chan_handshake(&l.ch, l.s[0], l.s[1], &crc, &src);
        if (depth == 3) {
            assert_int_equal(crc, TLS_STREAM_ERR_VERIFY);
            assert_int_equal(src, TLS_STREAM_ERR_PEER_ALERT);
        } else {
            assert_int_equal(crc, TLS_STREAM_OK);
            assert_int_equal(src, TLS_STREAM_OK);
        }
        link_close(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(truncated_record_header_is_truncation, close_leftovers),
        cmocka_unit_test_teardown(truncated_record_body_is_truncation, close_leftovers),
        cmocka_unit_test_teardown(record_longer_than_maximum_is_protocol_error, close_leftovers),
        cmocka_unit_test_teardown(record_longer_than_maximum_after_handshake_is_protocol_error, close_leftovers),
        cmocka_unit_test_teardown(zero_length_records_are_bounded, close_leftovers),
        cmocka_unit_test_teardown(corrupted_ciphertext_is_bad_mac_protocol_error, close_leftovers),
        cmocka_unit_test_teardown(corrupted_finished_fails_the_handshake, close_leftovers),
        cmocka_unit_test_teardown(unexpected_handshake_message_is_refused, close_leftovers),
        cmocka_unit_test_teardown(fatal_alert_mid_handshake_is_peer_alert, close_leftovers),
        cmocka_unit_test_teardown(renegotiation_request_from_client_is_refused, close_leftovers),
        cmocka_unit_test_teardown(renegotiation_request_from_server_is_refused, close_leftovers),
        cmocka_unit_test_teardown(handshake_fragmented_byte_by_byte_fails_cleanly, close_leftovers),
        cmocka_unit_test_teardown(garbage_before_client_hello_is_protocol_error, close_leftovers),
        cmocka_unit_test_teardown(sslv2_hello_is_refused, close_leftovers),
        cmocka_unit_test_teardown(connection_closed_at_every_byte_of_the_handshake, close_leftovers),
        cmocka_unit_test_teardown(close_without_close_notify_mid_transfer_is_truncated, close_leftovers),
        cmocka_unit_test_teardown(data_after_close_notify_is_ignored, close_leftovers),
        cmocka_unit_test_teardown(oversized_psk_identity_on_the_wire_is_unknown_identity, close_leftovers),
        cmocka_unit_test_teardown(psk_key_longer_than_allowed_is_refused, close_leftovers),
        cmocka_unit_test_teardown(oversized_psk_identity_in_configuration_is_refused, close_leftovers),
        cmocka_unit_test_teardown(chain_deeper_than_verify_depth_is_refused, close_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
