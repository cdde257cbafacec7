/*
 * Writes the seed corpora of the fuzz harnesses (tests/fuzz/seeds/<name>/)
 * from real in-process handshakes, with the fuzzers' fixed RNG and clock
 * (fuzz_common.c), so the recorded bytes replay in the harnesses:
 *
 *   client_handshake/  what a real server sends (PSK; certificate), byte 0
 *                      selecting the client configuration as the harness does
 *   server_psk/, server_cert/  what a real client sends (the latter also
 *                      with a client certificate)
 *   appdata/           application records after the handshake, each way
 *   load/, psk_parse/  the test certificates, keys and PSK files
 *
 * Usage: record_seeds <seeds folder>   (see regen_seeds.sh)
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

#define CAP (256 * 1024)

static const char *root;

static void put(const char *dir, const char *name, unsigned char prefix, int use_prefix,
                const unsigned char *d, size_t n)
{
    char path[1024];
    FILE *fp;
    snprintf(path, sizeof path, "%s/%s", root, dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    fp = fopen(path, "wb");
    if (fp == NULL || (use_prefix && fwrite(&prefix, 1, 1, fp) != 1) ||
        (n > 0 && fwrite(d, 1, n, fp) != n) || fclose(fp) != 0) {
        perror(path);
        exit(1);
    }
    printf("%s: %zu bytes\n", path, n + (use_prefix ? 1 : 0));
}

/* A pipe end that also records what its stream wrote. */
typedef struct rec_io {
    tls_stream_io end;
    unsigned char *log;
    size_t len;
} rec_io;

static int rec_read(void *ctx, unsigned char *buf, size_t len)
{
    rec_io *r = ctx;
    return r->end.read(r->end.ctx, buf, len);
}

static int rec_write(void *ctx, const unsigned char *buf, size_t len)
{
    rec_io *r = ctx;
    int n = r->end.write(r->end.ctx, buf, len);
    if (n > 0) {
        if (r->len + (size_t)n > CAP)
            abort();
        memcpy(r->log + r->len, buf, (size_t)n);
        r->len += (size_t)n;
    }
    return n;
}

typedef struct session {
    tls_stream_mem_pipe *pipe;
    rec_io rec[2];
    tls_stream_io io[2];
    tls_stream *s[2];
    size_t hs_len[2]; /* bytes each side wrote during the handshake */
} session;

static void open_session(session *x, tls_stream_config *c, tls_stream_config *s)
{
    int i;
    fuzz_reset();
    memset(x, 0, sizeof *x);
    if (tls_stream_mem_pipe_new(&x->pipe, 0, NULL) != TLS_STREAM_OK)
        abort();
    for (i = 0; i < 2; i++) {
        x->rec[i].end = tls_stream_mem_pipe_io(x->pipe, i);
        x->rec[i].log = malloc(CAP);
        x->io[i].ctx = &x->rec[i];
        x->io[i].read = rec_read;
        x->io[i].write = rec_write;
        x->io[i].close = NULL;
        x->io[i].wait = NULL;
        if (tls_stream_new(&x->s[i], i == 0 ? c : s, &x->io[i]) != TLS_STREAM_OK)
            abort();
        tls_stream_set_blocking(x->s[i], 0);
    }
    if (fuzz_pair_handshake(x->s[0], x->s[1]) != TLS_STREAM_OK) {
        fprintf(stderr, "record_seeds: handshake failed\n");
        exit(1);
    }
    x->hs_len[0] = x->rec[0].len;
    x->hs_len[1] = x->rec[1].len;
}

/* Each side writes some data and close_notify (the peer drains it). */
static void talk(session *x)
{
    static unsigned char big[2000];
    unsigned char buf[4096];
    int i, k;
    memset(big, 'x', sizeof big);
    for (i = 0; i < 2; i++) {
        if (tls_stream_write(x->s[i], "hello\n", 6) != 6 ||
            tls_stream_write(x->s[i], big, sizeof big) != (int)sizeof big)
            abort();
        for (k = 0; k < 100 && tls_stream_read(x->s[1 - i], buf, sizeof buf) > 0; k++)
            ;
    }
    for (i = 0; i < 2; i++)
        tls_stream_close(x->s[i]);
}

static void close_session(session *x)
{
    int i;
    for (i = 0; i < 2; i++) {
        tls_stream_free(x->s[i]);
        free(x->rec[i].log);
    }
    tls_stream_mem_pipe_free(x->pipe);
}

static void from_file(const char *dir, const char *name, const char *file, unsigned char prefix)
{
    size_t len;
    const unsigned char *d = fuzz_file(file, &len);
    if (d == NULL) {
        fprintf(stderr, "cannot read %s\n", file);
        exit(1);
    }
    put(dir, name, prefix, 1, d, len);
}

static int add_ca(tls_stream_config *cfg, const char *file)
{
    size_t len;
    const unsigned char *d = fuzz_file(file, &len);
    return d == NULL ? TLS_STREAM_ERR_IO : tls_stream_config_add_ca(cfg, d, len);
}

