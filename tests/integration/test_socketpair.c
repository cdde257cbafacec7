/*
 * Blocking streams over socketpair(AF_UNIX) with tls_stream_io_fd(): the server
 * runs in its own thread. Handshakes, 1 MiB each way, clean close,
 * truncation, and timeouts with a silent peer.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "test_scale.h"
#include "tls_pair.h"
#include "test_backend.h"

static void psk_configs(tls_stream_config **c, tls_stream_config **s)
{
    assert_int_equal(tls_pair_client1_configs(c, s, NULL), TLS_STREAM_OK);
}

static void start_ex(tls_pair_sock *ps, tls_stream_config *c, tls_stream_config *s, tls_pair_serve_fn serve,
                     void *arg, unsigned flags)
{
    int rc = tls_pair_sock_start_ex(ps, c, s, serve, arg, flags);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    assert_int_equal(rc, TLS_STREAM_OK);
}

static void start(tls_pair_sock *ps, tls_stream_config *c, tls_stream_config *s, tls_pair_serve_fn serve,
                  void *arg)
{
    int rc = tls_pair_sock_start(ps, c, s, serve, arg);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    assert_int_equal(rc, TLS_STREAM_OK);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_blocking_psk_handshake_with_server_thread(void **state)
{
    tls_pair_sock ps;
    tls_stream_config *c, *s;
    (void)state;

    psk_configs(&c, &s);
    start(&ps, c, s, NULL, NULL);
    assert_int_equal(tls_stream_handshake(ps.client), TLS_STREAM_OK);
    assert_int_equal(tls_pair_sock_join(&ps), TLS_STREAM_OK);
    assert_int_equal(ps.server_hs_rc, TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(ps.client), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_state(ps.server), TLS_STREAM_STATE_OPEN);
    assert_true(tls_test_psk_negotiated(ps.client));
    assert_true(tls_test_same_suite(tls_stream_cipher(ps.client), tls_stream_cipher(ps.server)));
    assert_int_equal(tls_stream_wants(ps.client), 0);
    tls_pair_sock_free(&ps);
}

static void test_blocking_mutual_tls_handshake_with_server_thread(void **state)
{
    tls_pair_sock ps;
    tls_stream_config *c = NULL, *s = NULL;
    const unsigned char *der;
    size_t len;
    (void)state;

    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost",
                                          "client.pem", "client.key"),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "server.pem", "server.key",
                                          TLS_STREAM_VERIFY_REQUIRED, "ca.pem"),
                     TLS_STREAM_OK);
    start(&ps, c, s, NULL, NULL);
    assert_int_equal(tls_stream_handshake(ps.client), TLS_STREAM_OK);
    assert_int_equal(tls_pair_sock_join(&ps), TLS_STREAM_OK);
    assert_int_equal(tls_stream_peer_cert(ps.server, &der, &len), TLS_STREAM_OK);
    assert_string_equal(tls_stream_version(ps.client), tls_test_version());
    tls_pair_sock_free(&ps);
}

static void test_blocking_handshake_failure_reaches_both_threads(void **state)
{
    tls_pair_sock ps;
    tls_stream_config *c = NULL, *s = NULL;
    (void)state;

    assert_int_equal(tls_pair_cert_client(&c, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost",
                                          NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&s, NULL, "other_server.pem", "other_server.key",
                                          TLS_STREAM_VERIFY_NONE, NULL),
                     TLS_STREAM_OK);
    start(&ps, c, s, NULL, NULL);
    assert_int_equal(tls_stream_handshake(ps.client), TLS_STREAM_ERR_VERIFY);
    assert_int_equal(tls_pair_sock_join(&ps), TLS_STREAM_ERR_PEER_ALERT);
    tls_pair_sock_free(&ps);
}

static void one_mebibyte_each_way(unsigned flags)
{
    tls_pair_sock ps;
    tls_stream_config *c, *s;
    size_t n = (size_t)tls_test_count(1L << 20, 128L << 10);

    psk_configs(&c, &s);
    start_ex(&ps, c, s, tls_pair_serve_transfer, &n, flags);
    /* the write runs the handshake; the server thread reads 1 MiB, echoes
     * 1 MiB of its own pattern, then waits for our close_notify (read 0) */
    assert_int_equal(tls_pair_sock_transfer(&ps, n), TLS_STREAM_OK);
    assert_int_equal(tls_pair_sock_join(&ps), TLS_STREAM_OK);
    assert_int_equal(tls_stream_state(ps.client), TLS_STREAM_STATE_CLOSED);
    tls_pair_sock_free(&ps);
}

