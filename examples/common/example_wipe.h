/*
 * Clearing secrets (keys, saved sessions) in the examples. A memset() on a
 * buffer that is never read again may be removed by the optimiser; the
 * library's own wipe is internal, so the examples bring this one.
 */
#ifndef TLS_STREAM_EXAMPLE_WIPE_H
#define TLS_STREAM_EXAMPLE_WIPE_H

#include <stddef.h>

/** Set n bytes at p to zero through a volatile pointer, so the stores stay. */
void example_wipe(void *p, size_t n);

#endif /* TLS_STREAM_EXAMPLE_WIPE_H */
