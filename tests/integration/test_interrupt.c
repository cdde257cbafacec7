/*
 * An interrupted transport with real mbedtls on both ends: blocking streams
 * over a socketpair, each transport answering TLS_STREAM_INTERRUPTED on
 * every third call and moving at most 7 bytes a call (so interruptions land
 * mid-handshake, mid-record and mid-write). Every call is repeated on
 * TLS_STREAM_INTERRUPTED; the data must arrive exactly and both ends must
 * close cleanly.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_scale.h"
#include "tls_pair.h"

/* A transport that is interrupted every `every` calls and moves at most `cap` bytes. */
typedef struct intr_io {
    tls_stream_io inner;
    unsigned calls, every;
    size_t cap;
    unsigned long interrupts, wait_calls;
} intr_io;

static int interrupt_now(intr_io *x)
{
    if (++x->calls % x->every != 0)
        return 0;
    x->interrupts++;
    return 1;
}

static int i_read(void *ctx, unsigned char *buf, size_t len)
{
    intr_io *x = ctx;
    if (interrupt_now(x))
        return TLS_STREAM_INTERRUPTED;
    return x->inner.read(x->inner.ctx, buf, len < x->cap ? len : x->cap);
}

static int i_write(void *ctx, const unsigned char *buf, size_t len)
{
    intr_io *x = ctx;
    if (interrupt_now(x))
        return TLS_STREAM_INTERRUPTED;
    return x->inner.write(x->inner.ctx, buf, len < x->cap ? len : x->cap);
}

static int i_wait(void *ctx, int want, int timeout_ms)
{
    intr_io *x = ctx;
    x->wait_calls++;
    return x->inner.wait(x->inner.ctx, want, timeout_ms);
}

static int i_close(void *ctx)
{
    intr_io *x = ctx;
    return x->inner.close(x->inner.ctx);
}

static int i_set_timeout(void *ctx, int timeout_ms)
{
    intr_io *x = ctx;
    return x->inner.set_timeout(x->inner.ctx, timeout_ms);
}

static tls_stream_io intr_wrap(intr_io *x, int fd)
{
    tls_stream_io io = { x, i_read, i_write, i_close, i_wait, i_set_timeout };
    memset(x, 0, sizeof *x);
    x->inner = tls_stream_io_fd(fd);
    x->every = 3;
    x->cap = 7;
    return io;
}

/* One end: handshake, send n bytes of pattern `out`, receive n of `in`, close. */
typedef struct end {
    tls_stream *s;
    intr_io io;
    unsigned out, in;
    size_t n;
    int sends_first;
    unsigned long hs_interrupts, interrupted_calls;
    int rc;
} end;

static int retry_handshake(end *e)
{
    int rc;
    while ((rc = tls_stream_handshake(e->s)) == TLS_STREAM_INTERRUPTED)
        e->interrupted_calls++;
    return rc;
}

static int send_all(end *e)
{
    unsigned char buf[3000];
    size_t done = 0;
    while (done < e->n) {
        size_t k = e->n - done < sizeof buf ? e->n - done : sizeof buf;
        int rc;
        tls_pair_fill(e->out, done, buf, k);
        rc = tls_stream_write(e->s, buf, k);
        if (rc == TLS_STREAM_INTERRUPTED) {
            e->interrupted_calls++;
            continue;
        }
        if (rc <= 0)
            return rc < 0 ? rc : TLS_PAIR_SHORT;
        done += (size_t)rc; /* a short count after an interruption: the rest next */
    }
    return TLS_STREAM_OK;
}

static int receive_all(end *e)
{
    unsigned char buf[2000], want[2000];
    size_t done = 0;
    while (done < e->n) {
        int rc = tls_stream_read(e->s, buf, sizeof buf < e->n - done ? sizeof buf : e->n - done);
        if (rc == TLS_STREAM_INTERRUPTED) {
            e->interrupted_calls++;
            continue;
        }
        if (rc <= 0)
            return rc < 0 ? rc : TLS_PAIR_SHORT;
        tls_pair_fill(e->in, done, want, (size_t)rc);
        if (memcmp(buf, want, (size_t)rc) != 0)
            return TLS_PAIR_MISMATCH;
        done += (size_t)rc;
    }
    return TLS_STREAM_OK;
}

