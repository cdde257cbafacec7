/*
 * No default allocator, for firmware built without malloc: every object
 * must then be given an allocator explicitly (tls_config_new(), ...).
 */
#include "../core/core_internal.h"

const tls_allocator *tls_platform_allocator(void)
{
    return NULL;
}
