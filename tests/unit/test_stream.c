/*
 * tls_stream: the connection state machine against the mock backend and a
 * mock transport: deferred handshake, wants, blocking waits and timeouts,
 * sticky errors, short reads and writes, flushing, close, peer close,
 * truncation, server name, connection facts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "expect_text.h"
#include "unit_fixture.h"
#include "tls_stream/backend.h"
#include "tls_stream/tls_stream.h"

static const char CA[] = "-----BEGIN CERTIFICATE-----ca-----END CERTIFICATE-----";

typedef unit_fx fx; /* unit_fixture.h */

/* A verifying client with a CA and a server name: a valid configuration. */
static tls_stream_config *client_config(fx *f)
{
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_ca(f->cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_server_name(f->cfg, "example.com"), TLS_STREAM_OK);
    return f->cfg;
}

static tls_stream *new_stream(fx *f)
{
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &f->io.io), TLS_STREAM_OK);
    assert_non_null(f->s);
    return f->s;
}

/* client_config + new_stream. */
static tls_stream *client(fx *f)
{
    client_config(f);
    return new_stream(f);
}

/* client() with the handshake done. */
static tls_stream *open_client(fx *f)
{
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    return s;
}

static int detail_code(const tls_stream *s, const char **msg)
{
    *msg = NULL;
    return tls_stream_error_detail(s, msg);
}

/* ---- tls_stream_new ---- */

static void test_stream_new_rejects_null_out_config_or_io(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = (tls_stream *)&f->io;
    client_config(f);
    assert_int_equal(tls_stream_new(NULL, f->cfg, &f->io.io), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_new(&s, NULL, &f->io.io), TLS_STREAM_ERR_ARG);
    assert_null(s);
    s = (tls_stream *)&f->io;
    assert_int_equal(tls_stream_new(&s, f->cfg, NULL), TLS_STREAM_ERR_ARG);
    assert_null(s);
    /* a rejected call does not freeze the configuration */
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, 10), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.config_finish, 0);
}

static void test_stream_new_rejects_io_without_read_or_write(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = NULL;
    tls_stream_io io = f->io.io;
    client_config(f);
    io.read = NULL;
    assert_int_equal(tls_stream_new(&s, f->cfg, &io), TLS_STREAM_ERR_ARG);
    io = f->io.io;
    io.write = NULL;
    assert_int_equal(tls_stream_new(&s, f->cfg, &io), TLS_STREAM_ERR_ARG);
    assert_null(s);
    assert_int_equal(f->mb->calls.config_finish, 0);
}

static void test_stream_new_accepts_io_without_close_and_wait(void **state)
{
    fx *f = (fx *)*state;
    mock_io_init(&f->io, MOCK_IO_NO_CLOSE | MOCK_IO_NO_WAIT);
    client(f);
    assert_int_equal(tls_stream_state(f->s), TLS_STREAM_STATE_NEW);
    assert_int_equal(tls_stream_close(f->s), TLS_STREAM_OK);
}

/* ---- deferred handshake ---- */

static void test_stream_new_sends_nothing_and_starts_no_session(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_NEW);
    assert_int_equal(f->mb->calls.session_new, 0);
    assert_int_equal(f->mb->calls.handshake, 0);
    assert_int_equal(f->io.read_calls + f->io.write_calls + f->io.wait_calls, 0);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
}

static void test_first_write_runs_the_handshake_then_writes(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_write(s, "hello", 5), 5);
    assert_int_equal(f->mb->calls.session_new, 1);
    assert_int_equal(f->mb->calls.handshake, 1);
    assert_int_equal(f->mb->calls.info, 1);
    assert_string_equal(f->mb->trace, "nhiw");
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(f->mb->written_len, 5);
    assert_memory_equal(f->mb->written, "hello", 5);
}

static void test_first_read_runs_the_handshake_then_reads(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    char buf[16];
    mock_backend_set_read_data(f->mb, "data", 4);
    mock_script_set(&f->mb->read, 1, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "data", 4);
    assert_string_equal(f->mb->trace, "nhir");
    assert_int_equal(f->mb->calls.session_new, 1);
    assert_int_equal(f->mb->calls.handshake, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
}

static void test_explicit_handshake_completes_once(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_write(s, "x", 1), 1);
    assert_int_equal(f->mb->calls.session_new, 1);
    assert_int_equal(f->mb->calls.handshake, 1);
}

static void test_session_gets_the_streams_transport(void **state)
{
    fx *f = (fx *)*state;
    open_client(f);
    assert_non_null(f->mb->session_io);
    assert_ptr_equal(f->mb->session_io->ctx, &f->io);
    assert_true(f->mb->session_io->read == f->io.io.read);
    assert_true(f->mb->session_io->write == f->io.io.write);
}

static void test_io_struct_is_copied_so_it_may_live_on_the_callers_stack(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_io io = f->io.io;
    client_config(f);
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &io), TLS_STREAM_OK);
    memset(&io, 0, sizeof io); /* the caller's struct goes away */
    assert_int_equal(tls_stream_handshake(f->s), TLS_STREAM_OK);
    assert_ptr_equal(f->mb->session_io->ctx, &f->io);
    assert_int_equal(tls_stream_close(f->s), TLS_STREAM_OK);
    assert_int_equal(f->io.close_calls, 1);
}

