/* Shared by the fuzz harnesses and the seed recorder (see fuzz_common.h). */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/mbedtls/mbedtls_internal.h"
#include "core/core_internal.h"

#ifndef TLS_FUZZ_CERTS
#error "TLS_FUZZ_CERTS (the test certificate folder) must be defined"
#endif

const unsigned char fuzz_psk_key[32] = {
    0xf2, 0xd3, 0x6f, 0xac, 0x37, 0xc3, 0xf3, 0xf6, 0xc1, 0x1b, 0xf2,
    0x93, 0xaf, 0x0d, 0x03, 0xcf, 0x82, 0x2d, 0x88, 0xe7, 0x7d, 0x86,
    0x3c, 0xd4, 0xf2, 0x8c, 0x64, 0x3c, 0xae, 0x7e, 0xc9, 0x26,
};

/* ---- time and randomness ---- */

time_t time(time_t *t)
{
    if (t != NULL)
        *t = (time_t)FUZZ_TIME;
    return (time_t)FUZZ_TIME;
}

static uint64_t rng_state[2];

void fuzz_reset(void)
{
    rng_state[0] = 0x243f6a8885a308d3ULL; /* client */
    rng_state[1] = 0x13198a2e03707344ULL; /* server */
}

static uint8_t next_byte(uint64_t *x)
{
    /* xorshift64*: plenty for reproducible, non-secret test randomness */
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return (uint8_t)((*x * 0x2545f4914f6cdd1dULL) >> 56);
}

/* The backend's RNG in this build (-DTLS_STREAM_MBT_RNG=fuzz_rng): it hands
 * mbedtls &cfg->drbg; the configuration says the role. */
int fuzz_rng(void *p_rng, unsigned char *output, size_t output_len)
{
    const tls_stream_mbt_config *cfg =
        (const tls_stream_mbt_config *)((const char *)p_rng - offsetof(tls_stream_mbt_config, drbg));
    uint64_t *x = &rng_state[cfg->role == TLS_STREAM_SERVER ? 1 : 0];
    size_t i;
    if (rng_state[0] == 0)
        fuzz_reset();
    for (i = 0; i < output_len; i++)
        output[i] = next_byte(x);
    return 0;
}

/* ---- files and configurations ---- */

#define MAX_FILES 16
static struct {
    char name[32];
    unsigned char *data;
    size_t len;
} files[MAX_FILES];

const unsigned char *fuzz_file(const char *name, size_t *len)
{
    char path[512];
    FILE *fp;
    long size;
    int i;
    for (i = 0; i < MAX_FILES && files[i].data != NULL; i++) {
        if (strcmp(files[i].name, name) == 0) {
            *len = files[i].len;
            return files[i].data;
        }
    }
    if (i == MAX_FILES)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", TLS_FUZZ_CERTS, name);
    fp = fopen(path, "rb");
    if (fp == NULL)
        return NULL;
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    files[i].data = malloc((size_t)size + 1);
    if (files[i].data == NULL || fread(files[i].data, 1, (size_t)size, fp) != (size_t)size) {
        fclose(fp);
        abort();
    }
    fclose(fp);
    files[i].data[size] = 0;
    files[i].len = (size_t)size;
    snprintf(files[i].name, sizeof files[i].name, "%s", name);
    *len = files[i].len;
    return files[i].data;
}

static void must(int rc, const char *what)
{
    if (rc != TLS_STREAM_OK) {
        fprintf(stderr, "fuzz set-up failed: %s: %d (%s)\n", what, rc, tls_stream_strerror(rc));
        abort();
    }
}

/* On mbedtls: the seeds are TLS 1.2 transcripts, and TLS 1.3's key exchange
 * (mbedtls 3.6) draws from PSA's own RNG, which fuzz_rng cannot make
 * repeatable. OpenSSL's RNG is its own anyway: it keeps both versions. */
static void pin_tls12(tls_stream_config *cfg, const tls_stream_backend *backend)
{
    if (backend == tls_stream_backend_mbedtls())
        must(tls_stream_config_set_version(cfg, TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_2), "version");
}

static void load(tls_stream_config *cfg, int (*fn)(tls_stream_config *, const void *, size_t),
                 const char *name)
{
    size_t len;
    const unsigned char *d = fuzz_file(name, &len);
    if (d == NULL) {
        fprintf(stderr, "fuzz set-up failed: cannot read %s/%s\n", TLS_FUZZ_CERTS, name);
        abort();
    }
    must(fn(cfg, d, len), name);
}

static int set_key(tls_stream_config *cfg, const void *d, size_t len)
{
    return tls_stream_config_set_key(cfg, d, len, NULL);
}

tls_stream_config *fuzz_psk_client(const tls_stream_backend *backend)
{
    tls_stream_config *cfg;
    must(tls_stream_config_new(&cfg, backend, TLS_STREAM_CLIENT, NULL), "config");
    pin_tls12(cfg, backend);
    must(tls_stream_config_set_psk(cfg, FUZZ_PSK_ID, strlen(FUZZ_PSK_ID), fuzz_psk_key,
                            sizeof fuzz_psk_key), "psk");
    return cfg;
}

