/*
 * A misbehaving transport: 1-byte reads and writes, "would block" before
 * every call, EINTR, and a transport error injected at every call index of
 * a full handshake + 64 KiB each way + close. Each run ends with the right
 * data or a clean error, in a bounded number of steps, without a leak
 * (valgrind and ASan runs check the leaks).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <valgrind/valgrind.h>

#include "robust_util.h"
#include "test_backend.h"
#include "tls_stream/posix.h"
#include "test_alloc.h"

#define XFER (64 * 1024)

typedef int (*cfg_fn)(tls_stream_config **, const tls_stream_allocator *);

/* A clean scenario with the given wrapper flags; returns the conn (freed by caller). */
static void run_clean(rb_conn *c, cfg_fn client, cfg_fn server, unsigned cflags,
                      unsigned sflags, size_t n)
{
    tls_stream_config *cc, *sc;
    assert_int_equal(client(&cc, NULL), TLS_STREAM_OK);
    assert_int_equal(server(&sc, NULL), TLS_STREAM_OK);
    assert_int_equal(rb_conn_new(c, cc, sc, cflags, sflags), TLS_STREAM_OK);
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    rb_conn_run(c, n);
    assert_false(c->stuck);
    assert_int_equal(c->side[0].err, 0);
    assert_int_equal(c->side[1].err, 0);
    assert_true(c->side[0].done);
    assert_true(c->side[1].done);
    assert_int_equal(c->side[0].rcvd, n);
    assert_int_equal(c->side[1].rcvd, n);
}

static void one_byte_transport_psk_transfers_64k_intact(void **state)
{
    rb_conn c;
    (void)state;
    run_clean(&c, rb_psk_client, rb_psk_server, FAULTY_ONE_BYTE, FAULTY_ONE_BYTE, XFER);
    rb_conn_free(&c);
}

static void one_byte_transport_cert_transfers_64k_intact(void **state)
{
    rb_conn c;
    (void)state;
    run_clean(&c, rb_cert_client, rb_cert_server, FAULTY_ONE_BYTE, FAULTY_ONE_BYTE, XFER);
    rb_conn_free(&c);
}

static void want_before_every_call_transfers_64k_intact(void **state)
{
    rb_conn c;
    (void)state;
    run_clean(&c, rb_psk_client, rb_psk_server, FAULTY_WANT_FIRST, FAULTY_WANT_FIRST, XFER);
    assert_true(c.side[0].fio.calls > 100);
    rb_conn_free(&c);
    run_clean(&c, rb_cert_client, rb_cert_server, FAULTY_WANT_FIRST, FAULTY_WANT_FIRST, XFER);
    rb_conn_free(&c);
}

static void one_byte_and_want_first_together_transfer_intact(void **state)
{
    rb_conn c;
    const unsigned both = FAULTY_ONE_BYTE | FAULTY_WANT_FIRST;
    (void)state;
    run_clean(&c, rb_psk_client, rb_psk_server, both, both, XFER);
    rb_conn_free(&c);
    /* one side only, the other normal */
    run_clean(&c, rb_psk_client, rb_psk_server, both, 0, 4096);
    rb_conn_free(&c);
    run_clean(&c, rb_psk_client, rb_psk_server, 0, both, 4096);
    rb_conn_free(&c);
}

/*
 * Fail side's transport at call k with code, for every k of a clean run.
 * The failing side must report TLS_STREAM_ERR_IO with the transport's code as
 * detail; its peer a clean end (TLS_STREAM_ERR_TRUNCATED: the transport ended
 * without close_notify; TLS_STREAM_ERR_IO: it wrote into the closed pipe), or
 * success when it had everything already. Never a hang, never wrong data.
 */
/* The stride of a sweep under valgrind (every index natively and under
 * ASan): an OpenSSL run there costs about three times an mbedtls one. */
static unsigned long vg_stride(unsigned long mbedtls_stride)
{
    if (!RUNNING_ON_VALGRIND)
        return 1;
    return tls_test_openssl(TLS_STREAM_CLIENT) || tls_test_openssl(TLS_STREAM_SERVER) ? 3 * mbedtls_stride
                                                                                    : mbedtls_stride;
}