static void test_null_stream_arguments_are_rejected(void **state)
{
    char buf[4];
    const char *msg = NULL;
    const unsigned char *der = NULL;
    size_t len = 0;
    (void)state;
    assert_int_equal(tls_stream_handshake(NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_read(NULL, buf, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_write(NULL, buf, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_flush(NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_close(NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_set_blocking(NULL, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_set_server_name(NULL, "a"), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_error(NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_wants(NULL), 0);
    assert_int_equal(tls_stream_pending(NULL), 0);
    assert_int_equal(tls_stream_error_detail(NULL, &msg), 0);
    assert_string_equal(msg, "");
    assert_null(tls_stream_cipher(NULL));
    assert_null(tls_stream_version(NULL));
    assert_null(tls_stream_alpn(NULL));
    assert_int_equal(tls_stream_peer_cert(NULL, &der, &len), TLS_STREAM_ERR_ARG);
    tls_stream_free(NULL);
}

/* ---- non-blocking wants ---- */

static void test_nonblocking_handshake_returns_each_want_then_opens(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    mock_script_set(&f->mb->handshake, 3, TLS_STREAM_WANT_READ, TLS_STREAM_WANT_WRITE, TLS_STREAM_OK);
    assert_int_equal(tls_stream_set_blocking(s, 0), TLS_STREAM_OK);

    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_READ);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_HANDSHAKE);

    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_WRITE);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_HANDSHAKE);

    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);

    assert_int_equal(f->mb->calls.session_new, 1);
    assert_int_equal(f->mb->calls.handshake, 3);
    assert_int_equal(f->io.wait_calls, 0);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
}

static void test_nonblocking_read_without_data_wants_read_and_stays_open(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    tls_stream_set_blocking(s, 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_READ);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(f->io.wait_calls, 0);
}

static void test_nonblocking_write_during_the_handshake_returns_the_want(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    tls_stream_set_blocking(s, 0);
    mock_script_set(&f->mb->handshake, 1, TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_write(s, "abc", 3), TLS_STREAM_WANT_READ);
    assert_int_equal(f->mb->calls.write, 0);
    assert_int_equal(tls_stream_write(s, "abc", 3), 3);
    assert_int_equal(f->mb->calls.session_new, 1);
}

/* ---- blocking mode ---- */

static void test_blocking_handshake_waits_in_each_direction_with_the_timeout(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    client_config(f);
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, 250), TLS_STREAM_OK);
    s = new_stream(f);
    mock_script_set(&f->mb->handshake, 3, TLS_STREAM_WANT_READ, TLS_STREAM_WANT_WRITE, TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(f->io.wait_calls, 2);
    assert_int_equal(f->io.wait_want[0], TLS_STREAM_WANT_READ);
    assert_int_equal(f->io.wait_timeout[0], 250);
    assert_int_equal(f->io.wait_want[1], TLS_STREAM_WANT_WRITE);
    assert_int_equal(f->io.wait_timeout[1], 250);
    assert_int_equal(tls_stream_wants(s), 0);
}

static void test_blocking_waits_forever_without_a_timeout(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    client_config(f);
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, -7), TLS_STREAM_OK); /* any negative: none */
    s = new_stream(f);
    mock_script_set(&f->mb->handshake, 2, TLS_STREAM_WANT_READ, TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->io.wait_calls, 1);
    assert_int_equal(f->io.wait_timeout[0], -1);
}

static void test_blocking_read_waits_then_returns_the_data(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_backend_set_read_data(f->mb, "late", 4);
    mock_script_set(&f->mb->read, 3, TLS_STREAM_WANT_READ, TLS_STREAM_WANT_READ, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "late", 4);
    assert_int_equal(f->io.wait_calls, 2);
    assert_int_equal(f->io.wait_want[1], TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_wants(s), 0);
}

static void test_blocking_write_waits_when_the_backend_wants_write(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    mock_script_set(&f->mb->write, 2, TLS_STREAM_WANT_WRITE, MOCK_ALL);
    assert_int_equal(tls_stream_write(s, "abcdef", 6), 6);
    assert_int_equal(f->io.wait_calls, 1);
    assert_int_equal(f->io.wait_want[0], TLS_STREAM_WANT_WRITE);
    assert_int_equal(f->mb->written_len, 6);
}

static void test_blocking_without_wait_returns_the_want(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    mock_io_init(&f->io, MOCK_IO_NO_WAIT);
    s = client(f);
    mock_script_set(&f->mb->handshake, 2, TLS_STREAM_WANT_READ, TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_READ);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_HANDSHAKE);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
}

static void test_blocking_with_a_wait_that_answers_a_want_returns_that_want(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    mock_script_set(&f->mb->handshake, 2, TLS_STREAM_WANT_READ, TLS_STREAM_OK);
    mock_script_set(&f->io.wait, 1, TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_HANDSHAKE);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
}

/* ---- timeouts and transport errors ---- */

static void test_timeout_during_the_handshake_fails_the_stream_for_good(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    char buf[4];
    client_config(f);
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, 100), TLS_STREAM_OK);
    s = new_stream(f);
    mock_script_set(&f->mb->handshake, 2, TLS_STREAM_WANT_READ, TLS_STREAM_OK);
    mock_script_set(&f->io.wait, 1, TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(f->mb->calls.handshake, 1);
    assert_int_equal(f->io.wait_timeout[0], 100);
}