/* Blocking streams over blocking descriptors: the kernel blocks. */
static void test_one_mebibyte_each_way_over_socketpair(void **state)
{
    (void)state;
    one_mebibyte_each_way(0);
}

/* Blocking streams over O_NONBLOCK descriptors: the stream waits (poll). */
static void test_one_mebibyte_each_way_over_nonblocking_socketpair(void **state)
{
    (void)state;
    one_mebibyte_each_way(TLS_PAIR_SOCK_NONBLOCK_FDS);
}

/* Server: read until the end, return what the read returned. */
static int serve_read_to_end(tls_pair_sock *ps, void *arg)
{
    unsigned char buf[64];
    int i, rc = TLS_STREAM_ERR_INTERNAL;
    (void)arg;
    for (i = 0; i < 1000; i++) {
        rc = tls_stream_read(ps->server, buf, sizeof buf);
        if (rc <= 0)
            break;
    }
    return rc;
}

static void test_blocking_clean_close_reads_zero(void **state)
{
    tls_pair_sock ps;
    tls_stream_config *c, *s;
    (void)state;

    psk_configs(&c, &s);
    start(&ps, c, s, serve_read_to_end, NULL);
    assert_int_equal(tls_stream_write(ps.client, "data", 4), 4);
    assert_int_equal(tls_stream_close(ps.client), TLS_STREAM_OK);
    assert_int_equal(tls_pair_sock_join(&ps), 0);
    assert_int_equal(tls_stream_state(ps.server), TLS_STREAM_STATE_PEER_CLOSED);
    tls_pair_sock_free(&ps);
}

static void test_blocking_transport_end_without_close_notify_is_truncated(void **state)
{
    tls_pair_sock ps;
    tls_stream_config *c, *s;
    (void)state;

    psk_configs(&c, &s);
    start(&ps, c, s, serve_read_to_end, NULL);
    assert_int_equal(tls_stream_write(ps.client, "data", 4), 4);
    /* end the transport under the client stream; the stream closes the fd
     * itself when freed */
    assert_int_equal(shutdown(ps.fd[0], SHUT_RDWR), 0);
    assert_int_equal(tls_pair_sock_join(&ps), TLS_STREAM_ERR_TRUNCATED);
    assert_int_equal(tls_stream_state(ps.server), TLS_STREAM_STATE_FAILED);
    tls_pair_sock_free(&ps);
}

/* A socketpair for a lone stream: O_NONBLOCK when asked, and a watchdog of
 * watchdog_s seconds on blocking reads (SO_RCVTIMEO) so no test can hang. */