static void sweep_transport_errors(cfg_fn client, cfg_fn server, int side, int code,
                                   unsigned long stride)
{
    rb_conn c;
    tls_stream_config *cc, *sc;
    unsigned long total, k, failures = 0;

    run_clean(&c, client, server, 0, 0, XFER);
    total = c.side[side].fio.calls;
    rb_conn_free(&c);
    assert_true(total > 10);

    for (k = 1; k <= total; k += stride) {
        rb_side *bad, *peer;
        int reply_lost;
        assert_int_equal(client(&cc, NULL), TLS_STREAM_OK);
        assert_int_equal(server(&sc, NULL), TLS_STREAM_OK);
        assert_int_equal(rb_conn_new(&c, cc, sc, 0, 0), TLS_STREAM_OK);
        tls_stream_config_free(cc);
        tls_stream_config_free(sc);
        c.side[side].fio.fail_at = k;
        c.side[side].fio.fail_code = code;
        rb_conn_run(&c, XFER);
        bad = &c.side[side];
        peer = &c.side[1 - side];
        /* the one failure tls_stream_close() ignores by design: sending our
         * reply to the peer's close_notify */
        reply_lost = bad->err == 0 && bad->done && bad->peer_closed;
        if (c.stuck || (!reply_lost && (bad->err != TLS_STREAM_ERR_IO || bad->err_detail != code)) ||
            !(peer->err == 0 || peer->err == TLS_STREAM_ERR_TRUNCATED || peer->err == TLS_STREAM_ERR_IO)) {
            print_error("side %d fails at call %lu/%lu: stuck %d, err %d (detail %d), "
                        "peer err %d, peer rcvd %zu\n",
                        side, k, total, c.stuck, bad->err, bad->err_detail, peer->err,
                        peer->rcvd);
            failures++;
        }
        /* a side that completed must have had all the data */
        if (peer->done)
            assert_int_equal(peer->rcvd, (size_t)XFER);
        assert_true(bad->fio.failed);
        if (!bad->closed) {
            /* sticky: the next call says the same */
            unsigned char b[1];
            assert_int_equal(tls_stream_state(bad->s), TLS_STREAM_STATE_FAILED);
            assert_int_equal(tls_stream_read(bad->s, b, 1), TLS_STREAM_ERR_IO);
            assert_int_equal(tls_stream_write(bad->s, b, 1), TLS_STREAM_ERR_IO);
        } else {
            assert_int_equal(tls_stream_state(bad->s), TLS_STREAM_STATE_CLOSED);
        }
        rb_conn_free(&c);
    }
    assert_int_equal(failures, 0);
}

static void transport_error_at_every_call_client_psk(void **state)
{
    (void)state;
    sweep_transport_errors(rb_psk_client, rb_psk_server, 0, -ECONNRESET, vg_stride(2));
}

static void transport_error_at_every_call_server_psk(void **state)
{
    (void)state;
    sweep_transport_errors(rb_psk_client, rb_psk_server, 1, -ECONNRESET, vg_stride(2));
}

static void transport_error_at_every_call_client_cert(void **state)
{
    (void)state;
    /* under valgrind every 8th index: a certificate handshake costs seconds
     * there (every index runs natively and under the sanitizers) */
    sweep_transport_errors(rb_cert_client, rb_cert_server, 0, -EPIPE, vg_stride(8));
}

static void transport_error_at_every_call_server_cert(void **state)
{
    (void)state;
    sweep_transport_errors(rb_cert_client, rb_cert_server, 1, -EPIPE, vg_stride(8));
}

/* In the tls_stream_io contract EINTR is the adapter's business: an -EINTR that
 * reaches tls_stream is a transport error, reported as such. */
static void eintr_from_a_raw_transport_is_a_clean_io_error(void **state)
{
    (void)state;
    sweep_transport_errors(rb_psk_client, rb_psk_server, 0, -EINTR, 7);
}

/*
 * Both peers write until their transport is full, then read. Each read must
 * return the peer's data: a read that insists on flushing its own pending
 * records first (which cannot leave: the peer's buffer is full) deadlocks
 * the two peers forever.
 */
