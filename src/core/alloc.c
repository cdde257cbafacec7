/* Allocation through the configuration's allocator hook. */
#include "core_internal.h"

const tls_stream_allocator *tls_stream_allocator_or_default(const tls_stream_allocator *alloc)
{
    if (alloc != NULL)
        return (alloc->alloc != NULL && alloc->free != NULL) ? alloc : NULL;
    return tls_stream_platform_allocator();
}

void *tls_stream_zalloc(const tls_stream_allocator *a, size_t size)
{
    void *p;
    if (a == NULL || size == 0)
        return NULL;
    p = a->alloc(a->ctx, size);
    if (p != NULL)
        tls_stream_memzero(p, size);
    return p;
}

void tls_stream_dealloc(const tls_stream_allocator *a, void *p, size_t size)
{
    if (p != NULL)
        a->free(a->ctx, p, size);
}

unsigned char *tls_stream_memdup(const tls_stream_allocator *a, const void *p, size_t len)
{
    unsigned char *copy;
    if (len + 1 < len)
        return NULL;
    copy = (unsigned char *)tls_stream_zalloc(a, len + 1);
    if (copy != NULL)
        tls_stream_memcopy(copy, p, len);
    return copy;
}
