/*
 * SSLSocket stream behaviour over an in-memory pipe, client and server in
 * one process: MicroPython's tests/extmod/ssl_basic.py, ssl_poll.py,
 * tls_noleak.py, multi_net/ssl_data.py, ssl_cert_ec.py,
 * sslcontext_getpeercert.py, sslcontext_server_client_ciphers.py and
 * asyncio_tls_server_client_readline.py.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "counting_alloc.h"
#include "expect_text.h"
#include "test_scale.h"
#include "tls_version.h"
#include "ussl_test_util.h"
#include "test_alloc.h"
#include "test_backend.h"

typedef struct fixture {
    ut_pair p;
    counting_alloc ca_alloc; /* both sides allocate through it */
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    ut_pair_init(&f->p);
    ut_pair_serve_cert(&f->p);
    counting_alloc_init(&f->ca_alloc);
    f->p.co.alloc = &f->ca_alloc.alloc;
    f->p.co.sock_ops = &ut_sock_ops;
    f->p.so.alloc = &f->ca_alloc.alloc;
    f->p.so.sock_ops = &ut_sock_ops;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ut_pair_free(&f->p);
    assert_true(counting_alloc_clean(&f->ca_alloc));
    test_free(f);
    return 0;
}

static void connect_both(fixture *f)
{
    assert_int_equal(ut_pair_handshake(&f->p, NULL, NULL), 0);
}

/* ssl_data.py / ssl_cert_ec.py: an unverified client exchanges data with a server */
static void test_wrap_write_read_close_both_ways(void **state)
{
    fixture *f = *state;
    char buf[32];
    connect_both(f);
    assert_int_equal(ussl_write(f->p.c, "client to server", 16), 16);
    assert_int_equal(ussl_read(f->p.s, buf, 16), 16);
    assert_memory_equal(buf, "client to server", 16);
    assert_int_equal(ussl_write(f->p.s, "server to client", 16), 16);
    assert_int_equal(ussl_read(f->p.c, buf, 16), 16);
    assert_memory_equal(buf, "server to client", 16);
    assert_int_equal(ussl_close(f->p.c), 0);
    /* the peer's close_notify is the end of the stream: read returns 0 */
    assert_int_equal(ussl_read(f->p.s, buf, sizeof buf), 0);
    assert_int_equal(ussl_read(f->p.s, buf, sizeof buf), 0);
    assert_int_equal(ussl_close(f->p.s), 0);
}

/* One handshake of ussl client c with a core server over the fixture's pipe. */
static tls_stream *core_server_handshake(fixture *f, tls_stream_config *scfg)
{
    tls_stream *srv;
    int crc = TLS_STREAM_WANT_READ, src = TLS_STREAM_WANT_READ, i;
    assert_int_equal(tls_stream_new(&srv, scfg, &f->p.sio), TLS_STREAM_OK);
    tls_stream_set_blocking(srv, 0);
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    ussl_setblocking(f->p.c, 0);
    for (i = 0; i < 1000 && (crc != 0 || src != TLS_STREAM_OK); i++) {
        if (crc != 0)
            crc = ussl_do_handshake(f->p.c);
        if (src != TLS_STREAM_OK)
            src = tls_stream_handshake(srv);
    }
    assert_int_equal(crc, 0);
    assert_int_equal(src, TLS_STREAM_OK);
    return srv;
}

/* Our addition: opts.session resumes a session saved with ussl_session_save(),
 * against a server whose configuration issues tickets */
