/*
 * tls_stream_memcopy (src/core/bytes.c), compiled into this test twice: as
 * the library builds it (test_memcopy) and with TLS_STREAM_PORTABLE_COPY
 * (test_memcopy_portable, the byte loop of compilers without
 * __builtin_memcpy). Every source and destination alignment within a word,
 * every length 0..64, and a large copy; the bytes around the destination
 * must stay untouched. Overlapping ranges are not allowed (as memcpy), so
 * none is tried.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "test_scale.h"

#define ALIGNS 16 /* > any word or vector register the copy may use per step */
#define SMALL_MAX 64
#define GUARD 0xA5

static unsigned char pattern(size_t i)
{
    return (unsigned char)((i * 7 + 3) % 251);
}

/*
 * Copy n pattern bytes from offset so of src to offset dofs of dst (size
 * bytes each, want as scratch): dst must then hold guard bytes, exactly the
 * n bytes, guard bytes.
 */
static void check_copy(unsigned char *src, unsigned char *dst, unsigned char *want, size_t size,
                       size_t so, size_t dofs, size_t n)
{
    size_t i;
    for (i = 0; i < size; i++) {
        src[i] = pattern(i);
        dst[i] = GUARD;
        want[i] = GUARD;
    }
    for (i = 0; i < n; i++)
        want[dofs + i] = pattern(so + i);
    tls_stream_memcopy(dst + dofs, src + so, n);
    assert_memory_equal(dst, want, size);
}

static void test_every_alignment_and_length_up_to_64_copies_exactly_n_bytes(void **state)
{
    enum { SIZE = ALIGNS + SMALL_MAX + ALIGNS };
    /* unsigned long long first: the arrays start word aligned, offsets add the rest */
    union {
        unsigned long long align;
        unsigned char b[SIZE];
    } src, dst, want;
    size_t so, dofs, n;
    (void)state;

    for (so = 0; so < ALIGNS; so++)
        for (dofs = 0; dofs < ALIGNS; dofs++)
            for (n = 0; n <= SMALL_MAX; n++)
                check_copy(src.b, dst.b, want.b, SIZE, so, dofs, n);
}

static void test_a_large_copy_at_odd_offsets_is_exact(void **state)
{
    /* past the C library's small-copy paths; 64 KiB (the benchmark's pipe) under valgrind */
    size_t large = (size_t)tls_test_count(1L << 20, 1L << 16), size = large + 2 * ALIGNS;
    unsigned char *src = malloc(size), *dst = malloc(size), *want = malloc(size);
    (void)state;

    assert_non_null(src);
    assert_non_null(dst);
    assert_non_null(want);
    check_copy(src, dst, want, size, 0, 0, large);
    check_copy(src, dst, want, size, 3, 5, large + 7);
    check_copy(src, dst, want, size, 13, 2, large - 1);
    free(src);
    free(dst);
    free(want);
}

static void test_a_zero_length_copy_accepts_null_pointers(void **state)
{
    unsigned char b = GUARD;
    (void)state;

    tls_stream_memcopy(NULL, NULL, 0);
    tls_stream_memcopy(&b, NULL, 0);
    tls_stream_memcopy(NULL, &b, 0);
    assert_int_equal(b, GUARD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_alignment_and_length_up_to_64_copies_exactly_n_bytes),
        cmocka_unit_test(test_a_large_copy_at_odd_offsets_is_exact),
        cmocka_unit_test(test_a_zero_length_copy_accepts_null_pointers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
