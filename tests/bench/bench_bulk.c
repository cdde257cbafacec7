/*
 * tls_bench: bulk throughput, one direction (client -> server).
 *
 * Memory pipe: one thread steps both ends in non-blocking mode (the writer
 * writes until the pipe is full, the reader drains it). Socketpair: the
 * server reads in its own thread, both ends blocking. The timed part starts
 * after the handshake and ends when the reader has every byte; setup and
 * teardown are not timed. Both sides write records of BENCH_CHUNK bytes and
 * read into a BENCH_CHUNK buffer.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/posix.h"
#include "tls_stream/ussl.h"

typedef enum transport { T_PIPE = 0, T_SOCK } transport;

typedef struct bulk_case {
    bench_mode mode;
    transport tr;
    int ussl; /* tls_stream side runs through the ussl wrapper */
} bulk_case;

static unsigned char wbuf[BENCH_CHUNK];

/* Bytes of one run (an eighth of it for the warm-up). */
static size_t bulk_total(void)
{
    return g_opts.warmup ? g_opts.bulk_bytes / 8 : g_opts.bulk_bytes;
}

static double mibps(size_t bytes, double secs)
{
    return secs > 0 ? (double)bytes / (1024.0 * 1024.0) / secs : 0.0;
}

static size_t min_sz(size_t a, size_t b)
{
    return a < b ? a : b;
}

/* --------------------------------------------------------- memory pipe */

static double ours_pipe(const bulk_case *bc)
{
    tls_stream_config *cc, *sc;
    tls_stream_mem_pipe *p;
    tls_stream *c, *s;
    tls_stream_io io0, io1;
    unsigned char *rbuf = malloc(BENCH_CHUNK);
    size_t total = bulk_total(), sent = 0, got = 0;
    int rc, crc, src, flushed = 0;
    double t0, t1;

    if (rbuf == NULL || bench_config_new(&cc, bc->mode, TLS_STREAM_CLIENT, NULL) != TLS_STREAM_OK ||
        bench_config_new(&sc, bc->mode, TLS_STREAM_SERVER, NULL) != TLS_STREAM_OK ||
        tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, tls_test_allocator()) != TLS_STREAM_OK)
        bench_die("pipe bulk: setup failed");
    io0 = tls_stream_mem_pipe_io(p, 0);
    io1 = tls_stream_mem_pipe_io(p, 1);
    if (tls_stream_new(&c, cc, &io0) != TLS_STREAM_OK || tls_stream_new(&s, sc, &io1) != TLS_STREAM_OK)
        bench_die("pipe bulk: stream_new failed");
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    if (bench_handshake_pair(c, s, 1000, &crc, &src) != 0)
        bench_die("pipe bulk: handshake failed (%d/%d)", crc, src);

    t0 = bench_clock();
    while (got < total) {
        while (sent < total) {
            rc = tls_stream_write(c, wbuf, min_sz(BENCH_CHUNK, total - sent));
            if (rc > 0)
                sent += (size_t)rc;
            else if (bench_is_want(rc))
                break;
            else
                bench_die("pipe bulk: write %d", rc);
        }
        if (sent == total && !flushed) {
            rc = tls_stream_flush(c);
            if (rc == TLS_STREAM_OK)
                flushed = 1;
            else if (!bench_is_want(rc))
                bench_die("pipe bulk: flush %d", rc);
        }
        for (;;) {
            rc = tls_stream_read(s, rbuf, BENCH_CHUNK);
            if (rc > 0)
                got += (size_t)rc;
            else if (bench_is_want(rc))
                break;
            else
                bench_die("pipe bulk: read %d", rc);
        }
    }
    t1 = bench_clock();
    tls_stream_free(c);
    tls_stream_free(s);
    tls_stream_mem_pipe_free(p);
    free(rbuf);
    return mibps(total, t1 - t0);
}

