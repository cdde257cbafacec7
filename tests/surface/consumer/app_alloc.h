/*
 * The consumer programs' own allocator, malloc and free: passing one works
 * whether the library was built with a default allocator or without one
 * (TLS_STREAM_STDLIB_ALLOC=OFF, which refuses NULL).
 */
#ifndef CONSUMER_APP_ALLOC_H
#define CONSUMER_APP_ALLOC_H

#include <stdlib.h>

#include "tls_stream/tls_stream.h"

static void *app_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void app_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

static const tls_stream_allocator app_allocator = { app_alloc, app_free, NULL };

#endif /* CONSUMER_APP_ALLOC_H */
