/* Test support: the counting allocator (see counting_alloc.h). */
#include "counting_alloc.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK_MAGIC 0x7e57a11cUL

/* Kept before every block; the union keeps the block maximally aligned. */
typedef union block_header {
    struct {
        size_t size;
        unsigned long magic;
    } h;
    long double align_ld;
    void *align_p;
    long long align_ll;
} block_header;

static void *counting_alloc_fn(void *ctx, size_t size)
{
    counting_alloc *ca = (counting_alloc *)ctx;
    block_header *b;
    ca->allocs++;
    if (ca->fail_at != 0 && ca->allocs == ca->fail_at) {
        ca->failed++;
        return NULL;
    }
    b = (block_header *)malloc(sizeof *b + size);
    if (b == NULL)
        return NULL;
    b->h.size = size;
    b->h.magic = BLOCK_MAGIC;
    ca->live_bytes += size;
    ca->live_blocks++;
    if (ca->live_bytes > ca->peak_bytes)
        ca->peak_bytes = ca->live_bytes;
    return b + 1;
}

static void counting_free_fn(void *ctx, void *ptr, size_t size)
{
    counting_alloc *ca = (counting_alloc *)ctx;
    block_header *b;
    if (ptr == NULL)
        return;
    b = (block_header *)ptr - 1;
    if (b->h.magic != BLOCK_MAGIC) {
        ca->bad_frees++; /* not ours, or freed twice: leave it alone */
        return;
    }
    if (b->h.size != size)
        ca->bad_frees++;
    ca->frees++;
    ca->live_bytes -= b->h.size;
    ca->live_blocks--;
    b->h.magic = 0;
    free(b);
}

void counting_alloc_init(counting_alloc *ca)
{
    memset(ca, 0, sizeof *ca);
    ca->alloc.alloc = counting_alloc_fn;
    ca->alloc.free = counting_free_fn;
    ca->alloc.ctx = ca;
}

int counting_alloc_clean(const counting_alloc *ca)
{
    return ca->live_bytes == 0 && ca->live_blocks == 0 && ca->bad_frees == 0;
}
