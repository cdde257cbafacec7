/* Robustness tests: shared helpers (see robust_util.h). */
#include "robust_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/posix.h"
#include "test_alloc.h"

/* ---------------------------------------------------------------------- */
/* faulty_io                                                               */
/* ---------------------------------------------------------------------- */

static int fault_fires(faulty_io *f)
{
    f->calls++;
    if (f->failed)
        return f->fail_code;
    if (f->fail_at != 0 && f->calls == f->fail_at) {
        f->failed = 1;
        return f->fail_code;
    }
    return 0;
}

/* What a read or a write meets before the inner stream: a closed stream,
 * the planned fault, every other call a want (want), one byte at a time.
 * Returns 0 to go on (with *len cut), else the call's answer. */
static int fio_gate(faulty_io *f, int want, size_t *len)
{
    int rc;
    if (f->closed)
        return TLS_STREAM_ERR_IO;
    if ((rc = fault_fires(f)) != 0)
        return rc;
    if (f->flags & FAULTY_WANT_FIRST) {
        f->toggle ^= 1;
        if (f->toggle)
            return want;
    }
    if (f->flags & FAULTY_ONE_BYTE)
        *len = 1;
    return 0;
}

static int fio_read(void *ctx, unsigned char *buf, size_t len)
{
    faulty_io *f = ctx;
    int rc = fio_gate(f, TLS_STREAM_WANT_READ, &len);
    if (rc != 0)
        return rc;
    rc = f->inner.read(f->inner.ctx, buf, len);
    if (rc > 0)
        f->rbytes += (unsigned long long)rc;
    return rc;
}

static int fio_write(void *ctx, const unsigned char *buf, size_t len)
{
    faulty_io *f = ctx;
    int rc = fio_gate(f, TLS_STREAM_WANT_WRITE, &len);
    if (rc != 0)
        return rc;
    rc = f->inner.write(f->inner.ctx, buf, len);
    if (rc > 0)
        f->wbytes += (unsigned long long)rc;
    return rc;
}

void faulty_io_cut(faulty_io *f)
{
    if (!f->inner_closed && f->inner.close != NULL)
        f->inner.close(f->inner.ctx);
    f->inner_closed = 1;
}

static int fio_close(void *ctx)
{
    faulty_io *f = ctx;
    f->closed = 1;
    if (f->pass_close)
        faulty_io_cut(f);
    return 0;
}

static int fio_wait(void *ctx, int want, int timeout_ms)
{
    faulty_io *f = ctx;
    if (f->failed)
        return f->fail_code;
    return f->inner.wait != NULL ? f->inner.wait(f->inner.ctx, want, timeout_ms) : 0;
}

void faulty_io_init(faulty_io *f, tls_stream_io inner, unsigned flags)
{
    memset(f, 0, sizeof *f);
    f->inner = inner;
    f->flags = flags;
    f->io.ctx = f;
    f->io.read = fio_read;
    f->io.write = fio_write;
    f->io.close = fio_close;
    f->io.wait = fio_wait;
    f->io.set_timeout = NULL;
}

/* ---------------------------------------------------------------------- */
/* rb_conn                                                                 */
/* ---------------------------------------------------------------------- */

size_t rb_pipe_capacity = 256 * 1024;

int rb_conn_new(rb_conn *c, tls_stream_config *ccfg, tls_stream_config *scfg, unsigned cflags,
                unsigned sflags)
{
    int rc, i;
    memset(c, 0, sizeof *c);
    rc = tls_stream_mem_pipe_new(&c->pipe, rb_pipe_capacity, tls_test_allocator());
    if (rc != TLS_STREAM_OK)
        return rc;
    faulty_io_init(&c->side[0].fio, tls_stream_mem_pipe_io(c->pipe, 0), cflags);
    faulty_io_init(&c->side[1].fio, tls_stream_mem_pipe_io(c->pipe, 1), sflags);
    for (i = 0; i < 2; i++) {
        rc = tls_stream_new(&c->side[i].s, i == 0 ? ccfg : scfg, &c->side[i].fio.io);
        if (rc != TLS_STREAM_OK) {
            rb_conn_free(c);
            return rc;
        }
        tls_stream_set_blocking(c->side[i].s, 0);
    }
    return TLS_STREAM_OK;
}

