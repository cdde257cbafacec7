/*
 * Error precedence with real mbedtls on both ends over a socketpair: a
 * server that refuses the client's PSK identity sends a fatal alert and
 * closes its socket at once. The client, still sending its last flight,
 * meets a broken pipe; it must report the peer's alert, not the transport
 * error, every time (the race is run many times).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "test_scale.h"
#include "tls_pair.h"
#include "tls_stream/options.h"

typedef struct server {
    tls_stream *s;
    int hs_rc, close_rc;
} server;

/* Handshake (fails: unknown identity), then close the transport at once. */
static void *serve(void *arg)
{
    server *sv = arg;
    sv->hs_rc = tls_stream_handshake(sv->s);
    sv->close_rc = tls_stream_close(sv->s);
    return NULL;
}

static void refused_identity_run(tls_stream_config *ccfg, tls_stream_config *scfg, int *io_errors)
{
    int fd[2];
    tls_stream_io cio, sio;
    tls_stream *c;
    server sv;
    pthread_t th;
    const char *msg = NULL;
    int rc;

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    cio = tls_stream_io_fd(fd[0]);
    sio = tls_stream_io_fd(fd[1]);
    assert_int_equal(tls_stream_new(&c, ccfg, &cio), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&sv.s, scfg, &sio), TLS_STREAM_OK);
    assert_int_equal(pthread_create(&th, NULL, serve, &sv), 0);
    rc = tls_stream_handshake(c);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(sv.hs_rc, TLS_STREAM_ERR_PSK_IDENTITY);
    if (rc == TLS_STREAM_ERR_IO)
        (*io_errors)++;
    tls_stream_error_detail(c, &msg);
    if (rc != TLS_STREAM_ERR_PEER_ALERT)
        fprintf(stderr, "client: %s (%s)\n", tls_stream_strerror(rc), msg);
    assert_int_equal(rc, TLS_STREAM_ERR_PEER_ALERT);
    assert_string_equal(msg, TLS_STREAM_MSG("peer alert 115 (unknown_psk_identity)"));
    tls_stream_free(c);
    tls_stream_free(sv.s);
}

static void test_refused_psk_identity_is_always_the_peers_alert(void **state)
{
    tls_stream_config *ccfg, *scfg;
    long i, runs = tls_test_count(60, 10);
    int io_errors = 0;
    (void)state;
    assert_int_equal(tls_pair_psk_client(&ccfg, NULL, "stranger", tls_pair_client1.key, tls_pair_client1.len),
                     TLS_STREAM_OK);
    assert_int_equal(tls_pair_psk_server(&scfg, NULL, "client1", tls_pair_client1.key, tls_pair_client1.len),
                     TLS_STREAM_OK);
    for (i = 0; i < runs; i++)
        refused_identity_run(ccfg, scfg, &io_errors);
    assert_int_equal(io_errors, 0);
    tls_stream_config_free(ccfg);
    tls_stream_config_free(scfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_psk_identity_is_always_the_peers_alert),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