tls_stream_config *fuzz_psk_server(const tls_stream_backend *backend)
{
    tls_stream_config *cfg;
    must(tls_stream_config_new(&cfg, backend, TLS_STREAM_SERVER, NULL), "config");
    pin_tls12(cfg, backend);
    must(tls_stream_config_add_psk(cfg, FUZZ_PSK_ID, strlen(FUZZ_PSK_ID), fuzz_psk_key,
                            sizeof fuzz_psk_key), "psk");
    return cfg;
}

tls_stream_config *fuzz_cert_client(const tls_stream_backend *backend)
{
    tls_stream_config *cfg;
    must(tls_stream_config_new(&cfg, backend, TLS_STREAM_CLIENT, NULL), "config");
    pin_tls12(cfg, backend);
    load(cfg, tls_stream_config_add_ca, "ca.pem");
    must(tls_stream_config_set_server_name(cfg, "localhost"), "server name");
    return cfg;
}

tls_stream_config *fuzz_cert_server(const tls_stream_backend *backend)
{
    tls_stream_config *cfg;
    must(tls_stream_config_new(&cfg, backend, TLS_STREAM_SERVER, NULL), "config");
    pin_tls12(cfg, backend);
    load(cfg, tls_stream_config_set_cert, "server.pem");
    load(cfg, set_key, "server.key");
    /* ask for a client certificate: the fuzzer can send one */
    load(cfg, tls_stream_config_add_ca, "ca.pem");
    must(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_OPTIONAL), "verify");
    return cfg;
}

/* ---- the feed transport ---- */

static int feed_read(void *ctx, unsigned char *buf, size_t len)
{
    fuzz_feed *f = ctx;
    size_t n = f->len - f->pos;
    if (len == 0)
        abort(); /* the tls_stream_io contract: len is never 0 */
    if (n == 0)
        return 0;
    if (n > len)
        n = len;
    memcpy(buf, f->data + f->pos, n);
    f->pos += n;
    return (int)n;
}

static int feed_write(void *ctx, const unsigned char *buf, size_t len)
{
    fuzz_feed *f = ctx;
    if (len == 0)
        abort();
    if (f->out != NULL) {
        size_t n = len;
        if (n > f->out_size - f->out_len)
            n = f->out_size - f->out_len;
        memcpy(f->out + f->out_len, buf, n);
        f->out_len += n;
    }
    return (int)len;
}

void fuzz_feed_init(fuzz_feed *f, const uint8_t *data, size_t len)
{
    memset(f, 0, sizeof *f);
    f->data = data;
    f->len = len;
    f->io.ctx = f;
    f->io.read = feed_read;
    f->io.write = feed_write;
}

void fuzz_plain_psk(tls_stream_config *cfg)
{
    tls_stream_mbt_config *b = (tls_stream_mbt_config *)cfg->backend_cfg;
    /* mbedtls keeps a pointer to this array */
    b->suites[0] = MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256;
    b->suites[1] = 0;
}

int fuzz_verbose(void)
{
    static int v = -1;
    if (v < 0)
        v = getenv("FUZZ_VERBOSE") != NULL;
    return v;
}

int fuzz_known_bug(int rc, int detail)
{
    static int tolerate = -1;
    if (tolerate < 0)
        tolerate = getenv("FUZZ_TOLERATE_KNOWN") != NULL;
    return tolerate && rc == TLS_STREAM_ERR_INTERNAL && detail == -0x7100;
}

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

void fuzz_check_rc(int rc)
{
    /* codes are TLS_STREAM_OK, byte counts, wants, or the TLS_STREAM_ERR_* range */
    if (rc < 0 && !(rc <= -0x7000 && rc >= -0x70ff)) {
        fprintf(stderr, "unexpected return code %d\n", rc);
        abort();
    }
}

int fuzz_handshake(tls_stream *s)
{
    int rc = TLS_STREAM_WANT_READ, i;
    for (i = 0; i < 64 && is_want(rc); i++)
        rc = tls_stream_handshake(s);
    fuzz_check_rc(rc);
    /* the feed ends with an end of stream: never a want forever */
    if (is_want(rc)) {
        fprintf(stderr, "handshake still wants more after the input ended\n");
        abort();
    }
    return rc;
}

int fuzz_drain(tls_stream *s)
{
    unsigned char buf[4096];
    int rc = 1, i;
    for (i = 0; i < 4096 && rc > 0; i++)
        rc = tls_stream_read(s, buf, sizeof buf);
    fuzz_check_rc(rc);
    return rc;
}

int fuzz_pair_handshake(tls_stream *c, tls_stream *s)
{
    int rc_c = TLS_STREAM_WANT_READ, rc_s = TLS_STREAM_WANT_READ, i;
    for (i = 0; i < 200 && (is_want(rc_c) || is_want(rc_s)); i++) {
        if (is_want(rc_c))
            rc_c = tls_stream_handshake(c);
        if (is_want(rc_s))
            rc_s = tls_stream_handshake(s);
    }
    return rc_c == TLS_STREAM_OK && rc_s == TLS_STREAM_OK ? TLS_STREAM_OK : (rc_c != TLS_STREAM_OK ? rc_c : rc_s);
}
