/* Test support: a real client and server in one process (see tls_pair.h). */
#define _POSIX_C_SOURCE 200809L

#include "tls_pair.h"
#include "test_backend.h"
#include "core/core_internal.h"
#include "test_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef TLS_TEST_CERTS
#error "TLS_TEST_CERTS (the test certificate folder) must be defined"
#endif

/* ---------------------------------------------------------------------- */
/* Files and configurations                                               */
/* ---------------------------------------------------------------------- */

const char *tls_pair_path(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", TLS_TEST_CERTS, name);
    return path;
}

int tls_pair_add_ca(tls_stream_config *cfg, const char *name)
{
    return tls_stream_config_add_ca_file(cfg, tls_pair_path(name));
}

int tls_pair_set_cert(tls_stream_config *cfg, const char *name)
{
    return tls_stream_config_set_cert_file(cfg, tls_pair_path(name));
}

int tls_pair_set_key(tls_stream_config *cfg, const char *name, const char *password)
{
    return tls_stream_config_set_key_file(cfg, tls_pair_path(name), password);
}

int tls_pair_psk_from_file(const char *name, const char *identity, unsigned char *key,
                           size_t key_size)
{
    unsigned char *text;
    size_t len, pos = 0, id_len = strlen(identity);
    int rc, result = TLS_STREAM_ERR_PSK_IDENTITY;

    rc = tls_stream_read_file(tls_pair_path(name), &text, &len);
    if (rc != TLS_STREAM_OK)
        return rc;
    while (pos < len) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        if (end - pos > id_len && memcmp(text + pos, identity, id_len) == 0 &&
            text[pos + id_len] == ':') {
            size_t hex = pos + id_len + 1;
            if (end > hex && text[end - 1] == '\r')
                end--;
            /* the whole rest of the line (but a CR) must be hex */
            result = tls_stream_hex_decode((const char *)text + hex, end - hex, key, key_size);
            break;
        }
        pos = end + 1;
    }
    free(text);
    return result;
}

tls_pair_key tls_pair_client1;

int tls_pair_load_client1(void **state)
{
    int n = tls_pair_psk_from_file("psk.txt", "client1", tls_pair_client1.key,
                                   sizeof tls_pair_client1.key);
    (void)state;
    if (n <= 0)
        return -1;
    tls_pair_client1.len = (size_t)n;
    return 0;
}

int tls_pair_client1_configs(tls_stream_config **c, tls_stream_config **s, const tls_stream_allocator *alloc)
{
    int rc = tls_pair_psk_client(c, alloc, "client1", tls_pair_client1.key, tls_pair_client1.len);
    if (rc != TLS_STREAM_OK)
        return rc;
    return tls_pair_psk_server(s, alloc, "client1", tls_pair_client1.key, tls_pair_client1.len);
}

