/*
 * Test support: the static-arena allocator (see test_alloc.h).
 *
 * The arena is an array of header-sized units tiled by blocks; each block
 * starts with a header (its length in units, the size asked for, a magic
 * that says used or free). alloc walks the blocks from the start, merges
 * runs of free blocks on the way and takes the first one large enough,
 * splitting off the rest. Every block keeps at least GUARD_MIN guard bytes
 * after the size asked for; free checks them, then poisons the block.
 * At exit, a block still allocated is a leak: the process then exits 1
 * (the arena hides blocks from valgrind and ASan, which would say so).
 */
#include "test_alloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USED_MAGIC 0xa11ce5edUL
#define FREE_MAGIC 0xf4eeb10cUL
#define GUARD_BYTE 0xa5
#define POISON_BYTE 0xdd
#define GUARD_MIN 8

typedef union arena_unit {
    struct {
        size_t units; /* length of the block in units, header included */
        size_t asked; /* size given to alloc (used blocks) */
        unsigned long magic;
    } h;
    long double align_ld;
    void *align_p;
    long long align_ll;
} arena_unit;

#define UNIT sizeof(arena_unit)
#define ARENA_UNITS (TLS_TEST_ARENA_BYTES / UNIT)

static arena_unit arena[ARENA_UNITS];
static int arena_ready;
static tls_test_arena_usage usage;
static pthread_mutex_t arena_lock = PTHREAD_MUTEX_INITIALIZER;

static void arena_fail(const char *what, const void *ptr, size_t size)
{
    fprintf(stderr, "test arena: %s (pointer %p, size %lu)\n", what, ptr, (unsigned long)size);
    abort();
}

/* Block i is free: absorb the free blocks that follow it. */
static void merge_following(size_t i)
{
    size_t next = i + arena[i].h.units;
    while (next < ARENA_UNITS && arena[next].h.magic == FREE_MAGIC) {
        arena[i].h.units += arena[next].h.units;
        arena[next].h.magic = 0;
        next = i + arena[i].h.units;
    }
}

/* Take need units from the front of free block i. */
static unsigned char *take(size_t i, size_t need, size_t size)
{
    unsigned char *p = (unsigned char *)(arena + i + 1);
    if (arena[i].h.units - need >= 2) {
        arena[i + need].h.units = arena[i].h.units - need;
        arena[i + need].h.magic = FREE_MAGIC;
        arena[i].h.units = need;
    }
    arena[i].h.magic = USED_MAGIC;
    arena[i].h.asked = size;
    memset(p + size, GUARD_BYTE, (arena[i].h.units - 1) * UNIT - size);
    usage.allocs++;
    usage.live_blocks++;
    usage.live_bytes += size;
    if (usage.live_bytes > usage.peak_bytes)
        usage.peak_bytes = usage.live_bytes;
    return p;
}

/* atexit handler: fail the process when something was not freed. */
static void arena_leak_check(void)
{
    if (usage.live_blocks != 0) {
        fprintf(stderr, "test arena: %lu bytes in %lu blocks not freed at exit\n",
                (unsigned long)usage.live_bytes, (unsigned long)usage.live_blocks);
        _Exit(1);
    }
}

static void *arena_alloc(void *ctx, size_t size)
{
    unsigned char *p = NULL;
    size_t i, need;
    (void)ctx;
    pthread_mutex_lock(&arena_lock);
    if (!arena_ready) {
        arena[0].h.units = ARENA_UNITS;
        arena[0].h.magic = FREE_MAGIC;
        arena_ready = 1;
        if (atexit(arena_leak_check) != 0)
            arena_fail("atexit failed", NULL, 0);
    }
    if (size == 0 || size > TLS_TEST_ARENA_BYTES - GUARD_MIN - UNIT) {
        usage.refused++;
        pthread_mutex_unlock(&arena_lock);
        return NULL;
    }
    need = 1 + (size + GUARD_MIN + UNIT - 1) / UNIT;
    for (i = 0; i < ARENA_UNITS && p == NULL; i += arena[i].h.units) {
        if (arena[i].h.magic == USED_MAGIC)
            continue;
        if (arena[i].h.magic != FREE_MAGIC)
            arena_fail("block header overwritten", arena + i + 1, 0);
        merge_following(i);
        if (arena[i].h.units >= need)
            p = take(i, need, size);
    }
    if (p == NULL)
        usage.refused++;
    pthread_mutex_unlock(&arena_lock);
    return p;
}

static void arena_free(void *ctx, void *ptr, size_t size)
{
    const unsigned char *lo = (const unsigned char *)(arena + 1);
    const unsigned char *hi = (const unsigned char *)(arena + ARENA_UNITS);
    unsigned char *p = (unsigned char *)ptr;
    arena_unit *b;
    size_t cap, k;
    (void)ctx;
    if (p == NULL)
        return;
    if (p < lo || p >= hi || (size_t)(p - lo) % UNIT != 0)
        arena_fail("free of a pointer the arena did not hand out", ptr, size);
    pthread_mutex_lock(&arena_lock);
    b = (arena_unit *)ptr - 1;
    if (b->h.magic != USED_MAGIC)
        arena_fail("free of a block that is not allocated (freed twice?)", ptr, size);
    if (b->h.asked != size)
        arena_fail("free with a size other than the one allocated", ptr, size);
    cap = (b->h.units - 1) * UNIT;
    for (k = size; k < cap; k++) {
        if (p[k] != GUARD_BYTE)
            arena_fail("write past the end of the block", ptr, size);
    }
    memset(p, POISON_BYTE, cap);
    b->h.magic = FREE_MAGIC;
    merge_following((size_t)(b - arena));
    usage.live_blocks--;
    usage.live_bytes -= size;
    pthread_mutex_unlock(&arena_lock);
}

static const tls_stream_allocator arena_allocator = { arena_alloc, arena_free, NULL };

const tls_stream_allocator *tls_test_arena(void)
{
    return &arena_allocator;
}

tls_test_arena_usage tls_test_arena_usage_now(void)
{
    tls_test_arena_usage u;
    pthread_mutex_lock(&arena_lock);
    u = usage;
    pthread_mutex_unlock(&arena_lock);
    return u;
}
