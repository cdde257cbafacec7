/*
 * tls_stream — an in-memory, bidirectional pipe with two ends.
 *
 * Each end is a tls_stream_io: what end 0 writes, end 1 reads, and back. Reads and
 * writes never block: an empty direction answers TLS_STREAM_WANT_READ, a full one
 * TLS_STREAM_WANT_WRITE. Closing an end lets the other end drain what is buffered,
 * then read 0 (end of stream); writing towards a closed end, or using an end
 * after closing it, fails with TLS_STREAM_ERR_IO. wait() never blocks (one thread
 * cannot make the pipe ready while it waits): it returns 0 when ready and
 * TLS_STREAM_ERR_TIMEOUT otherwise, so streams over a pipe in one thread run in
 * non-blocking mode and the caller steps both ends.
 * Used by tests, fuzzers and the demo; portable C, no OS calls.
 */
#ifndef TLS_STREAM_TLS_MEM_PIPE_H
#define TLS_STREAM_TLS_MEM_PIPE_H

#include <stddef.h>

#include "tls_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tls_stream_mem_pipe tls_stream_mem_pipe;

/**
 * Create a pipe buffering up to capacity bytes in each direction (0: 64 KiB).
 * alloc may be NULL for the platform default. Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG
 * (NULL out, or no usable allocator) or TLS_STREAM_ERR_NOMEM; the caller owns *out and frees it with tls_stream_mem_pipe_free().
 */
TLS_STREAM_API int tls_stream_mem_pipe_new(tls_stream_mem_pipe **out, size_t capacity, const tls_stream_allocator *alloc);

/** Free the pipe (both ends must no longer be used). NULL is ignored. */
TLS_STREAM_API void tls_stream_mem_pipe_free(tls_stream_mem_pipe *pipe);

/**
 * The tls_stream_io of end 0 or 1 (any other value is treated as 1). The io's ctx
 * points into the pipe: it is valid until tls_stream_mem_pipe_free().
 */
TLS_STREAM_API tls_stream_io tls_stream_mem_pipe_io(tls_stream_mem_pipe *pipe, int end);

/** Bytes buffered towards end (waiting for end to read them). */
TLS_STREAM_API size_t tls_stream_mem_pipe_buffered(const tls_stream_mem_pipe *pipe, int end);

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_MEM_PIPE_H */
