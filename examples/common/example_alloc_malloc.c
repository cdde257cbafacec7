/* The library has no default allocator: bring malloc and free (see example_alloc.h). */
#include "example_alloc.h"

#include <stdlib.h>

static void *example_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void example_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

static const tls_stream_allocator example_malloc_allocator = { example_alloc, example_free, NULL };

const tls_stream_allocator *example_allocator(void)
{
    return &example_malloc_allocator;
}