static int b64_value(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int tls_pair_cert_der(const char *name, unsigned char **der, size_t *len)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    static const char end[] = "-----END CERTIFICATE-----";
    unsigned char *text, *out;
    const char *b, *e, *c;
    size_t text_len, n = 0;
    unsigned long acc = 0;
    int bits = 0, rc;

    *der = NULL;
    *len = 0;
    rc = tls_stream_read_file(tls_pair_path(name), &text, &text_len);
    if (rc != TLS_STREAM_OK)
        return rc;
    b = strstr((const char *)text, begin);
    if (b == NULL) {
        if (text_len > 0 && text[0] == 0x30) { /* a DER SEQUENCE */
            *der = text;
            *len = text_len;
            return TLS_STREAM_OK;
        }
        free(text);
        return TLS_STREAM_ERR_BAD_CERT;
    }
    b += sizeof begin - 1;
    e = strstr(b, end);
    out = malloc(text_len);
    if (e == NULL || out == NULL) {
        free(out);
        free(text);
        return e == NULL ? TLS_STREAM_ERR_BAD_CERT : TLS_STREAM_ERR_NOMEM;
    }
    for (c = b; c < e; c++) {
        int v;
        if (*c == '\n' || *c == '\r' || *c == ' ' || *c == '\t' || *c == '=')
            continue;
        v = b64_value((unsigned char)*c);
        if (v < 0) {
            free(out);
            free(text);
            return TLS_STREAM_ERR_BAD_CERT;
        }
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    free(text);
    *der = out;
    *len = n;
    return TLS_STREAM_OK;
}

static int pair_min_version = TLS_PAIR_SUITE_VERSIONS, pair_max_version = TLS_PAIR_SUITE_VERSIONS;

void tls_pair_versions(int min, int max)
{
    pair_min_version = min;
    pair_max_version = max;
}

/* The suite's default (tls_pair.h): an OpenSSL pair on its defaults (TLS
 * 1.3), any pair with an mbedtls end on TLS 1.2 only. */
static int set_versions(tls_stream_config *cfg)
{
    if (pair_min_version != TLS_PAIR_SUITE_VERSIONS)
        return tls_stream_config_set_version(cfg, pair_min_version, pair_max_version);
    if (tls_test_tls13())
        return tls_stream_config_set_version(cfg, 0, 0);
    return tls_stream_config_set_version(cfg, TLS_STREAM_TLS1_2, TLS_STREAM_TLS1_2);
}

/* Common start of every builder: a configuration with the test timeout and
 * the versions of tls_pair_versions(). */
static int new_config(tls_stream_config **out, const tls_stream_allocator *alloc, tls_stream_role role)
{
    int rc = tls_stream_config_new(out, tls_test_backend(role), role,
                                   alloc != NULL ? alloc : tls_test_allocator());
    if (rc == TLS_STREAM_OK)
        rc = set_versions(*out);
    if (rc != TLS_STREAM_OK)
        return rc;
    return tls_stream_config_set_timeout(*out, TLS_PAIR_TIMEOUT_MS);
}

static int last_config_detail;

int tls_pair_config_detail(void)
{
    return last_config_detail;
}

/* Common end of every builder: keep the config or free it. */
static int finish_config(tls_stream_config **out, int rc)
{
    last_config_detail = 0;
    if (rc != TLS_STREAM_OK) {
        const char *msg = "";
        if (*out != NULL)
            last_config_detail = tls_stream_config_error_detail(*out, &msg);
        fprintf(stderr, "tls_pair: configuration failed: %d (%s) %s\n", rc, tls_stream_strerror(rc),
                msg);
        tls_stream_config_free(*out);
        *out = NULL;
    }
    return rc;
}

int tls_pair_psk_client(tls_stream_config **out, const tls_stream_allocator *alloc, const char *identity,
                        const void *key, size_t key_len)
{
    int rc = new_config(out, alloc, TLS_STREAM_CLIENT);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_psk(*out, identity, strlen(identity), key, key_len);
    return finish_config(out, rc);
}

int tls_pair_psk_server(tls_stream_config **out, const tls_stream_allocator *alloc, const char *identity,
                        const void *key, size_t key_len)
{
    int rc = new_config(out, alloc, TLS_STREAM_SERVER);
    if (rc == TLS_STREAM_OK && identity != NULL)
        rc = tls_stream_config_add_psk(*out, identity, strlen(identity), key, key_len);
    return finish_config(out, rc);
}

int tls_pair_cert_client(tls_stream_config **out, const tls_stream_allocator *alloc, tls_stream_verify verify,
                         const char *ca, const char *server_name, const char *cert,
                         const char *key)
{
    int rc = new_config(out, alloc, TLS_STREAM_CLIENT);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_verify(*out, verify);
    if (rc == TLS_STREAM_OK && ca != NULL)
        rc = tls_pair_add_ca(*out, ca);
    if (rc == TLS_STREAM_OK && server_name != NULL)
        rc = tls_stream_config_set_server_name(*out, server_name);
    if (rc == TLS_STREAM_OK && cert != NULL)
        rc = tls_pair_set_cert(*out, cert);
    if (rc == TLS_STREAM_OK && key != NULL)
        rc = tls_pair_set_key(*out, key, NULL);
    return finish_config(out, rc);
}

int tls_pair_cert_server(tls_stream_config **out, const tls_stream_allocator *alloc, const char *cert,
                         const char *key, tls_stream_verify verify, const char *ca)
{
    int rc = new_config(out, alloc, TLS_STREAM_SERVER);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_set_cert(*out, cert);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_set_key(*out, key, NULL);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_verify(*out, verify);
    if (rc == TLS_STREAM_OK && ca != NULL)
        rc = tls_pair_add_ca(*out, ca);
    return finish_config(out, rc);
}

/* ---------------------------------------------------------------------- */
/* Patterned data                                                          */
/* ---------------------------------------------------------------------- */

unsigned char tls_pair_pattern(unsigned dir, size_t i)
{
    /* a hash of (dir, i): no short period, so lost, repeated or reordered
     * chunks show up as mismatches */
    uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull + (uint64_t)(dir + 1) * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 29;
    return (unsigned char)x;
}

void tls_pair_fill(unsigned dir, size_t offset, unsigned char *buf, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        buf[i] = tls_pair_pattern(dir, offset + i);
}

/* Returns the index of the first byte of buf that differs from the pattern,
 * or len when all match. */
static size_t first_mismatch(unsigned dir, size_t offset, const unsigned char *buf, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++)
        if (buf[i] != tls_pair_pattern(dir, offset + i))
            return i;
    return len;
}

