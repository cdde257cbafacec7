/* The in-memory pipe: ordering, ring wraparound, want codes, close, wait. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "test_alloc.h"
#include "tls_stream/mem_pipe.h"

/* Pattern byte i of a stream, so that order and content are both checked. */
static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 7 + 3) % 251);
}

static tls_stream_mem_pipe *new_pipe(size_t capacity)
{
    tls_stream_mem_pipe *p = NULL;
    assert_int_equal(tls_stream_mem_pipe_new(&p, capacity, tls_test_allocator()), TLS_STREAM_OK);
    assert_non_null(p);
    return p;
}

static void test_bytes_written_on_one_end_are_read_in_order_on_the_other(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(64);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[16];
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"hello", 5), 5);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)" world", 6), 6);
    assert_int_equal(b.read(b.ctx, buf, 3), 3);
    assert_memory_equal(buf, "hel", 3);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 8);
    assert_memory_equal(buf, "lo world", 8);

    /* and the other way */
    assert_int_equal(b.write(b.ctx, (const unsigned char *)"back", 4), 4);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), 4);
    assert_memory_equal(buf, "back", 4);
    tls_stream_mem_pipe_free(p);
}

static void test_directions_are_independent(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(8);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[8];
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"AAAAAAAA", 8), 8);
    /* a's direction is full, b's is empty and still takes a full capacity */
    assert_int_equal(b.write(b.ctx, (const unsigned char *)"BBBBBBBB", 8), 8);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 0), 8);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 8);
    assert_int_equal(a.read(a.ctx, buf, 8), 8);
    assert_memory_equal(buf, "BBBBBBBB", 8);
    assert_int_equal(b.read(b.ctx, buf, 8), 8);
    assert_memory_equal(buf, "AAAAAAAA", 8);
    tls_stream_mem_pipe_free(p);
}

/* A write and then a read that both split across the end of the ring. */
static void test_write_and_read_across_the_ring_end_keep_order(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(10);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[16];
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"0123456", 7), 7);
    assert_int_equal(b.read(b.ctx, buf, 5), 5);
    assert_memory_equal(buf, "01234", 5);
    /* 2 bytes buffered at offsets 5..6: these 7 land at 7..9 then 0..3 */
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"abcdefg", 7), 7);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 9);
    /* the read spans offsets 5..9 then 0..3 */
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 9);
    assert_memory_equal(buf, "56abcdefg", 9);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), TLS_STREAM_WANT_READ);
    tls_stream_mem_pipe_free(p);
}

/*
 * Odd-sized writes and reads through a capacity of 13 make the ring wrap at
 * every possible offset; the reader stays behind so both copies split.
 */
static void test_ring_wraparound_keeps_order_with_odd_sizes(void **state)
{
    const size_t total = 5000;
    tls_stream_mem_pipe *p = new_pipe(13);
    tls_stream_io w = tls_stream_mem_pipe_io(p, 0), r = tls_stream_mem_pipe_io(p, 1);
    unsigned char out[16], in[16];
    size_t sent = 0, got = 0, step = 0;
    (void)state;

    while (got < total) {
        size_t wlen = 1 + (step * 5) % 11;
        size_t rlen = 1 + (step * 3) % 7;
        size_t i;
        int n;

        if (sent < total) {
            if (wlen > total - sent)
                wlen = total - sent;
            for (i = 0; i < wlen; i++)
                out[i] = pattern(sent + i);
            n = w.write(w.ctx, out, wlen);
            if (n == TLS_STREAM_WANT_WRITE) {
                assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 13);
            } else {
                assert_true(n > 0 && (size_t)n <= wlen);
                sent += (size_t)n;
            }
        }
        assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), sent - got);
        n = r.read(r.ctx, in, rlen);
        if (n == TLS_STREAM_WANT_READ) {
            assert_int_equal(sent, got);
        } else {
            assert_true(n > 0 && (size_t)n <= rlen);
            for (i = 0; i < (size_t)n; i++)
                assert_int_equal(in[i], pattern(got + i));
            got += (size_t)n;
        }
        step++;
    }
    assert_int_equal(sent, total);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 0);
    tls_stream_mem_pipe_free(p);
}

static void test_read_on_empty_direction_wants_read(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(16);
    tls_stream_io b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[4];
    (void)state;

    assert_int_equal(b.read(b.ctx, buf, sizeof buf), TLS_STREAM_WANT_READ);
    tls_stream_mem_pipe_free(p);
}

static void test_write_to_full_direction_wants_write_after_a_partial_write(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(10);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[16];
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"0123456", 7), 7);
    /* 3 bytes of room left: a short write, then "would block" */
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"789abc", 6), 3);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"x", 1), TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 10);
    /* reading frees room again */
    assert_int_equal(b.read(b.ctx, buf, 4), 4);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"abcdef", 6), 4);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 10);
    assert_memory_equal(buf, "456789abcd", 10);
    tls_stream_mem_pipe_free(p);
}