static void lone_socketpair(int fd[2], int nonblocking, int watchdog_s)
{
    struct timeval tv;
    int i;
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    tv.tv_sec = watchdog_s;
    tv.tv_usec = 0;
    for (i = 0; i < 2; i++) {
        assert_int_equal(setsockopt(fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
        if (nonblocking)
            assert_int_equal(fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK), 0);
    }
}

/* A server whose client never speaks: a blocking handshake with a 100 ms
 * timeout gives up with TLS_STREAM_ERR_TIMEOUT (and stays failed). */
static void server_times_out_on_silent_peer(int nonblocking_fd)
{
    tls_stream_config *s = NULL;
    tls_stream *server = NULL;
    tls_stream_io io;
    int fd[2], rc, err, again;
    tls_stream_conn_state st;
    double t0, elapsed;
    unsigned char buf[4];

    lone_socketpair(fd, nonblocking_fd, 3);
    assert_int_equal(tls_pair_psk_server(&s, NULL, "client1", tls_pair_client1.key,
                                         tls_pair_client1.len),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_timeout(s, 100), TLS_STREAM_OK);
    io = tls_stream_io_fd(fd[1]);
    assert_int_equal(tls_stream_new(&server, s, &io), TLS_STREAM_OK);
    tls_stream_config_free(s);

    t0 = now_s();
    rc = tls_stream_handshake(server);
    elapsed = now_s() - t0;
    st = tls_stream_state(server);
    err = tls_stream_error(server);
    again = tls_stream_read(server, buf, sizeof buf);
    tls_stream_free(server); /* closes fd[1] */
    close(fd[0]);

    print_message("  handshake gave up after %.3f s\n", elapsed);
    assert_int_equal(rc, TLS_STREAM_ERR_TIMEOUT);
    assert_true(elapsed >= 0.09);
    assert_true(elapsed < 2.0); /* ~0.1 s; generous for valgrind, below the watchdog */
    assert_int_equal(st, TLS_STREAM_STATE_FAILED);
    assert_int_equal(err, TLS_STREAM_ERR_TIMEOUT);
    assert_int_equal(again, TLS_STREAM_ERR_TIMEOUT);
}

static void test_blocking_handshake_times_out_on_silent_peer(void **state)
{
    (void)state;
    server_times_out_on_silent_peer(1);
}

/* The same over a descriptor in blocking mode (what socketpair() and
 * accept() return): tls_stream_io_fd() accepts it and the timeout must hold. */
static void test_blocking_handshake_times_out_on_silent_peer_with_blocking_fd(void **state)
{
    (void)state;
    server_times_out_on_silent_peer(0);
}

/* Same for a client whose server never answers the ClientHello. */
static void test_blocking_client_handshake_times_out_on_silent_server(void **state)
{
    tls_stream_config *c = NULL;
    tls_stream *client = NULL;
    tls_stream_io io;
    int fd[2];
    double t0;
    (void)state;

    lone_socketpair(fd, 1, 3);
    assert_int_equal(tls_pair_psk_client(&c, NULL, "client1", tls_pair_client1.key,
                                         tls_pair_client1.len),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_timeout(c, 100), TLS_STREAM_OK);
    io = tls_stream_io_fd(fd[0]);
    assert_int_equal(tls_stream_new(&client, c, &io), TLS_STREAM_OK);
    tls_stream_config_free(c);

    t0 = now_s();
    assert_int_equal(tls_stream_handshake(client), TLS_STREAM_ERR_TIMEOUT);
    assert_true(now_s() - t0 < 2.0);
    tls_stream_free(client);
    close(fd[1]);
}

/* Server: wait for one byte, then answer "data" and wait for the end. */
static int serve_answer_after_byte(tls_pair_sock *ps, void *arg)
{
    unsigned char b;
    int rc;
    (void)arg;
    rc = tls_stream_read(ps->server, &b, 1);
    if (rc != 1)
        return rc < 0 ? rc : TLS_PAIR_SHORT;
    rc = tls_stream_write(ps->server, "data", 4);
    if (rc != 4)
        return rc < 0 ? rc : TLS_PAIR_SHORT;
    return serve_read_to_end(ps, NULL);
}

/* An open connection survives a read timeout: the timeout is reported and
 * the next read gets the data. */
static void test_blocking_read_timeout_keeps_connection_open(void **state)
{
    tls_pair_sock ps;
    tls_stream_config *c, *s;
    unsigned char buf[8];
    double t0;
    (void)state;

    psk_configs(&c, &s);
    /* long enough for the server's side of the handshake under valgrind */
    assert_int_equal(tls_stream_config_set_timeout(c, 3000), TLS_STREAM_OK);
    start_ex(&ps, c, s, serve_answer_after_byte, NULL, TLS_PAIR_SOCK_NONBLOCK_FDS);
    assert_int_equal(tls_stream_handshake(ps.client), TLS_STREAM_OK);
    t0 = now_s();
    assert_int_equal(tls_stream_read(ps.client, buf, sizeof buf), TLS_STREAM_ERR_TIMEOUT);
    assert_true(now_s() - t0 >= 2.9);
    assert_true(now_s() - t0 < 20.0);
    assert_int_equal(tls_stream_state(ps.client), TLS_STREAM_STATE_OPEN);
    assert_int_equal(tls_stream_write(ps.client, "g", 1), 1);
    {
        int rc = TLS_STREAM_ERR_TIMEOUT, i;
        for (i = 0; i < 100 && rc == TLS_STREAM_ERR_TIMEOUT; i++)
            rc = tls_stream_read(ps.client, buf, sizeof buf);
        assert_int_equal(rc, 4);
        assert_memory_equal(buf, "data", 4);
    }
    assert_int_equal(tls_stream_close(ps.client), TLS_STREAM_OK);
    assert_int_equal(tls_pair_sock_join(&ps), 0);
    tls_pair_sock_free(&ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocking_psk_handshake_with_server_thread),
        cmocka_unit_test(test_blocking_mutual_tls_handshake_with_server_thread),
        cmocka_unit_test(test_blocking_handshake_failure_reaches_both_threads),
        cmocka_unit_test(test_one_mebibyte_each_way_over_socketpair),
        cmocka_unit_test(test_one_mebibyte_each_way_over_nonblocking_socketpair),
        cmocka_unit_test(test_blocking_clean_close_reads_zero),
        cmocka_unit_test(test_blocking_transport_end_without_close_notify_is_truncated),
        cmocka_unit_test(test_blocking_handshake_times_out_on_silent_peer),
        cmocka_unit_test(test_blocking_handshake_times_out_on_silent_peer_with_blocking_fd),
        cmocka_unit_test(test_blocking_client_handshake_times_out_on_silent_server),
        cmocka_unit_test(test_blocking_read_timeout_keeps_connection_open),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