void rb_conn_free(rb_conn *c)
{
    int i;
    for (i = 0; i < 2; i++)
        tls_stream_free(c->side[i].s);
    tls_stream_mem_pipe_free(c->pipe);
    memset(c, 0, sizeof *c);
}

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

static void side_fail(rb_side *sd, int rc)
{
    if (sd->err == 0) {
        sd->err = rc;
        sd->err_detail = rc < 0 ? tls_stream_error_detail(sd->s, NULL) : 0;
    }
}

static size_t chunk_for(size_t sent)
{
    return 3000 + (sent * 7) % 9000;
}

/* One step of side i; the order of the checks follows the scenario. */
static void side_step(rb_conn *c, int i)
{
    rb_side *sd = &c->side[i];
    unsigned char buf[8192];
    int rc;

    if (sd->err != 0 || sd->done)
        return;
    if (!sd->hs_done) {
        rc = tls_stream_handshake(sd->s);
        if (rc == TLS_STREAM_OK)
            sd->hs_done = 1;
        else if (!is_want(rc))
            side_fail(sd, rc);
        return;
    }
    if (sd->sent < c->n) {
        size_t len = c->n - sd->sent;
        if (len > chunk_for(sd->sent))
            len = chunk_for(sd->sent);
        if (len > sizeof buf)
            len = sizeof buf;
        tls_pair_fill(i == 0 ? TLS_PAIR_C2S : TLS_PAIR_S2C, sd->sent, buf, len);
        rc = tls_stream_write(sd->s, buf, len);
        if (rc > 0) {
            sd->sent += (size_t)rc;
        } else if (!is_want(rc)) {
            side_fail(sd, rc == 0 ? RB_SHORT : rc);
            return;
        }
    }
    if (sd->rcvd < c->n) {
        size_t want = c->n - sd->rcvd, k;
        rc = tls_stream_read(sd->s, buf, want < sizeof buf ? want : sizeof buf);
        if (rc > 0) {
            for (k = 0; k < (size_t)rc; k++) {
                if (buf[k] != tls_pair_pattern(i == 0 ? TLS_PAIR_S2C : TLS_PAIR_C2S,
                                               sd->rcvd + k)) {
                    side_fail(sd, RB_MISMATCH);
                    return;
                }
            }
            sd->rcvd += (size_t)rc;
        } else if (rc == 0) {
            side_fail(sd, RB_SHORT);
            return;
        } else if (!is_want(rc)) {
            side_fail(sd, rc);
            return;
        }
    }
    if (sd->sent < c->n || sd->rcvd < c->n)
        return;
    if (!sd->flushed) {
        rc = tls_stream_flush(sd->s);
        if (rc == TLS_STREAM_OK)
            sd->flushed = 1;
        else if (!is_want(rc))
            side_fail(sd, rc);
        return;
    }
    if (i == 1 && !sd->peer_closed) {
        /* the server closes once it has the client's close_notify */
        rc = tls_stream_read(sd->s, buf, sizeof buf);
        if (rc == 0)
            sd->peer_closed = 1;
        else if (rc > 0)
            side_fail(sd, RB_EXTRA);
        else if (!is_want(rc))
            side_fail(sd, rc);
        if (!sd->peer_closed)
            return;
    }
    if (i == 0 && !c->side[1].flushed && c->side[1].err == 0)
        return; /* close after the server sent everything it will send */
    /* close in blocking mode: the wrapper's wait says when to retry */
    tls_stream_set_blocking(sd->s, 1);
    sd->close_rc = tls_stream_close(sd->s);
    sd->closed = 1;
    if (sd->close_rc != TLS_STREAM_OK)
        side_fail(sd, sd->close_rc);
    else
        sd->done = 1;
}

static unsigned long long moved(const rb_conn *c)
{
    return c->side[0].fio.rbytes + c->side[0].fio.wbytes + c->side[1].fio.rbytes +
           c->side[1].fio.wbytes;
}

static int finished(const rb_side *sd)
{
    return sd->done || sd->err != 0;
}

static int state_sum(const rb_conn *c)
{
    int i, sum = 0;
    for (i = 0; i < 2; i++) {
        const rb_side *sd = &c->side[i];
        sum += sd->hs_done + sd->flushed + sd->closed + sd->peer_closed + sd->done +
               (sd->err != 0);
    }
    return sum;
}

