/*
 * tls_bench: tls_stream's side of the resumed-handshake rows, mirroring
 * raw_resumed() in bench_handshake.c: the server configuration issues
 * tickets (tls_stream_config_set_session_tickets) or keeps a session cache
 * (tls_stream_config_set_session_cache) with the same lifetime and size as the raw
 * server; one full handshake, tls_stream_session_save(); then each timed
 * handshake creates both streams, tls_stream_session_load() on the client,
 * runs the handshake, checks tls_stream_resumed() and frees both.
 */
#include "bench.h"
#include "tls_stream/mem_pipe.h"

#define LIFETIME_S 86400
#define CACHE_ENTRIES 50 /* mbedtls's default, as the raw server uses */

int bench_resume_ours_available(const char **why)
{
    *why = "";
    return 0;
}

static void pair(tls_stream_config *cc, tls_stream_config *sc, const tls_stream_io *io0, const tls_stream_io *io1,
                 const unsigned char *session, size_t session_len, int expect_resumed)
{
    tls_stream *c, *s;
    int crc, src;
    if (tls_stream_new(&c, cc, io0) != TLS_STREAM_OK || tls_stream_new(&s, sc, io1) != TLS_STREAM_OK)
        bench_die("resumption: stream_new failed");
    if (session != NULL && tls_stream_session_load(c, session, session_len) != TLS_STREAM_OK)
        bench_die("resumption: session_load failed");
    if (bench_handshake_pair(c, s, 1000, &crc, &src) != 0)
        bench_die("resumption: handshake failed: %s / %s", tls_stream_strerror(crc),
                  tls_stream_strerror(src));
    if (tls_stream_resumed(c) != expect_resumed)
        bench_die("resumption: resumed flag %d, expected %d", tls_stream_resumed(c),
                  expect_resumed);
    tls_stream_free(c);
    tls_stream_free(s);
}

double bench_resume_ours_run(bench_mode mode, raw_resume kind, int n)
{
    tls_stream_config *cc, *sc;
    tls_stream_mem_pipe *p;
    tls_stream_io io0, io1;
    tls_stream *c = NULL;
    unsigned char blob[4096];
    size_t blob_len = 0;
    double t0, t1;
    int i, rc;

    if (bench_config_new(&cc, mode, TLS_STREAM_CLIENT, NULL) != TLS_STREAM_OK ||
        bench_config_new(&sc, mode, TLS_STREAM_SERVER, NULL) != TLS_STREAM_OK)
        bench_die("resumption: config failed");
    rc = kind == RAW_RESUME_TICKETS ? tls_stream_config_set_session_tickets(sc, LIFETIME_S)
                                    : tls_stream_config_set_session_cache(sc, CACHE_ENTRIES, LIFETIME_S);
    if (rc != TLS_STREAM_OK || tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, tls_test_allocator()) != TLS_STREAM_OK)
        bench_die("resumption: setup failed (%s)", tls_stream_strerror(rc));
    io0 = bench_pipe_io_noclose(p, 0);
    io1 = bench_pipe_io_noclose(p, 1);

    /* the first, full handshake: keep its session */
    {
        tls_stream *s;
        int crc, src;
        if (tls_stream_new(&c, cc, &io0) != TLS_STREAM_OK || tls_stream_new(&s, sc, &io1) != TLS_STREAM_OK)
            bench_die("resumption: stream_new failed");
        if (bench_handshake_pair(c, s, 0, &crc, &src) != 0)
            bench_die("resumption: first handshake failed");
        if (tls_stream_session_save(c, blob, sizeof blob, &blob_len) != TLS_STREAM_OK)
            bench_die("resumption: session_save failed");
        tls_stream_free(c);
        tls_stream_free(s);
    }

    t0 = bench_clock();
    for (i = 0; i < n; i++)
        pair(cc, sc, &io0, &io1, blob, blob_len, 1);
    t1 = bench_clock();
    if (tls_stream_mem_pipe_buffered(p, 0) != 0 || tls_stream_mem_pipe_buffered(p, 1) != 0)
        bench_die("resumption left bytes in the pipe");
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    tls_stream_mem_pipe_free(p);
    return n / (t1 - t0);
}
