/*
 * tls_bench: handshakes per second, client and server in one thread over a
 * memory pipe (non-blocking, stepped alternately). One handshake = create
 * both connections, run the handshake, free both (no close_notify); the
 * configurations are built once per repetition, untimed. The pipe is reused:
 * after a handshake it is empty.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "tls_stream/mem_pipe.h"

typedef struct hs_case {
    bench_mode mode;
    raw_resume resume; /* RAW_RESUME_NONE: full handshakes */
    int n;             /* handshakes per repetition (calibrated) */
} hs_case;

/* Handshakes of one run (a quarter for the warm-up). */
static int runs(const hs_case *hc)
{
    return g_opts.warmup && hc->n >= 8 ? hc->n / 4 : hc->n;
}

static tls_stream_mem_pipe *new_pipe(void)
{
    tls_stream_mem_pipe *p;
    if (tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, tls_test_allocator()) != TLS_STREAM_OK)
        bench_die("pipe: out of memory");
    return p;
}

static void check_empty(tls_stream_mem_pipe *p)
{
    if (tls_stream_mem_pipe_buffered(p, 0) != 0 || tls_stream_mem_pipe_buffered(p, 1) != 0)
        bench_die("handshake left bytes in the pipe");
}

/* ------------------------------------------------------------ raw side */

static int raw_pair_handshake(raw_conn *c, raw_conn *s)
{
    int crc = TLS_STREAM_WANT_READ, src = TLS_STREAM_WANT_READ, steps = 0;
    while (crc != 0 || src != 0) {
        if (crc != 0)
            crc = raw_handshake(c);
        if (src != 0)
            src = raw_handshake(s);
        if ((crc != 0 && !bench_is_want(crc)) || (src != 0 && !bench_is_want(src)) || ++steps > 1000) {
            fprintf(stderr, "raw handshake: -0x%x / -0x%x\n", -crc, -src);
            return -1;
        }
    }
    return 0;
}

static double raw_full(void *arg)
{
    hs_case *hc = arg;
    raw_config rcc, rsc;
    raw_conn c, s;
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    const int n = runs(hc);
    double t0, t1;
    int i;

    if (raw_config_init(&rcc, hc->mode, TLS_STREAM_CLIENT) != 0 ||
        raw_config_init(&rsc, hc->mode, TLS_STREAM_SERVER) != 0)
        bench_die("raw handshake: config failed");
    t0 = bench_clock();
    for (i = 0; i < n; i++) {
        if (raw_conn_init(&c, &rcc, &io0) != 0 || raw_conn_init(&s, &rsc, &io1) != 0 ||
            raw_pair_handshake(&c, &s) != 0)
            bench_die("raw handshake failed");
        raw_conn_free(&c);
        raw_conn_free(&s);
    }
    t1 = bench_clock();
    check_empty(p);
    raw_config_free(&rcc);
    raw_config_free(&rsc);
    tls_stream_mem_pipe_free(p);
    return n / (t1 - t0);
}

/* Resumed handshakes: one full handshake saves the session, then n
 * handshakes resume it (the client's verify callback proves it: a resumed
 * handshake verifies no certificate). */
static double raw_resumed(void *arg)
{
    hs_case *hc = arg;
    raw_config rcc, rsc;
    raw_resume_state st;
    raw_conn c, s;
    mbedtls_ssl_session sess;
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    unsigned long verified;
    const int n = runs(hc);
    double t0, t1;
    int i;

    mbedtls_ssl_session_init(&sess);
    if (raw_config_init(&rcc, hc->mode, TLS_STREAM_CLIENT) != 0 ||
        raw_config_init(&rsc, hc->mode, TLS_STREAM_SERVER) != 0 ||
        raw_config_resume(&rcc, NULL, hc->resume) != 0 ||
        raw_config_resume(&rsc, &st, hc->resume) != 0)
        bench_die("raw resumption: config failed");
    if (raw_conn_init(&c, &rcc, &io0) != 0 || raw_conn_init(&s, &rsc, &io1) != 0 ||
        raw_pair_handshake(&c, &s) != 0 || mbedtls_ssl_get_session(&c.ssl, &sess) != 0)
        bench_die("raw resumption: first handshake failed");
    raw_conn_free(&c);
    raw_conn_free(&s);
    verified = rcc.verify_calls;

    t0 = bench_clock();
    for (i = 0; i < n; i++) {
        if (raw_conn_init(&c, &rcc, &io0) != 0 || raw_conn_init(&s, &rsc, &io1) != 0 ||
            mbedtls_ssl_set_session(&c.ssl, &sess) != 0 || raw_pair_handshake(&c, &s) != 0)
            bench_die("raw resumed handshake failed");
        raw_conn_free(&c);
        raw_conn_free(&s);
    }
    t1 = bench_clock();
    if (rcc.verify_calls != verified && !bench_mode_is_psk(hc->mode))
        bench_die("raw resumption: %lu handshakes were full, not resumed",
                  rcc.verify_calls - verified);
    check_empty(p);
    mbedtls_ssl_session_free(&sess);
    raw_resume_free(&st);
    raw_config_free(&rcc);
    raw_config_free(&rsc);
    tls_stream_mem_pipe_free(p);
    return n / (t1 - t0);
}

