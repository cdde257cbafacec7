/* Allocations of the backends, through the configuration's allocator. */
#include "backend_common.h"

#include "../../core/core_internal.h"

void *tls_stream_bk_zalloc(const tls_stream_allocator *a, size_t size, tls_stream_detail *d)
{
    void *p = tls_stream_zalloc(a, size);

    if (p == NULL)
        tls_stream_detail_set(d, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("out of memory"));
    return p;
}

void tls_stream_bk_free(const tls_stream_allocator *a, void *p, size_t size)
{
    if (p == NULL)
        return;
    tls_stream_memzero(p, size);
    tls_stream_dealloc(a, p, size);
}