static tls_stream_config *mtls_client(void)
{
    tls_stream_config *cfg = fuzz_cert_client(tls_stream_backend_mbedtls());
    size_t len;
    const unsigned char *d;
    /* fuzz_cert_client(tls_stream_backend_mbedtls()) is not frozen yet: add our own certificate */
    d = fuzz_file("client.pem", &len);
    if (d == NULL || tls_stream_config_set_cert(cfg, d, len) != TLS_STREAM_OK)
        abort();
    d = fuzz_file("client.key", &len);
    if (d == NULL || tls_stream_config_set_key(cfg, d, len, NULL) != TLS_STREAM_OK)
        abort();
    (void)add_ca;
    return cfg;
}

int main(int argc, char **argv)
{
    session x;
    tls_stream_config *pc, *ps, *cc, *cs, *mc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s <seeds folder>\n", argv[0]);
        return 2;
    }
    root = argv[1];
    pc = fuzz_psk_client(tls_stream_backend_mbedtls());
    ps = fuzz_psk_server(tls_stream_backend_mbedtls());
    cc = fuzz_cert_client(tls_stream_backend_mbedtls());
    cs = fuzz_cert_server(tls_stream_backend_mbedtls());
    mc = mtls_client();

    /* PSK: handshake, then data both ways */
    open_session(&x, pc, ps);
    talk(&x);
    put("client_handshake", "psk_full", 0, 1, x.rec[1].log, x.rec[1].len);
    put("client_handshake", "psk_handshake_only", 0, 1, x.rec[1].log, x.hs_len[1]);
    put("server_psk", "full", 0, 0, x.rec[0].log, x.rec[0].len);
    put("server_psk", "handshake_only", 0, 0, x.rec[0].log, x.hs_len[0]);
    close_session(&x);

    /* appdata: plain PSK, as fuzz_appdata.c */
    {
        tls_stream_config *ac = fuzz_psk_client(tls_stream_backend_mbedtls()), *as = fuzz_psk_server(tls_stream_backend_mbedtls());
        tls_stream *tmp;
        fuzz_feed dummy;
        fuzz_feed_init(&dummy, NULL, 0);
        if (tls_stream_new(&tmp, ac, &dummy.io) != TLS_STREAM_OK)
            abort();
        tls_stream_free(tmp);
        if (tls_stream_new(&tmp, as, &dummy.io) != TLS_STREAM_OK)
            abort();
        tls_stream_free(tmp);
        fuzz_plain_psk(ac);
        fuzz_plain_psk(as);
        open_session(&x, ac, as);
        talk(&x);
        put("appdata", "client_to_server", 0, 1, x.rec[0].log + x.hs_len[0],
            x.rec[0].len - x.hs_len[0]);
        put("appdata", "server_to_client", 1, 1, x.rec[1].log + x.hs_len[1],
            x.rec[1].len - x.hs_len[1]);
        close_session(&x);
        tls_stream_config_free(ac);
        tls_stream_config_free(as);
    }

    /* certificates: server only, then mutual */
    open_session(&x, cc, cs);
    talk(&x);
    put("client_handshake", "cert_full", 1, 1, x.rec[1].log, x.rec[1].len);
    put("server_cert", "no_client_cert", 0, 0, x.rec[0].log, x.rec[0].len);
    close_session(&x);
    open_session(&x, mc, cs);
    talk(&x);
    put("server_cert", "client_cert", 0, 0, x.rec[0].log, x.rec[0].len);
    close_session(&x);

    from_file("load", "ca_pem", "ca.pem", 0);
    from_file("load", "ca_der", "ca.der", 0);
    from_file("load", "deep_chain", "deep_chain.pem", 1);
    from_file("load", "server_der", "server.der", 1);
    from_file("load", "server_key", "server.key", 2);
    from_file("load", "server_key_der", "server.key.der", 2);
    from_file("load", "rsa_key", "rsa_server.key", 2);
    from_file("load", "enc_key", "server_enc.key", 3);
    {
        /* ussl server: split byte, flags, key then cert */
        size_t kl, cl;
        const unsigned char *k = fuzz_file("server.key", &kl), *c = fuzz_file("server.pem", &cl);
        unsigned char buf[8192];
        if (k == NULL || c == NULL || kl + cl + 2 > sizeof buf)
            abort();
        buf[0] = (unsigned char)(kl * 255 / (kl + cl) + 1);
        buf[1] = 0;
        memcpy(buf + 2, k, kl);
        memcpy(buf + 2 + kl, c, cl);
        put("load", "ussl_server", 4, 1, buf, kl + cl + 2);
        c = fuzz_file("ca.pem", &cl);
        buf[0] = 9 * 255 / (9 + cl);
        buf[1] = 4 | 2;
        memcpy(buf + 2, "localhost", 9);
        memcpy(buf + 11, c, cl);
        put("load", "ussl_client", 5, 1, buf, cl + 11);
    }
    from_file("psk_parse", "psk_txt", "psk.txt", 0);
    put("psk_parse", "hex", 1, 1, (const unsigned char *)"00ff10Ab", 8);
    put("psk_parse", "unhexlify", 2, 1, (const unsigned char *)"f2d36fac37c3f3f6", 16);
    put("psk_parse", "table_crlf", 0, 1,
        (const unsigned char *)"# c\r\nid:0011\r\n\r\nx:y:aabb\n", 26);

    tls_stream_config_free(pc);
    tls_stream_config_free(ps);
    tls_stream_config_free(cc);
    tls_stream_config_free(cs);
    tls_stream_config_free(mc);
    return 0;
}
