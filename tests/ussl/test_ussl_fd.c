/*
 * Blocking sockets: ussl over tls_stream_io_fd on a socketpair(AF_UNIX), the peer
 * in a thread — do_handshake=True as MicroPython users write it, blocking
 * read(n)/write, setblocking() on a real descriptor, poll through
 * ussl_fd_sock_ops, timeouts, transport errno pass-through.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "tls_stream/posix.h"
#include "ussl_test_util.h"

typedef struct peer {
    int fd;
    ut_blob key, cert;
    int wrap_rc, rc;
    size_t echo_bytes; /* echo this many bytes back, then close */
    int hold;          /* handshake then wait for the main thread before closing */
    int hold_pipe[2];
} peer;

static void *server_main(void *arg)
{
    peer *p = arg;
    ussl_opts o;
    ussl_socket *s = NULL;
    tls_stream_io io = tls_stream_io_fd(p->fd);
    static unsigned char buf[65536];
    size_t left = p->echo_bytes;
    ut_opts(&o);
    o.server_side = 1;
    o.keyfile = ut_data(&p->key);
    o.certfile = ut_data(&p->cert);
    p->wrap_rc = ussl_wrap_socket(&io, &o, &s, NULL);
    if (p->wrap_rc != 0) {
        close(p->fd);
        return NULL;
    }
    while (left > 0) {
        int n = ussl_read1(s, buf, left < sizeof buf ? left : sizeof buf);
        if (n <= 0) {
            p->rc = n;
            break;
        }
        if (ussl_write(s, buf, (size_t)n) != n) {
            p->rc = -1;
            break;
        }
        left -= (size_t)n;
    }
    if (p->hold) {
        char c;
        (void)read(p->hold_pipe[0], &c, 1);
    }
    ussl_close(s);
    ussl_free(s);
    return NULL;
}

typedef struct fixture {
    int fds[2];
    peer p;
    pthread_t thread;
    int started;
    ussl_socket *c;
    ussl_error err;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    signal(SIGPIPE, SIG_IGN);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f->fds), 0);
    f->p.fd = f->fds[1];
    assert_int_equal(pipe(f->p.hold_pipe), 0);
    ut_blob_load(&f->p.key, "server.key");
    ut_blob_load(&f->p.cert, "server.pem");
    *state = f;
    return 0;
}

static void start(fixture *f)
{
    assert_int_equal(pthread_create(&f->thread, NULL, server_main, &f->p), 0);
    f->started = 1;
}

static void release(fixture *f)
{
    if (f->p.hold_pipe[1] >= 0) {
        close(f->p.hold_pipe[1]);
        f->p.hold_pipe[1] = -1;
    }
}

static int teardown(void **state)
{
    fixture *f = *state;
    ussl_free(f->c); /* closes fds[0] if it was wrapped */
    if (f->c == NULL)
        close(f->fds[0]);
    release(f);
    if (f->started)
        pthread_join(f->thread, NULL);
    close(f->p.hold_pipe[0]);
    ut_blob_free(&f->p.key);
    ut_blob_free(&f->p.cert);
    test_free(f);
    return 0;
}

static void wrap_client(fixture *f, ussl_opts *o)
{
    tls_stream_io io = tls_stream_io_fd(f->fds[0]);
    assert_int_equal(ussl_wrap_socket(&io, o, &f->c, &f->err), 0);
}

/* do_handshake=True on blocking sockets, read(n) blocks until n bytes */
static void test_blocking_wrap_handshakes_and_echoes(void **state)
{
    fixture *f = *state;
    ussl_opts o;
    static unsigned char out[200000], in[200000];
    size_t i;
    const char *name;
    f->p.echo_bytes = sizeof out;
    start(f);
    ut_opts(&o);
    wrap_client(f, &o);
    assert_int_equal(ussl_cipher(f->c, &name, NULL), 0);
    assert_non_null(name); /* the handshake is done when wrap returns */
    for (i = 0; i < sizeof out; i++)
        out[i] = (unsigned char)(i * 7);
    assert_int_equal(ussl_write(f->c, out, sizeof out), (int)sizeof out);
    assert_int_equal(ussl_read(f->c, in, sizeof in), (int)sizeof in);
    assert_memory_equal(in, out, sizeof in);
    /* then the server closes with close_notify: EOF */
    assert_int_equal(ussl_read(f->c, in, 10), 0);
    assert_int_equal(f->p.wrap_rc, 0);
}

