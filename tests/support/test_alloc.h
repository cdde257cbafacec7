/*
 * Test support: the one allocator the tests hand to the library.
 *
 * Where a test means "the default allocator" it passes tls_test_allocator():
 *
 *   - NULL when the library was built with a default allocator
 *     (TLS_STREAM_STDLIB_ALLOC=ON), so the NULL-means-default path stays
 *     the one most tests exercise;
 *   - the static arena below when it was built without one
 *     (TLS_STREAM_STDLIB_ALLOC=OFF): every object then needs an explicit
 *     allocator, and this one does not use malloc either.
 *
 * The arena is a first-fit free list over one static buffer (TLS_TEST_ARENA_BYTES):
 * alloc returns NULL when no free block is large enough; free checks that
 * the pointer is one it handed out, that the size is the one asked for and
 * that the guard bytes after the block are intact, and aborts the process
 * with a message otherwise. A block still allocated at exit makes the
 * process exit 1. Thread-safe (tests run a server thread).
 */
#ifndef TLS_TEST_ALLOC_H
#define TLS_TEST_ALLOC_H

#include <stddef.h>

#include "tls_stream/tls_stream.h"

/** Size of the static arena: about 6 times the peak of the hungriest test (0.6 MB). */
#define TLS_TEST_ARENA_BYTES ((size_t)4 * 1024 * 1024)

/** NULL when the library has a default allocator, else tls_test_arena(). */
const tls_stream_allocator *tls_test_allocator(void);

/** 1 when the library was built with a default allocator, else 0. */
int tls_test_has_default_allocator(void);

/** The static-arena allocator (in every build). */
const tls_stream_allocator *tls_test_arena(void);

/** What the arena holds now and held at most (bytes as asked for). */
typedef struct tls_test_arena_usage {
    size_t live_bytes, live_blocks, peak_bytes;
    unsigned long allocs;  /**< successful alloc calls */
    unsigned long refused; /**< alloc calls answered NULL (no room, or size 0) */
} tls_test_arena_usage;

/** A snapshot of the arena's counters. */
tls_test_arena_usage tls_test_arena_usage_now(void);

#endif /* TLS_TEST_ALLOC_H */
