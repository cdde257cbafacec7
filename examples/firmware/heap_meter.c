/*
 * Counting allocators for tls_stream and mbedtls (see heap_meter.h).
 */
#include "heap_meter.h"

#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform.h>

heap_meter heap_ours, heap_mbedtls, heap_total;

static void count(heap_meter *m, size_t n, int up)
{
    heap_meter *both[2];
    int i;

    both[0] = m;
    both[1] = &heap_total;
    for (i = 0; i < 2; i++) {
        if (up) {
            both[i]->now += n;
            both[i]->allocs++;
            if (both[i]->now > both[i]->peak)
                both[i]->peak = both[i]->now;
        } else {
            both[i]->now -= n;
        }
    }
}

static void *ours_alloc(void *ctx, size_t size)
{
    void *p = malloc(size);

    (void)ctx;
    if (p == NULL) {
        heap_ours.fails++;
        return NULL;
    }
    count(&heap_ours, size, 1);
    return p;
}

/* tls_stream passes the size back: no header needed. */
static void ours_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (ptr == NULL)
        return;
    count(&heap_ours, size, 0);
    free(ptr);
}

const tls_stream_allocator heap_meter_allocator = {ours_alloc, ours_free, NULL};

/* mbedtls's free has no size: keep it in an 8-byte header. */
#define HDR 8u

static void *mbedtls_meter_calloc(size_t n, size_t size)
{
    unsigned char *p;
    size_t total;

    if (size != 0 && n > ((size_t)-1 - HDR) / size)
        return NULL;
    total = n * size;
    p = malloc(total + HDR);
    if (p == NULL) {
        heap_mbedtls.fails++;
        return NULL;
    }
    memcpy(p, &total, sizeof total);
    memset(p + HDR, 0, total);
    count(&heap_mbedtls, total, 1);
    return p + HDR;
}

static void mbedtls_meter_free(void *ptr)
{
    unsigned char *p;
    size_t total;

    if (ptr == NULL)
        return;
    p = (unsigned char *)ptr - HDR;
    memcpy(&total, p, sizeof total);
    count(&heap_mbedtls, total, 0);
    free(p);
}

void heap_meter_install_mbedtls(void)
{
    mbedtls_platform_set_calloc_free(mbedtls_meter_calloc, mbedtls_meter_free);
}

void heap_meter_reset_peaks(void)
{
    heap_ours.peak = heap_ours.now;
    heap_mbedtls.peak = heap_mbedtls.now;
    heap_total.peak = heap_total.now;
}
