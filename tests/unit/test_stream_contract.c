/*
 * The stream contract that integrations rely on, against the mock backend
 * and a mock transport: an interrupted transport (TLS_STREAM_INTERRUPTED
 * handed back unchanged, no wait, no failure, the next call continues), the
 * transport's close result, and freeing without I/O (tls_stream_abort).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "unit_fixture.h"
#include "tls_stream/options.h"
#include "tls_stream/backend.h"
#include "tls_stream/tls_stream.h"

typedef unit_fx fx; /* unit_fixture.h */

/* A PSK client: a valid configuration needing no server name. */
static tls_stream *client(fx *f)
{
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(f->cfg, "id", 2, "0123456789abcdef", 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &f->io.io), TLS_STREAM_OK);
    return f->s;
}

static tls_stream *open_client(fx *f)
{
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    return s;
}

/* ---- interruption ---- */

static void test_interrupted_handshake_returns_at_once_and_the_next_call_continues(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f); /* blocking: a want would wait */
    mock_script_set(&f->mb->handshake, 3, TLS_STREAM_WANT_READ, TLS_STREAM_INTERRUPTED, TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_INTERRUPTED);
    assert_int_equal(f->io.wait_calls, 1); /* for the want, not for the interruption */
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_HANDSHAKE);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.handshake, 3);
    assert_int_equal(f->mb->calls.session_new, 1); /* the same session went on */
    assert_int_equal(f->io.wait_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
}

static void test_interrupted_nonblocking_handshake_is_not_a_want(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    tls_stream_set_blocking(s, 0);
    mock_script_set(&f->mb->handshake, 2, TLS_STREAM_INTERRUPTED, TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_HANDSHAKE);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->io.wait_calls, 0);
}

static void test_interrupted_read_keeps_the_stream_and_the_data(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_backend_set_read_data(f->mb, "hello", 5);
    mock_script_set(&f->mb->read, 2, TLS_STREAM_INTERRUPTED, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(f->io.wait_calls, 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
}

static void test_interrupted_wait_is_returned_without_failing(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_backend_set_read_data(f->mb, "abc", 3);
    mock_script_set(&f->mb->read, 2, TLS_STREAM_WANT_READ, MOCK_ALL);
    mock_script_set(&f->io.wait, 1, TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 3);
    assert_memory_equal(buf, "abc", 3);
}

static void test_interrupted_write_before_any_byte_returns_interrupted(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    mock_script_set(&f->mb->write, 1, TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_write(s, "abcdef", 6), TLS_STREAM_INTERRUPTED);
    assert_int_equal(f->mb->written_len, 0);
    assert_int_equal(tls_stream_write(s, "abcdef", 6), 6);
    assert_memory_equal(f->mb->written, "abcdef", 6);
    assert_int_equal(f->io.wait_calls, 0);
}

/* as write(2) after EINTR: what was accepted is reported, nothing repeats */
static void test_interrupted_blocking_write_mid_way_returns_the_bytes_accepted(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    mock_script_set(&f->mb->write, 2, 4, TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_write(s, "0123456789", 10), 4);
    assert_int_equal(tls_stream_write(s, "456789", 6), 6);
    assert_int_equal(f->mb->written_len, 10);
    assert_memory_equal(f->mb->written, "0123456789", 10);
    assert_int_equal(f->io.wait_calls, 0);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
}

static void test_interrupted_flush_keeps_the_buffered_record(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    tls_stream_set_blocking(s, 0);
    f->mb->write_buffers = 1;
    mock_script_set(&f->mb->flush, 3, TLS_STREAM_WANT_WRITE, TLS_STREAM_INTERRUPTED, TLS_STREAM_OK);
    assert_int_equal(tls_stream_write(s, "abc", 3), 3);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_INTERRUPTED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_OK);
}

static void test_interrupted_close_closes_nothing_and_the_next_close_finishes(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    mock_script_set(&f->mb->close_notify, 2, TLS_STREAM_INTERRUPTED, TLS_STREAM_OK);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_INTERRUPTED);
    assert_int_equal(f->io.close_calls, 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 2);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_CLOSED);
}

static void test_interrupted_has_its_own_text(void **state)
{
    (void)state;
    assert_string_equal(tls_stream_strerror(TLS_STREAM_INTERRUPTED), TLS_STREAM_MSG("interrupted (call again to continue)"));
}

/* ---- close result ---- */

static void test_close_reports_the_transports_close_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    const char *msg = NULL;
    mock_script_set(&f->io.close, 1, -EIO);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_error_detail(s, &msg), -EIO);
    assert_string_equal(msg, TLS_STREAM_MSG("transport close failed"));
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_CLOSED);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK); /* closed once, reported once */
    assert_int_equal(f->io.close_calls, 1);
}

