/*
 * tls_bench: heap per connection.
 *
 * Two counters per role (client, server), both in requested bytes:
 *   - ours: tls_stream's own allocations, through a counting tls_stream_allocator
 *     given to tls_stream_config_new() (for the raw baseline: the raw_conn, i.e.
 *     the mbedtls_ssl_context an application must keep somewhere);
 *   - backend: mbedtls's own allocations. mbedtls 2.28 allocates with
 *     calloc/free; this executable defines calloc and free, delegating to
 *     glibc's __libc_calloc/__libc_free, and counts the blocks allocated
 *     while a role is "current" (the stepping loop below sets it around
 *     every call into that role's connection).
 * The whole run is one thread (memory pipe, non-blocking). A connection's
 * peak is measured over: create, handshake, 16 KiB each way, close_notify,
 * free; "idle" is what stays allocated once the handshake is done.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tls_stream/mem_pipe.h"

typedef struct acct {
    long ours_live, ours_peak;
    long be_live, be_peak;
    long tot_live, tot_peak;
} acct;

static acct g_acct[2];
static int g_side = -1; /* the role whose calls are running, or -1 */

static void acct_add(int side, long ours, long be)
{
    acct *a = &g_acct[side];
    a->ours_live += ours;
    a->be_live += be;
    a->tot_live += ours + be;
    if (a->ours_live > a->ours_peak)
        a->ours_peak = a->ours_live;
    if (a->be_live > a->be_peak)
        a->be_peak = a->be_live;
    if (a->tot_live > a->tot_peak)
        a->tot_peak = a->tot_live;
}

/* Peaks restart from what is live now. */
static void acct_rebase(void)
{
    int i;
    for (i = 0; i < 2; i++) {
        g_acct[i].ours_peak = g_acct[i].ours_live;
        g_acct[i].be_peak = g_acct[i].be_live;
        g_acct[i].tot_peak = g_acct[i].tot_live;
    }
}

/* -------------------------------------------- calloc/free interposition */

#ifdef TLS_BENCH_INTERPOSE
extern void *__libc_calloc(size_t n, size_t size);
extern void __libc_free(void *p);

#define HT_SIZE 65536u /* power of two; far more than live tracked blocks */
typedef struct ht_entry {
    void *p;
    size_t size;
    int side;
} ht_entry;
static ht_entry ht[HT_SIZE];
static size_t ht_count;

static size_t ht_hash(const void *p)
{
    size_t x = (size_t)p;
    x ^= x >> 17;
    x *= (size_t)0x9e3779b97f4a7c15ull;
    return (x >> 16) & (HT_SIZE - 1);
}

static void ht_insert(void *p, size_t size, int side)
{
    size_t i = ht_hash(p);
    if (ht_count >= HT_SIZE / 2)
        return; /* not tracked: cannot happen in this program */
    while (ht[i].p != NULL)
        i = (i + 1) & (HT_SIZE - 1);
    ht[i].p = p;
    ht[i].size = size;
    ht[i].side = side;
    ht_count++;
}

/* Linear probing with backward-shift deletion. */
static int ht_remove(void *p, size_t *size, int *side)
{
    size_t i = ht_hash(p), j, k;
    while (ht[i].p != p) {
        if (ht[i].p == NULL)
            return 0;
        i = (i + 1) & (HT_SIZE - 1);
    }
    *size = ht[i].size;
    *side = ht[i].side;
    j = i;
    for (;;) {
        j = (j + 1) & (HT_SIZE - 1);
        if (ht[j].p == NULL)
            break;
        k = ht_hash(ht[j].p);
        if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
            ht[i] = ht[j];
            i = j;
        }
    }
    ht[i].p = NULL;
    ht_count--;
    return 1;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    int side = g_side;
    if (p != NULL && side >= 0) {
        ht_insert(p, n * size, side);
        acct_add(side, 0, (long)(n * size));
    }
    return p;
}

void free(void *p)
{
    if (p != NULL && ht_count != 0) {
        size_t size;
        int side;
        if (ht_remove(p, &size, &side))
            acct_add(side, 0, -(long)size);
    }
    __libc_free(p);
}
#define INTERPOSED 1
#else
#define INTERPOSED 0
#endif

