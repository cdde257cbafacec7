/* Helpers shared by the ussl conformance tests. */
#include "ussl_test_util.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tls_stream/posix.h"
#include "test_alloc.h"
#include "test_backend.h"

const char *ut_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", TLS_TEST_CERTS, name);
    return path;
}

void ut_blob_load(ut_blob *b, const char *name)
{
    int rc = tls_stream_read_file(ut_path(name), &b->data, &b->len);
    if (rc != TLS_STREAM_OK)
        fail_msg("cannot read %s: %d", ut_path(name), rc);
}

void ut_blob_free(ut_blob *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
}

ussl_blob ut_bytes(const void *p, size_t n)
{
    ussl_blob b;
    b.data = p;
    b.len = n;
    b.path = NULL;
    return b;
}

ussl_blob ut_file(const char *path)
{
    ussl_blob b;
    b.data = NULL;
    b.len = 0;
    b.path = path;
    return b;
}

ussl_blob ut_data(const ut_blob *b)
{
    return ut_bytes(b->data, b->len);
}

static int end_read(void *ctx, unsigned char *buf, size_t len)
{
    ut_end *e = (ut_end *)ctx;
    e->io_calls++;
    if (e->interrupts > 0) {
        e->interrupts--;
        return TLS_STREAM_INTERRUPTED;
    }
    if (e->eof_reads)
        return 0;
    if (e->block_reads)
        return TLS_STREAM_WANT_READ;
    return e->inner.read(e->inner.ctx, buf, len);
}

static int end_write(void *ctx, const unsigned char *buf, size_t len)
{
    ut_end *e = (ut_end *)ctx;
    int rc;
    e->io_calls++;
    if (e->interrupts > 0) {
        e->interrupts--;
        return TLS_STREAM_INTERRUPTED;
    }
    if (e->block_writes)
        return TLS_STREAM_WANT_WRITE;
    rc = e->inner.write(e->inner.ctx, buf, len);
    if (rc > 0)
        e->bytes_written += (unsigned long)rc;
    return rc;
}

static int end_close(void *ctx)
{
    ut_end *e = (ut_end *)ctx;
    e->closes++;
    return e->close_rc;
}

static int end_setblocking(void *ctx, int blocking)
{
    ut_end *e = (ut_end *)ctx;
    e->setblocking_calls++;
    e->last_blocking = blocking;
    return 0;
}

static int end_poll(void *ctx, int events)
{
    ut_end *e = (ut_end *)ctx;
    int ret = 0;
    e->last_poll_arg = events;
    if ((events & USSL_POLL_RD) && !e->block_reads &&
        tls_stream_mem_pipe_buffered(e->pipe, e->end) > 0)
        ret |= USSL_POLL_RD;
    if ((events & USSL_POLL_WR) && !e->block_writes)
        ret |= USSL_POLL_WR;
    return ret;
}

const ussl_sock_ops ut_sock_ops = { end_setblocking, end_poll };

void ut_pipe_new(ut_end *a, ut_end *b, size_t capacity)
{
    tls_stream_mem_pipe *p = NULL;
    assert_int_equal(tls_stream_mem_pipe_new(&p, capacity, tls_test_allocator()), TLS_STREAM_OK);
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    a->pipe = b->pipe = p;
    a->end = 0;
    b->end = 1;
    a->inner = tls_stream_mem_pipe_io(p, 0);
    b->inner = tls_stream_mem_pipe_io(p, 1);
    a->last_poll_arg = b->last_poll_arg = -1;
}

void ut_pipe_free(ut_end *a, ut_end *b)
{
    tls_stream_mem_pipe_free(a->pipe);
    a->pipe = b->pipe = NULL;
}

tls_stream_io ut_io(ut_end *e)
{
    tls_stream_io io;
    io.ctx = e;
    io.read = end_read;
    io.write = end_write;
    io.close = end_close;
    io.wait = NULL;
    io.set_timeout = NULL;
    return io;
}

void ut_opts(ussl_opts *o)
{
    ussl_opts_init(o);
    o->backend = tls_test_backend(TLS_STREAM_CLIENT);
    o->alloc = tls_test_allocator();
}


void ut_pair_init(ut_pair *p)
{
    memset(p, 0, sizeof *p);
    ut_pipe_new(&p->ce, &p->se, 0);
    p->cio = ut_io(&p->ce);
    p->sio = ut_io(&p->se);
    ut_blob_load(&p->skey, "server.key");
    ut_blob_load(&p->scert, "server.pem");
    ut_blob_load(&p->ca, "ca.pem");
    ut_opts(&p->co);
    p->co.do_handshake = 0;
    ut_opts(&p->so);
    p->so.server_side = 1;
    p->so.do_handshake = 0;
}

