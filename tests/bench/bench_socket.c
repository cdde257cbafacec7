/*
 * tls_bench: the socket paths, over a socketpair(AF_UNIX), the server end
 * in a second thread, both ends blocking:
 *   - full PSK and ECDHE-ECDSA handshakes (handshakes/s);
 *   - one-way streaming of 16, 64, 256 and 1400-byte messages, one write
 *     per message (records/s);
 *   - 64-byte request/response round trips (round trips/s; p50/p99 wall
 *     clock latency);
 *   - transport calls per round trip and per handshake on both ends (on
 *     blocking sockets each is one system call).
 * Raw: mbedtls over blocking recv()/send(). Ours: tls_stream over
 * tls_stream_io_fd_borrow() with a 10 s inactivity timeout (the fd
 * transport's kernel timeouts).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "tls_stream/posix.h"

#define SOCK_TIMEOUT_MS 10000
#define RR_SIZE 64

/* ------------------------------------------------- counting transport */

typedef struct counted {
    tls_stream_io inner;
    unsigned long calls;
} counted;

static int c_read(void *ctx, unsigned char *buf, size_t len)
{
    counted *c = ctx;
    c->calls++;
    return c->inner.read(c->inner.ctx, buf, len);
}

static int c_write(void *ctx, const unsigned char *buf, size_t len)
{
    counted *c = ctx;
    c->calls++;
    return c->inner.write(c->inner.ctx, buf, len);
}

static int c_wait(void *ctx, int want, int timeout_ms)
{
    counted *c = ctx;
    c->calls++;
    return c->inner.wait(c->inner.ctx, want, timeout_ms);
}

static int c_set_timeout(void *ctx, int timeout_ms)
{
    counted *c = ctx;
    c->calls += 2; /* SO_RCVTIMEO and SO_SNDTIMEO */
    return c->inner.set_timeout(c->inner.ctx, timeout_ms);
}

/* A transport counting inner's calls (wait and set_timeout when inner has them). */
static tls_stream_io counting(counted *c, tls_stream_io inner)
{
    tls_stream_io io = {c, c_read, c_write, NULL, NULL, NULL};
    c->inner = inner;
    c->calls = 0;
    io.wait = inner.wait != NULL ? c_wait : NULL;
    io.set_timeout = inner.set_timeout != NULL ? c_set_timeout : NULL;
    return io;
}

/* ------------------------------------------- one end, raw or ours */

typedef struct end {
    int ours;
    tls_stream_io io;
    counted count;
    tls_stream_config *cfg; /* ours */
    tls_stream *s;
    raw_config *rcfg;       /* raw */
    raw_conn rc;
} end;

/* Configurations of one side, built untimed. */
typedef struct side_cfg {
    tls_stream_config *ours;
    raw_config raw;
} side_cfg;

static void side_cfg_init(side_cfg *sc, bench_mode mode, tls_stream_role role)
{
    if (bench_config_new(&sc->ours, mode, role, NULL) != TLS_STREAM_OK ||
        tls_stream_config_set_timeout(sc->ours, SOCK_TIMEOUT_MS) != TLS_STREAM_OK)
        bench_die("socket bench: configuration failed");
    if (raw_config_init(&sc->raw, mode, role) != 0)
        bench_die("socket bench: raw configuration failed");
}

static void side_cfg_free(side_cfg *sc)
{
    tls_stream_config_free(sc->ours);
    raw_config_free(&sc->raw);
}

static void end_open(end *e, int ours, side_cfg *sc, int fd, int count)
{
    tls_stream_io inner = ours ? tls_stream_io_fd_borrow(fd) : bench_blocking_io(fd);
    e->ours = ours;
    e->io = count ? counting(&e->count, inner) : inner;
    if (ours) {
        if (tls_stream_new(&e->s, sc->ours, &e->io) != TLS_STREAM_OK)
            bench_die("socket bench: tls_stream_new failed");
    } else if (raw_conn_init(&e->rc, &sc->raw, &e->io) != 0) {
        bench_die("socket bench: raw_conn_init failed");
    }
}

static void end_close(end *e)
{
    if (e->ours)
        tls_stream_free(e->s);
    else
        raw_conn_free(&e->rc);
}

static int end_handshake(end *e)
{
    if (e->ours)
        return tls_stream_handshake(e->s);
    return raw_handshake(&e->rc);
}