static double raw_pipe(const bulk_case *bc)
{
    raw_config rcc, rsc;
    raw_conn c, s;
    tls_stream_mem_pipe *p;
    tls_stream_io io0, io1;
    unsigned char *rbuf = malloc(BENCH_CHUNK);
    size_t total = bulk_total(), sent = 0, got = 0;
    int rc, crc = TLS_STREAM_WANT_READ, src = TLS_STREAM_WANT_READ, steps = 0;
    double t0, t1;

    if (rbuf == NULL || raw_config_init(&rcc, bc->mode, TLS_STREAM_CLIENT) != 0 ||
        raw_config_init(&rsc, bc->mode, TLS_STREAM_SERVER) != 0 ||
        tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, tls_test_allocator()) != TLS_STREAM_OK)
        bench_die("raw pipe bulk: setup failed");
    io0 = tls_stream_mem_pipe_io(p, 0);
    io1 = tls_stream_mem_pipe_io(p, 1);
    if (raw_conn_init(&c, &rcc, &io0) != 0 || raw_conn_init(&s, &rsc, &io1) != 0)
        bench_die("raw pipe bulk: conn init failed");
    while (crc != 0 || src != 0) {
        if (crc != 0)
            crc = raw_handshake(&c);
        if (src != 0)
            src = raw_handshake(&s);
        if ((crc != 0 && !bench_is_want(crc)) || (src != 0 && !bench_is_want(src)) ||
            ++steps > 1000)
            bench_die("raw pipe bulk: handshake failed (-0x%x/-0x%x)", -crc, -src);
    }

    t0 = bench_clock();
    while (got < total) {
        while (sent < total) {
            /* after a WANT, mbedtls wants the same arguments again: it gets them */
            rc = raw_write(&c, wbuf, min_sz(BENCH_CHUNK, total - sent));
            if (rc > 0)
                sent += (size_t)rc;
            else if (bench_is_want(rc))
                break;
            else
                bench_die("raw pipe bulk: write -0x%x", -rc);
        }
        for (;;) {
            rc = raw_read(&s, rbuf, BENCH_CHUNK);
            if (rc > 0)
                got += (size_t)rc;
            else if (bench_is_want(rc))
                break;
            else
                bench_die("raw pipe bulk: read -0x%x", -rc);
        }
    }
    t1 = bench_clock();
    raw_conn_free(&c);
    raw_conn_free(&s);
    raw_config_free(&rcc);
    raw_config_free(&rsc);
    tls_stream_mem_pipe_free(p);
    free(rbuf);
    return mibps(total, t1 - t0);
}

/* ----------------------------------------------------------- socketpair */

typedef struct sock_job {
    const bulk_case *bc;
    int fd;
    pthread_barrier_t *ready;
    /* server end, one of: */
    tls_stream *s;
    raw_conn *raw;
    ussl_socket *u;
    int status;
} sock_job;

/* Read everything on the server end, whichever API it is. */
static void *sock_reader(void *arg)
{
    sock_job *j = arg;
    unsigned char *rbuf = malloc(BENCH_CHUNK);
    size_t total = bulk_total(), got = 0;
    int rc;

    j->status = -1;
    if (rbuf == NULL)
        return NULL;
    if (j->raw == NULL && j->bc->ussl) {
        static const char hex[] = "0123456789abcdef";
        char table[256];
        size_t i, n = (size_t)snprintf(table, sizeof table, "%s:", g_psk_identity);
        ussl_opts o;
        ussl_error err;
        tls_stream_io io = tls_stream_io_fd(j->fd);
        ussl_opts_init(&o);
        for (i = 0; i < sizeof g_psk_key; i++) {
            table[n++] = hex[g_psk_key[i] >> 4];
            table[n++] = hex[g_psk_key[i] & 15];
        }
        table[n++] = '\n';
        o.server_side = 1;
        o.backend = bench_backend();
        o.alloc = tls_test_allocator();
        o.psk_table.data = table;
        o.psk_table.len = n;
        rc = ussl_wrap_socket(&io, &o, &j->u, &err);
        if (rc != 0) {
            fprintf(stderr, "ussl server: %s\n", err.msg);
            pthread_barrier_wait(j->ready);
            free(rbuf);
            return NULL;
        }
    } else if (j->s != NULL) {
        rc = tls_stream_handshake(j->s);
    } else {
        do
            rc = raw_handshake(j->raw);
        while (bench_is_want(rc));
    }
    pthread_barrier_wait(j->ready);
    if (rc != 0) {
        free(rbuf);
        return NULL;
    }
    while (got < total) {
        if (j->u != NULL)
            rc = ussl_read(j->u, rbuf, BENCH_CHUNK);
        else if (j->s != NULL)
            rc = tls_stream_read(j->s, rbuf, BENCH_CHUNK);
        else
            rc = raw_read(j->raw, rbuf, BENCH_CHUNK);
        if (rc <= 0)
            break;
        got += (size_t)rc;
    }
    j->status = got == total ? 0 : rc;
    free(rbuf);
    return NULL;
}

