/*
 * The life of a connection with real mbedtls at both ends over the memory
 * pipe, in non-blocking mode: deferred handshake, stepping with
 * tls_stream_wants(), bulk transfer, clean close, truncation, use after
 * close.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "test_scale.h"
#include "tls_pair.h"

#define MAX_STEPS 1000

/* A PSK pair; allow_truncation applies to both sides. */
static void psk_pair_opts(tls_pair *p, int allow_truncation)
{
    tls_stream_config *c = NULL, *s = NULL;
    assert_int_equal(tls_pair_client1_configs(&c, &s, NULL), TLS_STREAM_OK);
    if (allow_truncation) {
        assert_int_equal(tls_stream_config_insecure_allow_truncation(c, 1), TLS_STREAM_OK);
        assert_int_equal(tls_stream_config_insecure_allow_truncation(s, 1), TLS_STREAM_OK);
    }
    assert_int_equal(tls_pair_new(p, c, s, NULL), TLS_STREAM_OK);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void psk_pair(tls_pair *p)
{
    psk_pair_opts(p, 0);
}

static void open_pair(tls_pair *p)
{
    psk_pair(p);
    assert_int_equal(tls_pair_handshake(p), TLS_STREAM_OK);
}

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

/* The tls_stream_wants() bit of a want answer. */
static int poll_bit(int want)
{
    return want == TLS_STREAM_WANT_READ ? TLS_STREAM_POLL_READ : TLS_STREAM_POLL_WRITE;
}

/* Non-blocking read on s until data, 0 or an error; steps peer's handshake
 * or flush in between. Returns the read's result. */
static int read_stepping(tls_stream *s, tls_stream *peer, void *buf, size_t len)
{
    int i, rc = TLS_STREAM_WANT_READ;
    for (i = 0; i < MAX_STEPS; i++) {
        rc = tls_stream_read(s, buf, len);
        if (!is_want(rc))
            return rc;
        assert_true(tls_stream_wants(s) & poll_bit(rc));
        (void)tls_stream_flush(peer);
    }
    fail_msg("read did not finish in %d steps", MAX_STEPS);
    return rc;
}

static void test_deferred_handshake_sends_nothing_until_first_write(void **state)
{
    tls_pair p;
    unsigned char buf[16];
    int i, rc = TLS_STREAM_WANT_READ;
    (void)state;

    psk_pair(&p);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_NEW);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_NEW);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 0), 0);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 1), 0);
    assert_int_equal(tls_stream_wants(p.client), 0);

    /* the first write starts the handshake: a ClientHello goes out and
     * the write waits for the server's answer */
    rc = tls_stream_write(p.client, "hello", 5);
    assert_int_equal(rc, TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_wants(p.client), TLS_STREAM_POLL_READ);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_HANDSHAKE);
    assert_true(tls_stream_mem_pipe_buffered(p.pipe, 1) > 0);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_NEW);

    /* the server's first read runs its side; repeat the same write */
    for (i = 0; i < MAX_STEPS && is_want(rc); i++) {
        int srv = tls_stream_read(p.server, buf, sizeof buf);
        assert_true(is_want(srv));
        assert_true(tls_stream_wants(p.server) & poll_bit(srv));
        rc = tls_stream_write(p.client, "hello", 5);
        if (is_want(rc))
            assert_true(tls_stream_wants(p.client) & poll_bit(rc));
    }
    assert_int_equal(rc, 5);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_OPEN);
    assert_int_equal(read_stepping(p.server, p.client, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_OPEN);
    tls_pair_free(&p);
}

