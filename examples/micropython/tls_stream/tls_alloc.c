/*
 * The library's allocator hook on MicroPython's heap. Blocks are plain GC
 * blocks: they stay alive because the SSLContext/SSLSocket objects point to
 * the library objects that point to them, and are freed explicitly by the
 * library (m_free is a no-op while the GC runs finalisers; the sweep then
 * reclaims them). Never raises: a failed allocation returns NULL, which the
 * library reports as TLS_STREAM_ERR_NOMEM (raised as OSError(ENOMEM)).
 */
#include "py/gc.h"
#include "py/misc.h"

#include "mod_tls.h"

static void *mp_tls_alloc(void *ctx, size_t size)
{
    (void)ctx;
    void *p = m_malloc_maybe(size);
    if (p == NULL) {
        /* as MicroPython's mbedtls module does: collect and retry once, an
         * unreachable SSLSocket may hold memory (its finaliser frees it) */
        gc_collect();
        p = m_malloc_maybe(size);
    }
    return p;
}

static void mp_tls_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    m_del(uint8_t, ptr, size);
}

const tls_stream_allocator mp_tls_allocator = { mp_tls_alloc, mp_tls_free, NULL };