static void test_close_of_a_new_stream_reports_the_close_error_too(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    mock_script_set(&f->io.close, 1, -EBADF);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_error_detail(s, NULL), -EBADF);
}

static void test_close_notify_error_wins_over_the_close_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    f->mb->detail_code = -77;
    mock_script_set(&f->mb->close_notify, 1, TLS_STREAM_ERR_PROTOCOL);
    mock_script_set(&f->io.close, 1, -EIO);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(tls_stream_error_detail(s, NULL), -77);
    assert_int_equal(f->io.close_calls, 1);
}

/* ---- free and abort: which transport calls they make ---- */

static int trip_read(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    fail_msg("abort read from the transport");
    return TLS_STREAM_ERR_INTERNAL;
}

static int trip_write(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx, (void)buf, (void)len;
    fail_msg("abort wrote to the transport");
    return TLS_STREAM_ERR_INTERNAL;
}

static int trip_close(void *ctx)
{
    (void)ctx;
    fail_msg("abort closed the transport");
    return TLS_STREAM_ERR_INTERNAL;
}

static int trip_wait(void *ctx, int want, int timeout_ms)
{
    (void)ctx, (void)want, (void)timeout_ms;
    fail_msg("abort waited on the transport");
    return TLS_STREAM_ERR_INTERNAL;
}

static int trip_set_timeout(void *ctx, int timeout_ms)
{
    (void)ctx, (void)timeout_ms;
    fail_msg("abort set a timeout on the transport");
    return TLS_STREAM_ERR_INTERNAL;
}

static const tls_stream_io tripwire = { NULL, trip_read, trip_write, trip_close, trip_wait, trip_set_timeout };

static void abort_in_state(fx *f, int open, int buffered)
{
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(f->cfg, "id", 2, "0123456789abcdef", 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &tripwire), TLS_STREAM_OK);
    tls_stream_set_blocking(f->s, 0);
    if (!open)
        mock_script_set(&f->mb->handshake, 1, TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_handshake(f->s), open ? TLS_STREAM_OK : TLS_STREAM_WANT_READ);
    if (buffered) {
        f->mb->write_buffers = 1;
        mock_script_set(&f->mb->flush, 1, TLS_STREAM_WANT_WRITE);
        assert_int_equal(tls_stream_write(f->s, "abc", 3), 3);
        assert_int_equal(f->mb->unflushed, 1);
    }
    tls_stream_abort(f->s);
    f->s = NULL; /* the teardown checks that nothing is left */
    assert_int_equal(f->mb->calls.session_free, 1);
    assert_int_equal(f->mb->sessions_live, 0);
}

static void test_abort_mid_handshake_calls_no_transport_function(void **state)
{
    abort_in_state((fx *)*state, 0, 0);
}

static void test_abort_with_a_record_queued_calls_no_transport_function(void **state)
{
    fx *f = (fx *)*state;
    abort_in_state(f, 1, 1);
    assert_int_equal(f->mb->calls.close_notify, 0);
}

static void test_abort_of_a_new_stream_and_of_null_is_safe(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(f->cfg, "id", 2, "0123456789abcdef", 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &tripwire), TLS_STREAM_OK);
    tls_stream_abort(f->s);
    f->s = NULL;
    tls_stream_abort(NULL);
    assert_int_equal(f->mb->calls.session_new, 0);
}

static void test_free_of_an_open_stream_only_closes_the_transport(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    unsigned r = f->io.read_calls, w = f->io.write_calls, wt = f->io.wait_calls;
    tls_stream_free(s);
    f->s = NULL;
    assert_int_equal(f->io.read_calls, r);
    assert_int_equal(f->io.write_calls, w);
    assert_int_equal(f->io.wait_calls, wt);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(f->mb->calls.close_notify, 0);
    assert_int_equal(f->mb->calls.flush, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, unit_fx_setup, unit_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_interrupted_handshake_returns_at_once_and_the_next_call_continues),
        T(test_interrupted_nonblocking_handshake_is_not_a_want),
        T(test_interrupted_read_keeps_the_stream_and_the_data),
        T(test_interrupted_wait_is_returned_without_failing),
        T(test_interrupted_write_before_any_byte_returns_interrupted),
        T(test_interrupted_blocking_write_mid_way_returns_the_bytes_accepted),
        T(test_interrupted_flush_keeps_the_buffered_record),
        T(test_interrupted_close_closes_nothing_and_the_next_close_finishes),
        T(test_interrupted_has_its_own_text),
        T(test_close_reports_the_transports_close_error),
        T(test_close_of_a_new_stream_reports_the_close_error_too),
        T(test_close_notify_error_wins_over_the_close_error),
        T(test_abort_mid_handshake_calls_no_transport_function),
        T(test_abort_with_a_record_queued_calls_no_transport_function),
        T(test_abort_of_a_new_stream_and_of_null_is_safe),
        T(test_free_of_an_open_stream_only_closes_the_transport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