int rb_conn_run(rb_conn *c, size_t n)
{
    unsigned idle = 0;
    c->n = n;
    for (c->rounds = 0; c->rounds < RB_MAX_ROUNDS; c->rounds++) {
        unsigned long long before = moved(c);
        int st = state_sum(c), i;
        side_step(c, 0);
        side_step(c, 1);
        if (finished(&c->side[0]) && finished(&c->side[1]))
            break;
        if (moved(c) != before || state_sum(c) != st) {
            idle = 0;
            continue;
        }
        if (++idle < 4)
            continue;
        /* nothing moves: a failed side's peer must learn it from the transport */
        idle = 0;
        for (i = 0; i < 2; i++) {
            if ((c->side[i].err != 0 || c->side[i].closed) && !c->side[i].fio.inner_closed) {
                faulty_io_cut(&c->side[i].fio);
                c->cut = 1;
                break;
            }
        }
        if (i == 2) {
            c->stuck = 1;
            break;
        }
    }
    if (c->rounds >= RB_MAX_ROUNDS)
        c->stuck = 1;
    return !(c->side[0].done && c->side[1].done);
}

/* ---------------------------------------------------------------------- */
/* rb_chan                                                                 */
/* ---------------------------------------------------------------------- */

static void box_init(rb_box *b)
{
    b->buf = malloc(RB_CHAN_MAX);
    b->len = b->pos = 0;
}

void rb_chan_init(rb_chan *ch)
{
    int i;
    memset(ch, 0, sizeof *ch);
    for (i = 0; i < 2; i++) {
        box_init(&ch->in[i]);
        box_init(&ch->out[i]);
        ch->end[i].chan = ch;
        ch->end[i].id = i;
    }
}

void rb_chan_free(rb_chan *ch)
{
    int i;
    for (i = 0; i < 2; i++) {
        free(ch->in[i].buf);
        free(ch->out[i].buf);
    }
    memset(ch, 0, sizeof *ch);
}

static void box_put(rb_box *b, const void *data, size_t len)
{
    if (b->pos == b->len)
        b->pos = b->len = 0;
    if (len > RB_CHAN_MAX - b->len) {
        fprintf(stderr, "rb_chan: box overflow\n");
        abort();
    }
    memcpy(b->buf + b->len, data, len);
    b->len += len;
}

static int chan_read(void *ctx, unsigned char *buf, size_t len)
{
    rb_chan_end *e = ctx;
    rb_chan *ch = e->chan;
    rb_box *b = &ch->in[e->id];
    size_t n;
    ch->reads[e->id]++;
    if (ch->closed[e->id])
        return TLS_STREAM_ERR_IO;
    if (b->pos == b->len)
        return ch->eof[e->id] ? 0 : TLS_STREAM_WANT_READ;
    n = b->len - b->pos;
    if (n > len)
        n = len;
    memcpy(buf, b->buf + b->pos, n);
    b->pos += n;
    return (int)n;
}

static int chan_write(void *ctx, const unsigned char *buf, size_t len)
{
    rb_chan_end *e = ctx;
    rb_chan *ch = e->chan;
    ch->writes[e->id]++;
    if (ch->closed[e->id])
        return TLS_STREAM_ERR_IO;
    if (len > 65536)
        len = 65536;
    box_put(&ch->out[e->id], buf, len);
    return (int)len;
}

static int chan_close(void *ctx)
{
    rb_chan_end *e = ctx;
    e->chan->closed[e->id] = 1;
    return 0;
}

static int chan_wait(void *ctx, int want, int timeout_ms)
{
    rb_chan_end *e = ctx;
    rb_box *b = &e->chan->in[e->id];
    (void)timeout_ms;
    if (want == TLS_STREAM_WANT_READ && b->pos == b->len && !e->chan->eof[e->id])
        return TLS_STREAM_ERR_TIMEOUT;
    return 0;
}

tls_stream_io rb_chan_io(rb_chan *ch, int end)
{
    tls_stream_io io;
    io.ctx = &ch->end[end];
    io.read = chan_read;
    io.write = chan_write;
    io.close = chan_close;
    io.wait = chan_wait;
    io.set_timeout = NULL;
    return io;
}

void rb_chan_put(rb_chan *ch, int end, const void *data, size_t len)
{
    box_put(&ch->in[end], data, len);
}