static void test_read_timeout_is_returned_but_the_next_read_gets_data(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    char buf[8];
    client_config(f);
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, 50), TLS_STREAM_OK);
    s = new_stream(f);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    mock_backend_set_read_data(f->mb, "pong", 4);
    mock_script_set(&f->mb->read, 2, TLS_STREAM_WANT_READ, MOCK_ALL);
    mock_script_set(&f->io.wait, 1, TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "pong", 4);
}

static void test_transport_error_from_wait_is_an_io_error_keeping_the_errno(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    const char *msg;
    char buf[8];
    mock_script_set(&f->mb->read, 1, TLS_STREAM_WANT_READ);
    mock_script_set(&f->io.wait, 1, -ECONNRESET);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_IO);
    assert_int_equal(detail_code(s, &msg), -ECONNRESET);
    assert_int_equal(-ECONNRESET, -104);
    assert_string_equal(msg, TLS_STREAM_MSG("transport wait failed"));
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_IO);
    assert_int_equal(f->mb->calls.read, 1);
    assert_int_equal(f->mb->calls.write, 0);
}

static void test_transport_error_during_the_handshake_is_a_sticky_io_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    const char *msg;
    mock_script_set(&f->mb->handshake, 1, TLS_STREAM_WANT_WRITE);
    mock_script_set(&f->io.wait, 1, -ECONNRESET);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_IO);
    assert_int_equal(detail_code(s, &msg), -104);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
}

/* ---- sticky backend errors ---- */

static void test_handshake_failure_is_returned_by_every_later_call(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    const char *msg;
    char buf[8];
    mock_script_set(&f->mb->handshake, 1, TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(tls_stream_write(s, "hi", 2), TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(detail_code(s, &msg), MOCK_DETAIL_CODE);
    assert_string_equal(msg, "mock handshake failed");
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(tls_stream_write(s, "hi", 2), TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_ERR_HANDSHAKE);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(f->mb->calls.handshake, 1);
    assert_int_equal(f->mb->calls.read + f->mb->calls.write + f->mb->calls.flush, 0);
    assert_null(tls_stream_cipher(s));
}

static void test_backend_read_error_fails_the_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_script_set(&f->mb->read, 1, TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(f->mb->calls.read, 1);
}

static void test_backend_write_error_fails_the_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_script_set(&f->mb->write, 1, TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_write(s, "abc", 3), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_IO);
    assert_int_equal(f->mb->calls.write, 1);
}

static void test_info_failure_after_the_handshake_fails_the_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    mock_script_set(&f->mb->info, 1, TLS_STREAM_ERR_INTERNAL);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_INTERNAL);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_INTERNAL);
}

/* ---- writes ---- */

static void test_blocking_write_through_a_backend_taking_3_bytes_sends_all_in_order(
    void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    unsigned char data[1000];
    size_t i;
    for (i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    f->mb->write.otherwise = 3;
    assert_int_equal(tls_stream_write(s, data, sizeof data), 1000);
    assert_int_equal(f->mb->written_len, 1000);
    assert_memory_equal(f->mb->written, data, sizeof data);
    assert_int_equal(f->mb->calls.write, 334);
    assert_int_equal(f->mb->last_write_len, 1);
}

static void test_nonblocking_partial_write_returns_the_bytes_accepted(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    tls_stream_set_blocking(s, 0);
    mock_script_set(&f->mb->write, 3, 4, TLS_STREAM_WANT_WRITE, TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_write(s, "0123456789", 10), 4);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_WRITE);
    assert_int_equal(f->mb->written_len, 4);
    assert_memory_equal(f->mb->written, "0123", 4);
    /* the caller retries with the rest; the backend still cannot take any */
    assert_int_equal(tls_stream_write(s, "456789", 6), TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_WRITE);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_write(s, "456789", 6), 6);
    assert_memory_equal(f->mb->written, "0123456789", 10);
    assert_int_equal(tls_stream_wants(s), 0);
}

static void test_write_of_zero_bytes_returns_0_and_does_nothing(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_write(s, "x", 0), 0);
    assert_int_equal(tls_stream_write(s, NULL, 0), 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_NEW);
    assert_int_equal(f->mb->calls.session_new, 0);
}

static void test_write_with_a_null_buffer_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_write(s, NULL, 3), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_NEW);
}

/* ---- buffered output ---- */

static void test_buffered_output_makes_wants_answer_want_write(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    f->mb->unflushed = 1;
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_WRITE);
    f->mb->unflushed = 0;
    assert_int_equal(tls_stream_wants(s), 0);
}

static void test_buffered_output_is_flushed_before_a_read(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    f->mb->unflushed = 1;
    mock_backend_set_read_data(f->mb, "r", 1);
    mock_script_set(&f->mb->read, 1, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 1);
    assert_string_equal(f->mb->trace, "nhifr");
    assert_int_equal(f->mb->unflushed, 0);
}

