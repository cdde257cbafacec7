/*
 * The allocator the examples pass to tls_stream.
 *
 * A library built with a default allocator (TLS_STREAM_STDLIB_ALLOC=ON, the
 * usual host build) takes NULL for "the default". One built without
 * (TLS_STREAM_STDLIB_ALLOC=OFF, as for firmware) refuses NULL: the
 * application brings its own allocator, and these host programs bring
 * malloc and free. CMake compiles the one file that matches the library:
 * example_alloc_default.c or example_alloc_malloc.c.
 */
#ifndef TLS_STREAM_EXAMPLE_ALLOC_H
#define TLS_STREAM_EXAMPLE_ALLOC_H

#include <tls_stream/tls_stream.h>

/** NULL (the library's default), or the program's own malloc/free allocator. */
const tls_stream_allocator *example_allocator(void);

#endif /* TLS_STREAM_EXAMPLE_ALLOC_H */