/* Chunk sizes that cross record boundaries (16 KiB) in varied ways. */
static size_t chunk_size(size_t k)
{
    static const size_t sizes[] = { 1, 1000, 16384, 3, 20000, 4096, 16385, 65536, 777 };
    return sizes[k % (sizeof sizes / sizeof sizes[0])];
}

#define PAIR_BUF_SIZE ((size_t)65536)

int tls_pair_write_pattern(tls_stream *s, unsigned dir, size_t n)
{
    unsigned char *buf = malloc(PAIR_BUF_SIZE);
    size_t done = 0, k = 0;
    int rc = TLS_STREAM_OK;

    if (buf == NULL)
        return TLS_STREAM_ERR_NOMEM;
    while (done < n) {
        size_t len = chunk_size(k++);
        if (len > n - done)
            len = n - done;
        tls_pair_fill(dir, done, buf, len);
        rc = tls_stream_write(s, buf, len);
        if (rc < 0) {
            fprintf(stderr, "tls_pair: write at %zu: %d (%s)\n", done, rc, tls_stream_strerror(rc));
            break;
        }
        if ((size_t)rc != len) { /* blocking mode writes everything */
            fprintf(stderr, "tls_pair: blocking write of %zu returned %d\n", len, rc);
            rc = TLS_PAIR_MISMATCH;
            break;
        }
        done += len;
        rc = TLS_STREAM_OK;
    }
    free(buf);
    return rc;
}

