/*
 * A library built without a default allocator (TLS_STREAM_STDLIB_ALLOC=OFF):
 * every constructor refuses a NULL allocator with a clear status, and a
 * whole TLS-PSK connection (real mbedtls backend, memory pipe) runs with
 * nothing but an explicit allocator that never calls malloc: the tests'
 * static arena (tests/support/test_alloc.h). That the layers' archives do
 * not reference malloc at all is check_no_malloc.cmake's job.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "test_alloc.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/options.h"
#include "tls_stream/tls_stream.h"
#include "tls_stream/ussl.h"

#define IDENTITY "client1"
#define XFER (64 * 1024)
#define MAX_ROUNDS 100000

static const unsigned char psk[16] = { 0x9a, 0x8c, 0x07, 0x0d, 0xee, 0x2c, 0xdd, 0x35,
                                       0x41, 0xc8, 0x2a, 0x46, 0x08, 0x41, 0x6f, 0x62 };

static void test_the_build_has_no_default_and_the_tests_use_the_arena(void **state)
{
    (void)state;
    assert_int_equal(tls_test_has_default_allocator(), 0);
    assert_ptr_equal(tls_test_allocator(), tls_test_arena());
}

/* The arena itself: it refuses what does not fit, and freed space is reused. */
static void test_the_arena_refuses_what_does_not_fit_and_merges_freed_blocks(void **state)
{
    const tls_stream_allocator *a = tls_test_arena();
    tls_test_arena_usage before = tls_test_arena_usage_now();
    size_t half = TLS_TEST_ARENA_BYTES / 2 - 1024;
    unsigned char *p, *q, *r;
    (void)state;

    assert_int_equal(before.live_blocks, 0);
    assert_null(a->alloc(a->ctx, 0));
    assert_null(a->alloc(a->ctx, TLS_TEST_ARENA_BYTES));
    assert_null(a->alloc(a->ctx, SIZE_MAX));
    p = (unsigned char *)a->alloc(a->ctx, half);
    q = (unsigned char *)a->alloc(a->ctx, half);
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal((uintptr_t)p % sizeof(long long), 0);
    assert_true(q >= p + half || p >= q + half); /* no overlap */
    assert_null(a->alloc(a->ctx, half)); /* exhausted */
    memset(p, 1, half);
    memset(q, 2, half);
    assert_int_equal(tls_test_arena_usage_now().live_bytes, 2 * half);
    a->free(a->ctx, p, half);
    a->free(a->ctx, q, half);
    r = (unsigned char *)a->alloc(a->ctx, 2 * half); /* only fits in the merged blocks */
    assert_non_null(r);
    a->free(a->ctx, r, 2 * half);
    assert_int_equal(tls_test_arena_usage_now().refused, before.refused + 4);
    assert_int_equal(tls_test_arena_usage_now().live_blocks, 0);
    assert_int_equal(tls_test_arena_usage_now().peak_bytes, 2 * half);
}

static void test_config_new_refuses_a_null_allocator(void **state)
{
    tls_stream_config *cfg = (tls_stream_config *)&cfg;
    tls_test_arena_usage before = tls_test_arena_usage_now();
    (void)state;
    assert_int_equal(tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT, NULL),
                     TLS_STREAM_ERR_ARG);
    assert_null(cfg);
    cfg = (tls_stream_config *)&cfg;
    assert_int_equal(tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_SERVER, NULL),
                     TLS_STREAM_ERR_ARG);
    assert_null(cfg);
    assert_int_equal(tls_test_arena_usage_now().allocs, before.allocs);
}

static void test_mem_pipe_new_refuses_a_null_allocator(void **state)
{
    tls_stream_mem_pipe *p = (tls_stream_mem_pipe *)&p;
    (void)state;
    assert_int_equal(tls_stream_mem_pipe_new(&p, 0, NULL), TLS_STREAM_ERR_ARG);
    assert_null(p);
    p = (tls_stream_mem_pipe *)&p;
    assert_int_equal(tls_stream_mem_pipe_new(&p, 16, NULL), TLS_STREAM_ERR_ARG);
    assert_null(p);
}

static void test_ussl_wrap_socket_refuses_a_null_allocator(void **state)
{
    tls_stream_mem_pipe *p = NULL;
    tls_stream_io io, peer;
    ussl_socket *s = (ussl_socket *)&s;
    ussl_error err;
    ussl_opts o;
    unsigned char buf[4];
    tls_test_arena_usage before;
    (void)state;

    assert_int_equal(tls_stream_mem_pipe_new(&p, 0, tls_test_arena()), TLS_STREAM_OK);
    io = tls_stream_mem_pipe_io(p, 0);
    peer = tls_stream_mem_pipe_io(p, 1);
    ussl_opts_init(&o);
    o.backend = tls_stream_backend_mbedtls();
    o.psk_ident = IDENTITY;
    o.psk_key = psk;
    o.psk_key_len = sizeof psk;
    assert_null(o.alloc); /* the default of ussl_opts_init() */
    before = tls_test_arena_usage_now();

    assert_int_equal(ussl_wrap_socket(&io, &o, &s, &err), USSL_E_VALUE);
    assert_null(s);
    assert_int_equal(err.kind, USSL_VALUEERROR);
    assert_int_equal(err.code, 0);
    assert_string_equal(err.msg, TLS_STREAM_MSG("no allocator (set opts.alloc)"));
    /* nothing allocated, nothing sent, the transport still open */
    assert_int_equal(tls_test_arena_usage_now().allocs, before.allocs);
    assert_int_equal(tls_stream_mem_pipe_buffered(p, 1), 0);
    assert_int_equal(io.write(io.ctx, (const unsigned char *)"ok", 2), 2);
    assert_int_equal(peer.read(peer.ctx, buf, sizeof buf), 2);
    assert_memory_equal(buf, "ok", 2);
    tls_stream_mem_pipe_free(p);
}