/* ----------------------------------------------------------- our side */

static double ours_full(void *arg)
{
    hs_case *hc = arg;
    tls_stream_config *cc, *sc;
    tls_stream *c, *s;
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    const int n = runs(hc);
    double t0, t1;
    int i;

    if (bench_config_new(&cc, hc->mode, TLS_STREAM_CLIENT, NULL) != TLS_STREAM_OK ||
        bench_config_new(&sc, hc->mode, TLS_STREAM_SERVER, NULL) != TLS_STREAM_OK)
        bench_die("handshake: config failed");
    t0 = bench_clock();
    for (i = 0; i < n; i++) {
        int crc, src;
        if (tls_stream_new(&c, cc, &io0) != TLS_STREAM_OK || tls_stream_new(&s, sc, &io1) != TLS_STREAM_OK)
            bench_die("handshake: stream_new failed");
        if (bench_handshake_pair(c, s, 1000, &crc, &src) != 0)
            bench_die("handshake failed: %s / %s", tls_stream_strerror(crc), tls_stream_strerror(src));
        tls_stream_free(c);
        tls_stream_free(s);
    }
    t1 = bench_clock();
    check_empty(p);
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    tls_stream_mem_pipe_free(p);
    return n / (t1 - t0);
}

static double ours_resumed(void *arg)
{
    hs_case *hc = arg;
    return bench_resume_ours_run(hc->mode, hc->resume, runs(hc));
}

/* ------------------------------------------------------------ sections */

/* Handshakes per repetition so that one takes about hs_seconds. */
static void calibrate(hs_case *hc, double (*raw)(void *))
{
    double rate;
    hc->n = 4;
    rate = raw(hc);
    hc->n = (int)(rate * g_opts.hs_seconds);
    if (hc->n < 4)
        hc->n = 4;
}

void bench_handshakes(void)
{
    static const bench_mode modes[] = { BENCH_PSK_GCM, BENCH_ECDHE_PSK_CHACHA, BENCH_ECDSA_GCM };
    static const char *const names[] = { "full handshake, PSK (AES128-GCM)",
                                         "full handshake, ECDHE-PSK P-256 (CHACHA20)",
                                         "full handshake, ECDHE-ECDSA P-256 (AES128-GCM)" };
    char title[160];
    size_t i;

    snprintf(title, sizeof title,
             "Handshakes per second, client+server in one thread, memory pipe, %d runs each",
             g_opts.reps);
    bench_section(title, "handshakes/s");
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        hs_case hc;
        double r, o, q;
        char name[96];
        hc.mode = modes[i];
        hc.resume = RAW_RESUME_NONE;
        calibrate(&hc, raw_full);
        snprintf(name, sizeof name, "%s x%d", names[i], hc.n);
        bench_interleave(raw_full, ours_full, &hc, g_opts.reps, &r, &o, &q);
        bench_row_ratio(name, r, o, q, 0.95);
    }
}

void bench_resumed(void)
{
    static const raw_resume kinds[] = { RAW_RESUME_TICKETS, RAW_RESUME_CACHE };
    static const char *const names[] = { "resumed, session ticket, ECDHE-ECDSA",
                                         "resumed, session cache, ECDHE-ECDSA" };
    const char *why = NULL;
    int ours_ok = bench_resume_ours_available(&why) == 0;
    size_t i;

    bench_section("Resumed handshakes per second (abbreviated handshake, same setup)",
                  "handshakes/s");
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        hs_case hc;
        char name[96];
        hc.mode = BENCH_ECDSA_GCM;
        hc.resume = kinds[i];
        calibrate(&hc, raw_resumed);
        snprintf(name, sizeof name, "%s x%d", names[i], hc.n);
        if (ours_ok) {
            double r, o, q;
            bench_interleave(raw_resumed, ours_resumed, &hc, g_opts.reps, &r, &o, &q);
            bench_row_ratio(name, r, o, q, 0.95);
        } else {
            double v[64];
            char raw[32];
            int k, reps = g_opts.reps > 64 ? 64 : g_opts.reps;
            for (k = 0; k < reps; k++)
                v[k] = raw_resumed(&hc);
            snprintf(raw, sizeof raw, "%.1f", bench_median(v, reps));
            bench_row_text(name, raw, "n/a", why);
        }
    }
}