static void test_a_flush_that_would_block_does_not_stop_a_read(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    tls_stream_set_blocking(s, 0);
    f->mb->unflushed = 1;
    mock_backend_set_read_data(f->mb, "r", 1);
    mock_script_set(&f->mb->read, 1, MOCK_ALL);
    mock_script_set(&f->mb->flush, 1, TLS_STREAM_WANT_WRITE);
    /* the peer may be blocked writing to us: read anyway */
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 1);
    assert_int_equal(buf[0], 'r');
    assert_string_equal(f->mb->trace, "nhifr");
    assert_int_equal(f->mb->unflushed, 1);
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_WRITE); /* still buffered */
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
}

static void test_flush_sends_what_a_nonblocking_write_left_buffered(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    tls_stream_set_blocking(s, 0);
    f->mb->write_buffers = 1;
    mock_script_set(&f->mb->flush, 2, TLS_STREAM_WANT_WRITE, TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_write(s, "abc", 3), 3); /* accepted, not yet sent */
    assert_int_equal(tls_stream_wants(s), TLS_STREAM_POLL_WRITE);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(f->mb->calls.flush, 3);
}

static void test_blocking_write_returns_once_the_data_is_flushed(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    f->mb->write_buffers = 1;
    mock_script_set(&f->mb->flush, 2, TLS_STREAM_WANT_WRITE, TLS_STREAM_OK);
    assert_int_equal(tls_stream_write(s, "abc", 3), 3);
    assert_int_equal(f->mb->unflushed, 0);
    assert_int_equal(f->mb->calls.flush, 2);
    assert_int_equal(f->io.wait_calls, 1);
    assert_int_equal(f->io.wait_want[0], TLS_STREAM_WANT_WRITE);
}

static void test_flush_with_nothing_buffered_does_not_call_the_backend(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.flush, 0);
}

static void test_flush_error_fails_the_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    f->mb->unflushed = 1;
    mock_script_set(&f->mb->flush, 1, TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_IO);
}

/* ---- reads ---- */

static void test_read_returns_the_backends_plaintext(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[64];
    mock_backend_set_read_data(f->mb, "hello world", 11);
    mock_script_set(&f->mb->read, 1, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 11);
    assert_memory_equal(buf, "hello world", 11);
    assert_int_equal(f->mb->last_read_len, sizeof buf);
}

static void test_short_reads_return_what_the_backend_has(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[64];
    mock_backend_set_read_data(f->mb, "hello world", 11);
    mock_script_set(&f->mb->read, 3, 3, MOCK_ALL, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 3);
    assert_memory_equal(buf, "hel", 3);
    assert_int_equal(tls_stream_read(s, buf, 4), 4);
    assert_memory_equal(buf, "lo w", 4);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "orld", 4);
}

static void test_read_length_is_capped_at_int_max(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_backend_set_read_data(f->mb, "ab", 2);
    mock_script_set(&f->mb->read, 1, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, SIZE_MAX), 2);
    assert_int_equal(f->mb->last_read_len, (size_t)INT_MAX);
}

static void test_read_of_zero_bytes_returns_0_and_does_nothing(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    char buf[4];
    assert_int_equal(tls_stream_read(s, buf, 0), 0);
    assert_int_equal(tls_stream_read(s, NULL, 0), 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_NEW);
    assert_int_equal(f->mb->calls.session_new, 0);
}

static void test_read_of_zero_bytes_on_an_open_stream_leaves_the_data(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[4];
    mock_backend_set_read_data(f->mb, "ab", 2);
    mock_script_set(&f->mb->read, 1, MOCK_ALL);
    assert_int_equal(tls_stream_read(s, buf, 0), 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 2);
    assert_memory_equal(buf, "ab", 2);
}

static void test_read_with_a_null_buffer_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_read(s, NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_NEW);
    assert_int_equal(f->mb->calls.session_new, 0);
}

static void test_peer_close_notify_reads_0_and_then_writes_are_closed(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_backend_set_read_data(f->mb, "bye", 3);
    mock_script_set(&f->mb->read, 2, MOCK_ALL, 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 3);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_PEER_CLOSED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
    assert_int_equal(f->mb->calls.read, 2); /* later reads do not ask the backend */
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(f->mb->calls.write, 0);
}

static void test_truncation_is_an_error_and_sticky(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[8];
    mock_script_set(&f->mb->read, 1, TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(f->mb->calls.read, 1);
}

static void test_truncation_reads_0_when_allowed_by_name(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    char buf[8];
    client_config(f);
    assert_int_equal(tls_stream_config_insecure_allow_truncation(f->cfg, 1), TLS_STREAM_OK);
    s = new_stream(f);
    mock_script_set(&f->mb->read, 1, TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_PEER_CLOSED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
}

/* ---- close and free ---- */

static void test_close_sends_close_notify_and_closes_the_transport_once(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[4];
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 1);
    assert_string_equal(f->mb->trace, "nhic");
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_CLOSED);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 1);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_flush(s), TLS_STREAM_ERR_CLOSED);
    assert_int_equal(tls_stream_wants(s), 0);
    assert_int_equal(tls_stream_pending(s), 0);
    tls_stream_free(s);
    f->s = NULL;
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(f->mb->calls.session_free, 1);
}

static void test_close_of_a_new_stream_sends_nothing_but_closes_the_transport(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.session_new, 0);
    assert_int_equal(f->mb->calls.close_notify, 0);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_CLOSED);
}

static void test_close_after_the_peer_closed_still_sends_close_notify(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[4];
    mock_script_set(&f->mb->read, 1, 0);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 1);
    assert_int_equal(f->io.close_calls, 1);
}