static double ours_sock(const bulk_case *bc)
{
    tls_stream_config *cc = NULL, *sc = NULL;
    tls_stream *c = NULL, *s = NULL;
    ussl_socket *u = NULL;
    tls_stream_io io0, io1;
    int fds[2], rc = 0;
    size_t total = bulk_total(), sent = 0;
    pthread_barrier_t ready;
    pthread_t th;
    sock_job job;
    double t0, t1;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        bench_die("socketpair failed");
    io0 = tls_stream_io_fd(fds[0]);
    io1 = tls_stream_io_fd(fds[1]);
    memset(&job, 0, sizeof job);
    job.bc = bc;
    job.fd = fds[1];
    job.ready = &ready;
    if (bc->ussl) {
        bench_shim_next(bc->mode); /* both ussl configurations get the suite */
    } else {
        if (bench_config_new(&cc, bc->mode, TLS_STREAM_CLIENT, NULL) != TLS_STREAM_OK ||
            bench_config_new(&sc, bc->mode, TLS_STREAM_SERVER, NULL) != TLS_STREAM_OK ||
            tls_stream_new(&c, cc, &io0) != TLS_STREAM_OK || tls_stream_new(&s, sc, &io1) != TLS_STREAM_OK)
            bench_die("sock bulk: setup failed");
        tls_stream_config_free(cc);
        tls_stream_config_free(sc);
        job.s = s;
    }
    pthread_barrier_init(&ready, NULL, 2);
    if (pthread_create(&th, NULL, sock_reader, &job) != 0)
        bench_die("pthread_create failed");
    if (bc->ussl) {
        ussl_opts o;
        ussl_error err;
        ussl_opts_init(&o);
        o.backend = bench_backend();
        o.alloc = tls_test_allocator();
        o.psk_ident = g_psk_identity;
        o.psk_ident_len = strlen(g_psk_identity);
        o.psk_key = g_psk_key;
        o.psk_key_len = sizeof g_psk_key;
        rc = ussl_wrap_socket(&io0, &o, &u, &err);
        if (rc != 0)
            fprintf(stderr, "ussl client: %s\n", err.msg);
    } else {
        rc = tls_stream_handshake(c);
    }
    pthread_barrier_wait(&ready);
    bench_shim_clear();
    if (rc != 0)
        bench_die("sock bulk: handshake failed (%d)", rc);

    t0 = bench_clock();
    while (sent < total) {
        size_t n = min_sz(BENCH_CHUNK, total - sent);
        rc = u != NULL ? ussl_write(u, wbuf, n) : tls_stream_write(c, wbuf, n);
        if (rc <= 0)
            bench_die("sock bulk: write %d", rc);
        sent += (size_t)rc;
    }
    pthread_join(th, NULL);
    t1 = bench_clock();
    if (job.status != 0)
        bench_die("sock bulk: reader failed (%d)", job.status);
    pthread_barrier_destroy(&ready);
    if (u != NULL) {
        ussl_free(u);
        ussl_free(job.u);
    } else {
        tls_stream_free(c);
        tls_stream_free(s);
    }
    return mibps(total, t1 - t0);
}