static void test_saved_session_resumes_against_a_ticket_server(void **state)
{
    fixture *f = *state;
    unsigned char blob[2048];
    size_t len = 0;
    char buf[8];
    tls_stream_config *scfg;
    tls_stream *srv;
    assert_int_equal(tls_stream_config_new(&scfg, tls_test_backend(TLS_STREAM_SERVER), TLS_STREAM_SERVER, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_cert(scfg, f->p.scert.data, f->p.scert.len), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_key(scfg, f->p.skey.data, f->p.skey.len, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_session_tickets(scfg, 3600), TLS_STREAM_OK);

    srv = core_server_handshake(f, scfg);
    assert_int_equal(ussl_session_resumed(f->p.c), 0);
    if (tls_test_default_tls13()) {
        /* TLS 1.3: the ticket follows the handshake and comes with data */
        assert_int_equal(tls_stream_write(srv, "t", 1), 1);
        assert_int_equal(ussl_read(f->p.c, buf, 1), 1);
    }
    assert_int_equal(ussl_session_save(f->p.c, blob, 4, &len), USSL_E_VALUE);
    assert_string_equal(ussl_last_error(f->p.c)->msg, TLS_STREAM_MSG("buffer too small"));
    assert_true(len > 4);
    assert_int_equal(ussl_session_save(f->p.c, blob, sizeof blob, &len), 0);
    ussl_free(f->p.c);
    f->p.c = NULL;
    tls_stream_free(srv);
    ut_pipe_free(&f->p.ce, &f->p.se);

    ut_pipe_new(&f->p.ce, &f->p.se, 0);
    f->p.cio = ut_io(&f->p.ce);
    f->p.sio = ut_io(&f->p.se);
    f->p.co.session = blob;
    f->p.co.session_len = len;
    srv = core_server_handshake(f, scfg);
    assert_int_equal(ussl_session_resumed(f->p.c), 1);
    assert_int_equal(tls_stream_resumed(srv), 1);
    assert_int_equal(ussl_write(f->p.c, "resumed", 7), 7);
    assert_int_equal(tls_stream_read(srv, buf, 7), 7);
    assert_memory_equal(buf, "resumed", 7);
    assert_int_equal(ussl_close(f->p.c), 0);
    assert_int_equal(ussl_session_resumed(f->p.c), 0); /* closed */
    tls_stream_free(srv);
    tls_stream_config_free(scfg);
}

/* do_handshake=False: nothing is sent until the first read or write */
static void test_do_handshake_false_defers_handshake_to_first_write(void **state)
{
    fixture *f = *state;
    char buf[8];
    const char *name = "x";
    ut_pair_wrap(&f->p);
    assert_int_equal(f->p.ce.bytes_written, 0);
    assert_int_equal(f->p.se.bytes_written, 0);
    assert_int_equal(ussl_cipher(f->p.c, &name, NULL), 0);
    assert_null(name); /* no handshake yet */
    /* the first write starts the handshake (ClientHello) and would block */
    assert_int_equal(ussl_write(f->p.c, "hi", 2), -USSL_EAGAIN);
    assert_true(f->p.ce.bytes_written > 0);
    /* the first read on the server runs its side */
    assert_int_equal(ussl_read(f->p.s, buf, 2), -USSL_EAGAIN);
    assert_true(f->p.se.bytes_written > 0);
    assert_int_equal(ut_handshake(f->p.c, f->p.s, NULL, NULL), 0);
    assert_int_equal(ussl_write(f->p.c, "hi", 2), 2);
    assert_int_equal(ussl_read(f->p.s, buf, 2), 2);
    assert_memory_equal(buf, "hi", 2);
}

static int step_server(void *arg)
{
    int rc = ussl_do_handshake((ussl_socket *)arg);
    return rc == -USSL_EAGAIN ? 0 : rc;
}

/* do_handshake=True (the default): the handshake is done when wrap returns */
static void test_do_handshake_true_completes_inside_wrap(void **state)
{
    fixture *f = *state;
    const char *name = NULL, *version = NULL;
    char buf[4];
    assert_int_equal(ussl_wrap_socket(&f->p.sio, &f->p.so, &f->p.s, &f->p.err), 0);
    f->p.co.do_handshake = 1;
    f->p.co.poll_hook = step_server; /* the MICROPY_EVENT_POLL_HOOK stand-in */
    f->p.co.poll_hook_arg = f->p.s;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    assert_int_equal(ussl_cipher(f->p.c, &name, &version), 0);
    assert_non_null(name);
    assert_string_equal(version, tls_test_default_version());
    /* the server finishes on its next call */
    assert_int_equal(ussl_do_handshake(f->p.s), 0);
    assert_int_equal(ussl_write(f->p.s, "ok", 2), 2);
    assert_int_equal(ussl_read(f->p.c, buf, 2), 2);
}

/* do_handshake=True over a transport that can neither wait nor be stepped */
static void test_do_handshake_true_without_wait_is_eagain_and_leaves_sock_open(void **state)
{
    fixture *f = *state;
    f->p.co.do_handshake = 1;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), -USSL_EAGAIN);
    assert_null(f->p.c);
    assert_int_equal(f->p.err.kind, USSL_OSERROR);
    assert_int_equal(f->p.err.code, USSL_EAGAIN);
    assert_int_equal(f->p.ce.closes, 0);
}

