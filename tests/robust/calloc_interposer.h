/*
 * A test-only calloc/free interposer: counts and can refuse mbedtls's calloc
 * calls while it is armed. With MBEDTLS_PLATFORM_MEMORY (our mbedtls 3.6
 * build) through mbedtls_platform_set_calloc_free(), which also works with a
 * static link; without it (Debian's 2.28 has no platform memory hook) by
 * replacing calloc and free for the whole process, as below.
 *
 * Linked into a test executable, its calloc and free take precedence over
 * libc's for every shared library too (ELF symbol interposition), so the
 * calls made inside libmbedtls/libmbedx509/libmbedcrypto come here. They
 * delegate to the next definition (libc's, or a sanitizer's) with
 * dlsym(RTLD_NEXT).
 *
 *     ci_arm(n);        // count from 0; refuse the n-th calloc (0: none)
 *     ... scenario ...
 *     ci_disarm();
 *     ci_state()->calls, ->failed, ->live
 *
 * live counts blocks calloc'ed while armed and not yet freed (freed at any
 * time): 0 after the cleanup means nothing allocated in the window leaked.
 */
#ifndef TLS_ROBUST_CALLOC_INTERPOSER_H
#define TLS_ROBUST_CALLOC_INTERPOSER_H

typedef struct ci_counters {
    int armed;
    unsigned long calls;   /**< calloc calls while armed */
    unsigned long fail_at; /**< refuse this call (1-based); 0: none */
    unsigned long failed;  /**< calls refused */
    unsigned long live;    /**< blocks from the armed window still allocated */
    unsigned long overflow; /**< blocks the tracking table could not record */
} ci_counters;

void ci_arm(unsigned long fail_at);
void ci_disarm(void);
const ci_counters *ci_state(void);
/** Forget every tracked block (they stay allocated). */
void ci_reset_tracking(void);

#endif