static double raw_sock(const bulk_case *bc)
{
    raw_config rcc, rsc;
    raw_conn c, s;
    tls_stream_io io0, io1;
    int fds[2], rc;
    size_t total = bulk_total(), sent = 0;
    pthread_barrier_t ready;
    pthread_t th;
    sock_job job;
    double t0, t1;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        bench_die("socketpair failed");
    io0 = bench_blocking_io(fds[0]);
    io1 = bench_blocking_io(fds[1]);
    if (raw_config_init(&rcc, bc->mode, TLS_STREAM_CLIENT) != 0 ||
        raw_config_init(&rsc, bc->mode, TLS_STREAM_SERVER) != 0 ||
        raw_conn_init(&c, &rcc, &io0) != 0 || raw_conn_init(&s, &rsc, &io1) != 0)
        bench_die("raw sock bulk: setup failed");
    memset(&job, 0, sizeof job);
    job.bc = bc;
    job.raw = &s;
    job.ready = &ready;
    pthread_barrier_init(&ready, NULL, 2);
    if (pthread_create(&th, NULL, sock_reader, &job) != 0)
        bench_die("pthread_create failed");
    do
        rc = raw_handshake(&c);
    while (bench_is_want(rc));
    pthread_barrier_wait(&ready);
    if (rc != 0)
        bench_die("raw sock bulk: handshake failed (-0x%x)", -rc);

    t0 = bench_clock();
    while (sent < total) {
        rc = raw_write(&c, wbuf, min_sz(BENCH_CHUNK, total - sent));
        if (rc <= 0)
            bench_die("raw sock bulk: write -0x%x", -rc);
        sent += (size_t)rc;
    }
    pthread_join(th, NULL);
    t1 = bench_clock();
    if (job.status != 0)
        bench_die("raw sock bulk: reader failed (%d)", job.status);
    pthread_barrier_destroy(&ready);
    raw_conn_free(&c);
    raw_conn_free(&s);
    raw_config_free(&rcc);
    raw_config_free(&rsc);
    close(fds[0]);
    close(fds[1]);
    return mibps(total, t1 - t0);
}

static double run_raw(void *arg)
{
    const bulk_case *bc = arg;
    return bc->tr == T_PIPE ? raw_pipe(bc) : raw_sock(bc);
}

static double run_ours(void *arg)
{
    const bulk_case *bc = arg;
    return bc->tr == T_PIPE ? ours_pipe(bc) : ours_sock(bc);
}

void bench_bulk(void)
{
    static const bulk_case cases[] = {
        { BENCH_PSK_GCM, T_SOCK, 0 },
        { BENCH_PSK_GCM, T_PIPE, 0 },
        { BENCH_ECDHE_PSK_CHACHA, T_SOCK, 0 },
        { BENCH_ECDHE_PSK_CHACHA, T_PIPE, 0 },
        { BENCH_PSK_GCM, T_SOCK, 1 },
        { BENCH_ECDHE_PSK_CHACHA, T_SOCK, 1 },
    };
    char title[128], name[96];
    size_t i;

    memset(wbuf, 0xa5, sizeof wbuf);
    snprintf(title, sizeof title,
             "Bulk throughput, client -> server, %zu MiB per run, %d runs each (MiB/s, median)",
             g_opts.bulk_bytes >> 20, g_opts.reps);
    bench_section(title, "MiB/s");
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double r, o, q;
        const bulk_case *bc = &cases[i];
        snprintf(name, sizeof name, "%s %s, %s", bc->ussl ? "ussl" : "tls_stream",
                 bench_mode_name(bc->mode), bc->tr == T_PIPE ? "memory pipe" : "socketpair");
        bench_interleave(run_raw, run_ours, (void *)bc, g_opts.reps, &r, &o, &q);
        bench_row_ratio(name, r, o, q, 0.97);
    }
}
