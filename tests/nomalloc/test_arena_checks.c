/*
 * The tests' static arena (tests/support/test_alloc.h) stands between the
 * library and valgrind or ASan, which cannot see inside it, so it does their
 * job for its blocks: a write past a block, a free with another size, a
 * double free or a pointer it never handed out abort the process with a
 * message; a block still allocated at exit makes it exit 1. Each misuse
 * runs in a child process; the parent checks the message and the status.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_alloc.h"

typedef void (*misuse_fn)(const tls_stream_allocator *a);

static void clean_use(const tls_stream_allocator *a)
{
    unsigned char *p = (unsigned char *)a->alloc(a->ctx, 10);
    memset(p, 0x11, 10);
    a->free(a->ctx, p, 10);
}

static void write_past_the_end(const tls_stream_allocator *a)
{
    unsigned char *p = (unsigned char *)a->alloc(a->ctx, 10);
    memset(p, 0x11, 11);
    a->free(a->ctx, p, 10);
}

static void free_with_another_size(const tls_stream_allocator *a)
{
    a->free(a->ctx, a->alloc(a->ctx, 10), 11);
}

static void free_twice(const tls_stream_allocator *a)
{
    void *p = a->alloc(a->ctx, 10);
    a->free(a->ctx, p, 10);
    a->free(a->ctx, p, 10);
}

static void free_a_foreign_pointer(const tls_stream_allocator *a)
{
    static unsigned char not_from_the_arena[64];
    a->free(a->ctx, not_from_the_arena + 16, 10);
}

static void leave_a_block_at_exit(const tls_stream_allocator *a)
{
    a->alloc(a->ctx, 10);
}

/* Run fn in a child that then exits normally; its stderr goes to out. */
static int run_child(misuse_fn fn, char *out, size_t size)
{
    int fds[2], status = 0;
    size_t n = 0;
    ssize_t r;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], 2) < 0)
            _Exit(99);
        fn(tls_test_arena());
        exit(0);
    }
    close(fds[1]);
    while (n + 1 < size && (r = read(fds[0], out + n, size - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void expect_abort(misuse_fn fn, const char *message)
{
    char out[512];
    int status = run_child(fn, out, sizeof out);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(out, message));
}

static void test_clean_use_exits_0_and_says_nothing(void **state)
{
    char out[512];
    int status;
    (void)state;
    status = run_child(clean_use, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(out, "");
}

static void test_write_past_the_end_aborts(void **state)
{
    (void)state;
    expect_abort(write_past_the_end, "test arena: write past the end of the block");
}

static void test_free_with_another_size_aborts(void **state)
{
    (void)state;
    expect_abort(free_with_another_size, "test arena: free with a size other than the one allocated");
}

static void test_double_free_aborts(void **state)
{
    (void)state;
    expect_abort(free_twice, "test arena: free of a block that is not allocated (freed twice?)");
}

static void test_foreign_pointer_aborts(void **state)
{
    (void)state;
    expect_abort(free_a_foreign_pointer, "test arena: free of a pointer the arena did not hand out");
}

static void test_block_left_at_exit_exits_1(void **state)
{
    char out[512];
    int status;
    (void)state;
    status = run_child(leave_a_block_at_exit, out, sizeof out);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_string_equal(out, "test arena: 10 bytes in 1 blocks not freed at exit\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_use_exits_0_and_says_nothing),
        cmocka_unit_test(test_write_past_the_end_aborts),
        cmocka_unit_test(test_free_with_another_size_aborts),
        cmocka_unit_test(test_double_free_aborts),
        cmocka_unit_test(test_foreign_pointer_aborts),
        cmocka_unit_test(test_block_left_at_exit_exits_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