/* ssl_basic.py: a client over a stream that reads 0 (EOF) fails with OSError */
static void test_handshake_on_stream_at_eof_is_oserror(void **state)
{
    fixture *f = *state;
    f->p.ce.eof_reads = 1;
    f->p.co.do_handshake = 1;
    f->p.co.server_hostname = "test.example.com";
    f->p.co.poll_hook = step_server;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), USSL_E_TLS);
    assert_int_equal(f->p.err.kind, USSL_OSERROR);
    /* MBEDTLS_ERR_SSL_CONN_EOF; OpenSSL: SSL_R_UNEXPECTED_EOF_WHILE_READING */
    assert_int_equal(f->p.err.code, TLS_TEST_BY_BACKEND(TLS_STREAM_CLIENT, -0x7280, 0x0A000126));
    assert_int_equal(f->p.err.status, TLS_STREAM_ERR_TRUNCATED);
    assert_null(f->p.c);
}

/* ssl_basic.py: setblocking() is forwarded to the wrapped stream */
static void test_setblocking_is_forwarded_to_wrapped_stream(void **state)
{
    fixture *f = *state;
    assert_int_equal(ussl_wrap_socket(&f->p.sio, &f->p.so, &f->p.s, &f->p.err), 0);
    assert_int_equal(ussl_setblocking(f->p.s, 0), 0);
    assert_int_equal(f->p.se.setblocking_calls, 1);
    assert_int_equal(f->p.se.last_blocking, 0);
    assert_int_equal(ussl_setblocking(f->p.s, 1), 0);
    assert_int_equal(f->p.se.setblocking_calls, 2);
    assert_int_equal(f->p.se.last_blocking, 1);
}

/* ssl_basic.py: close closes the wrapped stream once; a second close is a no-op */
static void test_close_closes_wrapped_stream_once(void **state)
{
    fixture *f = *state;
    assert_int_equal(ussl_wrap_socket(&f->p.sio, &f->p.so, &f->p.s, &f->p.err), 0);
    assert_int_equal(ussl_close(f->p.s), 0);
    assert_int_equal(f->p.se.closes, 1);
    assert_int_equal(ussl_close(f->p.s), 0);
    assert_int_equal(f->p.se.closes, 1);
    ussl_free(f->p.s);
    f->p.s = NULL;
    assert_int_equal(f->p.se.closes, 1);
}

/* ssl_basic.py: read and write after close raise OSError (EBADF) */
static void test_read_and_write_after_close_are_ebadf(void **state)
{
    fixture *f = *state;
    char buf[10];
    const unsigned char *der;
    size_t len;
    connect_both(f);
    assert_int_equal(ussl_close(f->p.c), 0);
    assert_int_equal(ussl_read(f->p.c, buf, 10), -USSL_EBADF);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->p.c)->code, USSL_EBADF);
    assert_string_equal(ussl_last_error(f->p.c)->msg, "EBADF");
    assert_int_equal(ussl_write(f->p.c, "aaaa", 4), -USSL_EBADF);
    assert_int_equal(ussl_readline(f->p.c, buf, 10), -USSL_EBADF);
    assert_int_equal(ussl_setblocking(f->p.c, 0), -USSL_EBADF);
    assert_int_equal(ussl_getpeercert(f->p.c, 1, &der, &len), -USSL_EBADF);
    assert_int_equal(ussl_cipher(f->p.c, NULL, NULL), -USSL_EBADF);
}