/* setblocking(False) sets O_NONBLOCK on the descriptor: read returns EAGAIN */
static void test_setblocking_false_on_fd_makes_read_return_eagain(void **state)
{
    fixture *f = *state;
    ussl_opts o;
    char buf[8];
    f->p.hold = 1;
    start(f);
    ut_opts(&o);
    o.sock_ops = &ussl_fd_sock_ops;
    wrap_client(f, &o);
    assert_int_equal(ussl_setblocking(f->c, 0), 0);
    assert_true(fcntl(f->fds[0], F_GETFL) & O_NONBLOCK);
    assert_int_equal(ussl_read(f->c, buf, sizeof buf), -USSL_EAGAIN);
    assert_int_equal(ussl_last_error(f->c)->code, USSL_EAGAIN);
    assert_int_equal(ussl_poll(f->c, USSL_POLL_RD), 0);
    assert_int_equal(ussl_poll(f->c, USSL_POLL_WR), USSL_POLL_WR);
    assert_int_equal(ussl_setblocking(f->c, 1), 0);
    assert_false(fcntl(f->fds[0], F_GETFL) & O_NONBLOCK);
    release(f);
    assert_int_equal(ussl_read(f->c, buf, sizeof buf), 0); /* close_notify */
}

/*
 * a blocking read with a timeout gives OSError(ETIMEDOUT); the descriptor
 * is O_NONBLOCK so that the TLS layer does the waiting (poll with timeout)
 */
static void test_blocking_read_times_out_with_etimedout(void **state)
{
    fixture *f = *state;
    ussl_opts o;
    char buf[8];
    f->p.hold = 1;
    start(f);
    assert_int_equal(fcntl(f->fds[0], F_SETFL, fcntl(f->fds[0], F_GETFL) | O_NONBLOCK), 0);
    ut_opts(&o);
    o.timeout_ms = 2000; /* long enough for a handshake under valgrind */
    wrap_client(f, &o);
    assert_int_equal(ussl_read(f->c, buf, sizeof buf), -USSL_ETIMEDOUT);
    assert_int_equal(ussl_last_error(f->c)->kind, USSL_OSERROR);
    assert_string_equal(ussl_last_error(f->c)->msg, "ETIMEDOUT");
}

/* the peer vanishes during the handshake: wrap fails, the fd stays the caller's */
static void test_peer_closing_during_handshake_fails_wrap_and_keeps_fd(void **state)
{
    fixture *f = *state;
    ussl_opts o;
    tls_stream_io io = tls_stream_io_fd(f->fds[0]);
    close(f->fds[1]);
    ut_opts(&o);
    assert_int_equal(ussl_wrap_socket(&io, &o, &f->c, &f->err) < 0, 1);
    assert_null(f->c);
    assert_int_equal(f->err.kind, USSL_OSERROR);
    assert_true(fcntl(f->fds[0], F_GETFD) >= 0); /* not closed by the failed wrap */
}

/* writing to a peer that has gone: the transport's errno (EPIPE) as OSError */
static void test_write_to_vanished_peer_is_oserror_errno(void **state)
{
    fixture *f = *state;
    ussl_opts o;
    static unsigned char big[1 << 20];
    int rc;
    start(f);
    ut_opts(&o);
    wrap_client(f, &o);
    pthread_join(f->thread, NULL); /* server closed (close_notify + close) */
    f->started = 0;
    rc = ussl_write(f->c, big, sizeof big);
    assert_true(rc == -USSL_EPIPE || rc == -USSL_ECONNRESET);
    assert_int_equal(ussl_last_error(f->c)->code, -rc);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_blocking_wrap_handshakes_and_echoes),
        T(test_setblocking_false_on_fd_makes_read_return_eagain),
        T(test_blocking_read_times_out_with_etimedout),
        T(test_peer_closing_during_handshake_fails_wrap_and_keeps_fd),
        T(test_write_to_vanished_peer_is_oserror_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