static void full_duplex_read_proceeds_while_own_records_wait(void **state)
{
    tls_stream_config *cc, *sc;
    tls_stream_mem_pipe *pipe;
    tls_stream *s[2];
    tls_stream_io io[2];
    unsigned char buf[4096];
    size_t sent[2] = {0, 0}, rcvd[2] = {0, 0};
    int i, rc, round, stalled = 0;
    (void)state;

    assert_int_equal(tls_stream_mem_pipe_new(&pipe, 16384 + 1024, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    assert_int_equal(rb_psk_server(&sc, NULL), TLS_STREAM_OK);
    for (i = 0; i < 2; i++) {
        io[i] = tls_stream_mem_pipe_io(pipe, i);
        assert_int_equal(tls_stream_new(&s[i], i == 0 ? cc : sc, &io[i]), TLS_STREAM_OK);
        tls_stream_set_blocking(s[i], 0);
    }
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);
    for (round = 0; round < 100; round++) {
        int a = tls_stream_handshake(s[0]), b = tls_stream_handshake(s[1]);
        if (a == TLS_STREAM_OK && b == TLS_STREAM_OK)
            break;
    }
    assert_int_equal(tls_stream_handshake(s[0]), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s[1]), TLS_STREAM_OK);
    /* both write until the transport refuses more */
    for (i = 0; i < 2; i++) {
        for (round = 0; round < 100; round++) {
            tls_pair_fill(i == 0 ? TLS_PAIR_C2S : TLS_PAIR_S2C, sent[i], buf, sizeof buf);
            rc = tls_stream_write(s[i], buf, sizeof buf);
            if (rc < 0)
                break;
            sent[i] += (size_t)rc;
        }
        assert_int_equal(rc, TLS_STREAM_WANT_WRITE);
    }
    /* now both read (and retry their writes): everything must arrive */
    for (round = 0; round < 1000 && (rcvd[0] < sent[1] || rcvd[1] < sent[0]); round++) {
        int progress = 0;
        for (i = 0; i < 2; i++) {
            rc = tls_stream_read(s[i], buf, sizeof buf);
            if (rc > 0) {
                rcvd[i] += (size_t)rc;
                progress = 1;
            } else if (rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE) {
                stalled = 1000; /* an error: reported below as missing data */
            }
            (void)tls_stream_flush(s[i]);
        }
        stalled = progress ? 0 : stalled + 1;
        if (stalled > 10)
            break;
    }
    print_message("sent %zu/%zu received %zu/%zu\n", sent[0], sent[1], rcvd[1], rcvd[0]);
    tls_stream_free(s[0]);
    tls_stream_free(s[1]);
    tls_stream_mem_pipe_free(pipe);
    assert_int_equal(rcvd[1], sent[0]);
    assert_int_equal(rcvd[0], sent[1]);
}

/* ---- real EINTR: the POSIX adapter over a socketpair, signals flying ---- */

static volatile sig_atomic_t signals_seen;

static void on_alarm(int sig)
{
    (void)sig;
    signals_seen++;
}

typedef struct eintr_server {
    tls_stream *s;
    int rc;
} eintr_server;

static void *eintr_server_main(void *arg)
{
    eintr_server *es = arg;
    int rc = tls_stream_handshake(es->s);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_read_pattern(es->s, TLS_PAIR_C2S, XFER);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_write_pattern(es->s, TLS_PAIR_S2C, XFER);
    if (rc == TLS_STREAM_OK) {
        unsigned char b[16];
        rc = tls_stream_read(es->s, b, sizeof b); /* the client's close_notify */
        rc = rc == 0 ? tls_stream_close(es->s) : (rc > 0 ? RB_EXTRA : rc);
    }
    es->rc = rc;
    return NULL;
}

