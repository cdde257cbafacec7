/*
 * No default allocator, for firmware built without malloc: every object
 * must then be given an allocator explicitly (tls_stream_config_new(), ...).
 */
#include "../core/core_internal.h"

const tls_stream_allocator *tls_stream_platform_allocator(void)
{
    return NULL;
}