static void test_close_after_the_peer_closed_ignores_a_failed_close_notify(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    char buf[4];
    mock_script_set(&f->mb->read, 1, 0);
    mock_script_set(&f->mb->close_notify, 1, TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), 0);
    /* the peer may close its transport without reading our reply */
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 1);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_CLOSED);
}

static void test_close_of_a_failed_stream_closes_the_transport_without_close_notify(
    void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    mock_script_set(&f->mb->handshake, 1, TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_PEER_ALERT);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 0);
    assert_int_equal(f->io.close_calls, 1);
}

static void test_close_reports_a_close_notify_error_and_still_closes(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    mock_script_set(&f->mb->close_notify, 1, TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_ERR_IO);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_CLOSED);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 1);
}

static void test_nonblocking_close_tries_close_notify_once(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    tls_stream_set_blocking(s, 0);
    mock_script_set(&f->mb->close_notify, 1, TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.close_notify, 1);
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(tls_stream_wants(s), 0);
}

static void test_free_without_close_closes_the_transport_once(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    tls_stream_free(s);
    f->s = NULL;
    assert_int_equal(f->io.close_calls, 1);
    assert_int_equal(f->mb->calls.close_notify, 0);
    assert_int_equal(f->mb->calls.session_free, 1);
}

static void test_free_after_close_does_not_close_again(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_close(s), TLS_STREAM_OK);
    tls_stream_free(s);
    f->s = NULL;
    assert_int_equal(f->io.close_calls, 1);
}

/* ---- server name ---- */

static void test_verifying_client_without_server_name_fails_the_handshake(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    const char *msg;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_ca(f->cfg, CA, sizeof CA), TLS_STREAM_OK);
    s = new_stream(f);
    assert_int_equal(tls_stream_write(s, "x", 1), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_ERR_CONFIG);
    (void)detail_code(s, &msg);
    expect_text_contains(msg, "server name");
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(f->mb->calls.session_new, 0);
}

static void test_config_server_name_reaches_the_session(void **state)
{
    fx *f = (fx *)*state;
    open_client(f);
    assert_int_equal(f->mb->server_name_null, 0);
    assert_string_equal(f->mb->server_name, "example.com");
}

static void test_stream_server_name_overrides_the_configs(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_set_server_name(s, "first.example"), TLS_STREAM_OK);
    assert_int_equal(tls_stream_set_server_name(s, "mqtt.example.org"), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_string_equal(f->mb->server_name, "mqtt.example.org");
}

static void test_stream_server_name_satisfies_a_verifying_client_without_one(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_ca(f->cfg, CA, sizeof CA), TLS_STREAM_OK);
    s = new_stream(f);
    assert_int_equal(tls_stream_set_server_name(s, "device.local"), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_string_equal(f->mb->server_name, "device.local");
}

static void test_client_without_verification_may_have_no_server_name(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_verify(f->cfg, TLS_STREAM_VERIFY_NONE), TLS_STREAM_OK);
    s = new_stream(f);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->server_name_null, 1);
}

static void test_psk_client_may_have_no_server_name(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(f->cfg, "id", 2, "0123456789abcdef", 16), TLS_STREAM_OK);
    s = new_stream(f);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->server_name_null, 1);
}

static void test_set_server_name_after_the_handshake_started_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    tls_stream_set_blocking(s, 0);
    mock_script_set(&f->mb->handshake, 1, TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_set_server_name(s, "late.example"), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_set_server_name(s, "late.example"), TLS_STREAM_ERR_STATE);
    assert_string_equal(f->mb->server_name, "example.com");
}

static void test_set_server_name_rejects_empty_long_and_null_names(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    char name[255];
    memset(name, 'n', 254);
    name[254] = '\0';
    assert_int_equal(tls_stream_set_server_name(s, ""), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_set_server_name(s, name), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_set_server_name(s, NULL), TLS_STREAM_ERR_ARG);
    name[253] = '\0';
    assert_int_equal(tls_stream_set_server_name(s, name), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_string_equal(f->mb->server_name, name);
}

/* ---- session creation ---- */

static void test_session_creation_failure_is_sticky(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    char buf[4];
    mock_script_set(&f->mb->session_new, 1, TLS_STREAM_ERR_NOMEM);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_NOMEM);
    assert_int_equal(tls_stream_state(s), TLS_STREAM_STATE_FAILED);
    assert_int_equal(tls_stream_error(s), TLS_STREAM_ERR_NOMEM);
    assert_int_equal(tls_stream_read(s, buf, sizeof buf), TLS_STREAM_ERR_NOMEM);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_NOMEM);
    assert_int_equal(f->mb->calls.session_new, 1);
    assert_int_equal(f->mb->calls.handshake, 0);
}

static void test_session_allocation_failure_is_a_sticky_nomem(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    f->ca.fail_at = f->ca.allocs + 1; /* the mock session */
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_NOMEM);
    assert_int_equal(f->ca.failed, 1);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_NOMEM);
    assert_int_equal(f->mb->sessions_live, 0);
}

static void test_stream_allocation_failure_is_nomem(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = (tls_stream *)&f->io;
    client_config(f);
    f->ca.fail_at = f->ca.allocs + 1;
    assert_int_equal(tls_stream_new(&s, f->cfg, &f->io.io), TLS_STREAM_ERR_NOMEM);
    assert_null(s);
    f->ca.fail_at = 0;
    new_stream(f); /* the configuration is still usable */
}