/* ------------------------------------------------ the counting allocator */

typedef struct side_alloc {
    tls_stream_allocator a;
    int side;
} side_alloc;

static void *count_alloc(void *ctx, size_t size)
{
    side_alloc *sa = ctx;
    void *p = malloc(size);
    if (p != NULL)
        acct_add(sa->side, (long)size, 0);
    return p;
}

static void count_free(void *ctx, void *p, size_t size)
{
    side_alloc *sa = ctx;
    if (p == NULL)
        return;
    acct_add(sa->side, -(long)size, 0);
    free(p);
}

static side_alloc g_sa[2] = { { { count_alloc, count_free, &g_sa[0] }, 0 },
                              { { count_alloc, count_free, &g_sa[1] }, 1 } };

/* Run expr as role side. */
#define AS(side, expr) (g_side = (side), heap_rc = (expr), g_side = -1, heap_rc)
static int heap_rc;

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

/* ---------------------------------------------------------- measurement */

typedef struct heap_result {
    long config_tot[2];        /* configuration, per role */
    long peak_tot[2], peak_ours[2], peak_be[2];
    long idle_tot[2], idle_ours[2], idle_be[2];
    long leak[2];              /* live after the connection was freed, minus before */
} heap_result;

static void snapshot_peak(heap_result *r, const long base_tot[2], const long base_ours[2],
                          const long base_be[2])
{
    int i;
    for (i = 0; i < 2; i++) {
        r->peak_tot[i] = g_acct[i].tot_peak - base_tot[i];
        r->peak_ours[i] = g_acct[i].ours_peak - base_ours[i];
        r->peak_be[i] = g_acct[i].be_peak - base_be[i];
    }
}

static void snapshot_idle(heap_result *r, const long base_tot[2], const long base_ours[2],
                          const long base_be[2])
{
    int i;
    for (i = 0; i < 2; i++) {
        r->idle_tot[i] = g_acct[i].tot_live - base_tot[i];
        r->idle_ours[i] = g_acct[i].ours_live - base_ours[i];
        r->idle_be[i] = g_acct[i].be_live - base_be[i];
    }
}

static void bases(long tot[2], long ours[2], long be[2])
{
    int i;
    for (i = 0; i < 2; i++) {
        tot[i] = g_acct[i].tot_live;
        ours[i] = g_acct[i].ours_live;
        be[i] = g_acct[i].be_live;
    }
}

static unsigned char data_buf[16384];

