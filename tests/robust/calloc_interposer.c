/* The calloc/free interposer (see calloc_interposer.h). Not thread-safe:
 * arm it only while a single thread allocates.
 *
 * Two ways in, chosen by the mbedtls build: with MBEDTLS_PLATFORM_MEMORY
 * (our mbedtls 3.6 build) mbedtls allocates through mbedtls_calloc, which
 * ci_arm() points here (this links statically too); without it (Debian's
 * 2.28) this file defines calloc and free themselves. */
#define _GNU_SOURCE
#include "calloc_interposer.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/platform.h>

#if defined(MBEDTLS_PLATFORM_MEMORY)
#define CI_CALLOC ci_calloc
#define CI_FREE ci_free
static void *ci_calloc(size_t nmemb, size_t size);
static void ci_free(void *p);
#else
#define CI_CALLOC calloc
#define CI_FREE free
#endif

static void *(*next_calloc)(size_t, size_t);
static void (*next_free)(void *);
static int resolving;

/* dlsym() may itself call calloc: serve it from a small static arena. */
static unsigned char boot_arena[8192] __attribute__((aligned(16)));
static size_t boot_used;

static ci_counters ci;

#define TRACK_SLOTS 65536u /* power of two */
static uintptr_t track[TRACK_SLOTS];
#define TOMBSTONE ((uintptr_t)1)

static size_t slot_of(uintptr_t p)
{
    return (size_t)((p >> 4) * 2654435761u) & (TRACK_SLOTS - 1);
}

static void track_add(void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    size_t i = slot_of(p), n;
    for (n = 0; n < TRACK_SLOTS; n++, i = (i + 1) & (TRACK_SLOTS - 1)) {
        if (track[i] == 0 || track[i] == TOMBSTONE) {
            track[i] = p;
            ci.live++;
            return;
        }
    }
    ci.overflow++;
}

static void track_remove(void *ptr)
{
    uintptr_t p = (uintptr_t)ptr;
    size_t i = slot_of(p), n;
    if (ci.live == 0)
        return;
    for (n = 0; n < TRACK_SLOTS; n++, i = (i + 1) & (TRACK_SLOTS - 1)) {
        if (track[i] == 0)
            return;
        if (track[i] == p) {
            track[i] = TOMBSTONE;
            ci.live--;
            return;
        }
    }
}

#if defined(MBEDTLS_PLATFORM_MEMORY)
static void resolve(void)
{
    next_calloc = calloc;
    next_free = free;
}
#else
static void resolve(void)
{
    resolving = 1;
    next_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    next_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
}
#endif

static int from_arena(const void *p)
{
    return (const unsigned char *)p >= boot_arena &&
           (const unsigned char *)p < boot_arena + sizeof boot_arena;
}

#if defined(MBEDTLS_PLATFORM_MEMORY)
static
#endif
void *CI_CALLOC(size_t nmemb, size_t size)
{
    void *p;
    if (next_calloc == NULL) {
        if (resolving) {
            size_t total = (nmemb * size + 15) & ~(size_t)15;
            if (size != 0 && nmemb > SIZE_MAX / size)
                return NULL;
            if (total > sizeof boot_arena - boot_used)
                return NULL;
            p = boot_arena + boot_used;
            boot_used += total;
            return p; /* static storage: already zero */
        }
        resolve();
    }
    if (ci.armed) {
        ci.calls++;
        if (ci.fail_at != 0 && ci.calls == ci.fail_at) {
            ci.failed++;
            return NULL;
        }
    }
    p = next_calloc(nmemb, size);
    if (p != NULL && ci.armed)
        track_add(p);
    return p;
}

#if defined(MBEDTLS_PLATFORM_MEMORY)
static
#endif
void CI_FREE(void *p)
{
    if (p == NULL || from_arena(p))
        return;
    if (next_free == NULL)
        resolve();
    track_remove(p);
    next_free(p);
}

void ci_arm(unsigned long fail_at)
{
    ci.calls = 0;
    ci.failed = 0;
    ci.fail_at = fail_at;
    ci.armed = 1;
#if defined(MBEDTLS_PLATFORM_MEMORY)
    mbedtls_platform_set_calloc_free(ci_calloc, ci_free); /* stays: passes through when disarmed */
#endif
}

void ci_disarm(void)
{
    ci.armed = 0;
}

const ci_counters *ci_state(void)
{
    return &ci;
}

void ci_reset_tracking(void)
{
    memset(track, 0, sizeof track);
    ci.live = 0;
    ci.overflow = 0;
}