/* ---- connection facts ---- */

static void test_peer_cert_before_the_handshake_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    const unsigned char *der = (const unsigned char *)"x";
    size_t len = 9;
    assert_int_equal(tls_stream_peer_cert(s, &der, &len), TLS_STREAM_ERR_STATE);
    assert_null(der);
    assert_int_equal(len, 0);
    assert_int_equal(tls_stream_peer_cert(s, NULL, &len), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_peer_cert(s, &der, NULL), TLS_STREAM_ERR_ARG);
}

static void test_peer_cert_when_the_peer_sent_none_is_no_peer_cert(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    const unsigned char *der = (const unsigned char *)"x";
    size_t len = 9;
    assert_int_equal(tls_stream_peer_cert(s, &der, &len), TLS_STREAM_ERR_NO_PEER_CERT);
    assert_null(der);
    assert_int_equal(len, 0);
}

static void test_peer_cert_gives_the_backends_der(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char cert[] = { 0x30, 0x82, 0x01, 0x0a, 0x02 };
    const unsigned char *der = NULL;
    size_t len = 0;
    f->mb->info_value.peer_cert = cert;
    f->mb->info_value.peer_cert_len = sizeof cert;
    open_client(f);
    assert_int_equal(tls_stream_peer_cert(f->s, &der, &len), TLS_STREAM_OK);
    assert_ptr_equal(der, cert);
    assert_int_equal(len, sizeof cert);
}

static void test_cipher_version_and_alpn_are_null_before_and_set_after_the_handshake(
    void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    f->mb->info_value.alpn = "h2";
    assert_null(tls_stream_cipher(s));
    assert_null(tls_stream_version(s));
    assert_null(tls_stream_alpn(s));
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_string_equal(tls_stream_cipher(s), MOCK_CIPHER);
    assert_string_equal(tls_stream_version(s), "TLSv1.2");
    assert_string_equal(tls_stream_alpn(s), "h2");
}

static void test_alpn_is_null_when_none_was_negotiated(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = open_client(f);
    assert_null(tls_stream_alpn(s));
    assert_non_null(tls_stream_cipher(s));
}

static void test_pending_passes_the_backends_count_through(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    f->mb->pending = 17;
    assert_int_equal(tls_stream_pending(s), 0); /* no session yet */
    assert_int_equal(f->mb->calls.pending, 0);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_pending(s), 17);
    f->mb->pending = 0;
    assert_int_equal(tls_stream_pending(s), 0);
    assert_int_equal(f->mb->calls.pending, 2);
}

/* ---- session resumption ---- */

static const unsigned char BLOB[] = "ticket+master-secret";

static void test_loaded_session_is_offered_to_the_backend_and_then_dropped(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    unsigned char blob[sizeof BLOB];
    size_t blocks = f->ca.live_blocks;
    memcpy(blob, BLOB, sizeof blob);
    assert_int_equal(tls_stream_session_load(s, blob, sizeof blob), TLS_STREAM_OK);
    memset(blob, 0, sizeof blob); /* copied: the caller may reuse its buffer */
    assert_int_equal(f->ca.live_blocks, blocks + 1);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->resume_null, 0);
    assert_int_equal(f->mb->resume_len, sizeof BLOB);
    assert_memory_equal(f->mb->resume, BLOB, sizeof BLOB);
    /* the core's copy is gone once the backend has the session (+1: the mock session) */
    assert_int_equal(f->ca.live_blocks, blocks + 1);
}

static void test_second_session_load_replaces_the_first(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_session_load(s, (const unsigned char *)"old", 3), TLS_STREAM_OK);
    assert_int_equal(tls_stream_session_load(s, (const unsigned char *)"newer", 5), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(f->mb->resume_len, 5);
    assert_memory_equal(f->mb->resume, "newer", 5);
}

static void test_without_a_loaded_session_none_is_offered(void **state)
{
    fx *f = (fx *)*state;
    open_client(f);
    assert_int_equal(f->mb->resume_null, 1);
    assert_int_equal(tls_stream_resumed(f->s), 0);
}

static void test_loaded_session_of_a_stream_never_started_is_freed(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_session_load(s, BLOB, sizeof BLOB), TLS_STREAM_OK);
    /* teardown frees the stream and checks that nothing is left */
}

static void test_session_load_rejects_null_or_empty_blobs(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    assert_int_equal(tls_stream_session_load(NULL, BLOB, sizeof BLOB), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_session_load(s, NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_session_load(s, BLOB, 0), TLS_STREAM_ERR_ARG);
}

static void test_session_load_after_the_handshake_started_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    tls_stream_set_blocking(s, 0);
    mock_script_set(&f->mb->handshake, 1, TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_WANT_READ);
    assert_int_equal(tls_stream_session_load(s, BLOB, sizeof BLOB), TLS_STREAM_ERR_STATE);
}

static void test_session_load_on_a_server_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_SERVER, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "id", 2, "k", 1), TLS_STREAM_OK);
    s = new_stream(f);
    assert_int_equal(tls_stream_session_load(s, BLOB, sizeof BLOB), TLS_STREAM_ERR_STATE);
}

