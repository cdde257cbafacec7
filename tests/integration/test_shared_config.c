/*
 * One client and one server configuration shared by streams on several
 * threads at once (the documented threading rule; the backend says it
 * holds with TLS_STREAM_CAP_THREADS). Each of N threads runs K
 * connections: a client stream on its thread and a server stream on a
 * helper thread over a socketpair, full handshakes (certificates with
 * session tickets and cache, and PSK) and a short exchange. Built a second
 * time with ThreadSanitizer when TLS_STREAM_TSAN is on
 * (test_shared_config_tsan).
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

#include "test_scale.h"
#include "tls_pair.h"
#include "tls_stream/backend.h"

#define THREADS 4

typedef struct shared {
    tls_stream_config *client, *server;
    long connections; /* per thread */
} shared;

typedef struct worker {
    const shared *sh;
    pthread_t thread;
    long done;
    int rc;
} worker;

typedef struct server_end {
    tls_stream *s;
    int rc;
} server_end;

static void *serve(void *arg)
{
    server_end *e = arg;
    unsigned char buf[64];
    int rc = tls_stream_handshake(e->s);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_read(e->s, buf, sizeof buf);
    if (rc == 5 && memcmp(buf, "hello", 5) == 0)
        rc = tls_stream_write(e->s, "world", 5);
    e->rc = rc == 5 ? tls_stream_close(e->s) : (rc < 0 ? rc : TLS_PAIR_MISMATCH);
    return NULL;
}

static int one_connection(const shared *sh)
{
    int fd[2], rc;
    tls_stream_io cio, sio;
    tls_stream *c = NULL;
    server_end se;
    pthread_t th;
    unsigned char buf[8];

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) != 0)
        return TLS_PAIR_SYS;
    cio = tls_stream_io_fd(fd[0]);
    sio = tls_stream_io_fd(fd[1]);
    se.s = NULL;
    if ((rc = tls_stream_new(&c, sh->client, &cio)) != TLS_STREAM_OK ||
        (rc = tls_stream_new(&se.s, sh->server, &sio)) != TLS_STREAM_OK)
        return rc; /* (leaks descriptors on a failure that fails the test anyway) */
    if (pthread_create(&th, NULL, serve, &se) != 0)
        return TLS_PAIR_SYS;
    rc = tls_stream_write(c, "hello", 5);
    if (rc == 5)
        rc = tls_stream_read(c, buf, sizeof buf);
    if (rc == 5 && memcmp(buf, "world", 5) == 0)
        rc = tls_stream_read(c, buf, sizeof buf) == 0 ? tls_stream_close(c) : TLS_PAIR_MISMATCH;
    else
        rc = rc < 0 ? rc : TLS_PAIR_MISMATCH;
    pthread_join(th, NULL);
    if (rc == TLS_STREAM_OK)
        rc = se.rc;
    tls_stream_free(c);
    tls_stream_free(se.s);
    return rc;
}

static void *work(void *arg)
{
    worker *w = arg;
    for (w->done = 0; w->done < w->sh->connections; w->done++) {
        w->rc = one_connection(w->sh);
        if (w->rc != TLS_STREAM_OK)
            break;
    }
    return NULL;
}

static void run_threads(shared *sh)
{
    worker w[THREADS];
    int i;
    for (i = 0; i < THREADS; i++) {
        w[i].sh = sh;
        w[i].rc = TLS_STREAM_OK;
        assert_int_equal(pthread_create(&w[i].thread, NULL, work, &w[i]), 0);
    }
    for (i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(w[i].thread, NULL), 0);
        assert_int_equal(w[i].rc, TLS_STREAM_OK);
        assert_int_equal(w[i].done, sh->connections);
    }
    tls_stream_config_free(sh->client);
    tls_stream_config_free(sh->server);
}

/* The first stream freezes a configuration: made once, before sharing it. */
static void freeze_both(shared *sh)
{
    tls_stream *c, *s;
    tls_stream_io io = tls_stream_io_fd(-1);
    io.close = NULL;
    assert_int_equal(tls_stream_new(&c, sh->client, &io), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s, sh->server, &io), TLS_STREAM_OK);
    tls_stream_free(c);
    tls_stream_free(s);
}

static void test_mbedtls_says_configurations_may_be_shared_between_threads(void **state)
{
    (void)state;
    assert_true(tls_stream_backend_mbedtls()->caps & TLS_STREAM_CAP_THREADS);
}

static void test_certificate_configs_shared_by_threads_handshake_concurrently(void **state)
{
    shared sh;
    (void)state;
    sh.connections = tls_test_count(12, 3);
    assert_int_equal(tls_pair_cert_client(&sh.client, NULL, TLS_STREAM_VERIFY_REQUIRED, "ca.pem", "localhost",
                                          NULL, NULL),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_cert_server(&sh.server, NULL, "server.pem", "server.key", TLS_STREAM_VERIFY_NONE,
                                          NULL),
                     TLS_STREAM_OK);
    /* the shared parts with state of their own: ticket key, session cache */
    assert_int_equal(tls_stream_config_set_session_tickets(sh.server, 3600), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_session_cache(sh.server, 16, 3600), TLS_STREAM_OK);
    freeze_both(&sh);
    run_threads(&sh);
}

static void test_psk_configs_shared_by_threads_handshake_concurrently(void **state)
{
    shared sh;
    (void)state;
    sh.connections = tls_test_count(25, 5);
    assert_int_equal(tls_pair_client1_configs(&sh.client, &sh.server, NULL), TLS_STREAM_OK);
    freeze_both(&sh);
    run_threads(&sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbedtls_says_configurations_may_be_shared_between_threads),
        cmocka_unit_test(test_certificate_configs_shared_by_threads_handshake_concurrently),
        cmocka_unit_test(test_psk_configs_shared_by_threads_handshake_concurrently),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
