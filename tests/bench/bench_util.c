/* tls_bench: clock, medians, interleaved repetitions and the table. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "bench.h"

bench_opts g_opts;
int g_missed;

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_clock(void)
{
    struct timespec ts;
    clock_gettime(g_opts.wall ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_median(const double *v, int n)
{
    double tmp[64];
    if (n <= 0)
        return 0.0;
    if (n > 64)
        n = 64;
    memcpy(tmp, v, (size_t)n * sizeof *tmp);
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2.0;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "tls_bench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

void bench_interleave(double (*raw)(void *), double (*ours)(void *), void *arg,
                      int reps, double *raw_med, double *ours_med, double *ratio_med)
{
    double r[64], o[64], q[64];
    int i;
    if (reps > 64)
        reps = 64;
    /* warm-up (a shorter run): caches, page faults, CPU frequency */
    g_opts.warmup = 1;
    if (raw(arg) < 0 || ours(arg) < 0)
        bench_die("warm-up run failed");
    g_opts.warmup = 0;
    for (i = 0; i < reps; i++) {
        if (i % 2 == 0) {
            r[i] = raw(arg);
            o[i] = ours(arg);
        } else {
            o[i] = ours(arg);
            r[i] = raw(arg);
        }
        if (r[i] <= 0 || o[i] <= 0)
            bench_die("a repetition failed");
        q[i] = o[i] / r[i];
        if (g_opts.verbose)
            fprintf(stderr, "    rep %d: raw %.1f ours %.1f ratio %.3f\n", i, r[i], o[i], q[i]);
    }
    *raw_med = bench_median(r, reps);
    *ours_med = bench_median(o, reps);
    *ratio_med = bench_median(q, reps);
}

#define NAME_W 44

void bench_section(const char *title, const char *unit)
{
    printf("\n%s\n", title);
    printf("  %-*s %12s %12s %7s %8s  %s\n", NAME_W, unit, "raw mbedtls", "tls_stream",
           "ratio", "target", "verdict");
    fflush(stdout);
}

int bench_row_ratio(const char *name, double raw, double ours, double ratio, double min_ratio)
{
    const char *verdict;
    char target[16] = "-";
    int miss = 0;
    if (ratio < 0)
        ratio = raw > 0 ? ours / raw : 0.0;
    if (min_ratio > 0) {
        snprintf(target, sizeof target, ">=%.2f", min_ratio);
        miss = ratio < min_ratio;
        verdict = miss ? "MISS" : "OK";
    } else {
        verdict = "";
    }
    printf("  %-*s %12.1f %12.1f %7.3f %8s  %s\n", NAME_W, name, raw, ours, ratio, target,
           verdict);
    fflush(stdout);
    g_missed += miss;
    return miss;
}

void bench_row_text(const char *name, const char *raw, const char *ours, const char *note)
{
    printf("  %-*s %12s %12s %7s %8s  %s\n", NAME_W, name, raw, ours, "", "", note);
    fflush(stdout);
}

int bench_row_limit(const char *name, const char *raw, double ours, double limit,
                    const char *unit)
{
    char target[24] = "-";
    const char *verdict = "";
    int miss = 0;
    if (limit > 0) {
        snprintf(target, sizeof target, "<=%.0f%s", limit, unit);
        miss = ours > limit;
        verdict = miss ? "MISS" : "OK";
    }
    printf("  %-*s %12s %12.0f %7s %8s  %s\n", NAME_W, name, raw, ours, "", target, verdict);
    fflush(stdout);
    g_missed += miss;
    return miss;
}

int bench_is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

int bench_handshake_pair(tls_stream *c, tls_stream *s, int max_steps, int *crc, int *src)
{
    int steps = 0;
    *crc = *src = TLS_STREAM_WANT_READ;
    tls_stream_set_blocking(c, 0);
    tls_stream_set_blocking(s, 0);
    while (*crc != TLS_STREAM_OK || *src != TLS_STREAM_OK) {
        if (*crc != TLS_STREAM_OK)
            *crc = tls_stream_handshake(c);
        if (*src != TLS_STREAM_OK)
            *src = tls_stream_handshake(s);
        if ((*crc != TLS_STREAM_OK && !bench_is_want(*crc)) || (*src != TLS_STREAM_OK && !bench_is_want(*src)) ||
            (max_steps > 0 && ++steps > max_steps))
            return -1;
    }
    return 0;
}

/*
 * The raw baseline's socket transport: plain blocking recv()/send(), as an
 * application driving mbedtls directly would use (mbedtls_net_recv/send do
 * the same). tls_stream_io_fd() instead never blocks in the kernel and waits in
 * poll(), which is what gives tls_stream its timeouts.
 */
static int blocking_read(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n;
    do
        n = recv((int)(intptr_t)ctx, buf, len, 0);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (int)n;
}

static int blocking_write(void *ctx, const unsigned char *buf, size_t len)
{
    ssize_t n;
    do
        n = send((int)(intptr_t)ctx, buf, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (int)n;
}

tls_stream_io bench_blocking_io(int fd)
{
    tls_stream_io io = {(void *)(intptr_t)fd, blocking_read, blocking_write, NULL, NULL, NULL};
    return io;
}
