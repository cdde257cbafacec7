/*
 * What a host language module needs from ussl (MicroPython's finalisers and
 * Ctrl-C): an interrupted transport gives -USSL_EINTR and the next call
 * continues; close reports the transport's close error; free sends nothing;
 * abort calls no transport function at all.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "counting_alloc.h"
#include "ussl_test_util.h"

typedef struct fixture {
    ut_pair p;
    counting_alloc ca_alloc;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    ut_pair_init(&f->p);
    ut_pair_serve_cert(&f->p);
    counting_alloc_init(&f->ca_alloc);
    f->p.co.alloc = &f->ca_alloc.alloc;
    f->p.so.alloc = &f->ca_alloc.alloc;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ut_pair_free(&f->p);
    assert_true(counting_alloc_clean(&f->ca_alloc));
    test_free(f);
    return 0;
}

static void test_interrupted_read_is_eintr_and_the_next_read_gets_the_data(void **state)
{
    fixture *f = *state;
    char buf[8];
    assert_int_equal(ut_pair_handshake(&f->p, NULL, NULL), 0);
    assert_int_equal(ussl_write(f->p.c, "ping", 4), 4);
    f->p.se.interrupts = 1;
    assert_int_equal(ussl_read(f->p.s, buf, 4), -USSL_EINTR);
    assert_int_equal(ussl_last_error(f->p.s)->code, USSL_EINTR);
    assert_string_equal(ussl_last_error(f->p.s)->msg, "EINTR");
    assert_int_equal(ussl_read(f->p.s, buf, 4), 4);
    assert_memory_equal(buf, "ping", 4);
}

static void test_interrupted_handshake_continues_on_the_next_call(void **state)
{
    fixture *f = *state;
    int crc, src;
    ut_pair_wrap(&f->p);
    f->p.ce.interrupts = 2;
    assert_int_equal(ussl_do_handshake(f->p.c), -USSL_EINTR); /* ClientHello not sent */
    assert_int_equal(ussl_do_handshake(f->p.c), -USSL_EINTR);
    assert_int_equal(f->p.ce.bytes_written, 0);
    assert_int_equal(ut_handshake(f->p.c, f->p.s, &crc, &src), 0);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
}

static void test_interrupted_close_keeps_the_socket_open_until_closed_again(void **state)
{
    fixture *f = *state;
    char buf[4];
    assert_int_equal(ut_pair_handshake(&f->p, NULL, NULL), 0);
    f->p.ce.interrupts = 1;
    assert_int_equal(ussl_close(f->p.c), -USSL_EINTR);
    assert_int_equal(f->p.ce.closes, 0);
    assert_int_equal(ussl_close(f->p.c), 0);
    assert_int_equal(f->p.ce.closes, 1);
    assert_int_equal(ussl_read(f->p.s, buf, sizeof buf), 0); /* close_notify arrived */
}

static void test_close_reports_the_transports_close_error(void **state)
{
    fixture *f = *state;
    assert_int_equal(ut_pair_handshake(&f->p, NULL, NULL), 0);
    f->p.ce.close_rc = -USSL_EIO;
    assert_int_equal(ussl_close(f->p.c), -USSL_EIO);
    assert_int_equal(ussl_last_error(f->p.c)->code, USSL_EIO);
    assert_int_equal(f->p.ce.closes, 1);
    assert_int_equal(ussl_close(f->p.c), 0); /* closed: a no-op */
    assert_int_equal(ussl_write(f->p.c, "x", 1), -USSL_EBADF);
}

static void test_free_without_close_sends_nothing_and_closes_the_transport(void **state)
{
    fixture *f = *state;
    unsigned long written, calls;
    assert_int_equal(ut_pair_handshake(&f->p, NULL, NULL), 0);
    written = f->p.ce.bytes_written;
    calls = f->p.ce.io_calls;
    ussl_free(f->p.c);
    f->p.c = NULL;
    assert_int_equal(f->p.ce.bytes_written, written); /* no close_notify */
    assert_int_equal(f->p.ce.io_calls, calls);
    assert_int_equal(f->p.ce.closes, 1);
}

static void test_abort_calls_no_transport_function(void **state)
{
    fixture *f = *state;
    unsigned long calls;
    char buf[4];
    assert_int_equal(ut_pair_handshake(&f->p, NULL, NULL), 0);
    assert_int_equal(ussl_write(f->p.c, "data", 4), 4);
    calls = f->p.ce.io_calls;
    ussl_abort(f->p.c);
    f->p.c = NULL;
    ussl_abort(NULL);
    assert_int_equal(f->p.ce.io_calls, calls);
    assert_int_equal(f->p.ce.closes, 0);
    /* the transport is still the caller's and intact: the data is there */
    assert_int_equal(ussl_read(f->p.s, buf, 4), 4);
    assert_memory_equal(buf, "data", 4);
}

static void test_abort_mid_handshake_calls_no_transport_function(void **state)
{
    fixture *f = *state;
    unsigned long calls;
    ut_pair_wrap(&f->p);
    assert_int_equal(ussl_setblocking(f->p.c, 0), 0);
    assert_int_equal(ussl_do_handshake(f->p.c), -USSL_EAGAIN);
    calls = f->p.ce.io_calls;
    ussl_abort(f->p.c);
    f->p.c = NULL;
    assert_int_equal(f->p.ce.io_calls, calls);
    assert_int_equal(f->p.ce.closes, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_interrupted_read_is_eintr_and_the_next_read_gets_the_data),
        T(test_interrupted_handshake_continues_on_the_next_call),
        T(test_interrupted_close_keeps_the_socket_open_until_closed_again),
        T(test_close_reports_the_transports_close_error),
        T(test_free_without_close_sends_nothing_and_closes_the_transport),
        T(test_abort_calls_no_transport_function),
        T(test_abort_mid_handshake_calls_no_transport_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
