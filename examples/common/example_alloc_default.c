/* The library has a default allocator: pass NULL (see example_alloc.h). */
#include "example_alloc.h"

#include <stddef.h>

const tls_stream_allocator *example_allocator(void)
{
    return NULL;
}