/* read after the wrapped transport ended without close_notify: OSError CONN_EOF */
static void test_read_after_transport_eof_without_close_notify_is_oserror(void **state)
{
    fixture *f = *state;
    char buf[4];
    connect_both(f);
    f->p.se.eof_reads = 1;
    assert_int_equal(ussl_read(f->p.s, buf, 4), USSL_E_TLS);
    /* MicroPython (mbedtls 2.x) would return b'' here: see docs/micropython-compat.md */
    assert_int_equal(ussl_last_error(f->p.s)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->p.s)->status, TLS_STREAM_ERR_TRUNCATED);
    /* MBEDTLS_ERR_SSL_CONN_EOF; OpenSSL: SSL_R_UNEXPECTED_EOF_WHILE_READING */
    assert_int_equal(ussl_last_error(f->p.s)->code, TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, -0x7280, 0x0A000126));
    assert_string_equal(ussl_last_error(f->p.s)->msg,
                        TLS_STREAM_MSG("end of stream without close_notify"));
    /* sticky: the same error again, and poll says NVAL */
    assert_int_equal(ussl_read(f->p.s, buf, 4), USSL_E_TLS);
    assert_int_equal(ussl_poll(f->p.s, USSL_POLL_RD), USSL_POLL_NVAL);
}

/* ssl_poll.py, first part: poll directions during a two-pipe handshake */
static void test_poll_follows_handshake_direction(void **state)
{
    fixture *f = *state;
    char buf[128];
    int i;
    f->p.ce.block_reads = 1;
    f->p.ce.block_writes = 1;
    ut_pair_wrap(&f->p);
    /* the handshake wants to write: read returns "None" */
    assert_int_equal(ussl_read(f->p.c, buf, 128), -USSL_EAGAIN);
    /* polling for either direction checks whether the transport can write */
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), 0);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_WR);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_WR), 0);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_WR);
    assert_int_equal(ussl_poll_direction(f->p.c, USSL_POLL_RD), USSL_POLL_WR);
    /* writable: the ClientHello goes out, and the handshake wants to read */
    f->p.ce.block_writes = 0;
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), USSL_POLL_RD); /* go on: call read */
    assert_int_equal(ussl_read(f->p.c, buf, 128), -USSL_EAGAIN);
    assert_true(f->p.ce.bytes_written > 0);
    /* a read waiting to read is the caller's own direction: polls pass through */
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), 0);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_RD);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_WR), USSL_POLL_WR);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_WR);
    /* a write waiting to read redirects both directions to read */
    assert_int_equal(ussl_write(f->p.c, "foo", 3), -USSL_EAGAIN);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), 0);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_RD);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_WR), 0);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_RD);
    assert_int_equal(ussl_poll_direction(f->p.c, USSL_POLL_WR), USSL_POLL_RD);
    /* unblock reads and nudge both sockets with read() until the handshake is over */
    f->p.ce.block_reads = 0;
    for (i = 0; i < 100 && (tls_stream_mem_pipe_buffered(f->p.ce.pipe, 0) > 0 ||
                            tls_stream_mem_pipe_buffered(f->p.ce.pipe, 1) > 0); i++) {
        if (tls_stream_mem_pipe_buffered(f->p.ce.pipe, 0) > 0) /* towards the client */
            assert_int_equal(ussl_read(f->p.c, buf, 128), -USSL_EAGAIN);
        if (tls_stream_mem_pipe_buffered(f->p.ce.pipe, 1) > 0)
            assert_int_equal(ussl_read(f->p.s, buf, 128), -USSL_EAGAIN);
    }
    /* the handshake is done: the caller's own direction again */
    assert_int_equal(ussl_poll_direction(f->p.c, USSL_POLL_WR), USSL_POLL_WR);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_WR), USSL_POLL_WR);
    assert_int_equal(f->p.ce.last_poll_arg, USSL_POLL_WR);
    assert_int_equal(ussl_write(f->p.c, "foo", 3), 3);
    assert_int_equal(ussl_read(f->p.s, buf, 3), 3);
    assert_memory_equal(buf, "foo", 3);
}