static void test_buffered_counts_bytes_waiting_for_each_end(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(32);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[8];
    (void)state;

    assert_int_equal(tls_stream_mem_pipe_buffered(p, 0), 0);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 0);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"12345", 5), 5);
    assert_int_equal(b.write(b.ctx, (const unsigned char *)"ab", 2), 2);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 5); /* waiting for end 1 */
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 0), 2); /* waiting for end 0 */
    assert_int_equal(b.read(b.ctx, buf, 3), 3);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 2);
    /* any end other than 0 is end 1 */
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 7), 2);
    assert_int_equal(tls_stream_mem_pipe_buffered(NULL, 0), 0);
    tls_stream_mem_pipe_free(p);
}

static void test_closed_writer_lets_reader_drain_then_read_returns_0(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(16);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[4];
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"bye!!", 5), 5);
    a.close(a.ctx);
    assert_int_equal(b.read(b.ctx, buf, 4), 4);
    assert_memory_equal(buf, "bye!", 4);
    assert_int_equal(b.read(b.ctx, buf, 4), 1);
    assert_int_equal(buf[0], '!');
    assert_int_equal(b.read(b.ctx, buf, 4), 0);
    assert_int_equal(b.read(b.ctx, buf, 4), 0);
    tls_stream_mem_pipe_free(p);
}

static void test_write_towards_closed_end_fails_with_io_error(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(16);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    (void)state;

    b.close(b.ctx);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"x", 1), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 0);
    tls_stream_mem_pipe_free(p);
}

static void test_close_is_idempotent(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(16);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[4];
    (void)state;

    a.close(a.ctx);
    a.close(a.ctx);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 0);
    assert_int_equal(b.write(b.ctx, (const unsigned char *)"x", 1), TLS_STREAM_ERR_IO);
    tls_stream_mem_pipe_free(p);
}

static void test_closed_end_cannot_be_used_any_more(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(16);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[4];
    (void)state;

    assert_int_equal(b.write(b.ctx, (const unsigned char *)"ab", 2), 2);
    a.close(a.ctx);
    assert_int_equal(a.read(a.ctx, buf, sizeof buf), TLS_STREAM_ERR_IO);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"x", 1), TLS_STREAM_ERR_IO);
    tls_stream_mem_pipe_free(p);
}

static void test_capacity_0_means_64_kib(void **state)
{
    static unsigned char big[70000];
    tls_stream_mem_pipe *p = new_pipe(0);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0);
    (void)state;

    memset(big, 'z', sizeof big);
    assert_int_equal(a.write(a.ctx, big, sizeof big), 65536);
    assert_int_equal(a.write(a.ctx, big, 1), TLS_STREAM_WANT_WRITE);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 65536);
    tls_stream_mem_pipe_free(p);
}

static void test_bad_arguments_are_rejected(void **state)
{
    tls_stream_mem_pipe *p = NULL;
    tls_stream_allocator broken = { NULL, NULL, NULL };
    tls_stream_io none, a;
    unsigned char buf[4];
    (void)state;

    assert_int_equal(tls_stream_mem_pipe_new(NULL, 16, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_mem_pipe_new(&p, 16, &broken), TLS_STREAM_ERR_ARG);
    assert_null(p);
    assert_int_equal(tls_stream_mem_pipe_new(&p, SIZE_MAX, tls_test_allocator()), TLS_STREAM_ERR_NOMEM);
    assert_null(p);

    none = tls_stream_mem_pipe_io(NULL, 0);
    assert_null(none.ctx);
    assert_null(none.read);
    assert_null(none.write);

    p = new_pipe(16);
    a = tls_stream_mem_pipe_io(p, 0);
    assert_int_equal(a.read(a.ctx, NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.read(a.ctx, buf, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.write(a.ctx, NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.write(a.ctx, buf, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(a.wait(a.ctx, 0, 0), TLS_STREAM_ERR_ARG);
    tls_stream_mem_pipe_free(p);
    tls_stream_mem_pipe_free(NULL);
}

static void test_io_of_any_end_but_0_is_end_1(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(16);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), other = tls_stream_mem_pipe_io(p, -3);
    unsigned char buf[4];
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"hi", 2), 2);
    assert_int_equal(other.read(other.ctx, buf, sizeof buf), 2);
    assert_memory_equal(buf, "hi", 2);
    tls_stream_mem_pipe_free(p);
}

static int count_allocs;

static void *counting_alloc(void *ctx, size_t size)
{
    (void)ctx;
    count_allocs++;
    return test_malloc(size);
}

static void counting_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    test_free(ptr);
}

static void test_pipe_is_one_allocation_from_the_given_allocator(void **state)
{
    tls_stream_allocator alloc = { counting_alloc, counting_free, NULL };
    tls_stream_mem_pipe *p = NULL;
    tls_stream_io a, b;
    unsigned char buf[4];
    (void)state;

    count_allocs = 0;
    assert_int_equal(tls_stream_mem_pipe_new(&p, 100, &alloc), TLS_STREAM_OK);
    assert_int_equal(count_allocs, 1);
    a = tls_stream_mem_pipe_io(p, 0);
    b = tls_stream_mem_pipe_io(p, 1);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"ok", 2), 2);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 2);
    /* the allocator struct was copied: it may go out of scope before free */
    alloc.alloc = NULL;
    alloc.free = NULL;
    tls_stream_mem_pipe_free(p); /* cmocka's test_free reports a leak otherwise */
}

