/*
 * tls_bench: the OpenSSL backend against OpenSSL called directly, in one
 * run, and against tls_stream on mbedtls for the same rows.
 *
 * raw OpenSSL: SSL_read()/SSL_write()/SSL_do_handshake() on an SSL over a
 * minimal BIO on the same tls_stream_io memory pipe tls_stream uses, with
 * the settings our backend gives OpenSSL (suite, P-256, verification with
 * host name, PSK callbacks, no tickets, no renegotiation) and OpenSSL's
 * default modes. One thread steps both ends in non-blocking mode.
 * Heap: OpenSSL's allocations are counted through CRYPTO_set_mem_functions(),
 * installed by bench_openssl_init() before OpenSSL allocates anything; ours
 * add tls_stream's own (the counting allocator).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "bench.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/openssl.h"

/* ------------------------------------------------------------- the rows */

typedef struct osl_case {
    const char *name;
    const char *suite; /* our name; the raw side gets OpenSSL's */
    const char *raw_suite;
    int tls13, psk;
} osl_case;

static const osl_case bulk_cases[] = {
    {"TLS 1.2 ECDHE-ECDSA AES-128-GCM", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", 0, 0},
    {"TLS 1.2 ECDHE-ECDSA ChaCha20-Poly1305", "TLS-ECDHE-ECDSA-WITH-CHACHA20-POLY1305-SHA256",
     "ECDHE-ECDSA-CHACHA20-POLY1305", 0, 0},
    {"TLS 1.3 AES-128-GCM", "TLS1-3-AES-128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", 1, 0},
    {"TLS 1.3 ChaCha20-Poly1305", "TLS1-3-CHACHA20-POLY1305-SHA256",
     "TLS_CHACHA20_POLY1305_SHA256", 1, 0},
};

static const osl_case hs_cases[] = {
    {"TLS 1.2 PSK (AES-128-GCM)", "TLS-PSK-WITH-AES-128-GCM-SHA256", "PSK-AES128-GCM-SHA256", 0, 1},
    {"TLS 1.2 ECDHE-PSK (ChaCha20)", "TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256",
     "ECDHE-PSK-CHACHA20-POLY1305", 0, 1},
    {"TLS 1.2 ECDHE-ECDSA (AES-128-GCM)", "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", 0, 0},
    {"TLS 1.3 ECDHE-ECDSA (AES-128-GCM)", "TLS1-3-AES-128-GCM-SHA256", "TLS_AES_128_GCM_SHA256", 1, 0},
    {"TLS 1.3 PSK with ECDHE (AES-128-GCM)", "TLS1-3-AES-128-GCM-SHA256", "TLS_AES_128_GCM_SHA256",
     1, 1},
};

/* ------------------------------------------------- OpenSSL's allocations */

typedef struct osl_heap {
    size_t live, peak;
    unsigned long allocs;
} osl_heap;

static osl_heap g_osl_heap;

#define HDR 16 /* keeps the block's size; OpenSSL gets 16-byte aligned memory */

static void *heap_malloc(size_t n, const char *file, int line)
{
    unsigned char *p = malloc(n + HDR);

    (void)file;
    (void)line;
    if (p == NULL)
        return NULL;
    memcpy(p, &n, sizeof n);
    g_osl_heap.live += n;
    g_osl_heap.allocs++;
    if (g_osl_heap.live > g_osl_heap.peak)
        g_osl_heap.peak = g_osl_heap.live;
    return p + HDR;
}

static void heap_free(void *ptr, const char *file, int line)
{
    unsigned char *p = ptr;
    size_t n;

    (void)file;
    (void)line;
    if (p == NULL)
        return;
    memcpy(&n, p - HDR, sizeof n);
    g_osl_heap.live -= n;
    free(p - HDR);
}

static void *heap_realloc(void *ptr, size_t n, const char *file, int line)
{
    unsigned char *q;
    size_t old = 0;

    if (ptr == NULL)
        return heap_malloc(n, file, line);
    memcpy(&old, (unsigned char *)ptr - HDR, sizeof old);
    q = heap_malloc(n, file, line);
    if (q == NULL)
        return NULL;
    memcpy(q, ptr, old < n ? old : n);
    heap_free(ptr, file, line);
    return q;
}

void bench_openssl_init(void)
{
    if (!CRYPTO_set_mem_functions(heap_malloc, heap_realloc, heap_free))
        bench_die("OpenSSL allocated before the heap counter was installed");
}

/* --------------------------------------------------------- raw OpenSSL */

/* The raw baseline's BIO: the tls_stream_io, nothing more. */
static int raw_bio_write(BIO *b, const char *data, int len)
{
    const tls_stream_io *io = BIO_get_data(b);
    int n = io->write(io->ctx, (const unsigned char *)data, (size_t)len);

    BIO_clear_retry_flags(b);
    if (n > 0)
        return n;
    if (bench_is_want(n))
        BIO_set_retry_write(b);
    return -1;
}

static int raw_bio_read(BIO *b, char *data, int len)
{
    const tls_stream_io *io = BIO_get_data(b);
    int n = io->read(io->ctx, (unsigned char *)data, (size_t)len);

    BIO_clear_retry_flags(b);
    if (n >= 0)
        return n;
    if (bench_is_want(n))
        BIO_set_retry_read(b);
    return -1;
}

static long raw_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static BIO_METHOD *g_raw_method;

static BIO *raw_bio(const tls_stream_io *io)
{
    BIO *b;

    if (g_raw_method == NULL) {
        g_raw_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bench_raw");
        if (g_raw_method == NULL || !BIO_meth_set_write(g_raw_method, raw_bio_write) ||
            !BIO_meth_set_read(g_raw_method, raw_bio_read) ||
            !BIO_meth_set_ctrl(g_raw_method, raw_bio_ctrl))
            bench_die("raw OpenSSL: BIO method");
    }
    b = BIO_new(g_raw_method);
    if (b == NULL)
        bench_die("raw OpenSSL: BIO");
    BIO_set_data(b, (void *)io);
    BIO_set_init(b, 1);
    return b;
}

static unsigned int raw_psk_client(SSL *ssl, const char *hint, char *id, unsigned int id_max,
                                   unsigned char *psk, unsigned int psk_max)
{
    (void)ssl;
    (void)hint;
    if (strlen(g_psk_identity) + 1 > id_max || sizeof g_psk_key > psk_max)
        return 0;
    strcpy(id, g_psk_identity);
    memcpy(psk, g_psk_key, sizeof g_psk_key);
    return sizeof g_psk_key;
}

static unsigned int raw_psk_server(SSL *ssl, const char *id, unsigned char *psk,
                                   unsigned int psk_max)
{
    (void)ssl;
    if (id == NULL || strcmp(id, g_psk_identity) != 0 || sizeof g_psk_key > psk_max)
        return 0;
    memcpy(psk, g_psk_key, sizeof g_psk_key);
    return sizeof g_psk_key;
}

static SSL_CTX *raw_ctx(const osl_case *oc, tls_stream_role role)
{
    SSL_CTX *ctx = SSL_CTX_new(role == TLS_STREAM_SERVER ? TLS_server_method() : TLS_client_method());
    int ok;

    if (ctx == NULL)
        bench_die("raw OpenSSL: SSL_CTX_new");
    ok = SSL_CTX_set_min_proto_version(ctx, oc->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION) &&
         SSL_CTX_set_max_proto_version(ctx, oc->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION) &&
         SSL_CTX_set1_groups_list(ctx, "P-256");
    if (oc->tls13)
        ok = ok && SSL_CTX_set_ciphersuites(ctx, oc->raw_suite);
    else
        ok = ok && SSL_CTX_set_cipher_list(ctx, oc->raw_suite);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(ctx, 0);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (oc->psk) {
        if (role == TLS_STREAM_CLIENT)
            SSL_CTX_set_psk_client_callback(ctx, raw_psk_client);
        else
            SSL_CTX_set_psk_server_callback(ctx, raw_psk_server);
    } else if (role == TLS_STREAM_CLIENT) {
        BIO *b = BIO_new_mem_buf(g_creds.ca, (int)g_creds.ca_len);
        X509 *ca = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
        ok = ok && ca != NULL && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
        X509_free(ca);
        BIO_free(b);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    } else {
        BIO *bc = BIO_new_mem_buf(g_creds.cert, (int)g_creds.cert_len);
        BIO *bk = BIO_new_mem_buf(g_creds.key, (int)g_creds.key_len);
        X509 *cert = bc != NULL ? PEM_read_bio_X509(bc, NULL, NULL, NULL) : NULL;
        EVP_PKEY *key = bk != NULL ? PEM_read_bio_PrivateKey(bk, NULL, NULL, NULL) : NULL;
        ok = ok && cert != NULL && key != NULL && SSL_CTX_use_certificate(ctx, cert) &&
             SSL_CTX_use_PrivateKey(ctx, key);
        X509_free(cert);
        EVP_PKEY_free(key);
        BIO_free(bc);
        BIO_free(bk);
    }
    if (!ok)
        bench_die("raw OpenSSL: configuration for %s", oc->name);
    return ctx;
}

static SSL *raw_ssl(SSL_CTX *ctx, const osl_case *oc, tls_stream_role role, const tls_stream_io *io)
{
    SSL *ssl = SSL_new(ctx);
    BIO *b;

    if (ssl == NULL)
        bench_die("raw OpenSSL: SSL_new");
    b = raw_bio(io);
    SSL_set_bio(ssl, b, b);
    if (role == TLS_STREAM_CLIENT) {
        SSL_set_connect_state(ssl);
        if (!oc->psk && (!SSL_set_tlsext_host_name(ssl, BENCH_SERVER_NAME) ||
                         !SSL_set1_host(ssl, BENCH_SERVER_NAME)))
            bench_die("raw OpenSSL: host name");
    } else {
        SSL_set_accept_state(ssl);
    }
    return ssl;
}

static int raw_step(SSL *ssl, int *done)
{
    int r, e;

    if (*done)
        return 0;
    r = SSL_do_handshake(ssl);
    if (r == 1) {
        *done = 1;
        return 0;
    }
    e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

static void raw_pair_handshake(SSL *c, SSL *s)
{
    int cd = 0, sd = 0, steps = 0;

    while (!cd || !sd) {
        if (raw_step(c, &cd) != 0 || raw_step(s, &sd) != 0 || ++steps > 1000) {
            ERR_print_errors_fp(stderr);
            bench_die("raw OpenSSL: handshake failed");
        }
    }
}

/* ----------------------------------------------------------- tls_stream */

static tls_stream_config *ours_config(const tls_stream_backend *be, const osl_case *oc,
                                      tls_stream_role role, const tls_stream_allocator *a)
{
    const char *suites[] = {oc->suite, NULL};
    const char *groups[] = {"secp256r1", NULL};
    tls_stream_config *cfg;
    int rc = tls_stream_config_new(&cfg, be, role, a);

    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_ciphersuites(cfg, suites);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_groups(cfg, groups);
    if (rc == TLS_STREAM_OK && oc->psk)
        rc = role == TLS_STREAM_CLIENT
                 ? tls_stream_config_set_psk(cfg, g_psk_identity, strlen(g_psk_identity), g_psk_key,
                                             sizeof g_psk_key)
                 : tls_stream_config_add_psk(cfg, g_psk_identity, strlen(g_psk_identity), g_psk_key,
                                             sizeof g_psk_key);
    else if (rc == TLS_STREAM_OK && role == TLS_STREAM_CLIENT) {
        rc = tls_stream_config_add_ca(cfg, g_creds.ca, g_creds.ca_len);
        if (rc == TLS_STREAM_OK)
            rc = tls_stream_config_set_server_name(cfg, BENCH_SERVER_NAME);
    } else if (rc == TLS_STREAM_OK) {
        rc = tls_stream_config_set_cert(cfg, g_creds.cert, g_creds.cert_len);
        if (rc == TLS_STREAM_OK)
            rc = tls_stream_config_set_key(cfg, g_creds.key, g_creds.key_len, NULL);
    }
    if (rc != TLS_STREAM_OK)
        bench_die("tls_stream on %s: configuration for %s: %d", be->name, oc->name, rc);
    return cfg;
}

static void ours_pair(const tls_stream_backend *be, const osl_case *oc, tls_stream_mem_pipe *p,
                      tls_stream_io *io, tls_stream **c, tls_stream **s, const tls_stream_allocator *a)
{
    tls_stream_config *cc = ours_config(be, oc, TLS_STREAM_CLIENT, a);
    tls_stream_config *sc = ours_config(be, oc, TLS_STREAM_SERVER, a);

    io[0] = bench_pipe_io_noclose(p, 0);
    io[1] = bench_pipe_io_noclose(p, 1);
    if (tls_stream_new(c, cc, &io[0]) != TLS_STREAM_OK || tls_stream_new(s, sc, &io[1]) != TLS_STREAM_OK)
        bench_die("tls_stream_new failed");
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
}

static tls_stream_mem_pipe *new_pipe(void)
{
    tls_stream_mem_pipe *p;

    if (tls_stream_mem_pipe_new(&p, BENCH_PIPE_CAPACITY, NULL) != TLS_STREAM_OK)
        bench_die("pipe: out of memory");
    return p;
}

/* ----------------------------------------------------------------- bulk */

static unsigned char g_wbuf[BENCH_CHUNK], g_rbuf[BENCH_CHUNK];

static size_t bulk_total(void)
{
    return g_opts.warmup ? g_opts.bulk_bytes / 8 : g_opts.bulk_bytes;
}

static double raw_bulk(void *arg)
{
    const osl_case *oc = arg;
    SSL_CTX *cctx = raw_ctx(oc, TLS_STREAM_CLIENT), *sctx = raw_ctx(oc, TLS_STREAM_SERVER);
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    SSL *c = raw_ssl(cctx, oc, TLS_STREAM_CLIENT, &io0), *s = raw_ssl(sctx, oc, TLS_STREAM_SERVER, &io1);
    size_t total = bulk_total(), sent = 0, got = 0, left;
    double t0, t1;
    int n;

    raw_pair_handshake(c, s);
    t0 = bench_clock();
    while (got < total) {
        while (sent < total) {
            /* after a retry OpenSSL wants the same buffer again: it gets it */
            left = total - sent < BENCH_CHUNK ? total - sent : BENCH_CHUNK;
            n = SSL_write(c, g_wbuf, (int)left);
            if (n > 0)
                sent += (size_t)n;
            else if (SSL_get_error(c, n) == SSL_ERROR_WANT_WRITE)
                break;
            else
                bench_die("raw OpenSSL bulk: write");
        }
        for (;;) {
            n = SSL_read(s, g_rbuf, sizeof g_rbuf);
            if (n > 0)
                got += (size_t)n;
            else if (SSL_get_error(s, n) == SSL_ERROR_WANT_READ)
                break;
            else
                bench_die("raw OpenSSL bulk: read");
        }
    }
    t1 = bench_clock();
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    tls_stream_mem_pipe_free(p);
    return (double)total / (1024.0 * 1024.0) / (t1 - t0);
}

static double ours_bulk(const tls_stream_backend *be, const osl_case *oc)
{
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io[2];
    tls_stream *c, *s;
    size_t total = bulk_total(), sent = 0, got = 0, left;
    double t0, t1;
    int rc, crc, src, flushed = 0;

    ours_pair(be, oc, p, io, &c, &s, NULL);
    if (bench_handshake_pair(c, s, 1000, &crc, &src) != 0)
        bench_die("tls_stream on %s: %s handshake failed (%d/%d)", be->name, oc->name, crc, src);
    t0 = bench_clock();
    while (got < total) {
        while (sent < total) {
            left = total - sent < BENCH_CHUNK ? total - sent : BENCH_CHUNK;
            rc = tls_stream_write(c, g_wbuf, left);
            if (rc > 0)
                sent += (size_t)rc;
            else if (bench_is_want(rc))
                break;
            else
                bench_die("bulk: write %d", rc);
        }
        if (sent == total && !flushed) {
            rc = tls_stream_flush(c);
            if (rc == TLS_STREAM_OK)
                flushed = 1;
            else if (!bench_is_want(rc))
                bench_die("bulk: flush %d", rc);
        }
        for (;;) {
            rc = tls_stream_read(s, g_rbuf, sizeof g_rbuf);
            if (rc > 0)
                got += (size_t)rc;
            else if (bench_is_want(rc))
                break;
            else
                bench_die("bulk: read %d", rc);
        }
    }
    t1 = bench_clock();
    tls_stream_free(c);
    tls_stream_free(s);
    tls_stream_mem_pipe_free(p);
    return (double)total / (1024.0 * 1024.0) / (t1 - t0);
}

static double ours_osl_bulk(void *arg)
{
    return ours_bulk(tls_stream_backend_openssl(), arg);
}

static double ours_mbt_bulk(void *arg)
{
    return ours_bulk(tls_stream_backend_mbedtls(), arg);
}

/* ----------------------------------------------------------- handshakes */

static int g_hs_n; /* handshakes per repetition */

static int hs_runs(void)
{
    return g_opts.warmup && g_hs_n >= 8 ? g_hs_n / 4 : g_hs_n;
}

static double raw_hs(void *arg)
{
    const osl_case *oc = arg;
    SSL_CTX *cctx = raw_ctx(oc, TLS_STREAM_CLIENT), *sctx = raw_ctx(oc, TLS_STREAM_SERVER);
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    int i, n = hs_runs();
    double t0, t1;

    t0 = bench_clock();
    for (i = 0; i < n; i++) {
        SSL *c = raw_ssl(cctx, oc, TLS_STREAM_CLIENT, &io0), *s = raw_ssl(sctx, oc, TLS_STREAM_SERVER, &io1);
        raw_pair_handshake(c, s);
        SSL_free(c);
        SSL_free(s);
    }
    t1 = bench_clock();
    if (tls_stream_mem_pipe_buffered(p, 0) != 0 || tls_stream_mem_pipe_buffered(p, 1) != 0)
        bench_die("raw OpenSSL: handshake left bytes in the pipe");
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    tls_stream_mem_pipe_free(p);
    return n / (t1 - t0);
}

static double ours_hs(const tls_stream_backend *be, const osl_case *oc)
{
    tls_stream_config *cc = ours_config(be, oc, TLS_STREAM_CLIENT, NULL);
    tls_stream_config *sc = ours_config(be, oc, TLS_STREAM_SERVER, NULL);
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    int i, n = hs_runs(), crc, src;
    double t0, t1;

    t0 = bench_clock();
    for (i = 0; i < n; i++) {
        tls_stream *c, *s;
        if (tls_stream_new(&c, cc, &io0) != TLS_STREAM_OK || tls_stream_new(&s, sc, &io1) != TLS_STREAM_OK ||
            bench_handshake_pair(c, s, 1000, &crc, &src) != 0)
            bench_die("tls_stream on %s: %s handshake failed", be->name, oc->name);
        tls_stream_free(c);
        tls_stream_free(s);
    }
    t1 = bench_clock();
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    tls_stream_mem_pipe_free(p);
    return n / (t1 - t0);
}

static double ours_osl_hs(void *arg)
{
    return ours_hs(tls_stream_backend_openssl(), arg);
}

static double ours_mbt_hs(void *arg)
{
    return ours_hs(tls_stream_backend_mbedtls(), arg);
}

/* ----------------------------------------------------------------- heap */

/* Bytes a client+server pair holds: peak during the handshake and 4 KiB
 * each way, and once idle afterwards; OpenSSL's allocations plus, for
 * ours, tls_stream's (the counting allocator). */
typedef struct heap_fig {
    size_t peak, idle;
} heap_fig;

typedef struct count_alloc {
    tls_stream_allocator a;
    size_t live, peak;
} count_alloc;

static void *ca_alloc(void *ctx, size_t n)
{
    count_alloc *ca = ctx;
    void *p = malloc(n);

    if (p != NULL) {
        ca->live += n;
        if (ca->live > ca->peak)
            ca->peak = ca->live;
    }
    return p;
}

static void ca_free(void *ctx, void *p, size_t n)
{
    count_alloc *ca = ctx;

    if (p != NULL)
        ca->live -= n;
    free(p);
}

static heap_fig raw_heap(const osl_case *oc)
{
    SSL_CTX *cctx = raw_ctx(oc, TLS_STREAM_CLIENT), *sctx = raw_ctx(oc, TLS_STREAM_SERVER);
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io0 = bench_pipe_io_noclose(p, 0), io1 = bench_pipe_io_noclose(p, 1);
    size_t base = g_osl_heap.live;
    heap_fig f;
    SSL *c, *s;

    g_osl_heap.peak = base;
    c = raw_ssl(cctx, oc, TLS_STREAM_CLIENT, &io0);
    s = raw_ssl(sctx, oc, TLS_STREAM_SERVER, &io1);
    raw_pair_handshake(c, s);
    if (SSL_write(c, g_wbuf, 4096) != 4096 || SSL_read(s, g_rbuf, sizeof g_rbuf) != 4096 ||
        SSL_write(s, g_wbuf, 4096) != 4096 || SSL_read(c, g_rbuf, sizeof g_rbuf) != 4096)
        bench_die("raw OpenSSL heap: transfer");
    f.peak = g_osl_heap.peak - base;
    f.idle = g_osl_heap.live - base;
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    tls_stream_mem_pipe_free(p);
    return f;
}

static heap_fig ours_heap(const osl_case *oc)
{
    count_alloc ca = {{ca_alloc, ca_free, NULL}, 0, 0};
    tls_stream_mem_pipe *p = new_pipe();
    tls_stream_io io[2];
    tls_stream *c, *s;
    size_t cfg_live, cfg_osl;
    heap_fig f;
    int crc, src;

    tls_stream_config *cc, *sc;

    ca.a.ctx = &ca;
    cc = ours_config(tls_stream_backend_openssl(), oc, TLS_STREAM_CLIENT, &ca.a);
    sc = ours_config(tls_stream_backend_openssl(), oc, TLS_STREAM_SERVER, &ca.a);
    /* counted from here, as the raw side counts from its SSL_CTXs */
    cfg_live = ca.live;
    cfg_osl = g_osl_heap.live;
    io[0] = bench_pipe_io_noclose(p, 0);
    io[1] = bench_pipe_io_noclose(p, 1);
    if (tls_stream_new(&c, cc, &io[0]) != TLS_STREAM_OK || tls_stream_new(&s, sc, &io[1]) != TLS_STREAM_OK)
        bench_die("tls_stream heap: stream_new");
    ca.peak = ca.live;
    g_osl_heap.peak = g_osl_heap.live;
    if (bench_handshake_pair(c, s, 1000, &crc, &src) != 0 || tls_stream_write(c, g_wbuf, 4096) != 4096 ||
        tls_stream_read(s, g_rbuf, sizeof g_rbuf) != 4096 || tls_stream_write(s, g_wbuf, 4096) != 4096 ||
        tls_stream_read(c, g_rbuf, sizeof g_rbuf) != 4096)
        bench_die("tls_stream heap: connection");
    f.peak = (g_osl_heap.peak - cfg_osl) + (ca.peak - cfg_live);
    f.idle = (g_osl_heap.live - cfg_osl) + (ca.live - cfg_live);
    tls_stream_free(c);
    tls_stream_free(s);
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    tls_stream_mem_pipe_free(p);
    return f;
}

/* ---------------------------------------------------------------- table */

static void section(const char *title, const char *unit)
{
    printf("\n%s\n", title);
    printf("  %-40s %11s %11s %6s %7s %11s %7s\n", unit, "raw OpenSSL", "ours/OSSL", "ratio",
           "target", "ours/mbed", "OSSL/mb");
    fflush(stdout);
}

static void row(const char *name, double raw, double ours, double ratio, double mbt,
                double vs_mbt, double target)
{
    char m[16] = "-", v[16] = "-";
    int miss = target > 0 && ratio < target;

    if (mbt > 0) {
        snprintf(m, sizeof m, "%.1f", mbt);
        snprintf(v, sizeof v, "%.2fx", vs_mbt);
    }
    printf("  %-40s %11.1f %11.1f %6.3f %7s %11s %7s  %s\n", name, raw, ours, ratio,
           target > 0 ? ">=0.95" : "-", m, v, target > 0 ? (miss ? "MISS" : "OK") : "");
    fflush(stdout);
    g_missed += miss;
}

static void run_rows(const osl_case *cases, size_t n, double (*raw)(void *), double (*osl)(void *),
                     double (*mbt)(void *))
{
    size_t i;

    for (i = 0; i < n; i++) {
        void *arg = (void *)&cases[i];
        double r, o, q, m = 0, o2 = 0, q2 = 0;

        bench_interleave(raw, osl, arg, g_opts.reps, &r, &o, &q);
        if (!cases[i].tls13) /* the mbedtls backend is TLS 1.2 only */
            bench_interleave(mbt, osl, arg, g_opts.reps, &m, &o2, &q2);
        row(cases[i].name, r, o, q, m, q2, 0.95);
    }
}

void bench_openssl(void)
{
    size_t i;

    printf("\nOpenSSL backend (%s) against raw OpenSSL, same run, memory pipe, one thread; "
           "last columns: tls_stream on mbedtls, and OpenSSL/mbedtls for tls_stream\n",
           OpenSSL_version(OPENSSL_VERSION));
    section("Bulk, client -> server", "MiB per CPU-second");
    run_rows(bulk_cases, sizeof bulk_cases / sizeof bulk_cases[0], raw_bulk, ours_osl_bulk,
             ours_mbt_bulk);

    section("Full handshakes (client + server in one thread, no resumption)", "handshakes per CPU-second");
    g_hs_n = g_opts.quick ? 40 : 200;
    run_rows(hs_cases, sizeof hs_cases / sizeof hs_cases[0], raw_hs, ours_osl_hs, ours_mbt_hs);

    printf("\nHeap per connection (client + server, bytes; OpenSSL's allocations, plus ours)\n");
    printf("  %-40s %11s %11s %11s %11s\n", "", "raw peak", "ours peak", "raw idle", "ours idle");
    for (i = 0; i < sizeof hs_cases / sizeof hs_cases[0]; i++) {
        heap_fig r = raw_heap(&hs_cases[i]), o = ours_heap(&hs_cases[i]);
        printf("  %-40s %11zu %11zu %11zu %11zu\n", hs_cases[i].name, r.peak, o.peak, r.idle, o.idle);
    }
    fflush(stdout);
    BIO_meth_free(g_raw_method);
    g_raw_method = NULL;
}