int tls_pair_read_pattern(tls_stream *s, unsigned dir, size_t n)
{
    unsigned char *buf = malloc(PAIR_BUF_SIZE);
    size_t done = 0, k = 0;
    int rc = TLS_STREAM_OK;

    if (buf == NULL)
        return TLS_STREAM_ERR_NOMEM;
    while (done < n) {
        size_t len = chunk_size(k++), bad;
        if (len > n - done)
            len = n - done;
        rc = tls_stream_read(s, buf, len);
        if (rc == 0) {
            fprintf(stderr, "tls_pair: end of stream after %zu of %zu bytes\n", done, n);
            rc = TLS_PAIR_SHORT;
            break;
        }
        if (rc < 0) {
            fprintf(stderr, "tls_pair: read at %zu: %d (%s)\n", done, rc, tls_stream_strerror(rc));
            break;
        }
        bad = first_mismatch(dir, done, buf, (size_t)rc);
        if (bad != (size_t)rc) {
            fprintf(stderr, "tls_pair: wrong byte at offset %zu\n", done + bad);
            rc = TLS_PAIR_MISMATCH;
            break;
        }
        done += (size_t)rc;
        rc = TLS_STREAM_OK;
    }
    free(buf);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Memory pipe pair                                                        */
/* ---------------------------------------------------------------------- */

static int end_read(void *ctx, unsigned char *buf, size_t len)
{
    tls_pair_end *e = ctx;
    int rc = e->pipe_io.read(e->pipe_io.ctx, buf, len);
    if (rc > 0)
        e->read_bytes += (unsigned)rc;
    return rc;
}

static int end_write(void *ctx, const unsigned char *buf, size_t len)
{
    tls_pair_end *e = ctx;
    int rc = e->pipe_io.write(e->pipe_io.ctx, buf, len);
    if (rc > 0)
        e->written_bytes += (unsigned)rc;
    return rc;
}

static int end_close(void *ctx)
{
    tls_pair_end *e = ctx;
    return e->pipe_io.close(e->pipe_io.ctx);
}

static int end_wait(void *ctx, int want, int timeout_ms)
{
    tls_pair_end *e = ctx;
    return e->pipe_io.wait(e->pipe_io.ctx, want, timeout_ms);
}

static unsigned long long moved(const tls_pair *p)
{
    return p->end[0].read_bytes + p->end[0].written_bytes + p->end[1].read_bytes +
           p->end[1].written_bytes;
}

int tls_pair_adopt(tls_pair *p, tls_stream_config *client_cfg, tls_stream_config *server_cfg)
{
    int rc = TLS_STREAM_ERR_ARG;

    memset(p, 0, sizeof *p);
    if (client_cfg != NULL && server_cfg != NULL)
        rc = tls_pair_new(p, client_cfg, server_cfg, NULL);
    tls_stream_config_free(client_cfg);
    tls_stream_config_free(server_cfg);
    return rc;
}

int tls_pair_new(tls_pair *p, tls_stream_config *client_cfg, tls_stream_config *server_cfg,
                 const tls_stream_allocator *alloc)
{
    tls_stream_io io;
    int rc, i;

    memset(p, 0, sizeof *p);
    rc = tls_stream_mem_pipe_new(&p->pipe, 0, alloc != NULL ? alloc : tls_test_allocator());
    if (rc != TLS_STREAM_OK)
        return rc;
    for (i = 0; i < 2; i++)
        p->end[i].pipe_io = tls_stream_mem_pipe_io(p->pipe, i);
    io.read = end_read;
    io.write = end_write;
    io.close = end_close;
    io.wait = end_wait;
    io.set_timeout = NULL;
    io.ctx = &p->end[0];
    rc = tls_stream_new(&p->client, client_cfg, &io);
    if (rc == TLS_STREAM_OK) {
        io.ctx = &p->end[1];
        rc = tls_stream_new(&p->server, server_cfg, &io);
    }
    if (rc != TLS_STREAM_OK) {
        fprintf(stderr, "tls_pair: tls_stream_new: %d (%s)\n", rc, tls_stream_strerror(rc));
        tls_pair_free(p);
        return rc;
    }
    tls_stream_set_blocking(p->client, 0);
    tls_stream_set_blocking(p->server, 0);
    p->client_rc = p->server_rc = TLS_STREAM_WANT_READ;
    return TLS_STREAM_OK;
}

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

int tls_pair_handshake(tls_pair *p)
{
    unsigned long round;

    p->client_rc = p->server_rc = TLS_STREAM_WANT_READ;
    for (round = 0; round < TLS_PAIR_MAX_STEPS; round++) {
        unsigned long long before = moved(p);
        if (is_want(p->client_rc))
            p->client_rc = tls_stream_handshake(p->client);
        if (is_want(p->server_rc))
            p->server_rc = tls_stream_handshake(p->server);
        if (!is_want(p->client_rc) && !is_want(p->server_rc))
            break;
        if (moved(p) == before)
            break; /* nobody moved a byte: nothing will change any more */
    }
    p->steps = round + 1;
    if (p->client_rc == TLS_STREAM_OK && p->server_rc == TLS_STREAM_OK)
        return TLS_STREAM_OK;
    if (p->client_rc != TLS_STREAM_OK && !is_want(p->client_rc))
        return p->client_rc;
    if (p->server_rc != TLS_STREAM_OK && !is_want(p->server_rc))
        return p->server_rc;
    return TLS_PAIR_STUCK;
}

/* One direction of tls_pair_transfer(): what a side sent and received. */
typedef struct xfer_side {
    tls_stream *s;
    unsigned out_dir, in_dir;
    size_t sent, received;
    size_t k; /* chunk counter */
    int flushed;
} xfer_side;

/* A call on s returned rc: a want must be in the set tls_stream_wants() says. */
static int check_want(const xfer_side *x, int rc, const char *what)
{
    int bit = rc == TLS_STREAM_WANT_READ ? TLS_STREAM_POLL_READ : TLS_STREAM_POLL_WRITE;
    if (is_want(rc) && !(tls_stream_wants(x->s) & bit)) {
        fprintf(stderr, "tls_pair: %s returned %d but tls_stream_wants() says %d\n", what, rc,
                tls_stream_wants(x->s));
        return TLS_PAIR_MISMATCH;
    }
    return TLS_STREAM_OK;
}

/* One non-blocking step of one side: write some, flush, read some. */
static int xfer_step(xfer_side *x, size_t n, unsigned char *buf, int *progress)
{
    int rc;
    size_t bad;

    if (x->sent < n) {
        size_t len = chunk_size(x->k);
        if (len > n - x->sent)
            len = n - x->sent;
        tls_pair_fill(x->out_dir, x->sent, buf, len);
        rc = tls_stream_write(x->s, buf, len);
        if (rc > 0) {
            if ((size_t)rc > len)
                return TLS_PAIR_MISMATCH;
            x->sent += (size_t)rc;
            x->k++;
            *progress = 1;
        } else if (rc == 0 || !is_want(rc)) {
            fprintf(stderr, "tls_pair: write: %d (%s)\n", rc, tls_stream_strerror(rc));
            return rc == 0 ? TLS_PAIR_MISMATCH : rc;
        } else if (check_want(x, rc, "write") != TLS_STREAM_OK) {
            return TLS_PAIR_MISMATCH;
        }
    } else if (!x->flushed) {
        rc = tls_stream_flush(x->s);
        if (rc == TLS_STREAM_OK)
            x->flushed = 1;
        else if (!is_want(rc))
            return rc;
        else if (check_want(x, rc, "flush") != TLS_STREAM_OK)
            return TLS_PAIR_MISMATCH;
    }
    if (x->received < n) {
        size_t len = n - x->received;
        if (len > PAIR_BUF_SIZE)
            len = PAIR_BUF_SIZE;
        rc = tls_stream_read(x->s, buf, len);
        if (rc == 0) {
            fprintf(stderr, "tls_pair: end of stream after %zu of %zu bytes\n", x->received, n);
            return TLS_PAIR_SHORT;
        }
        if (rc < 0) {
            if (!is_want(rc)) {
                fprintf(stderr, "tls_pair: read: %d (%s)\n", rc, tls_stream_strerror(rc));
                return rc;
            }
            return check_want(x, rc, "read");
        }
        bad = first_mismatch(x->in_dir, x->received, buf, (size_t)rc);
        if (bad != (size_t)rc) {
            fprintf(stderr, "tls_pair: wrong byte at offset %zu\n", x->received + bad);
            return TLS_PAIR_MISMATCH;
        }
        x->received += (size_t)rc;
        *progress = 1;
    }
    return TLS_STREAM_OK;
}

int tls_pair_transfer(tls_pair *p, size_t n)
{
    xfer_side side[2];
    unsigned char *buf;
    unsigned long round;
    int rc = TLS_PAIR_STUCK, i;

    if (tls_stream_state(p->client) != TLS_STREAM_STATE_OPEN ||
        tls_stream_state(p->server) != TLS_STREAM_STATE_OPEN) {
        rc = tls_pair_handshake(p);
        if (rc != TLS_STREAM_OK)
            return rc;
    }
    buf = malloc(PAIR_BUF_SIZE);
    if (buf == NULL)
        return TLS_STREAM_ERR_NOMEM;
    memset(side, 0, sizeof side);
    side[0].s = p->client;
    side[0].out_dir = TLS_PAIR_C2S;
    side[0].in_dir = TLS_PAIR_S2C;
    side[1].s = p->server;
    side[1].out_dir = TLS_PAIR_S2C;
    side[1].in_dir = TLS_PAIR_C2S;
    side[1].k = 4; /* the sides use different chunk sizes at a time */
    for (round = 0; round < TLS_PAIR_MAX_STEPS; round++) {
        unsigned long long before = moved(p);
        int progress = 0, done = 1;
        for (i = 0; i < 2; i++) {
            rc = xfer_step(&side[i], n, buf, &progress);
            if (rc != TLS_STREAM_OK)
                goto out;
            if (side[i].sent < n || !side[i].flushed || side[i].received < n)
                done = 0;
        }
        if (done) {
            rc = TLS_STREAM_OK;
            goto out;
        }
        if (!progress && moved(p) == before) {
            fprintf(stderr,
                    "tls_pair: transfer stuck: client sent %zu, received %zu, wants %d, "
                    "pending %zu; server sent %zu, received %zu, wants %d, pending %zu; "
                    "pipe holds %zu towards client, %zu towards server (of %zu each way)\n",
                    side[0].sent, side[0].received, tls_stream_wants(p->client),
                    tls_stream_pending(p->client), side[1].sent, side[1].received,
                    tls_stream_wants(p->server), tls_stream_pending(p->server),
                    tls_stream_mem_pipe_buffered(p->pipe, 0), tls_stream_mem_pipe_buffered(p->pipe, 1), n);
            rc = TLS_PAIR_STUCK;
            goto out;
        }
    }
    rc = TLS_PAIR_STUCK;
out:
    free(buf);
    return rc;
}

void tls_pair_cut(tls_pair *p, int side)
{
    tls_pair_end *e = &p->end[side == 0 ? 0 : 1];
    e->pipe_io.close(e->pipe_io.ctx);
    e->cut = 1;
}

void tls_pair_free(tls_pair *p)
{
    tls_stream_free(p->client);
    tls_stream_free(p->server);
    tls_stream_mem_pipe_free(p->pipe);
    memset(p, 0, sizeof *p);
}

/* ---------------------------------------------------------------------- */
/* Socketpair pair                                                         */
/* ---------------------------------------------------------------------- */

static void *server_main(void *arg)
{
    tls_pair_sock *ps = arg;
    ps->server_hs_rc = tls_stream_handshake(ps->server);
    if (ps->server_hs_rc != TLS_STREAM_OK)
        ps->server_rc = ps->server_hs_rc;
    else if (ps->serve != NULL)
        ps->server_rc = ps->serve(ps, ps->serve_arg);
    else
        ps->server_rc = TLS_STREAM_OK;
    return NULL;
}

int tls_pair_sock_start(tls_pair_sock *ps, tls_stream_config *client_cfg, tls_stream_config *server_cfg,
                        tls_pair_serve_fn serve, void *arg)
{
    return tls_pair_sock_start_ex(ps, client_cfg, server_cfg, serve, arg, 0);
}

/* The watchdog and the descriptor mode of one socket. */
static int setup_fd(int fd, unsigned flags)
{
    struct timeval tv;
    tv.tv_sec = TLS_PAIR_WATCHDOG_S;
    tv.tv_usec = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
        return -1;
    if (flags & TLS_PAIR_SOCK_NONBLOCK_FDS) {
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
            return -1;
    }
    return 0;
}

int tls_pair_sock_start_ex(tls_pair_sock *ps, tls_stream_config *client_cfg, tls_stream_config *server_cfg,
                           tls_pair_serve_fn serve, void *arg, unsigned flags)
{
    tls_stream_io io;
    int rc;

    memset(ps, 0, sizeof *ps);
    ps->fd[0] = ps->fd[1] = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, ps->fd) != 0) {
        perror("tls_pair: socketpair");
        return TLS_PAIR_SYS;
    }
    if (setup_fd(ps->fd[0], flags) != 0 || setup_fd(ps->fd[1], flags) != 0) {
        perror("tls_pair: socket options");
        close(ps->fd[0]);
        close(ps->fd[1]);
        return TLS_PAIR_SYS;
    }
    io = tls_stream_io_fd(ps->fd[0]);
    rc = tls_stream_new(&ps->client, client_cfg, &io);
    if (rc == TLS_STREAM_OK) {
        io = tls_stream_io_fd(ps->fd[1]);
        rc = tls_stream_new(&ps->server, server_cfg, &io);
    }
    if (rc != TLS_STREAM_OK) {
        fprintf(stderr, "tls_pair: tls_stream_new: %d (%s)\n", rc, tls_stream_strerror(rc));
        goto fail;
    }
    ps->serve = serve;
    ps->serve_arg = arg;
    ps->server_hs_rc = ps->server_rc = TLS_STREAM_ERR_INTERNAL; /* until the thread says */
    if (pthread_create(&ps->thread, NULL, server_main, ps) != 0) {
        fprintf(stderr, "tls_pair: pthread_create failed\n");
        rc = TLS_PAIR_SYS;
        goto fail;
    }
    ps->thread_started = 1;
    return TLS_STREAM_OK;
