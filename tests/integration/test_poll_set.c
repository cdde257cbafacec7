/*
 * The poll-set rule (tls_stream_wants() returns a set of directions) with
 * real mbedtls on both ends: two non-blocking peers over a socketpair with
 * small kernel buffers, each in its own thread, both writing far more than
 * the buffers hold while reading, each polling exactly the set the API
 * gives and calling read only on input readiness and write only on output
 * readiness. Neither may ever wait in poll() for more than a few seconds.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_scale.h"
#include "tls_pair.h"

#define STALL_MS 5000     /* a poll() this long without readiness is a deadlock */
#define PEER_DEADLOCK 100 /* run_peer() result: poll() timed out */

typedef struct peer {
    tls_stream *s;
    int fd;
    unsigned out, in; /* pattern directions */
    size_t n, chunk;
    size_t sent, received;
    unsigned long polls, both_polls, idle_polls;
    int rc;
} peer;

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

/* The poll(2) events a want answer waits for. */
static short want_events(int rc)
{
    return rc == TLS_STREAM_WANT_READ ? POLLIN : POLLOUT;
}

#define CALL_AGAIN 0x1000 /* a step result: call again now */

/* Write (or, all sent, flush) once. Returns CALL_AGAIN, 0 when done,
 * POLLIN/POLLOUT when the call answered a want, < 0 on error. */
static int write_step(peer *p, unsigned char *buf)
{
    int rc;
    if (p->sent < p->n) {
        size_t k = p->n - p->sent < p->chunk ? p->n - p->sent : p->chunk;
        tls_pair_fill(p->out, p->sent, buf, k);
        rc = tls_stream_write(p->s, buf, k);
        if (rc > 0) {
            p->sent += (size_t)rc;
            return CALL_AGAIN;
        }
    } else {
        rc = tls_stream_flush(p->s);
        if (rc == TLS_STREAM_OK)
            return 0;
    }
    return is_want(rc) ? want_events(rc) : rc;
}

/* Read once. Returns as write_step(). */
static int read_step(peer *p, unsigned char *buf, unsigned char *want)
{
    int rc;
    if (p->received == p->n)
        return 0;
    rc = tls_stream_read(p->s, buf, p->chunk);
    if (rc > 0) {
        tls_pair_fill(p->in, p->received, want, (size_t)rc);
        if (p->received + (size_t)rc > p->n || memcmp(buf, want, (size_t)rc) != 0)
            return TLS_PAIR_MISMATCH;
        p->received += (size_t)rc;
        return CALL_AGAIN;
    }
    if (rc == 0)
        return TLS_PAIR_SHORT;
    return is_want(rc) ? want_events(rc) : rc;
}

/*
 * The event loop: each call is repeated until it answers a want; then it
 * is repeated only when poll() reports the direction of that want. poll()
 * is asked for exactly the set tls_stream_wants() gives.
 */
static int run_peer(peer *p, unsigned char *buf, unsigned char *want)
{
    int wr = CALL_AGAIN, rd = CALL_AGAIN; /* or POLLIN/POLLOUT: waiting for that; 0: done */
    for (;;) {
        struct pollfd pfd;
        int set, rc;
        while (wr == CALL_AGAIN || rd == CALL_AGAIN) {
            if (wr == CALL_AGAIN && (wr = write_step(p, buf)) < 0)
                return wr;
            if (rd == CALL_AGAIN && (rd = read_step(p, buf, want)) < 0)
                return rd;
        }
        if (wr == 0 && rd == 0)
            return TLS_STREAM_OK;
        set = tls_stream_wants(p->s);
        pfd.fd = p->fd;
        pfd.events = (short)(((set & TLS_STREAM_POLL_READ) ? POLLIN : 0) |
                             ((set & TLS_STREAM_POLL_WRITE) ? POLLOUT : 0));
        if (set == 0) {
            /* nothing pending inside TLS (e.g. a read flushed what a write
             * had queued): poll for what the calls wait for themselves */
            p->idle_polls++;
            pfd.events = (short)(wr | rd);
        }
        pfd.revents = 0;
        p->polls++;
        p->both_polls += (set & TLS_STREAM_POLL_READ) && (set & TLS_STREAM_POLL_WRITE);
        rc = poll(&pfd, 1, STALL_MS);
        if (rc == 0)
            return PEER_DEADLOCK;
        if (rc < 0)
            return TLS_PAIR_SYS;
        if (pfd.revents & (POLLERR | POLLHUP))
            pfd.revents |= POLLIN | POLLOUT; /* let the calls see the end */
        if (wr != 0 && (pfd.revents & wr))
            wr = CALL_AGAIN;
        if (rd != 0 && (pfd.revents & rd))
            rd = CALL_AGAIN;
    }
}

static void *peer_thread(void *arg)
{
    peer *p = arg;
    unsigned char *buf = malloc(2 * p->chunk);
    p->rc = buf == NULL ? TLS_STREAM_ERR_NOMEM : run_peer(p, buf, buf + p->chunk);
    free(buf);
    return NULL;
}

static void set_small_buffers(int fd)
{
    int size = 8192;
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size), 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size), 0);
    assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
}

static void exchange(size_t n, size_t chunk)
{
    tls_stream_config *ccfg, *scfg;
    tls_stream_io io[2];
    peer p[2];
    pthread_t th;
    int fd[2], i;

    assert_int_equal(tls_pair_client1_configs(&ccfg, &scfg, NULL), TLS_STREAM_OK);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    memset(p, 0, sizeof p);
    for (i = 0; i < 2; i++) {
        set_small_buffers(fd[i]);
        io[i] = tls_stream_io_fd(fd[i]);
        p[i].fd = fd[i];
        p[i].n = n;
        p[i].chunk = chunk;
        p[i].out = i == 0 ? TLS_PAIR_C2S : TLS_PAIR_S2C;
        p[i].in = i == 0 ? TLS_PAIR_S2C : TLS_PAIR_C2S;
        assert_int_equal(tls_stream_new(&p[i].s, i == 0 ? ccfg : scfg, &io[i]), TLS_STREAM_OK);
        tls_stream_set_blocking(p[i].s, 0);
    }
    tls_stream_config_free(ccfg);
    tls_stream_config_free(scfg);
    assert_int_equal(pthread_create(&th, NULL, peer_thread, &p[1]), 0);
    peer_thread(&p[0]);
    assert_int_equal(pthread_join(th, NULL), 0);
    for (i = 0; i < 2; i++) {
        if (p[i].rc != TLS_STREAM_OK)
            fprintf(stderr, "peer %d: rc %d, sent %zu received %zu of %zu, %lu polls\n", i, p[i].rc,
                    p[i].sent, p[i].received, n, p[i].polls);
    }
    assert_int_equal(p[0].rc, TLS_STREAM_OK);
    assert_int_equal(p[1].rc, TLS_STREAM_OK);
    assert_int_equal(p[0].received, n);
    assert_int_equal(p[1].received, n);
    /* the case the set exists for did occur */
    assert_true(p[0].both_polls + p[1].both_polls > 0);
    for (i = 0; i < 2; i++)
        tls_stream_free(p[i].s);
}

static void test_both_peers_writing_16k_records_never_deadlock(void **state)
{
    (void)state;
    exchange((size_t)tls_test_count(4 << 20, 1 << 20), 16384);
}

static void test_both_peers_writing_small_records_never_deadlock(void **state)
{
    (void)state;
    exchange((size_t)tls_test_count(1 << 20, 256 << 10), 700);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_peers_writing_16k_records_never_deadlock),
        cmocka_unit_test(test_both_peers_writing_small_records_never_deadlock),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