static void measure_ours(bench_mode mode, heap_result *r)
{
    tls_stream_config *cfg[2];
    tls_stream *st[2], *tmp;
    tls_stream_mem_pipe *p;
    tls_stream_io io[2];
    long bt[2], bo[2], bb[2];
    int i, rc[2] = { TLS_STREAM_WANT_READ, TLS_STREAM_WANT_READ }, steps = 0;
    size_t moved[2] = { 0, 0 };

    memset(g_acct, 0, sizeof g_acct);
    if (tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, tls_test_allocator()) != TLS_STREAM_OK)
        bench_die("heap: pipe");
    for (i = 0; i < 2; i++) {
        io[i] = bench_pipe_io_noclose(p, i);
        if (AS(i, bench_config_new(&cfg[i], mode, i == 0 ? TLS_STREAM_CLIENT : TLS_STREAM_SERVER,
                                   &g_sa[i].a)) != TLS_STREAM_OK)
            bench_die("heap: config");
        /* freeze the configuration now: its cost is not per connection */
        if (AS(i, tls_stream_new(&tmp, cfg[i], &io[i])) != TLS_STREAM_OK)
            bench_die("heap: freeze");
        g_side = i;
        tls_stream_free(tmp);
        g_side = -1;
        r->config_tot[i] = g_acct[i].tot_live;
    }
    bases(bt, bo, bb);
    acct_rebase();
    for (i = 0; i < 2; i++) {
        if (AS(i, tls_stream_new(&st[i], cfg[i], &io[i])) != TLS_STREAM_OK)
            bench_die("heap: stream_new");
        tls_stream_set_blocking(st[i], 0);
    }
    while (rc[0] != TLS_STREAM_OK || rc[1] != TLS_STREAM_OK) {
        for (i = 0; i < 2; i++) {
            if (rc[i] != TLS_STREAM_OK)
                (void)AS(i, rc[i] = tls_stream_handshake(st[i]));
            if (rc[i] != TLS_STREAM_OK && !is_want(rc[i]))
                bench_die("heap: handshake %s", tls_stream_strerror(rc[i]));
        }
        if (++steps > 1000)
            bench_die("heap: handshake stuck");
    }
    snapshot_idle(r, bt, bo, bb);
    /* 16 KiB each way: one full record */
    for (i = 0; i < 2; i++) {
        int w = i, rd = 1 - i;
        moved[0] = moved[1] = 0;
        while (moved[1] < sizeof data_buf) {
            int n;
            if (moved[0] < sizeof data_buf) {
                n = AS(w, tls_stream_write(st[w], data_buf + moved[0], sizeof data_buf - moved[0]));
                if (n > 0)
                    moved[0] += (size_t)n;
                else if (!is_want(n))
                    bench_die("heap: write %s", tls_stream_strerror(n));
            } else {
                (void)AS(w, tls_stream_flush(st[w]));
            }
            n = AS(rd, tls_stream_read(st[rd], data_buf, sizeof data_buf - moved[1]));
            if (n > 0)
                moved[1] += (size_t)n;
            else if (!is_want(n))
                bench_die("heap: read %s", tls_stream_strerror(n));
        }
    }
    for (i = 0; i < 2; i++) {
        (void)AS(i, tls_stream_close(st[i]));
        g_side = i;
        tls_stream_free(st[i]);
        g_side = -1;
    }
    snapshot_peak(r, bt, bo, bb);
    for (i = 0; i < 2; i++) {
        r->leak[i] = g_acct[i].tot_live - bt[i];
        tls_stream_config_free(cfg[i]);
    }
    tls_stream_mem_pipe_free(p);
}

static void measure_raw(bench_mode mode, heap_result *r)
{
    raw_config rc_[2];
    raw_conn *c[2];
    tls_stream_mem_pipe *p;
    tls_stream_io io[2];
    long bt[2], bo[2], bb[2];
    int i, rc[2] = { TLS_STREAM_WANT_READ, TLS_STREAM_WANT_READ }, steps = 0;
    size_t moved[2];

    memset(g_acct, 0, sizeof g_acct);
    if (tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, tls_test_allocator()) != TLS_STREAM_OK)
        bench_die("heap: pipe");
    for (i = 0; i < 2; i++) {
        io[i] = bench_pipe_io_noclose(p, i);
        if (AS(i, raw_config_init(&rc_[i], mode, i == 0 ? TLS_STREAM_CLIENT : TLS_STREAM_SERVER)) != 0)
            bench_die("heap: raw config");
        r->config_tot[i] = g_acct[i].tot_live + (long)sizeof(raw_config);
    }
    bases(bt, bo, bb);
    acct_rebase();
    for (i = 0; i < 2; i++) {
        c[i] = g_sa[i].a.alloc(g_sa[i].a.ctx, sizeof *c[i]);
        if (c[i] == NULL || AS(i, raw_conn_init(c[i], &rc_[i], &io[i])) != 0)
            bench_die("heap: raw conn");
    }
    while (rc[0] != 0 || rc[1] != 0) {
        for (i = 0; i < 2; i++) {
            if (rc[i] != 0)
                (void)AS(i, rc[i] = raw_handshake(c[i]));
            if (rc[i] != 0 && !is_want(rc[i]))
                bench_die("heap: raw handshake -0x%x", -rc[i]);
        }
        if (++steps > 1000)
            bench_die("heap: raw handshake stuck");
    }
    snapshot_idle(r, bt, bo, bb);
    for (i = 0; i < 2; i++) {
        int w = i, rd = 1 - i;
        moved[0] = moved[1] = 0;
        while (moved[1] < sizeof data_buf) {
            int n;
            if (moved[0] < sizeof data_buf) {
                n = AS(w, raw_write(c[w], data_buf + moved[0], sizeof data_buf - moved[0]));
                if (n > 0)
                    moved[0] += (size_t)n;
                else if (!is_want(n))
                    bench_die("heap: raw write -0x%x", -n);
            }
            n = AS(rd, raw_read(c[rd], data_buf, sizeof data_buf - moved[1]));
            if (n > 0)
                moved[1] += (size_t)n;
            else if (!is_want(n))
                bench_die("heap: raw read -0x%x", -n);
        }
    }
    for (i = 0; i < 2; i++) {
        (void)AS(i, raw_close_notify(c[i]));
        g_side = i;
        raw_conn_free(c[i]);
        g_sa[i].a.free(g_sa[i].a.ctx, c[i], sizeof *c[i]);
        g_side = -1;
    }
    snapshot_peak(r, bt, bo, bb);
    for (i = 0; i < 2; i++) {
        r->leak[i] = g_acct[i].tot_live - bt[i];
        raw_config_free(&rc_[i]);
    }
    tls_stream_mem_pipe_free(p);
}