/* ssl_poll.py: buffered plaintext is readable without asking the transport */
static void test_poll_counts_buffered_plaintext_as_readable(void **state)
{
    fixture *f = *state;
    char buf[8];
    connect_both(f);
    assert_int_equal(ussl_write(f->p.c, "foobar", 6), 6);
    assert_int_equal(ussl_read(f->p.s, buf, 3), 3);
    assert_memory_equal(buf, "foo", 3);
    f->p.se.block_reads = 1;
    f->p.se.last_poll_arg = -1;
    assert_int_equal(ussl_poll(f->p.s, USSL_POLL_RD), USSL_POLL_RD);
    assert_int_equal(f->p.se.last_poll_arg, -1); /* did not go to the transport */
    assert_int_equal(ussl_poll_direction(f->p.s, USSL_POLL_RD), 0);
    assert_int_equal(ussl_read(f->p.s, buf, 3), 3);
    assert_memory_equal(buf, "bar", 3);
    assert_int_equal(ussl_poll(f->p.s, USSL_POLL_RD), 0);
    assert_int_equal(f->p.se.last_poll_arg, USSL_POLL_RD);
}

/* ssl_poll.py: polling a closed socket is NVAL without asking the transport */
static void test_poll_on_closed_socket_is_nval(void **state)
{
    fixture *f = *state;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    assert_int_equal(ussl_close(f->p.c), 0);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), USSL_POLL_NVAL);
    assert_int_equal(ussl_poll_direction(f->p.c, USSL_POLL_RD), USSL_POLL_NVAL);
    assert_int_equal(f->p.ce.last_poll_arg, -1);
}

/* ssl_poll.py: a garbage record fails the read, then poll is NVAL (sticky error) */
static void test_garbage_from_server_fails_read_then_poll_is_nval(void **state)
{
    fixture *f = *state;
    char buf[128];
    int rc;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    assert_int_equal(f->p.se.inner.write(f->p.se.inner.ctx, (const unsigned char *)"fooba", 5), 5);
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), USSL_POLL_RD);
    rc = ussl_read(f->p.c, buf, 128);
    assert_int_equal(rc, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
    if (!tls_test_openssl(TLS_STREAM_CLIENT)) /* an MBEDTLS_ERR_* code */
        assert_true(ussl_last_error(f->p.c)->code < 0);
    else /* SSL_R_WRONG_VERSION_NUMBER */
        assert_int_equal(ussl_last_error(f->p.c)->code, 0x0A00010B);
    expect_text_present(ussl_last_error(f->p.c)->msg);
    f->p.ce.last_poll_arg = -1;
    assert_int_equal(ussl_poll(f->p.c, USSL_POLL_RD), USSL_POLL_NVAL);
    assert_int_equal(f->p.ce.last_poll_arg, -1);
    assert_int_equal(ussl_read(f->p.c, buf, 128), rc);
}

/* large data both ways (multi_net data tests, scaled up), non-blocking stepping */
static void test_large_data_both_ways(void **state)
{
    fixture *f = *state;
    connect_both(f);
    size_t mib = (size_t)tls_test_count(1024 * 1024, 64 * 1024);
    assert_int_equal(ut_transfer(f->p.c, f->p.s, mib + 17, 1), 0);
    assert_int_equal(ut_transfer(f->p.s, f->p.c, mib + 29, 2), 0);
}

/* non-blocking write: the count written, the rest is the caller's */
static void test_nonblocking_write_returns_count_accepted(void **state)
{
    fixture *f = *state;
    static unsigned char big[256 * 1024];
    size_t sent = 0;
    int rc;
    tls_stream_mem_pipe_free(f->p.ce.pipe);
    ut_pipe_new(&f->p.ce, &f->p.se, 16 * 1024);
    connect_both(f);
    assert_int_equal(ussl_setblocking(f->p.c, 0), 0);
    rc = ussl_write(f->p.c, big, sizeof big);
    assert_true(rc > 0 && (size_t)rc < sizeof big);
    sent = (size_t)rc;
    /* the pipe is full: nothing more is accepted */
    while ((rc = ussl_write(f->p.c, big + sent, sizeof big - sent)) > 0)
        sent += (size_t)rc;
    assert_int_equal(rc, -USSL_EAGAIN);
    assert_int_equal(ussl_poll_direction(f->p.c, USSL_POLL_RD), USSL_POLL_WR);
    assert_true(sent < sizeof big);
}