static int finish(end *e)
{
    unsigned char b;
    int rc;
    if (!e->sends_first) {
        /* the server waits for the client's close_notify */
        while ((rc = tls_stream_read(e->s, &b, 1)) == TLS_STREAM_INTERRUPTED)
            e->interrupted_calls++;
        if (rc != 0)
            return rc < 0 ? rc : TLS_PAIR_MISMATCH;
    }
    while ((rc = tls_stream_close(e->s)) == TLS_STREAM_INTERRUPTED)
        e->interrupted_calls++;
    return rc;
}

static void *run_end(void *arg)
{
    end *e = arg;
    int rc = retry_handshake(e);
    e->hs_interrupts = e->io.interrupts;
    if (rc == TLS_STREAM_OK)
        rc = e->sends_first ? send_all(e) : receive_all(e);
    if (rc == TLS_STREAM_OK)
        rc = e->sends_first ? receive_all(e) : send_all(e);
    if (rc == TLS_STREAM_OK)
        rc = finish(e);
    e->rc = rc;
    return NULL;
}

static void run_pair(tls_stream_config *ccfg, tls_stream_config *scfg, size_t n)
{
    int fd[2];
    end c, s;
    tls_stream_io cio, sio;
    pthread_t th;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    memset(&c, 0, sizeof c);
    memset(&s, 0, sizeof s);
    cio = intr_wrap(&c.io, fd[0]);
    sio = intr_wrap(&s.io, fd[1]);
    assert_int_equal(tls_stream_new(&c.s, ccfg, &cio), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s.s, scfg, &sio), TLS_STREAM_OK);
    c.out = s.in = TLS_PAIR_C2S;
    c.in = s.out = TLS_PAIR_S2C;
    c.n = s.n = n;
    c.sends_first = 1;
    assert_int_equal(pthread_create(&th, NULL, run_end, &s), 0);
    run_end(&c);
    assert_int_equal(pthread_join(th, NULL), 0);

    assert_int_equal(c.rc, TLS_STREAM_OK);
    assert_int_equal(s.rc, TLS_STREAM_OK);
    /* interruptions met the handshake and the data on both ends and came
     * back to the caller (but those met after a write had accepted bytes:
     * that write returned its count) */
    assert_true(c.hs_interrupts > 0 && s.hs_interrupts > 0);
    assert_true(c.io.interrupts > c.hs_interrupts && s.io.interrupts > s.hs_interrupts);
    assert_true(c.interrupted_calls > 0 && c.interrupted_calls <= c.io.interrupts);
    assert_true(s.interrupted_calls > 0 && s.interrupted_calls <= s.io.interrupts);
    assert_int_equal(tls_stream_state(c.s), TLS_STREAM_STATE_CLOSED);
    tls_stream_free(c.s);
    tls_stream_free(s.s);
}

static void test_psk_handshake_data_and_close_survive_an_interrupt_every_third_call(void **state)
{
    tls_stream_config *c, *s;
    (void)state;
    assert_int_equal(tls_pair_client1_configs(&c, &s, NULL), TLS_STREAM_OK);
    run_pair(c, s, (size_t)tls_test_count(100000, 20000));
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

static void test_certificate_handshake_survives_an_interrupt_every_third_call(void **state)
{
    tls_stream_config *c, *s;
    (void)state;
    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost", NULL,
                                          NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key", TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    run_pair(c, s, 5000);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psk_handshake_data_and_close_survive_an_interrupt_every_third_call),
        cmocka_unit_test(test_certificate_handshake_survives_an_interrupt_every_third_call),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
