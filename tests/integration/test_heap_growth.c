/*
 * Many sequential connections do not grow the heap: tls_stream's own
 * allocations (through a counting tls_stream_allocator) are all returned after each
 * connection, and the process heap (mbedtls allocates with calloc/free) does
 * not grow once warmed up (glibc mallinfo2()).
 */
#define _GNU_SOURCE

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <malloc.h>
#include <string.h>

#include "counting_alloc.h"
#include "test_scale.h"
#include "tls_pair.h"
#include "test_backend.h"

/* 200 natively; under valgrind (test_scale.h) a few past the warm-up */
#define CONNECTIONS ((int)tls_test_count(WARMUP + 190, WARMUP + 2))
/* Connections before the heap is measured: OpenSSL fills caches of its own
 * over its first few hundred connections (up to ~360 for a certificate
 * server), then stays flat; valgrind's run does not measure the heap
 * (mallinfo2() reads 0 there). */
#define WARMUP ((int)tls_test_count(openssl_involved() ? 400 : 10, 10))
/* What the process heap may still grow by after the warm-up: allocator
 * noise (fragmentation), far below one connection (~40 KB). */
#define HEAP_SLACK ((size_t)16 * 1024)

static int openssl_involved(void)
{
    return tls_test_openssl(TLS_STREAM_CLIENT) || tls_test_openssl(TLS_STREAM_SERVER);
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks;
}

/* One whole connection: configurations, pipe, handshake, data both ways,
 * clean close on both sides, and everything freed. */
static void one_psk_connection(counting_alloc *ca)
{
    tls_stream_config *c = NULL, *s = NULL;
    tls_pair p;
    unsigned char buf[8];

    assert_int_equal(tls_pair_client1_configs(&c, &s, &ca->alloc), TLS_STREAM_OK);
    assert_int_equal(tls_pair_new(&p, c, s, &ca->alloc), TLS_STREAM_OK);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_true(tls_test_psk_negotiated(p.client));
    assert_int_equal(tls_pair_transfer(&p, 2000), TLS_STREAM_OK);
    assert_int_equal(tls_stream_close(p.client), TLS_STREAM_OK);
    assert_int_equal(tls_stream_read(p.server, buf, sizeof buf), 0);
    tls_pair_free(&p);
}

static void test_sequential_psk_connections_do_not_grow_the_heap(void **state)
{
    counting_alloc ca;
    size_t base = 0, now = 0;
    int i;
    (void)state;

    counting_alloc_init(&ca);
    for (i = 0; i < CONNECTIONS; i++) {
        one_psk_connection(&ca);
        /* our own allocations: all back, every time, with the right sizes */
        assert_int_equal(ca.live_bytes, 0);
        assert_int_equal(ca.live_blocks, 0);
        assert_int_equal(ca.bad_frees, 0);
        assert_true(counting_alloc_clean(&ca));
        if (i + 1 == WARMUP)
            base = heap_in_use();
    }
    now = heap_in_use();
    print_message("  heap in use after %d connections: %zu, after %d: %zu; "
                  "tls_stream's peak: %zu bytes in %lu allocations\n",
                  WARMUP, base, CONNECTIONS, now, ca.peak_bytes, ca.allocs);
    assert_true(ca.allocs > 0);
    assert_true(now <= base + HEAP_SLACK);
}

/* The same for certificate connections with mutual TLS, fewer of them
 * (each parses certificates and signs). */
static void test_sequential_certificate_connections_do_not_grow_the_heap(void **state)
{
    counting_alloc ca;
    size_t base = 0, now;
    int i;
    (void)state;

    counting_alloc_init(&ca);
    for (i = 0; i < (int)tls_test_count(WARMUP + 20, WARMUP + 2); i++) {
        tls_stream_config *c = NULL, *s = NULL;
        tls_pair p;
        assert_int_equal(tls_pair_cert_client(&c, &ca.alloc, TLS_STREAM_VERIFY_REQUIRED, "ca.pem",
                                              "localhost", "client.pem", "client.key"),
                         TLS_STREAM_OK);
        assert_int_equal(tls_pair_cert_server(&s, &ca.alloc, "server.pem", "server.key",
                                              TLS_STREAM_VERIFY_REQUIRED, "ca.pem"),
                         TLS_STREAM_OK);
        assert_int_equal(tls_pair_new(&p, c, s, &ca.alloc), TLS_STREAM_OK);
        tls_stream_config_free(c);
        tls_stream_config_free(s);
        assert_int_equal(tls_pair_transfer(&p, 500), TLS_STREAM_OK);
        assert_int_equal(tls_stream_close(p.server), TLS_STREAM_OK);
        tls_pair_free(&p);
        assert_true(counting_alloc_clean(&ca));
        if (i + 1 == WARMUP)
            base = heap_in_use();
    }
    now = heap_in_use();
    print_message("  heap in use after %d connections: %zu, after %d: %zu\n", WARMUP, base, i,
                  now);
    assert_true(now <= base + HEAP_SLACK);
}

/* Failed handshakes free everything too. */
static void test_failed_connections_return_all_memory(void **state)
{
    counting_alloc ca;
    int i;
    (void)state;

    counting_alloc_init(&ca);
    for (i = 0; i < (int)tls_test_count(20, 4); i++) {
        tls_stream_config *c = NULL, *s = NULL;
        tls_pair p;
        unsigned char wrong[TLS_STREAM_PSK_MAX_KEY];
        memcpy(wrong, tls_pair_client1.key, tls_pair_client1.len);
        wrong[i % tls_pair_client1.len] ^= 0x80;
        assert_int_equal(tls_pair_psk_client(&c, &ca.alloc, i % 2 ? "client1" : "nobody", wrong,
                                             tls_pair_client1.len),
                         TLS_STREAM_OK);
        assert_int_equal(tls_pair_psk_server(&s, &ca.alloc, "client1", tls_pair_client1.key,
                                             tls_pair_client1.len),
                         TLS_STREAM_OK);
        assert_int_equal(tls_pair_new(&p, c, s, &ca.alloc), TLS_STREAM_OK);
        tls_stream_config_free(c);
        tls_stream_config_free(s);
        assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_ERR_PEER_ALERT);
        tls_pair_free(&p);
        assert_true(counting_alloc_clean(&ca));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequential_psk_connections_do_not_grow_the_heap),
        cmocka_unit_test(test_sequential_certificate_connections_do_not_grow_the_heap),
        cmocka_unit_test(test_failed_connections_return_all_memory),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