static void *failing_alloc(void *ctx, size_t size)
{
    (void)ctx;
    (void)size;
    return NULL;
}

static void test_allocation_failure_returns_nomem(void **state)
{
    tls_stream_allocator alloc = { failing_alloc, counting_free, NULL };
    tls_stream_mem_pipe *p = (tls_stream_mem_pipe *)&alloc;
    (void)state;

    assert_int_equal(tls_stream_mem_pipe_new(&p, 16, &alloc), TLS_STREAM_ERR_NOMEM);
    assert_null(p);
}

/* NULL is the platform's default allocator; a build without one refuses it. */
static void test_null_allocator_is_the_default_or_refused_without_one(void **state)
{
    tls_stream_mem_pipe *p = (tls_stream_mem_pipe *)&p;
    tls_stream_io a, b;
    unsigned char buf[4];
    (void)state;

    if (!tls_test_has_default_allocator()) {
        assert_int_equal(tls_stream_mem_pipe_new(&p, 16, NULL), TLS_STREAM_ERR_ARG);
        assert_null(p);
        return;
    }
    assert_int_equal(tls_stream_mem_pipe_new(&p, 16, NULL), TLS_STREAM_OK);
    assert_non_null(p);
    a = tls_stream_mem_pipe_io(p, 0);
    b = tls_stream_mem_pipe_io(p, 1);
    assert_int_equal(a.write(a.ctx, (const unsigned char *)"ok", 2), 2);
    assert_int_equal(b.read(b.ctx, buf, sizeof buf), 2);
    assert_memory_equal(buf, "ok", 2);
    tls_stream_mem_pipe_free(p);
}

static void test_wait_reports_ready_or_timeout_at_once(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(4);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    unsigned char buf[4];
    (void)state;

    /* nothing to read: a single thread can never make it readable */
    assert_int_equal(b.wait(b.ctx, TLS_STREAM_WANT_READ, -1), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(b.wait(b.ctx, TLS_STREAM_WANT_READ, 1000), TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, -1), 0);

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"full", 4), 4);
    assert_int_equal(b.wait(b.ctx, TLS_STREAM_WANT_READ, 0), 0);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, -1), TLS_STREAM_ERR_TIMEOUT);

    assert_int_equal(b.read(b.ctx, buf, 1), 1);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, 0), 0);
    tls_stream_mem_pipe_free(p);
}

static void test_wait_is_ready_once_the_other_end_closed(void **state)
{
    tls_stream_mem_pipe *p = new_pipe(4);
    tls_stream_io a = tls_stream_mem_pipe_io(p, 0), b = tls_stream_mem_pipe_io(p, 1);
    (void)state;

    assert_int_equal(a.write(a.ctx, (const unsigned char *)"full", 4), 4);
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, -1), TLS_STREAM_ERR_TIMEOUT);
    b.close(b.ctx);
    /* the next write returns at once (with an error): ready */
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_WRITE, -1), 0);
    /* and end 0 reading sees the end of stream at once: ready */
    assert_int_equal(a.wait(a.ctx, TLS_STREAM_WANT_READ, -1), 0);
    tls_stream_mem_pipe_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_written_on_one_end_are_read_in_order_on_the_other),
        cmocka_unit_test(test_directions_are_independent),
        cmocka_unit_test(test_write_and_read_across_the_ring_end_keep_order),
        cmocka_unit_test(test_ring_wraparound_keeps_order_with_odd_sizes),
        cmocka_unit_test(test_read_on_empty_direction_wants_read),
        cmocka_unit_test(test_write_to_full_direction_wants_write_after_a_partial_write),
        cmocka_unit_test(test_buffered_counts_bytes_waiting_for_each_end),
        cmocka_unit_test(test_closed_writer_lets_reader_drain_then_read_returns_0),
        cmocka_unit_test(test_write_towards_closed_end_fails_with_io_error),
        cmocka_unit_test(test_close_is_idempotent),
        cmocka_unit_test(test_closed_end_cannot_be_used_any_more),
        cmocka_unit_test(test_capacity_0_means_64_kib),
        cmocka_unit_test(test_bad_arguments_are_rejected),
        cmocka_unit_test(test_io_of_any_end_but_0_is_end_1),
        cmocka_unit_test(test_pipe_is_one_allocation_from_the_given_allocator),
        cmocka_unit_test(test_allocation_failure_returns_nomem),
        cmocka_unit_test(test_null_allocator_is_the_default_or_refused_without_one),
        cmocka_unit_test(test_wait_reports_ready_or_timeout_at_once),
        cmocka_unit_test(test_wait_is_ready_once_the_other_end_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
