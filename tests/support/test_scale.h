/*
 * Test support: how many times to run the heavy loops.
 *
 * The valgrind preset sets TLS_TEST_REDUCED=1 in every test's environment:
 * under memcheck a handshake costs a hundred times more, and what that run
 * checks (leaks, invalid accesses) shows in a few iterations. The normal
 * and sanitizer runs use the full counts the issues ask for.
 */
#ifndef TLS_TEST_SCALE_H
#define TLS_TEST_SCALE_H

#include <stdlib.h>

/** full normally, reduced when TLS_TEST_REDUCED=1. */
static inline long tls_test_count(long full, long reduced)
{
    const char *e = getenv("TLS_TEST_REDUCED");
    return e != NULL && e[0] == '1' ? reduced : full;
}

#endif /* TLS_TEST_SCALE_H */