fail:
    /* a stream closes its fd when freed; close those without a stream */
    if (ps->client == NULL)
        close(ps->fd[0]);
    if (ps->server == NULL)
        close(ps->fd[1]);
    tls_stream_free(ps->client);
    tls_stream_free(ps->server);
    memset(ps, 0, sizeof *ps);
    return rc;
}

int tls_pair_sock_join(tls_pair_sock *ps)
{
    if (ps->thread_started) {
        pthread_join(ps->thread, NULL);
        ps->thread_started = 0;
    }
    return ps->server_rc;
}

void tls_pair_sock_free(tls_pair_sock *ps)
{
    tls_pair_sock_join(ps);
    tls_stream_free(ps->client);
    tls_stream_free(ps->server);
    memset(ps, 0, sizeof *ps);
}

int tls_pair_serve_transfer(tls_pair_sock *ps, void *arg)
{
    size_t n = *(const size_t *)arg;
    unsigned char byte;
    int rc = tls_pair_read_pattern(ps->server, TLS_PAIR_C2S, n);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_write_pattern(ps->server, TLS_PAIR_S2C, n);
    if (rc == TLS_STREAM_OK) {
        rc = tls_stream_read(ps->server, &byte, 1);
        if (rc > 0) {
            fprintf(stderr, "tls_pair: server got data after the transfer\n");
            rc = TLS_PAIR_MISMATCH;
        } else if (rc < 0) {
            fprintf(stderr, "tls_pair: server waiting for close_notify: %d (%s)\n", rc,
                    tls_stream_strerror(rc));
        }
    }
    /* the client may have closed its socket already: our close_notify then
     * meets a closed transport, which is not this transfer's failure */
    (void)tls_stream_close(ps->server);
    return rc;
}

