/*
 * tls_bench: tls_stream against mbedtls called directly, in one run.
 *
 *   tls_bench            full run (64 MiB transfers, 5 runs each; < 3 min)
 *   tls_bench --quick    smoke run (8 MiB, 3 runs; < 20 s)
 *   options: --reps N, --mib N, --only bulk,hs,resume,heap,size,sock,ossl, -v,
 *            --wall (time with the wall clock instead of the process's
 *            CPU time; only meaningful on an otherwise idle machine)
 *
 * Exit status: 0 when every row ran (missed targets are reported, not
 * failed: timing depends on the machine), 1 when a measurement failed.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <mbedtls/version.h>

#include "bench.h"

static void usage(void)
{
    fprintf(stderr, "usage: tls_bench [--quick] [--reps N] [--mib N] "
                    "[--only bulk,hs,resume,heap,size,sock,ossl] [--wall] [-v]\n");
    exit(2);
}

static unsigned parse_sections(const char *s)
{
    unsigned m = 0;
    if (strstr(s, "bulk"))
        m |= BENCH_SEC_BULK;
    if (strstr(s, "hs"))
        m |= BENCH_SEC_HS;
    if (strstr(s, "resume"))
        m |= BENCH_SEC_RESUME;
    if (strstr(s, "heap"))
        m |= BENCH_SEC_HEAP;
    if (strstr(s, "size"))
        m |= BENCH_SEC_SIZE;
    if (strstr(s, "sock"))
        m |= BENCH_SEC_SOCK;
    if (strstr(s, "ossl"))
        m |= BENCH_SEC_OSSL;
    if (m == 0)
        usage();
    return m;
}

static void print_machine(void)
{
    char line[256], cpu[256] = "unknown CPU";
    struct utsname u;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "model name", 10) == 0) {
                char *p = strchr(line, ':');
                if (p != NULL) {
                    p += 2;
                    p[strcspn(p, "\n")] = '\0';
                    snprintf(cpu, sizeof cpu, "%s", p);
                }
                break;
            }
        }
        fclose(f);
    }
    uname(&u);
    printf("tls_bench: %s run; %s, %ld CPUs, %s %s; mbedtls %s; compiler %s\n",
           g_opts.quick ? "quick" : "full", cpu, sysconf(_SC_NPROCESSORS_ONLN), u.sysname,
           u.release, MBEDTLS_VERSION_STRING, __VERSION__);
    printf("Each figure: median of %d runs, raw and tls_stream alternating; ratio = median of "
           "per-run tls_stream/raw.\nTime base: %s.\n",
           g_opts.reps,
           g_opts.wall ? "wall clock"
                       : "CPU time of this process (both threads for socketpair runs), "
                         "so per CPU-second");
}

int main(int argc, char **argv)
{
    int i, mib = -1;
    double t0 = bench_now();

#if TLS_BENCH_OPENSSL
    bench_openssl_init();
#endif
    g_opts.reps = -1;
    g_opts.sections = BENCH_SEC_ALL;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            g_opts.quick = 1;
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            g_opts.reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc)
            mib = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            g_opts.sections = parse_sections(argv[++i]);
        else if (strcmp(argv[i], "--wall") == 0)
            g_opts.wall = 1;
        else if (strcmp(argv[i], "-v") == 0)
            g_opts.verbose = 1;
        else
            usage();
    }
    if (g_opts.reps <= 0)
        g_opts.reps = g_opts.quick ? 3 : 5;
    if (g_opts.reps > 64)
        g_opts.reps = 64;
    if (mib <= 0)
        mib = g_opts.quick ? 8 : 64;
    g_opts.bulk_bytes = (size_t)mib << 20;
    g_opts.hs_seconds = g_opts.quick ? 0.08 : 0.4;

    print_machine();
    bench_load_creds();
    if (g_opts.sections & BENCH_SEC_BULK)
        bench_bulk();
    if (g_opts.sections & BENCH_SEC_HS)
        bench_handshakes();
    if (g_opts.sections & BENCH_SEC_RESUME)
        bench_resumed();
    if (g_opts.sections & BENCH_SEC_SOCK)
        bench_socket();
    if (g_opts.sections & BENCH_SEC_HEAP)
        bench_heap();
    if (g_opts.sections & BENCH_SEC_SIZE)
        bench_size();
#if TLS_BENCH_OPENSSL
    if (g_opts.sections & BENCH_SEC_OSSL)
        bench_openssl();
#endif
    bench_free_creds();
    printf("\n%d target(s) missed; run took %.1f s\n", g_missed, bench_now() - t0);
    return 0;
}
