/*
 * Test support: a tls_stream_allocator that counts, checks and can fail.
 *
 *   - counts live bytes and blocks (both must be 0 once everything is freed);
 *   - checks that free() gets the size that alloc() was asked for (the
 *     tls_stream_allocator contract, needed by header-less pool allocators) and a
 *     pointer it handed out: violations are counted in bad_frees;
 *   - refuses the fail_at-th allocation (1-based, counting every alloc call
 *     since init), so a test can walk every allocation of a scenario:
 *
 *     for (n = 1; n <= allocations_of_a_clean_run; n++) {
 *         counting_alloc_init(&ca);
 *         ca.fail_at = n;
 *         ... run the scenario, expect TLS_STREAM_OK or TLS_STREAM_ERR_NOMEM ...
 *         assert ca.live_bytes == 0 after the cleanup
 *     }
 *
 * Blocks come from malloc with a small header, so valgrind still sees
 * overruns of the malloc'ed block. Not thread-safe.
 */
#ifndef TLS_TEST_COUNTING_ALLOC_H
#define TLS_TEST_COUNTING_ALLOC_H

#include <stddef.h>

#include "tls_stream/tls_stream.h"

typedef struct counting_alloc {
    /** Hand &ca->alloc to tls_stream_config_new() (ctx points to this struct). */
    tls_stream_allocator alloc;
    size_t live_bytes, live_blocks, peak_bytes;
    unsigned long allocs;    /**< alloc calls, including refused ones */
    unsigned long frees;     /**< free calls with a non-NULL pointer */
    unsigned long fail_at;   /**< refuse this alloc call (1-based); 0: none */
    unsigned long failed;    /**< alloc calls refused */
    unsigned long bad_frees; /**< frees with a wrong size or unknown pointer */
} counting_alloc;

/** Reset every counter and fill in ca->alloc. */
void counting_alloc_init(counting_alloc *ca);

/** 1 when nothing is live and no free was wrong, else 0. */
int counting_alloc_clean(const counting_alloc *ca);

#endif /* TLS_TEST_COUNTING_ALLOC_H */