static int end_write_all(end *e, const unsigned char *buf, size_t len)
{
    while (len > 0) {
        int n = e->ours ? tls_stream_write(e->s, buf, len) : raw_write(&e->rc, buf, len);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read total bytes into a buffer of size bytes, reused. */
static int end_drain(end *e, unsigned char *buf, size_t size, size_t total)
{
    while (total > 0) {
        int n = e->ours ? tls_stream_read(e->s, buf, total < size ? total : size)
                        : raw_read(&e->rc, buf, total < size ? total : size);
        if (n <= 0)
            return -1;
        total -= (size_t)n;
    }
    return 0;
}

static int end_read_exact(end *e, unsigned char *buf, size_t len)
{
    while (len > 0) {
        int n = e->ours ? tls_stream_read(e->s, buf, len) : raw_read(&e->rc, buf, len);
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ------------------------------------------------------------ a run */

typedef enum sock_kind { SK_HANDSHAKE = 0, SK_STREAM, SK_RR } sock_kind;

typedef struct sock_case {
    sock_kind kind;
    bench_mode mode;
    size_t msg;    /* stream: message size */
    long n;        /* handshakes, messages or round trips per repetition */
    side_cfg cli, srv;
    /* filled by a run */
    int ours, count;
    unsigned long calls[2]; /* counting run: client, server */
    double *lat;   /* rr: per round trip latency (s) */
} sock_case;

typedef struct server_job {
    sock_case *sc;
    int *fds;      /* one per connection (handshake runs) or one */
    long conns;
    int rc;
} server_job;

static long runs(const sock_case *sc)
{
    return g_opts.warmup && sc->n >= 8 ? sc->n / 4 : sc->n;
}

static void *server_main(void *arg)
{
    server_job *j = arg;
    sock_case *sc = j->sc;
    unsigned char *buf = malloc(16384);
    long i, k;
    j->rc = buf == NULL ? -1 : 0;
    for (i = 0; i < j->conns && j->rc == 0; i++) {
        end e;
        end_open(&e, sc->ours, &sc->srv, j->fds[i], sc->count);
        if (end_handshake(&e) != 0)
            j->rc = -1;
        if (j->rc == 0 && sc->kind == SK_STREAM)
            j->rc = end_drain(&e, buf, 16384, (size_t)runs(sc) * sc->msg);
        for (k = 0; j->rc == 0 && sc->kind == SK_RR && k < runs(sc); k++) {
            if (end_read_exact(&e, buf, RR_SIZE) != 0 || end_write_all(&e, buf, RR_SIZE) != 0)
                j->rc = -1;
        }
        if (sc->count)
            sc->calls[1] += e.count.calls;
        end_close(&e);
    }
    free(buf);
    return NULL;
}

/* The client side of one connection (after its handshake). */
static int client_traffic(sock_case *sc, end *e)
{
    unsigned char buf[1400], back[RR_SIZE];
    long k;
    memset(buf, 0x5a, sizeof buf);
    for (k = 0; sc->kind == SK_STREAM && k < runs(sc); k++) {
        if (end_write_all(e, buf, sc->msg) != 0)
            return -1;
    }
    for (k = 0; sc->kind == SK_RR && k < runs(sc); k++) {
        double t = bench_now();
        if (end_write_all(e, buf, RR_SIZE) != 0 || end_read_exact(e, back, RR_SIZE) != 0)
            return -1;
        if (sc->lat != NULL)
            sc->lat[k] = bench_now() - t;
    }
    return 0;
}

/* One repetition; returns its rate (per second of bench_clock()). */
static double run(sock_case *sc, int ours)
{
    long conns = sc->kind == SK_HANDSHAKE ? runs(sc) : 1, i;
    int *fds = malloc(sizeof(int) * 2 * (size_t)conns);
    server_job job;
    pthread_t th;
    double t0, t1;
    int rc = 0;

    if (fds == NULL)
        bench_die("socket bench: out of memory");
    for (i = 0; i < conns; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            bench_die("socketpair failed");
        fds[i] = sv[0];
        fds[conns + i] = sv[1];
    }
    sc->ours = ours;
    job.sc = sc;
    job.fds = fds + conns;
    job.conns = conns;
    if (pthread_create(&th, NULL, server_main, &job) != 0)
        bench_die("pthread_create failed");
    t0 = 0;
    for (i = 0; i < conns && rc == 0; i++) {
        end e;
        if (i == 0 && sc->kind == SK_HANDSHAKE)
            t0 = bench_clock();
        end_open(&e, ours, &sc->cli, fds[i], sc->count);
        rc = end_handshake(&e);
        if (rc == 0 && sc->kind != SK_HANDSHAKE) {
            t0 = bench_clock();
            rc = client_traffic(sc, &e);
        }
        if (sc->count)
            sc->calls[0] += e.count.calls;
        end_close(&e);
    }
    pthread_join(th, NULL);
    t1 = bench_clock();
    for (i = 0; i < 2 * conns; i++)
        close(fds[i]);
    free(fds);
    if (rc != 0 || job.rc != 0)
        bench_die("socket bench: a %s run failed", ours ? "tls_stream" : "raw");
    return (double)runs(sc) / (t1 - t0);
}

static double raw_run(void *arg)
{
    return run(arg, 0);
}

static double ours_run(void *arg)
{
    return run(arg, 1);
}

/* Transport calls of both ends in an untimed run of n units. */
static void calls_of(sock_case *sc, int ours, long n, unsigned long calls[2])
{
    long saved = sc->n;
    sc->n = n;
    sc->count = 1;
    sc->calls[0] = sc->calls[1] = 0;
    (void)run(sc, ours);
    sc->count = 0;
    sc->n = saved;
    calls[0] = sc->calls[0];
    calls[1] = sc->calls[1];
}

/* Transport calls per unit on both ends: per handshake, or per round trip
 * (a run of n round trips less a run of none: the handshake's calls). */
static void count_calls(sock_case *sc, int ours, double *cli, double *srv)
{
    unsigned long with[2], without[2] = {0, 0};
    calls_of(sc, ours, sc->n, with);
    if (sc->kind != SK_HANDSHAKE)
        calls_of(sc, ours, 0, without);
    *cli = (double)(with[0] - without[0]) / (double)sc->n;
    *srv = (double)(with[1] - without[1]) / (double)sc->n;
}

static void calls_row(sock_case *sc, const char *what)
{
    char name[96], raw[48], ours[48];
    double rc, rs, oc, os;
    count_calls(sc, 0, &rc, &rs);
    count_calls(sc, 1, &oc, &os);
    snprintf(name, sizeof name, "  transport calls per %s (client+server)", what);
    snprintf(raw, sizeof raw, "%.1f+%.1f", rc, rs);
    snprintf(ours, sizeof ours, "%.1f+%.1f", oc, os);
    bench_row_text(name, raw, ours, "= syscalls on blocking sockets");
}

static void case_init(sock_case *sc, sock_kind kind, bench_mode mode, size_t msg, long n)
{
    memset(sc, 0, sizeof *sc);
    sc->kind = kind;
    sc->mode = mode;
    sc->msg = msg;
    sc->n = n;
    side_cfg_init(&sc->cli, mode, TLS_STREAM_CLIENT);
    side_cfg_init(&sc->srv, mode, TLS_STREAM_SERVER);
}

static void case_free(sock_case *sc)
{
    side_cfg_free(&sc->cli);
    side_cfg_free(&sc->srv);
}

static void handshake_rows(void)
{
    static const bench_mode modes[] = {BENCH_PSK_GCM, BENCH_ECDSA_GCM};
    size_t m;
    bench_section("Full handshakes over a socketpair, fd transport (handshakes/s)", "handshake");
    for (m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        sock_case sc;
        double raw, ours, ratio;
        char name[96];
        long n = modes[m] == BENCH_PSK_GCM ? 400 : 60;
        case_init(&sc, SK_HANDSHAKE, modes[m], 0, g_opts.quick ? n / 2 : n);
        bench_interleave(raw_run, ours_run, &sc, g_opts.reps, &raw, &ours, &ratio);
        snprintf(name, sizeof name, "%s", bench_mode_name(modes[m]));
        bench_row_ratio(name, raw, ours, ratio, 0.97);
        sc.n = 20;
        calls_row(&sc, "handshake");
        case_free(&sc);
    }
}

static void stream_rows(void)
{
    static const size_t sizes[] = {16, 64, 256, 1400};
    size_t i;
    bench_section("One-way streaming over a socketpair, one write per message (records/s)",
                  "message size");
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        sock_case sc;
        double raw, ours, ratio;
        char name[64];
        case_init(&sc, SK_STREAM, BENCH_PSK_GCM, sizes[i], g_opts.quick ? 20000 : 100000);
        bench_interleave(raw_run, ours_run, &sc, g_opts.reps, &raw, &ours, &ratio);
        snprintf(name, sizeof name, "%zu-byte messages", sizes[i]);
        bench_row_ratio(name, raw, ours, ratio, sizes[i] == 64 ? 0.97 : 0);
        case_free(&sc);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double percentile(double *v, long n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[(long)(p * (double)(n - 1))];
}

static void rr_rows(void)
{
    sock_case sc;
    double raw, ours, ratio, lat[2][2];
    char name[64], r[48], o[48];
    int ours_side;
    long n = g_opts.quick ? 5000 : 20000;
    bench_section("64-byte request/response over a socketpair (round trips/s)", "exchange");
    case_init(&sc, SK_RR, BENCH_PSK_GCM, RR_SIZE, n);
    bench_interleave(raw_run, ours_run, &sc, g_opts.reps, &raw, &ours, &ratio);
    bench_row_ratio("64-byte request/response", raw, ours, ratio, 0.97);
    /* latency: one more run each, every round trip timed (wall clock) */
    sc.lat = malloc(sizeof(double) * (size_t)n);
    if (sc.lat == NULL)
        bench_die("out of memory");
    for (ours_side = 0; ours_side < 2; ours_side++) {
        (void)run(&sc, ours_side);
        lat[ours_side][0] = percentile(sc.lat, n, 0.50) * 1e6;
        lat[ours_side][1] = percentile(sc.lat, n, 0.99) * 1e6;
    }
    free(sc.lat);
    sc.lat = NULL;
    snprintf(name, sizeof name, "  latency p50 / p99 (us, wall clock)");
    snprintf(r, sizeof r, "%.1f / %.1f", lat[0][0], lat[0][1]);
    snprintf(o, sizeof o, "%.1f / %.1f", lat[1][0], lat[1][1]);
    bench_row_text(name, r, o, "");
    sc.n = 1000;
    calls_row(&sc, "round trip");
    case_free(&sc);
}

void bench_socket(void)
{
    handshake_rows();
    stream_rows();
    rr_rows();
}