static void test_session_load_without_the_capability_is_unsupported(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s;
    f->mb->backend.caps &= ~TLS_STREAM_CAP_RESUME;
    f->mb->backend.session_save = NULL;
    s = client(f);
    assert_int_equal(tls_stream_session_load(s, BLOB, sizeof BLOB), TLS_STREAM_ERR_UNSUPPORTED);
}

static void test_resumed_reports_what_the_backend_negotiated(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s = client(f);
    f->mb->info_value.resumed = 1;
    assert_int_equal(tls_stream_resumed(s), 0);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_resumed(s), 1);
    assert_int_equal(tls_stream_resumed(NULL), 0);
}

static void test_session_save_copies_the_backends_blob(void **state)
{
    fx *f = (fx *)*state;
    unsigned char buf[64];
    size_t len = 0;
    memcpy(f->mb->save_blob, BLOB, sizeof BLOB);
    f->mb->save_blob_len = sizeof BLOB;
    open_client(f);
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, &len), TLS_STREAM_OK);
    assert_int_equal(len, sizeof BLOB);
    assert_memory_equal(buf, BLOB, sizeof BLOB);
    assert_int_equal(f->mb->last_save_size, sizeof buf);
}

static void test_session_save_into_a_small_or_null_buffer_gives_the_size_needed(void **state)
{
    fx *f = (fx *)*state;
    unsigned char buf[4];
    size_t len = 0;
    f->mb->save_blob_len = 100;
    open_client(f);
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, &len), TLS_STREAM_ERR_ARG);
    assert_int_equal(len, 100);
    len = 0;
    assert_int_equal(tls_stream_session_save(f->s, NULL, 500, &len), TLS_STREAM_ERR_ARG);
    assert_int_equal(len, 100);
    assert_int_equal(f->mb->last_save_size, 0); /* NULL buffer: the backend sees no room */
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, NULL), TLS_STREAM_ERR_ARG);
}

static void test_session_save_before_the_handshake_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    unsigned char buf[64];
    size_t len = 9;
    client(f);
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, &len), TLS_STREAM_ERR_STATE);
    assert_int_equal(len, 0);
    assert_int_equal(f->mb->calls.session_save, 0);
}

static void test_session_save_on_a_server_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    unsigned char buf[64];
    size_t len;
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_SERVER, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "id", 2, "k", 1), TLS_STREAM_OK);
    new_stream(f);
    assert_int_equal(tls_stream_handshake(f->s), TLS_STREAM_OK);
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, &len), TLS_STREAM_ERR_STATE);
    assert_int_equal(f->mb->calls.session_save, 0);
}

static void test_session_save_of_a_failed_stream_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    unsigned char buf[64];
    size_t len;
    char rbuf[4];
    open_client(f);
    mock_script_set(&f->mb->read, 1, TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(tls_stream_read(f->s, rbuf, sizeof rbuf), TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, &len), TLS_STREAM_ERR_STATE);
    assert_int_equal(f->mb->calls.session_save, 0);
}

static void test_session_save_without_the_capability_is_unsupported(void **state)
{
    fx *f = (fx *)*state;
    unsigned char buf[64];
    size_t len = 9;
    f->mb->backend.caps &= ~TLS_STREAM_CAP_RESUME;
    f->mb->backend.session_save = NULL;
    open_client(f);
    assert_int_equal(tls_stream_session_save(f->s, buf, sizeof buf, &len), TLS_STREAM_ERR_UNSUPPORTED);
    assert_int_equal(len, 0);
}

/* ---- many streams ---- */

