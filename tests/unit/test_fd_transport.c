/*
 * The POSIX fd transport's contract beyond moving bytes: close reports its
 * result.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls_stream/posix.h"

static void test_close_returns_0_then_ebadf_for_a_descriptor_already_closed(void **state)
{
    int sv[2];
    tls_stream_io a, b;
    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a = tls_stream_io_fd(sv[0]);
    b = tls_stream_io_fd(sv[1]);
    assert_int_equal(a.close(a.ctx), 0);
    assert_int_equal(close(sv[1]), 0);
    assert_int_equal(b.close(b.ctx), -EBADF);
}

static void test_a_borrowed_descriptor_stays_open_after_the_stream_is_closed(void **state)
{
    int sv[2];
    tls_stream_io a, b;
    unsigned char buf[4];
    (void)state;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    a = tls_stream_io_fd_borrow(sv[0]);
    b = tls_stream_io_fd(sv[1]);
    assert_null(a.close);
    assert_non_null(a.wait);
    assert_int_equal(tls_stream_io_fd_get(&a), sv[0]);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"ping", 4), 4);
    assert_int_equal(b.read(b.ctx, buf, 4), 4);
    assert_memory_equal(buf, "ping", 4);
    /* the owning one closes, the borrowing one has nothing to close */
    assert_int_equal(b.close(b.ctx), 0);
    assert_int_equal(fcntl(sv[1], F_GETFD), -1);
    assert_true(fcntl(sv[0], F_GETFD) >= 0);
    assert_int_equal(close(sv[0]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_borrowed_descriptor_stays_open_after_the_stream_is_closed),
        cmocka_unit_test(test_close_returns_0_then_ebadf_for_a_descriptor_already_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
