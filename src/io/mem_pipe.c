/*
 * The in-memory pipe: two ring buffers, one per direction, in a single
 * allocation. Portable C99, freestanding headers only (.ci/freestanding-check),
 * no OS calls, no global state.
 *
 * ring[e] holds the bytes travelling towards end e: end e reads from
 * ring[e] and writes into ring[1 - e].
 */
#include <limits.h>
#include <stdint.h>

#include "tls_stream/mem_pipe.h"
#include "../core/core_internal.h"

#define MEM_PIPE_DEFAULT_CAPACITY ((size_t)64 * 1024)

typedef struct mem_ring {
    unsigned char *buf;
    size_t head; /* index of the oldest byte */
    size_t len;  /* bytes buffered */
} mem_ring;

/* What a tls_stream_io's ctx points to: the pipe and which end this is. */
typedef struct mem_end {
    tls_stream_mem_pipe *pipe;
    int id;
} mem_end;

struct tls_stream_mem_pipe {
    tls_stream_allocator alloc; /* copied: the caller's struct need not outlive us */
    size_t alloc_size;   /* what to hand back to alloc.free */
    size_t capacity;
    mem_ring ring[2];
    mem_end end[2];
    int closed[2];
};

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* Return values are ints: never move more than INT_MAX bytes at once. */
static size_t cap_len(size_t len)
{
    return min_size(len, (size_t)INT_MAX);
}

static int mem_pipe_read(void *ctx, unsigned char *buf, size_t len)
{
    mem_end *e = (mem_end *)ctx;
    tls_stream_mem_pipe *p;
    mem_ring *r;
    size_t n, first;

    if (e == NULL || buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    p = e->pipe;
    r = &p->ring[e->id];
    if (p->closed[e->id])
        return TLS_STREAM_ERR_IO; /* used after its own close */
    if (r->len == 0)
        return p->closed[1 - e->id] ? 0 : TLS_STREAM_WANT_READ;

    n = min_size(cap_len(len), r->len);
    first = min_size(n, p->capacity - r->head);
    tls_stream_memcopy(buf, r->buf + r->head, first);
    tls_stream_memcopy(buf + first, r->buf, n - first);
    r->head = (r->head + n) % p->capacity;
    r->len -= n;
    if (r->len == 0)
        r->head = 0; /* keeps later writes contiguous when the reader keeps up */
    return (int)n;
}

static int mem_pipe_write(void *ctx, const unsigned char *buf, size_t len)
{
    mem_end *e = (mem_end *)ctx;
    tls_stream_mem_pipe *p;
    mem_ring *r;
    size_t n, tail, first;

    if (e == NULL || buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    p = e->pipe;
    r = &p->ring[1 - e->id];
    /* A closed reader will never drain the buffer: an error, like EPIPE. */
    if (p->closed[e->id] || p->closed[1 - e->id])
        return TLS_STREAM_ERR_IO;
    if (r->len == p->capacity)
        return TLS_STREAM_WANT_WRITE;

    n = min_size(cap_len(len), p->capacity - r->len);
    tail = (r->head + r->len) % p->capacity;
    first = min_size(n, p->capacity - tail);
    tls_stream_memcopy(r->buf + tail, buf, first);
    tls_stream_memcopy(r->buf, buf + first, n - first);
    r->len += n;
    return (int)n;
}

static int mem_pipe_close(void *ctx)
{
    mem_end *e = (mem_end *)ctx;
    if (e != NULL)
        e->pipe->closed[e->id] = 1;
    return 0;
}

/*
 * The pipe is driven by one thread, which is the caller: while it waits,
 * nobody can fill or drain the pipe, so waiting could only hang. A direction
 * that is not ready now answers TLS_STREAM_ERR_TIMEOUT at once, whatever timeout_ms
 * says (also for "forever"). "Ready" includes the cases where the next call
 * returns at once with an end of stream or an error.
 */
static int mem_pipe_wait(void *ctx, int want, int timeout_ms)
{
    mem_end *e = (mem_end *)ctx;
    tls_stream_mem_pipe *p;
    int ready;

    (void)timeout_ms;
    if (e == NULL)
        return TLS_STREAM_ERR_ARG;
    p = e->pipe;
    if (want == TLS_STREAM_WANT_READ)
        ready = p->ring[e->id].len > 0 || p->closed[1 - e->id] || p->closed[e->id];
    else if (want == TLS_STREAM_WANT_WRITE)
        ready = p->ring[1 - e->id].len < p->capacity || p->closed[1 - e->id] ||
                p->closed[e->id];
    else
        return TLS_STREAM_ERR_ARG;
    return ready ? 0 : TLS_STREAM_ERR_TIMEOUT;
}

int tls_stream_mem_pipe_new(tls_stream_mem_pipe **out, size_t capacity, const tls_stream_allocator *alloc)
{
    const tls_stream_allocator *a;
    tls_stream_mem_pipe *p;
    size_t size;
    int i;

    if (out == NULL)
        return TLS_STREAM_ERR_ARG;
    *out = NULL;
    a = tls_stream_allocator_or_default(alloc);
    if (a == NULL) /* an incomplete hook, or NULL on a build without malloc */
        return TLS_STREAM_ERR_ARG;
    if (capacity == 0)
        capacity = MEM_PIPE_DEFAULT_CAPACITY;
    if (capacity > (SIZE_MAX - sizeof *p) / 2)
        return TLS_STREAM_ERR_NOMEM;
    size = sizeof *p + 2 * capacity;

    p = (tls_stream_mem_pipe *)tls_stream_zalloc(a, size);
    if (p == NULL)
        return TLS_STREAM_ERR_NOMEM;
    p->alloc = *a;
    p->alloc_size = size;
    p->capacity = capacity;
    for (i = 0; i < 2; i++) {
        p->ring[i].buf = (unsigned char *)(p + 1) + (size_t)i * capacity;
        p->end[i].pipe = p;
        p->end[i].id = i;
    }
    *out = p;
    return TLS_STREAM_OK;
}

void tls_stream_mem_pipe_free(tls_stream_mem_pipe *pipe)
{
    tls_stream_allocator a;
    if (pipe == NULL)
        return;
    a = pipe->alloc; /* the copy lives in the block being freed */
    tls_stream_dealloc(&a, pipe, pipe->alloc_size);
}

tls_stream_io tls_stream_mem_pipe_io(tls_stream_mem_pipe *pipe, int end)
{
    tls_stream_io io = { NULL, NULL, NULL, NULL, NULL, NULL };
    if (pipe == NULL)
        return io;
    io.ctx = &pipe->end[end == 0 ? 0 : 1];
    io.read = mem_pipe_read;
    io.write = mem_pipe_write;
    io.close = mem_pipe_close;
    io.wait = mem_pipe_wait;
    io.set_timeout = NULL; /* never blocks in a call: wait() times out */
    return io;
}

size_t tls_stream_mem_pipe_buffered(const tls_stream_mem_pipe *pipe, int end)
{
    if (pipe == NULL)
        return 0;
    return pipe->ring[end == 0 ? 0 : 1].len;
}