static void test_200_streams_on_one_config_are_created_and_freed_without_leaks(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *streams[200];
    size_t i;
    client_config(f);
    for (i = 0; i < 200; i++) {
        assert_int_equal(tls_stream_new(&streams[i], f->cfg, &f->io.io), TLS_STREAM_OK);
        if (i % 2 == 0)
            assert_int_equal(tls_stream_handshake(streams[i]), TLS_STREAM_OK);
    }
    assert_int_equal(f->mb->sessions_live, 100);
    assert_int_equal(f->mb->calls.config_finish, 1);
    tls_stream_config_free(f->cfg);
    f->cfg = NULL;
    assert_int_equal(f->mb->calls.config_free, 0);
    for (i = 0; i < 200; i++)
        tls_stream_free(streams[i]);
    assert_int_equal(f->mb->calls.config_free, 1);
    assert_int_equal(f->mb->sessions_live, 0);
    assert_int_equal(f->io.close_calls, 200);
    assert_int_equal(f->ca.live_bytes, 0);
    assert_int_equal(f->ca.live_blocks, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, unit_fx_setup, unit_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_stream_new_rejects_null_out_config_or_io),
        T(test_stream_new_rejects_io_without_read_or_write),
        T(test_stream_new_accepts_io_without_close_and_wait),
        T(test_stream_new_sends_nothing_and_starts_no_session),
        T(test_first_write_runs_the_handshake_then_writes),
        T(test_first_read_runs_the_handshake_then_reads),
        T(test_explicit_handshake_completes_once),
        T(test_session_gets_the_streams_transport),
        T(test_io_struct_is_copied_so_it_may_live_on_the_callers_stack),
        T(test_null_stream_arguments_are_rejected),
        T(test_nonblocking_handshake_returns_each_want_then_opens),
        T(test_nonblocking_read_without_data_wants_read_and_stays_open),
        T(test_nonblocking_write_during_the_handshake_returns_the_want),
        T(test_blocking_handshake_waits_in_each_direction_with_the_timeout),
        T(test_blocking_waits_forever_without_a_timeout),
        T(test_blocking_read_waits_then_returns_the_data),
        T(test_blocking_write_waits_when_the_backend_wants_write),
        T(test_blocking_without_wait_returns_the_want),
        T(test_blocking_with_a_wait_that_answers_a_want_returns_that_want),
        T(test_timeout_during_the_handshake_fails_the_stream_for_good),
        T(test_read_timeout_is_returned_but_the_next_read_gets_data),
        T(test_transport_error_from_wait_is_an_io_error_keeping_the_errno),
        T(test_transport_error_during_the_handshake_is_a_sticky_io_error),
        T(test_handshake_failure_is_returned_by_every_later_call),
        T(test_backend_read_error_fails_the_stream),
        T(test_backend_write_error_fails_the_stream),
        T(test_info_failure_after_the_handshake_fails_the_stream),
        T(test_blocking_write_through_a_backend_taking_3_bytes_sends_all_in_order),
        T(test_nonblocking_partial_write_returns_the_bytes_accepted),
        T(test_write_of_zero_bytes_returns_0_and_does_nothing),
        T(test_write_with_a_null_buffer_is_a_bad_argument),
        T(test_buffered_output_makes_wants_answer_want_write),
        T(test_buffered_output_is_flushed_before_a_read),
        T(test_a_flush_that_would_block_does_not_stop_a_read),
        T(test_flush_sends_what_a_nonblocking_write_left_buffered),
        T(test_blocking_write_returns_once_the_data_is_flushed),
        T(test_flush_with_nothing_buffered_does_not_call_the_backend),
        T(test_flush_error_fails_the_stream),
        T(test_read_returns_the_backends_plaintext),
        T(test_short_reads_return_what_the_backend_has),
        T(test_read_length_is_capped_at_int_max),
        T(test_read_of_zero_bytes_returns_0_and_does_nothing),
        T(test_read_of_zero_bytes_on_an_open_stream_leaves_the_data),
        T(test_read_with_a_null_buffer_is_a_bad_argument),
        T(test_peer_close_notify_reads_0_and_then_writes_are_closed),
        T(test_truncation_is_an_error_and_sticky),
        T(test_truncation_reads_0_when_allowed_by_name),
        T(test_close_sends_close_notify_and_closes_the_transport_once),
        T(test_close_of_a_new_stream_sends_nothing_but_closes_the_transport),
        T(test_close_after_the_peer_closed_still_sends_close_notify),
        T(test_close_after_the_peer_closed_ignores_a_failed_close_notify),
        T(test_close_of_a_failed_stream_closes_the_transport_without_close_notify),
        T(test_close_reports_a_close_notify_error_and_still_closes),
        T(test_nonblocking_close_tries_close_notify_once),
        T(test_free_without_close_closes_the_transport_once),
        T(test_free_after_close_does_not_close_again),
        T(test_verifying_client_without_server_name_fails_the_handshake),
        T(test_config_server_name_reaches_the_session),
        T(test_stream_server_name_overrides_the_configs),
        T(test_stream_server_name_satisfies_a_verifying_client_without_one),
        T(test_client_without_verification_may_have_no_server_name),
        T(test_psk_client_may_have_no_server_name),
        T(test_set_server_name_after_the_handshake_started_is_a_state_error),
        T(test_set_server_name_rejects_empty_long_and_null_names),
        T(test_session_creation_failure_is_sticky),
        T(test_session_allocation_failure_is_a_sticky_nomem),
        T(test_stream_allocation_failure_is_nomem),
        T(test_peer_cert_before_the_handshake_is_a_state_error),
        T(test_peer_cert_when_the_peer_sent_none_is_no_peer_cert),
        T(test_peer_cert_gives_the_backends_der),
        T(test_cipher_version_and_alpn_are_null_before_and_set_after_the_handshake),
        T(test_alpn_is_null_when_none_was_negotiated),
        T(test_pending_passes_the_backends_count_through),
        T(test_loaded_session_is_offered_to_the_backend_and_then_dropped),
        T(test_second_session_load_replaces_the_first),
        T(test_without_a_loaded_session_none_is_offered),
        T(test_loaded_session_of_a_stream_never_started_is_freed),
        T(test_session_load_rejects_null_or_empty_blobs),
        T(test_session_load_after_the_handshake_started_is_a_state_error),
        T(test_session_load_on_a_server_is_a_state_error),
        T(test_session_load_without_the_capability_is_unsupported),
        T(test_resumed_reports_what_the_backend_negotiated),
        T(test_session_save_copies_the_backends_blob),
        T(test_session_save_into_a_small_or_null_buffer_gives_the_size_needed),
        T(test_session_save_before_the_handshake_is_a_state_error),
        T(test_session_save_on_a_server_is_a_state_error),
        T(test_session_save_of_a_failed_stream_is_a_state_error),
        T(test_session_save_without_the_capability_is_unsupported),
        T(test_200_streams_on_one_config_are_created_and_freed_without_leaks),
    };
    return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
