/* Test support: which allocator the tests pass (see test_alloc.h). */
#include "test_alloc.h"

#include "core/core_internal.h"

int tls_test_has_default_allocator(void)
{
    return tls_stream_platform_allocator() != NULL;
}

const tls_stream_allocator *tls_test_allocator(void)
{
    return tls_test_has_default_allocator() ? NULL : tls_test_arena();
}