static void row_bytes(const char *name, long raw, long ours, long max_delta, const char *note)
{
    char delta[24], target[24] = "-";
    const char *verdict = note != NULL ? note : "";
    snprintf(delta, sizeof delta, "%+ld", ours - raw);
    if (max_delta > 0) {
        snprintf(target, sizeof target, "+<=%ld", max_delta);
        if (ours - raw > max_delta) {
            verdict = "MISS";
            g_missed++;
        } else if (note == NULL) {
            verdict = "OK";
        }
    }
    printf("  %-44s %12ld %12ld %7s %8s  %s\n", name, raw, ours, delta, target, verdict);
}

void bench_heap(void)
{
    static const bench_mode modes[] = { BENCH_PSK_GCM, BENCH_ECDSA_GCM };
    static const char *const mode_names[] = { "PSK", "ECDHE-ECDSA cert" };
    static const char *const roles[] = { "client", "server" };
    size_t m;
    int i;

    printf("\nHeap per connection (bytes; memory pipe; create, handshake, 16 KiB each way, "
           "close)\n");
    printf("  %-44s %12s %12s %7s %8s  %s\n", "bytes", "raw mbedtls", "tls_stream", "delta",
           "target", "verdict / split of tls_stream: ours + mbedtls");
    if (!INTERPOSED) {
        bench_row_text("heap per connection", "n/a", "n/a",
                       "calloc interposition is off in sanitizer builds");
        return;
    }
    for (m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        heap_result raw, ours;
        char name[96], split[96];
        memset(&raw, 0, sizeof raw);
        memset(&ours, 0, sizeof ours);
        measure_raw(modes[m], &raw);
        measure_ours(modes[m], &ours);
        if (raw.peak_be[0] <= 0)
            bench_die("the calloc hook saw no mbedtls allocation: heap figures unreliable");
        for (i = 0; i < 2; i++) {
            snprintf(name, sizeof name, "peak, %s %s", mode_names[m], roles[i]);
            row_bytes(name, raw.peak_tot[i], ours.peak_tot[i], 1024, NULL);
            snprintf(name, sizeof name, "  idle open connection, %s %s", mode_names[m], roles[i]);
            snprintf(split, sizeof split, "%ld + %ld", ours.idle_ours[i], ours.idle_be[i]);
            row_bytes(name, raw.idle_tot[i], ours.idle_tot[i], 1024, NULL);
            snprintf(name, sizeof name, "    of which ours + mbedtls (peak / idle)");
            snprintf(split, sizeof split, "peak %ld + %ld, idle %ld + %ld", ours.peak_ours[i],
                     ours.peak_be[i], ours.idle_ours[i], ours.idle_be[i]);
            printf("  %-44s %12s %12s %7s %8s  %s\n", name, "", "", "", "", split);
            if (raw.leak[i] != 0 || ours.leak[i] != 0)
                printf("  %-44s %12ld %12ld  (bytes still live after free)\n", "    leak check",
                       raw.leak[i], ours.leak[i]);
        }
        for (i = 0; i < 2; i++) {
            snprintf(name, sizeof name, "per configuration (shared), %s %s", mode_names[m],
                     roles[i]);
            row_bytes(name, raw.config_tot[i], ours.config_tot[i], 0, "informative");
        }
    }
    fflush(stdout);
}