int tls_pair_sock_transfer(tls_pair_sock *ps, size_t n)
{
    int rc = tls_pair_write_pattern(ps->client, TLS_PAIR_C2S, n);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_read_pattern(ps->client, TLS_PAIR_S2C, n);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_close(ps->client);
    return rc;
}

int tls_pair_connect_once(tls_stream_config *c, tls_stream_config *s, const tls_pair_saved *offer,
                          tls_pair_saved *save, size_t n)
{
    tls_pair p;
    tls_pair_saved again;
    int resumed = -1;

    if (tls_pair_new(&p, c, s, NULL) != TLS_STREAM_OK)
        return -1;
    if ((offer == NULL || tls_stream_session_load(p.client, offer->blob, offer->len) == TLS_STREAM_OK) &&
        tls_pair_handshake(&p) == TLS_STREAM_OK && tls_pair_transfer(&p, n) == TLS_STREAM_OK &&
        tls_stream_resumed(p.client) == tls_stream_resumed(p.server))
        resumed = tls_stream_resumed(p.client);
    /* mbedtls 3.x exports a session once: saving twice must still agree */
    if (resumed >= 0 && save != NULL &&
        (tls_stream_session_save(p.client, save->blob, sizeof save->blob, &save->len) != TLS_STREAM_OK ||
         tls_stream_session_save(p.client, again.blob, sizeof again.blob, &again.len) != TLS_STREAM_OK ||
         again.len != save->len || memcmp(again.blob, save->blob, save->len) != 0))
        resumed = -1;
    tls_pair_free(&p);
    return resumed;
}