static void test_deferred_handshake_runs_on_first_read(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    int i, rc = TLS_STREAM_WANT_READ, srv = TLS_STREAM_WANT_READ;
    (void)state;

    psk_pair(&p);
    /* the server reads first: nothing to read, nothing sent */
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_HANDSHAKE);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 0), 0);
    for (i = 0; i < MAX_STEPS && (is_want(rc) || is_want(srv)); i++) {
        if (is_want(rc))
            rc = tls_stream_handshake(p.client);
        if (is_want(srv))
            srv = tls_stream_write(p.server, "abc", 3);
    }
    assert_int_equal(rc, TLS_STREAM_OK);
    assert_int_equal(srv, 3);
    assert_int_equal(read_stepping(p.client, p.server, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
    tls_pair_free(&p);
}

/* Step tls_stream_handshake() by hand: every want matches wants(), each
 * step is bounded, and both end OPEN with wants() 0. */
static void test_nonblocking_handshake_wants_match_return_codes(void **state)
{
    tls_pair p;
    int i, c = TLS_STREAM_WANT_READ, s = TLS_STREAM_WANT_READ, wants_read = 0;
    (void)state;

    psk_pair(&p);
    for (i = 0; i < MAX_STEPS && (is_want(c) || is_want(s)); i++) {
        if (is_want(c)) {
            c = tls_stream_handshake(p.client);
            if (is_want(c))
                assert_true(tls_stream_wants(p.client) & poll_bit(c));
            wants_read += c == TLS_STREAM_WANT_READ;
        }
        if (is_want(s)) {
            s = tls_stream_handshake(p.server);
            if (is_want(s))
                assert_true(tls_stream_wants(p.server) & poll_bit(s));
        }
    }
    assert_int_equal(c, TLS_STREAM_OK);
    assert_int_equal(s, TLS_STREAM_OK);
    assert_true(wants_read > 0);
    assert_true(i < 20); /* TLS 1.2: a handful of flights */
    assert_int_equal(tls_stream_wants(p.client), 0);
    assert_int_equal(tls_stream_wants(p.server), 0);
    /* complete: again returns TLS_STREAM_OK at once, sending nothing */
    assert_int_equal(tls_stream_handshake(p.client), TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 1), 0);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 0), 0);
    tls_pair_free(&p);
}

static void test_nonblocking_read_without_data_wants_read(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    open_pair(&p);
    assert_int_equal(tls_stream_read(p.client, buf, sizeof buf), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_wants(p.client), TLS_STREAM_POLL_READ);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_OPEN);
    tls_pair_free(&p);
}

static void test_pending_reports_buffered_plaintext(void **state)
{
    tls_pair p;
    unsigned char buf[100];
    size_t i;
    (void)state;

    open_pair(&p);
    tls_pair_fill(TLS_PAIR_C2S, 0, buf, sizeof buf);
    assert_int_equal(tls_stream_write(p.client, buf, sizeof buf), 100);
    assert_int_equal(tls_stream_read(p.server, buf, 1), 1);
    assert_int_equal(buf[0], tls_pair_pattern(TLS_PAIR_C2S, 0));
    assert_int_equal(tls_stream_pending(p.server), 99);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 99);
    for (i = 0; i < 99; i++)
        assert_int_equal(buf[i], tls_pair_pattern(TLS_PAIR_C2S, i + 1));
    assert_int_equal(tls_stream_pending(p.server), 0);
    tls_pair_free(&p);
}

static void test_one_mebibyte_each_way_over_memory_pipe(void **state)
{
    tls_pair p;
    size_t n;
    (void)state;

    open_pair(&p);
    n = (size_t)tls_test_count(1L << 20, 128L << 10);
    assert_int_equal(tls_pair_transfer(&p, n), TLS_STREAM_OK);
    assert_int_equal(tls_stream_pending(p.client), 0);
    assert_int_equal(tls_stream_pending(p.server), 0);
    /* more than 1 MiB of records went each way */
    assert_true(p.end[0].written_bytes > (unsigned long long)n);
    assert_true(p.end[1].written_bytes > (unsigned long long)n);
    tls_pair_free(&p);
}

static void test_clean_close_reads_zero_and_peer_closed(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    open_pair(&p);
    assert_int_equal(tls_stream_write(p.client, "bye", 3), 3);
    assert_int_equal(tls_stream_close(p.client), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_CLOSED);
    /* data sent before the close arrives first, then the end */
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 3);
    assert_memory_equal(buf, "bye", 3);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_PEER_CLOSED);
    assert_int_equal(tls_stream_error(p.server), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 0); /* stays 0 */
    assert_int_equal(tls_stream_write(p.server, "x", 1), TLS_STREAM_ERR_CLOSED);
    tls_pair_free(&p);
}