/* read(n) collects n bytes from several records, as MicroPython's stream read */
static void test_read_n_collects_several_records(void **state)
{
    fixture *f = *state;
    char buf[16];
    connect_both(f);
    assert_int_equal(ussl_write(f->p.c, "abc", 3), 3);
    assert_int_equal(ussl_write(f->p.c, "defg", 4), 4);
    assert_int_equal(ussl_read(f->p.s, buf, 7), 7);
    assert_memory_equal(buf, "abcdefg", 7);
    /* fewer bytes than asked, then would block: the bytes come first */
    assert_int_equal(ussl_write(f->p.c, "xy", 2), 2);
    assert_int_equal(ussl_read(f->p.s, buf, 16), 2);
    assert_int_equal(ussl_read(f->p.s, buf, 16), -USSL_EAGAIN);
    assert_int_equal(ussl_readinto(f->p.s, buf, 16), -USSL_EAGAIN);
    assert_int_equal(ussl_read(f->p.s, buf, 0), 0);
}

/* asyncio_tls_server_client_readline.py: readline up to and including '\n' */
static void test_readline_returns_lines_then_eof(void **state)
{
    fixture *f = *state;
    char buf[32];
    connect_both(f);
    assert_int_equal(ussl_write(f->p.c, "line one\nline two\npart", 22), 22);
    assert_int_equal(ussl_readline(f->p.s, buf, sizeof buf), 9);
    assert_memory_equal(buf, "line one\n", 9);
    assert_int_equal(ussl_readline(f->p.s, buf, sizeof buf), 9);
    assert_memory_equal(buf, "line two\n", 9);
    /* no newline yet: the partial line, then would block */
    assert_int_equal(ussl_readline(f->p.s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "part", 4);
    assert_int_equal(ussl_readline(f->p.s, buf, sizeof buf), -USSL_EAGAIN);
    /* readline(size): at most size bytes */
    assert_int_equal(ussl_write(f->p.c, "abcdef\n", 7), 7);
    assert_int_equal(ussl_readline(f->p.s, buf, 3), 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(ussl_readline(f->p.s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "def\n", 4);
    assert_int_equal(ussl_close(f->p.c), 0);
    assert_int_equal(ussl_readline(f->p.s, buf, sizeof buf), 0);
}

/* sslcontext_getpeercert.py: getpeercert(True) is the server's DER certificate */
static void test_getpeercert_binary_is_server_der(void **state)
{
    fixture *f = *state;
    ut_blob der_file;
    const unsigned char *der = (const unsigned char *)"x";
    size_t len = 1;
    ut_pair_wrap(&f->p);
    assert_int_equal(ussl_getpeercert(f->p.c, 1, &der, &len), 0);
    assert_null(der); /* before the handshake: None */
    assert_int_equal(len, 0);
    assert_int_equal(ut_handshake(f->p.c, f->p.s, NULL, NULL), 0);
    ut_blob_load(&der_file, "server.der");
    assert_int_equal(ussl_getpeercert(f->p.c, 1, &der, &len), 0);
    assert_int_equal(len, der_file.len);
    assert_memory_equal(der, der_file.data, len);
    ut_blob_free(&der_file);
    /* the server did not ask the client for one (CERT_NONE): None */
    assert_int_equal(ussl_getpeercert(f->p.s, 1, &der, &len), 0);
    assert_null(der);
    /* binary_form=False is not supported */
    assert_int_equal(ussl_getpeercert(f->p.c, 0, &der, &len), USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_VALUEERROR);
}

/* sslcontext_server_client_ciphers.py: cipher() gives the suite and the protocol */
static void test_cipher_reports_suite_and_version_on_both_sides(void **state)
{
    fixture *f = *state;
    const char *cn, *cv, *sn, *sv;
    connect_both(f);
    assert_int_equal(ussl_cipher(f->p.c, &cn, &cv), 0);
    assert_int_equal(ussl_cipher(f->p.s, &sn, &sv), 0);
    assert_non_null(cn);
    assert_true(tls_test_same_suite(cn, sn));
    assert_string_equal(cv, tls_test_default_version());
    assert_string_equal(sv, tls_test_default_version());
    if (tls_test_default_tls13() && tls_test_openssl(TLS_STREAM_SERVER)) /* its first choice */
        assert_string_equal(cn, "TLS1-3-AES-256-GCM-SHA384");
    else if (tls_test_default_tls13()) /* TLS 1.3 suites name no key exchange */
        assert_non_null(strstr(cn, "TLS1-3-"));
    else
        assert_true(strstr(cn, "ECDHE") != NULL && strstr(cn, "ECDSA") != NULL);
}

/* tls_noleak.py: 128 sequential wrapped connections do not leak */
static void test_128_sequential_connections_do_not_leak(void **state)
{
    fixture *f = *state;
    long i, n = tls_test_count(128, 8);
    char buf[4];
    for (i = 0; i < n; i++) {
        connect_both(f);
        assert_int_equal(ussl_write(f->p.c, "ping", 4), 4);
        assert_int_equal(ussl_read(f->p.s, buf, 4), 4);
        assert_int_equal(ussl_close(f->p.c), 0);
        assert_int_equal(ussl_close(f->p.s), 0);
        ussl_free(f->p.c);
        ussl_free(f->p.s);
        f->p.c = f->p.s = NULL;
        assert_true(counting_alloc_clean(&f->ca_alloc));
        tls_stream_mem_pipe_free(f->p.ce.pipe);
        ut_pipe_new(&f->p.ce, &f->p.se, 0);
    }
    assert_int_equal(f->p.ce.closes, 0); /* fresh ends, nothing else closed them */
}

/* a wrapped stream's negated errno passes through as OSError(errno) */
static int reset_write(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return -USSL_ECONNRESET;
}

static void test_transport_errno_passes_through_as_oserror(void **state)
{
    fixture *f = *state;
    f->p.cio.write = reset_write;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    assert_int_equal(ussl_write(f->p.c, "x", 1), -USSL_ECONNRESET);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->p.c)->code, USSL_ECONNRESET);
    assert_string_equal(ussl_last_error(f->p.c)->msg, "ECONNRESET");
    assert_int_equal(ussl_write(f->p.c, "x", 1), -USSL_ECONNRESET); /* sticky */
}

/* an errno without a name is "[Errno n]", as MicroPython prints it (a text:
 * "" with TLS_STREAM_NO_MESSAGES, the code stays) */
static int xdev_write(void *ctx, const unsigned char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return -18; /* EXDEV on Linux: not one of the USSL_E* names */
}

static void test_transport_errno_without_a_name_is_errno_n(void **state)
{
    fixture *f = *state;
    f->p.cio.write = xdev_write;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    assert_int_equal(ussl_write(f->p.c, "x", 1), -18);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->p.c)->code, 18);
    assert_string_equal(ussl_last_error(f->p.c)->msg, TLS_STREAM_MSG("[Errno 18]"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_wrap_write_read_close_both_ways),
        T(test_saved_session_resumes_against_a_ticket_server),
        T(test_do_handshake_false_defers_handshake_to_first_write),
        T(test_do_handshake_true_completes_inside_wrap),
        T(test_do_handshake_true_without_wait_is_eagain_and_leaves_sock_open),
        T(test_handshake_on_stream_at_eof_is_oserror),
        T(test_setblocking_is_forwarded_to_wrapped_stream),
        T(test_close_closes_wrapped_stream_once),
        T(test_read_and_write_after_close_are_ebadf),
        T(test_read_after_transport_eof_without_close_notify_is_oserror),
        T(test_poll_follows_handshake_direction),
        T(test_poll_counts_buffered_plaintext_as_readable),
        T(test_poll_on_closed_socket_is_nval),
        T(test_garbage_from_server_fails_read_then_poll_is_nval),
        T(test_large_data_both_ways),
        T(test_nonblocking_write_returns_count_accepted),
        T(test_read_n_collects_several_records),
        T(test_readline_returns_lines_then_eof),
        T(test_getpeercert_binary_is_server_der),
        T(test_cipher_reports_suite_and_version_on_both_sides),
        T(test_128_sequential_connections_do_not_leak),
        T(test_transport_errno_passes_through_as_oserror),
        T(test_transport_errno_without_a_name_is_errno_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
