/* The default allocator of hosted builds: malloc and free. */
#include <stdlib.h>

#include "../core/core_internal.h"

static void *stdlib_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void stdlib_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

static const tls_stream_allocator stdlib_allocator = { stdlib_alloc, stdlib_free, NULL };

const tls_stream_allocator *tls_stream_platform_allocator(void)
{
    return &stdlib_allocator;
}