static void test_close_sends_close_notify_then_peer_close_succeeds(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    open_pair(&p);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 1), 0);
    assert_int_equal(tls_stream_close(p.server), TLS_STREAM_OK);
    /* close_notify is a (small) record towards the client */
    assert_true(tls_stream_mem_pipe_buffered(p.pipe, 0) > 0);
    assert_int_equal(tls_stream_read(p.client, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_PEER_CLOSED);
    tls_pair_free(&p);
}

static void test_transport_end_without_close_notify_is_truncated(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    open_pair(&p);
    assert_int_equal(tls_stream_write(p.client, "abc", 3), 3);
    tls_pair_cut(&p, 0);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(p.server), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), TLS_STREAM_ERR_TRUNCATED); /* sticky */
    tls_pair_free(&p);
}

static void test_truncation_allowed_reads_zero(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    psk_pair_opts(&p, 1);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_int_equal(tls_stream_write(p.client, "abc", 3), 3);
    tls_pair_cut(&p, 0);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 3);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(p.server), TLS_STREAM_STATE_PEER_CLOSED);
    assert_int_equal(tls_stream_error(p.server), TLS_STREAM_OK);
    tls_pair_free(&p);
}

static void test_write_to_cut_transport_is_io_error(void **state)
{
    tls_pair p;
    (void)state;

    open_pair(&p);
    tls_pair_cut(&p, 1); /* the server's end goes away */
    assert_int_equal(tls_stream_write(p.client, "abc", 3), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error_detail(p.client, NULL), TLS_STREAM_ERR_IO); /* the pipe's code */
    assert_int_equal(tls_stream_write(p.client, "abc", 3), TLS_STREAM_ERR_IO);
    tls_pair_free(&p);
}

static void test_second_close_is_a_noop(void **state)
{
    tls_pair p;
    size_t sent;
    (void)state;

    open_pair(&p);
    assert_int_equal(tls_stream_close(p.client), TLS_STREAM_OK);
    sent = tls_stream_mem_pipe_buffered(p.pipe, 1);
    assert_int_equal(tls_stream_close(p.client), TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 1), sent);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_CLOSED);
    tls_pair_free(&p);
}

static void test_read_and_write_after_close_are_closed(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    open_pair(&p);
    assert_int_equal(tls_stream_close(p.client), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(p.client, buf, sizeof buf), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_write(p.client, "x", 1), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_handshake(p.client), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_CLOSED);
    tls_pair_free(&p);
}

static void test_close_before_handshake_sends_nothing(void **state)
{
    tls_pair p;
    unsigned char buf[8];
    (void)state;

    psk_pair(&p);
    assert_int_equal(tls_stream_close(p.client), TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_buffered(p.pipe, 1), 0);
    assert_int_equal(tls_stream_state(p.client), TLS_STREAM_STATE_CLOSED);
    assert_int_equal(tls_stream_write(p.client, "x", 1), TLS_STREAM_ERR_CLOSED);
    /* the server sees the end of the transport before any handshake byte */
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), TLS_STREAM_ERR_TRUNCATED);
    tls_pair_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deferred_handshake_sends_nothing_until_first_write),
        cmocka_unit_test(test_deferred_handshake_runs_on_first_read),
        cmocka_unit_test(test_nonblocking_handshake_wants_match_return_codes),
        cmocka_unit_test(test_nonblocking_read_without_data_wants_read),
        cmocka_unit_test(test_pending_reports_buffered_plaintext),
        cmocka_unit_test(test_one_mebibyte_each_way_over_memory_pipe),
        cmocka_unit_test(test_clean_close_reads_zero_and_peer_closed),
        cmocka_unit_test(test_close_sends_close_notify_then_peer_close_succeeds),
        cmocka_unit_test(test_transport_end_without_close_notify_is_truncated),
        cmocka_unit_test(test_truncation_allowed_reads_zero),
        cmocka_unit_test(test_write_to_cut_transport_is_io_error),
        cmocka_unit_test(test_second_close_is_a_noop),
        cmocka_unit_test(test_read_and_write_after_close_are_closed),
        cmocka_unit_test(test_close_before_handshake_sends_nothing),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