void ut_pair_serve_cert(ut_pair *p)
{
    p->so.keyfile = ut_data(&p->skey);
    p->so.certfile = ut_data(&p->scert);
}

void ut_pair_wrap(ut_pair *p)
{
    assert_int_equal(ussl_wrap_socket(&p->sio, &p->so, &p->s, &p->err), 0);
    assert_int_equal(ussl_wrap_socket(&p->cio, &p->co, &p->c, &p->err), 0);
}

int ut_pair_handshake(ut_pair *p, int *crc, int *src)
{
    ut_pair_wrap(p);
    return ut_handshake(p->c, p->s, crc, src);
}

void ut_pair_free(ut_pair *p)
{
    ussl_free(p->c);
    ussl_free(p->s);
    p->c = p->s = NULL;
    ut_blob_free(&p->skey);
    ut_blob_free(&p->scert);
    ut_blob_free(&p->ca);
    ut_pipe_free(&p->ce, &p->se);
}

int ut_handshake(ussl_socket *c, ussl_socket *s, int *crc, int *src)
{
    int i, a = -USSL_EAGAIN, b = -USSL_EAGAIN;
    for (i = 0; i < 1000; i++) {
        if (a == -USSL_EAGAIN)
            a = ussl_do_handshake(c);
        if (b == -USSL_EAGAIN)
            b = ussl_do_handshake(s);
        if (a != -USSL_EAGAIN && b != -USSL_EAGAIN)
            break;
        if (a != -USSL_EAGAIN && a != 0)
            break; /* the client failed: one more server step shows its view */
        if (b != -USSL_EAGAIN && b != 0)
            break;
    }
    /* let the other side see the alert the failing side sent */
    if (a != 0 && a != -USSL_EAGAIN && b == -USSL_EAGAIN)
        b = ussl_do_handshake(s);
    if (b != 0 && b != -USSL_EAGAIN && a == -USSL_EAGAIN)
        a = ussl_do_handshake(c);
    if (crc != NULL)
        *crc = a;
    if (src != NULL)
        *src = b;
    return a != 0 ? a : b;
}

static unsigned char pattern(size_t i, unsigned seed)
{
    return (unsigned char)((i * 31u + seed * 7u + (i >> 8)) & 0xffu);
}

int ut_transfer(ussl_socket *a, ussl_socket *b, size_t len, unsigned seed)
{
    unsigned char out[4096], in[5000];
    size_t sent = 0, got = 0;
    unsigned long idle = 0;
    while (got < len) {
        int progress = 0;
        if (sent < len) {
            size_t n = len - sent < sizeof out ? len - sent : sizeof out;
            size_t i;
            int rc;
            for (i = 0; i < n; i++)
                out[i] = pattern(sent + i, seed);
            rc = ussl_write(a, out, n);
            if (rc > 0) {
                sent += (size_t)rc;
                progress = 1;
            } else if (rc != -USSL_EAGAIN) {
                return rc;
            }
        }
        for (;;) {
            int rc = ussl_read1(b, in, sizeof in);
            size_t i;
            if (rc == -USSL_EAGAIN)
                break;
            if (rc <= 0)
                return rc == 0 ? -1 : rc;
            for (i = 0; i < (size_t)rc; i++)
                if (in[i] != pattern(got + i, seed))
                    return -2;
            got += (size_t)rc;
            progress = 1;
        }
        /* a write may have left records buffered: a zero-length write sends them */
        if (sent == len) {
            int rc = ussl_write(a, NULL, 0);
            if (rc != 0 && rc != -USSL_EAGAIN)
                return rc;
        }
        if (!progress && ++idle > 100000)
            return -3;
    }
    return 0;
}

/* Last in this file: everything above wraps through the macro too. */
#undef ussl_wrap_socket
int ut_wrap_socket(const tls_stream_io *sock, const ussl_opts *opts, ussl_socket **out, ussl_error *err)
{
    ussl_opts o;

    if (opts == NULL)
        return ussl_wrap_socket(sock, opts, out, err);
    o = *opts;
    if (o.backend != NULL)
        o.backend = tls_test_backend(o.server_side ? TLS_STREAM_SERVER : TLS_STREAM_CLIENT);
    return ussl_wrap_socket(sock, &o, out, err);
}