size_t rb_chan_pending(const rb_chan *ch, int end)
{
    return ch->out[end].len - ch->out[end].pos;
}

unsigned char *rb_chan_peek(rb_chan *ch, int end)
{
    return ch->out[end].buf + ch->out[end].pos;
}

void rb_chan_drop(rb_chan *ch, int end, size_t n)
{
    rb_box *b = &ch->out[end];
    if (n > b->len - b->pos)
        n = b->len - b->pos;
    b->pos += n;
    if (b->pos == b->len)
        b->pos = b->len = 0;
}

size_t rb_chan_forward_n(rb_chan *ch, int from, size_t max)
{
    size_t n = rb_chan_pending(ch, from);
    if (n > max)
        n = max;
    if (n > 0) {
        box_put(&ch->in[1 - from], rb_chan_peek(ch, from), n);
        rb_chan_drop(ch, from, n);
    }
    return n;
}

size_t rb_chan_forward(rb_chan *ch, int from)
{
    return rb_chan_forward_n(ch, from, (size_t)-1);
}

size_t rb_record(const unsigned char *buf, size_t len, int *type)
{
    size_t rlen;
    if (len < 5)
        return 0;
    rlen = ((size_t)buf[3] << 8 | buf[4]) + 5;
    if (type != NULL)
        *type = buf[0];
    return rlen <= len ? rlen : 0;
}

int rb_chan_handshake(rb_chan *ch, tls_stream *c, tls_stream *s, int *crc, int *src)
{
    unsigned round;
    int rc_c = TLS_STREAM_WANT_READ, rc_s = TLS_STREAM_WANT_READ;
    for (round = 0; round < 1000; round++) {
        size_t moved_bytes;
        if (is_want(rc_c))
            rc_c = tls_stream_handshake(c);
        if (is_want(rc_s))
            rc_s = tls_stream_handshake(s);
        moved_bytes = rb_chan_forward(ch, 0) + rb_chan_forward(ch, 1);
        if (!is_want(rc_c) && !is_want(rc_s))
            break;
        if (moved_bytes == 0 && round > 2)
            break;
    }
    if (crc != NULL)
        *crc = rc_c;
    if (src != NULL)
        *src = rc_s;
    return rc_c == TLS_STREAM_OK && rc_s == TLS_STREAM_OK ? TLS_STREAM_OK : (rc_c != TLS_STREAM_OK ? rc_c : rc_s);
}

int rb_handshake_until_quiet(tls_stream *s, unsigned max)
{
    int rc = TLS_STREAM_WANT_READ;
    unsigned i;
    for (i = 0; i < max && is_want(rc); i++)
        rc = tls_stream_handshake(s);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Configurations                                                          */
/* ---------------------------------------------------------------------- */

const unsigned char rb_psk_key[32] = {
    0xf2, 0xd3, 0x6f, 0xac, 0x37, 0xc3, 0xf3, 0xf6, 0xc1, 0x1b, 0xf2,
    0x93, 0xaf, 0x0d, 0x03, 0xcf, 0x82, 0x2d, 0x88, 0xe7, 0x7d, 0x86,
    0x3c, 0xd4, 0xf2, 0x8c, 0x64, 0x3c, 0xae, 0x7e, 0xc9, 0x26,
};

int rb_psk_client(tls_stream_config **out, const tls_stream_allocator *a)
{
    return tls_pair_psk_client(out, a, RB_PSK_ID, rb_psk_key, sizeof rb_psk_key);
}

int rb_psk_server(tls_stream_config **out, const tls_stream_allocator *a)
{
    return tls_pair_psk_server(out, a, RB_PSK_ID, rb_psk_key, sizeof rb_psk_key);
}

int rb_cert_client(tls_stream_config **out, const tls_stream_allocator *a)
{
    return tls_pair_cert_client(out, a, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", NULL,
                                NULL);
}

int rb_cert_server(tls_stream_config **out, const tls_stream_allocator *a)
{
    return tls_pair_cert_server(out, a, "server.pem", "server.key", TLS_STREAM_VERIFY_NONE, NULL);
}

unsigned char *rb_file(const char *name, size_t *len)
{
    unsigned char *data = NULL;
    if (tls_stream_read_file(tls_pair_path(name), &data, len) != TLS_STREAM_OK)
        return NULL;
    return data;
}