/* Pattern byte i of direction dir, so that order and content are both checked. */
static unsigned char pattern(int dir, size_t i)
{
    return (unsigned char)((i * 13 + 7 + (size_t)dir * 101) % 251);
}

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

/* Step both handshakes until both are done; any error fails the test. */
static void handshake(tls_stream *c, tls_stream *s)
{
    int crc = TLS_STREAM_WANT_WRITE, src = TLS_STREAM_WANT_READ, round;
    for (round = 0; round < MAX_ROUNDS && (crc != TLS_STREAM_OK || src != TLS_STREAM_OK); round++) {
        if (crc != TLS_STREAM_OK)
            crc = tls_stream_handshake(c);
        if (src != TLS_STREAM_OK)
            src = tls_stream_handshake(s);
        assert_true(crc == TLS_STREAM_OK || is_want(crc));
        assert_true(src == TLS_STREAM_OK || is_want(src));
    }
    assert_int_equal(crc, TLS_STREAM_OK);
    assert_int_equal(src, TLS_STREAM_OK);
}

/* XFER pattern bytes each way at once, every byte checked. */
static void transfer(tls_stream *end[2])
{
    static unsigned char out[2][XFER], in[2][XFER];
    size_t sent[2] = { 0, 0 }, got[2] = { 0, 0 }, i;
    int dir, rc, round;
    for (dir = 0; dir < 2; dir++) {
        for (i = 0; i < XFER; i++)
            out[dir][i] = pattern(dir, i);
    }
    for (round = 0; round < MAX_ROUNDS && (got[0] < XFER || got[1] < XFER); round++) {
        for (dir = 0; dir < 2; dir++) { /* dir 0: client to server */
            if (sent[dir] < XFER) {
                rc = tls_stream_write(end[dir], out[dir] + sent[dir], XFER - sent[dir]);
                assert_true(rc > 0 || is_want(rc));
                if (rc > 0)
                    sent[dir] += (size_t)rc;
            }
            if (got[dir] < XFER) {
                rc = tls_stream_read(end[1 - dir], in[dir] + got[dir], XFER - got[dir]);
                assert_true(rc > 0 || is_want(rc));
                if (rc > 0)
                    got[dir] += (size_t)rc;
            }
        }
    }
    assert_int_equal(got[0], XFER);
    assert_int_equal(got[1], XFER);
    assert_memory_equal(in[0], out[0], XFER);
    assert_memory_equal(in[1], out[1], XFER);
}

static void test_psk_connection_runs_on_the_arena_alone(void **state)
{
    const tls_stream_allocator *arena = tls_test_arena();
    tls_test_arena_usage before = tls_test_arena_usage_now(), during;
    tls_stream_config *ccfg = NULL, *scfg = NULL;
    tls_stream_mem_pipe *p = NULL;
    tls_stream *end[2] = { NULL, NULL }; /* [0] client, [1] server */
    tls_stream_io cio, sio;
    unsigned char buf[8];
    (void)state;

    assert_int_equal(tls_stream_config_new(&ccfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT, arena),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(ccfg, IDENTITY, strlen(IDENTITY), psk, sizeof psk),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_new(&scfg, tls_stream_backend_mbedtls(), TLS_STREAM_SERVER, arena),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(scfg, IDENTITY, strlen(IDENTITY), psk, sizeof psk),
                     TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_new(&p, 0, arena), TLS_STREAM_OK);
    cio = tls_stream_mem_pipe_io(p, 0);
    sio = tls_stream_mem_pipe_io(p, 1);
    assert_int_equal(tls_stream_new(&end[0], ccfg, &cio), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&end[1], scfg, &sio), TLS_STREAM_OK);
    tls_stream_config_free(ccfg); /* the streams hold their own references */
    tls_stream_config_free(scfg);
    assert_int_equal(tls_stream_set_blocking(end[0], 0), TLS_STREAM_OK);
    assert_int_equal(tls_stream_set_blocking(end[1], 0), TLS_STREAM_OK);

    handshake(end[0], end[1]);
    assert_non_null(strstr(tls_stream_cipher(end[0]), "PSK"));
    transfer(end);

    /* a clean close: close_notify, then the peer reads the end */
    assert_int_equal(tls_stream_close(end[0]), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(end[1], buf, sizeof buf), 0);
    assert_int_equal(tls_stream_state(end[1]), TLS_STREAM_STATE_PEER_CLOSED);
    assert_int_equal(tls_stream_error(end[1]), TLS_STREAM_OK);
    assert_int_equal(tls_stream_close(end[1]), TLS_STREAM_OK);

    /* everything of ours came from the arena, and all of it went back */
    during = tls_test_arena_usage_now();
    assert_true(during.allocs >= before.allocs + 5); /* 2 configs, 2 streams, the pipe at least */
    assert_int_equal(during.refused, before.refused);
    tls_stream_free(end[0]);
    tls_stream_free(end[1]);
    tls_stream_mem_pipe_free(p);
    assert_int_equal(tls_test_arena_usage_now().live_blocks, before.live_blocks);
    assert_int_equal(tls_test_arena_usage_now().live_bytes, before.live_bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_build_has_no_default_and_the_tests_use_the_arena),
        cmocka_unit_test(test_the_arena_refuses_what_does_not_fit_and_merges_freed_blocks),
        cmocka_unit_test(test_config_new_refuses_a_null_allocator),
        cmocka_unit_test(test_mem_pipe_new_refuses_a_null_allocator),
        cmocka_unit_test(test_ussl_wrap_socket_refuses_a_null_allocator),
        cmocka_unit_test(test_psk_connection_runs_on_the_arena_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
