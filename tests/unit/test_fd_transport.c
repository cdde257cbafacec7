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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_returns_0_then_ebadf_for_a_descriptor_already_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
