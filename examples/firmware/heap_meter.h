/*
 * Heap accounting: the allocator given to tls_stream (tls_stream_allocator)
 * and the calloc/free given to mbedtls (mbedtls_platform_set_calloc_free),
 * both on newlib's malloc, each counting its live bytes and its high-water
 * mark. A board with a pool or an RTOS heap plugs its own functions into the
 * same two hooks.
 */
#ifndef FW_HEAP_METER_H
#define FW_HEAP_METER_H

#include <stddef.h>

#include "tls_stream/tls_stream.h"

typedef struct heap_meter {
    size_t now, peak;     /* bytes asked for and not yet freed; the most at once */
    size_t allocs, fails; /* calls, and calls refused */
} heap_meter;

/** The two meters and their sum (the sum's peak is the peak of the sum). */
extern heap_meter heap_ours, heap_mbedtls, heap_total;

/** The allocator for tls_stream_config_new (counts into heap_ours). */
extern const tls_stream_allocator heap_meter_allocator;

/** Route mbedtls's allocations through the meter (heap_mbedtls). */
void heap_meter_install_mbedtls(void);

/** Start new peaks from the current levels. */
void heap_meter_reset_peaks(void);

#endif /* FW_HEAP_METER_H */