static void posix_fd_survives_eintr_storm(void **state)
{
    struct sigaction sa;
    struct itimerval it;
    tls_stream_config *cc, *sc;
    tls_stream *client;
    eintr_server es;
    pthread_t th;
    tls_stream_io cio, sio;
    int fd[2], rc;
    (void)state;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = 0; /* no SA_RESTART: blocking calls fail with EINTR */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    assert_int_equal(rb_psk_server(&sc, NULL), TLS_STREAM_OK);
    cio = tls_stream_io_fd(fd[0]);
    sio = tls_stream_io_fd(fd[1]);
    assert_int_equal(tls_stream_new(&client, cc, &cio), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&es.s, sc, &sio), TLS_STREAM_OK);
    tls_stream_config_free(cc);
    tls_stream_config_free(sc);

    memset(&it, 0, sizeof it);
    it.it_interval.tv_usec = 500;
    it.it_value.tv_usec = 500;
    signals_seen = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    assert_int_equal(pthread_create(&th, NULL, eintr_server_main, &es), 0);

    rc = tls_stream_handshake(client);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_write_pattern(client, TLS_PAIR_C2S, XFER);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_read_pattern(client, TLS_PAIR_S2C, XFER);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_close(client);
    pthread_join(th, NULL);

    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGALRM, &sa, NULL);

    assert_int_equal(rc, TLS_STREAM_OK);
    assert_int_equal(es.rc, TLS_STREAM_OK);
    assert_true(signals_seen > 0);
    tls_stream_free(client);
    tls_stream_free(es.s);
}

/* ---- transports that break the tls_stream_io contract ---- */

static int write_zero(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 0;
}

static int read_too_much(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return (int)len + 1;
}

static int write_all(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    return (int)len;
}

static void contract_breaking_transport_is_an_internal_error_not_a_hang(void **state)
{
    tls_stream_config *cc;
    tls_stream *s;
    tls_stream_io io;
    (void)state;

    memset(&io, 0, sizeof io);
    io.read = read_too_much;
    io.write = write_zero; /* 0 from write: "all sent" to mbedtls, a loop to others */
    assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s, cc, &io), TLS_STREAM_OK);
    tls_stream_set_blocking(s, 0);
    assert_int_equal(rb_handshake_until_quiet(s, 100), TLS_STREAM_ERR_INTERNAL);
    assert_int_equal(tls_stream_error_detail(s, NULL), 0);
    tls_stream_free(s);

    io.write = write_all; /* ClientHello goes out; then a read returns len + 1 */
    assert_int_equal(tls_stream_new(&s, cc, &io), TLS_STREAM_OK);
    tls_stream_set_blocking(s, 0);
    assert_int_equal(rb_handshake_until_quiet(s, 100), TLS_STREAM_ERR_INTERNAL);
    tls_stream_free(s);
    tls_stream_config_free(cc);
}

/* A blocking stream whose wait() fails: a transport error, not a loop. */
static int wait_fails(void *ctx, int want, int timeout_ms)
{
    (void)ctx;
    (void)want;
    (void)timeout_ms;
    return -ENOTCONN;
}

static int read_want(void *ctx, unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return TLS_STREAM_WANT_READ;
}

static void failing_wait_ends_a_blocking_handshake_with_io_error(void **state)
{
    tls_stream_config *cc;
    tls_stream *s;
    tls_stream_io io;
    (void)state;
    memset(&io, 0, sizeof io);
    io.read = read_want;
    io.write = write_all;
    io.wait = wait_fails;
    assert_int_equal(rb_psk_client(&cc, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s, cc, &io), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_error_detail(s, NULL), -ENOTCONN);
    assert_int_equal(tls_stream_handshake(s), TLS_STREAM_ERR_IO);
    tls_stream_free(s);
    tls_stream_config_free(cc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_byte_transport_psk_transfers_64k_intact),
        cmocka_unit_test(one_byte_transport_cert_transfers_64k_intact),
        cmocka_unit_test(want_before_every_call_transfers_64k_intact),
        cmocka_unit_test(one_byte_and_want_first_together_transfer_intact),
        cmocka_unit_test(transport_error_at_every_call_client_psk),
        cmocka_unit_test(transport_error_at_every_call_server_psk),
        cmocka_unit_test(transport_error_at_every_call_client_cert),
        cmocka_unit_test(transport_error_at_every_call_server_cert),
        cmocka_unit_test(eintr_from_a_raw_transport_is_a_clean_io_error),
        cmocka_unit_test(posix_fd_survives_eintr_storm),
        cmocka_unit_test(full_duplex_read_proceeds_while_own_records_wait),
        cmocka_unit_test(contract_breaking_transport_is_an_internal_error_not_a_hang),
        cmocka_unit_test(failing_wait_ends_a_blocking_handshake_with_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
