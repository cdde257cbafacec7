/*
 * The mbedtls backend's record reader (src/backend/mbedtls/mbedtls_wire.c):
 * the one place where we parse peer bytes ourselves (the hellos, to tell a
 * resumption; plaintext alerts). Hand-built records, whole and in every
 * chunking, well formed and malformed: exact facts, no read past the data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "backend/mbedtls/mbedtls_internal.h"
#include "counting_alloc.h"

enum { IN = 1, OUT = 0 };

static const unsigned char hrr_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

/* A hello record: type 1 (ClientHello) or 2 (ServerHello) with session ID
 * sid (sid_len bytes, may claim more than given), and for a ServerHello
 * the extensions ext (ext_len bytes, as given). Returns its length. */
static size_t hello(unsigned char *out, int type, const unsigned char *random, const unsigned char *sid,
                    size_t sid_len, const unsigned char *ext, size_t ext_len)
{
    size_t n = 9, body;
    out[n++] = 3;
    out[n++] = 3;
    if (random != NULL)
        memcpy(out + n, random, 32);
    else
        memset(out + n, 0x5A, 32);
    n += 32;
    out[n++] = (unsigned char)sid_len;
    memcpy(out + n, sid, sid_len > 32 ? 32 : sid_len);
    n += sid_len > 32 ? 32 : sid_len;
    out[n++] = 0x13; /* cipher suite */
    out[n++] = 0x01;
    out[n++] = 0; /* compression */
    if (ext != NULL) {
        memcpy(out + n, ext, ext_len);
        n += ext_len;
    }
    body = n - 5;
    out[0] = 22;
    out[1] = 3;
    out[2] = 3;
    out[3] = (unsigned char)(body >> 8);
    out[4] = (unsigned char)body;
    out[5] = (unsigned char)type;
    out[6] = 0;
    out[7] = (unsigned char)((body - 4) >> 8);
    out[8] = (unsigned char)(body - 4);
    return n;
}

/* TLS 1.3 ServerHello extensions: supported_versions 1.3 and, when psk >= 0,
 * pre_shared_key selecting psk. */
static size_t ext13(unsigned char *out, int psk)
{
    size_t n = 2;
    static const unsigned char sv[] = {0, 43, 0, 2, 3, 4};
    memcpy(out + n, sv, sizeof sv);
    n += sizeof sv;
    if (psk >= 0) {
        out[n++] = 0;
        out[n++] = 41;
        out[n++] = 0;
        out[n++] = 2;
        out[n++] = 0;
        out[n++] = (unsigned char)psk;
    }
    out[0] = 0;
    out[1] = (unsigned char)(n - 2);
    return n;
}

static const unsigned char sid_a[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                        17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const unsigned char sid_b[32] = {9};

static counting_alloc ca;

/* A fresh reader, its hello capture allocated through ca. */
static void wire_init(tls_stream_mbt_wire *w)
{
    counting_alloc_init(&ca);
    assert_int_equal(tls_stream_mbt_wire_init(w, &ca.alloc), TLS_STREAM_OK);
    assert_non_null(w->hs);
}

/* Release the capture, as the backend does after the handshake: nothing left. */
static void wire_free(tls_stream_mbt_wire *w)
{
    tls_stream_mbt_wire_free(w, &ca.alloc);
    assert_null(w->hs);
    assert_true(counting_alloc_clean(&ca));
}

/* Feed buf in chunks of chunk bytes (0: whole). */
static void feed(tls_stream_mbt_wire *w, int dir, const unsigned char *buf, size_t len, size_t chunk)
{
    size_t off = 0;
    if (chunk == 0)
        chunk = len;
    while (off < len) {
        size_t n = len - off < chunk ? len - off : chunk;
        tls_stream_mbt_wire_feed(w, dir, buf + off, n);
        off += n;
    }
}

/* A client's view of one TLS 1.2 handshake: our ClientHello out, the
 * ServerHello in, in every chunking. Returns whether it resumed. */
static int client12(const unsigned char *ch_sid, size_t ch_len, const unsigned char *sh_sid,
                    size_t sh_len)
{
    unsigned char ch[128], sh[128];
    size_t nc = hello(ch, 1, NULL, ch_sid, ch_len, NULL, 0);
    size_t ns = hello(sh, 2, NULL, sh_sid, sh_len, (const unsigned char *)"\0\0", 2);
    int first = -1;
    size_t chunk;
    for (chunk = 0; chunk <= ns; chunk++) {
        tls_stream_mbt_wire w;
        int r;
        wire_init(&w);
        feed(&w, OUT, ch, nc, chunk);
        feed(&w, IN, sh, ns, chunk);
        r = tls_stream_mbt_wire_resumed(&w, TLS_STREAM_CLIENT, 1, 0, 0);
        wire_free(&w);
        if (first < 0)
            first = r;
        assert_int_equal(r, first); /* the chunking changes nothing */
    }
    return first;
}

static void tls12_resumption_is_the_echoed_session_id(void **state)
{
    (void)state;
    assert_int_equal(client12(sid_a, 32, sid_a, 32), 1);
    assert_int_equal(client12(sid_a, 32, sid_b, 32), 0);
    assert_int_equal(client12(sid_a, 32, sid_a, 0), 0);  /* a server issuing a new ticket */
    assert_int_equal(client12(sid_a, 0, sid_a, 0), 0);   /* nothing offered */
    assert_int_equal(client12(sid_a, 32, sid_a, 16), 0); /* a prefix is not the same ID */
}

static void tls12_server_sees_the_same_from_its_side(void **state)
{
    unsigned char ch[128], sh[128];
    tls_stream_mbt_wire w;
    (void)state;
    wire_init(&w);
    feed(&w, IN, ch, hello(ch, 1, NULL, sid_a, 32, NULL, 0), 3);
    feed(&w, OUT, sh, hello(sh, 2, NULL, sid_a, 32, (const unsigned char *)"\0\0", 2), 0);
    assert_int_equal(tls_stream_mbt_wire_resumed(&w, TLS_STREAM_SERVER, 0, 0, 0), 1);
    wire_free(&w);
}

/* A TLS 1.3 ServerHello (after an optional HelloRetryRequest), client side. */
static int client13(int psk, int hrr_first, int offered, int client_psk)
{
    unsigned char ext[32], rec[160];
    tls_stream_mbt_wire w;
    int r;
    wire_init(&w);
    feed(&w, OUT, rec, hello(rec, 1, NULL, sid_a, 32, NULL, 0), 0);
    if (hrr_first)
        feed(&w, IN, rec, hello(rec, 2, hrr_random, sid_a, 32, ext, ext13(ext, -1)), 1);
    feed(&w, IN, rec, hello(rec, 2, NULL, sid_a, 32, ext, ext13(ext, psk)), 7);
    assert_int_equal(w.hs->server_hello.tls13, 1);
    assert_int_equal(w.hs->server_hello.psk_selected, psk);
    r = tls_stream_mbt_wire_resumed(&w, TLS_STREAM_CLIENT, offered, client_psk, 0);
    wire_free(&w);
    return r;
}

static void tls13_resumption_is_a_ticket_psk(void **state)
{
    (void)state;
    assert_int_equal(client13(0, 0, 1, 0), 1);  /* our ticket, selected */
    assert_int_equal(client13(-1, 0, 1, 0), 0); /* ticket declined: full handshake */
    assert_int_equal(client13(0, 0, 0, 1), 0);  /* an external PSK, no ticket offered */
    assert_int_equal(client13(1, 0, 1, 1), 0);  /* ticket and external PSK: the latter */
    assert_int_equal(client13(0, 0, 1, 1), 1);  /* ticket and external PSK: the ticket */
    assert_int_equal(client13(0, 1, 1, 0), 1);  /* a HelloRetryRequest first changes nothing */
    /* the legacy session ID echo of TLS 1.3 is no resumption */
    assert_int_equal(client13(-1, 1, 1, 0), 0);
}

static void tls13_server_tells_ticket_from_external_psk(void **state)
{
    unsigned char ext[32], rec[160];
    tls_stream_mbt_wire w;
    (void)state;
    wire_init(&w);
    feed(&w, IN, rec, hello(rec, 1, NULL, sid_a, 32, NULL, 0), 0);
    feed(&w, OUT, rec, hello(rec, 2, NULL, sid_a, 32, ext, ext13(ext, 0)), 0);
    assert_int_equal(tls_stream_mbt_wire_resumed(&w, TLS_STREAM_SERVER, 0, 0, 0), 1);
    assert_int_equal(tls_stream_mbt_wire_resumed(&w, TLS_STREAM_SERVER, 0, 0, 1), 0);
    wire_free(&w);
}

static void malformed_hellos_are_never_resumptions(void **state)
{
    unsigned char rec[400], ext[64];
    tls_stream_mbt_wire w;
    size_t n;
    (void)state;
    /* a session ID longer than 32: no hello seen */
    wire_init(&w);
    feed(&w, OUT, rec, hello(rec, 1, NULL, sid_a, 32, NULL, 0), 0);
    feed(&w, IN, rec, hello(rec, 2, NULL, sid_a, 40, (const unsigned char *)"\0\0", 2), 0);
    assert_int_equal(w.hs->server_hello.seen, 0);
    assert_int_equal(tls_stream_mbt_wire_resumed(&w, TLS_STREAM_CLIENT, 1, 0, 0), 0);
    wire_free(&w);
    /* cut short before the session ID */
    wire_init(&w);
    n = hello(rec, 2, NULL, sid_a, 32, NULL, 0);
    rec[3] = 0;
    rec[4] = 30; /* the record ends inside the random */
    feed(&w, IN, rec, 5 + 30, 1);
    assert_int_equal(w.hs->server_hello.seen, 0);
    wire_free(&w);
    /* extensions claiming more than the record holds, and one whose length
     * runs past the end: read up to the end, nothing beyond */
    wire_init(&w);
    ext[0] = 0xff;
    ext[1] = 0xff;
    memcpy(ext + 2, "\0\x2b\0\x02\x03\x04\0\x29\0\x40\0\0", 12);
    n = hello(rec, 2, NULL, sid_a, 32, ext, 14);
    feed(&w, IN, rec, n, 0);
    assert_int_equal(w.hs->server_hello.seen, 1);
    assert_int_equal(w.hs->server_hello.tls13, 1);
    assert_int_equal(w.hs->server_hello.psk_selected, -1);
    wire_free(&w);
    /* a ServerHello larger than what is kept: its start is still read */
    wire_init(&w);
    memset(ext, 0, sizeof ext);
    ext[0] = 1; /* 300 bytes of extensions: one of type 0 */
    ext[1] = 0x2C;
    n = hello(rec, 2, NULL, sid_a, 32, ext, 2);
    memset(rec + n, 0, 300); /* one extension 0, length 296 */
    rec[n + 3] = 0x28;
    rec[n + 2] = 1;
    n += 300;
    rec[3] = (unsigned char)((n - 5) >> 8);
    rec[4] = (unsigned char)(n - 5);
    rec[7] = (unsigned char)((n - 9) >> 8);
    rec[8] = (unsigned char)(n - 9);
    feed(&w, IN, rec, n, 13);
    assert_int_equal(w.hs->server_hello.seen, 1);
    assert_int_equal(w.hs->server_hello.sid_len, 32);
    assert_memory_equal(w.hs->server_hello.sid, sid_a, 32);
    assert_int_equal(w.hs->server_hello.psk_selected, -1);
    wire_free(&w);
}

static void plaintext_alerts_are_read_encrypted_ones_not(void **state)
{
    static const unsigned char fatal[] = {21, 3, 3, 0, 2, 2, 48};
    static const unsigned char warning[] = {21, 3, 3, 0, 2, 1, 0};
    static const unsigned char encrypted[] = {21, 3, 3, 0, 4, 9, 9, 9, 9};
    static const unsigned char data[] = {23, 3, 3, 0, 1, 0};
    tls_stream_mbt_wire w;
    size_t chunk;
    (void)state;
    for (chunk = 0; chunk <= sizeof fatal; chunk++) {
        wire_init(&w);
        feed(&w, IN, fatal, sizeof fatal, chunk);
        assert_int_equal(w.last_alert, 48);
        assert_int_equal(w.alert_last, 1);
        assert_int_equal(w.in_headers, 1);
        wire_free(&w);
    }
    /* after the handshake (the capture released) alerts are still read */
    feed(&w, IN, data, sizeof data, 0); /* a later record: no longer the last */
    assert_int_equal(w.alert_last, 0);
    assert_int_equal(w.last_alert, 48);
    feed(&w, IN, warning, sizeof warning, 0);
    assert_int_equal(w.last_alert, 0);
    assert_int_equal(w.alert_last, 0); /* a warning is not fatal */
    assert_int_equal(w.in_headers, 3);
    wire_init(&w);
    feed(&w, IN, encrypted, sizeof encrypted, 2);
    assert_int_equal(w.last_alert, -1);
    assert_int_equal(w.alert_last, 0);
    /* our own alerts are not the peer's */
    wire_free(&w);
    wire_init(&w);
    feed(&w, OUT, fatal, sizeof fatal, 0);
    assert_int_equal(w.last_alert, -1);
    assert_int_equal(w.in_headers, 0);
    wire_free(&w);
}

/* Once the capture is released (the handshake over) or could not be
 * allocated: no hello is read, nothing is resumed, what we send is not
 * followed; the peer's plaintext alerts still are. */
static void without_the_capture_only_alerts_are_read(void **state)
{
    static const unsigned char fatal[] = {21, 3, 3, 0, 2, 2, 40};
    unsigned char ch[128], sh[128];
    size_t nc = hello(ch, 1, NULL, sid_a, 32, NULL, 0);
    size_t ns = hello(sh, 2, NULL, sid_a, 32, (const unsigned char *)"\0\0", 2);
    tls_stream_mbt_wire w;
    (void)state;
    wire_init(&w);
    feed(&w, OUT, ch, nc, 0);
    wire_free(&w);
    feed(&w, IN, sh, ns, 5);
    assert_int_equal(tls_stream_mbt_wire_resumed(&w, TLS_STREAM_CLIENT, 1, 0, 0), 0);
    feed(&w, OUT, ch, 3, 0); /* a partial record of ours: not followed */
    feed(&w, IN, fatal, sizeof fatal, 1);
    assert_int_equal(w.in_headers, 2);
    assert_int_equal(w.last_alert, 40);
    assert_int_equal(w.alert_last, 1);
    assert_memory_equal(w.in.hdr, fatal, 5);
    /* the allocation refused: out of memory, and the same from then on */
    counting_alloc_init(&ca);
    ca.fail_at = 1;
    assert_int_equal(tls_stream_mbt_wire_init(&w, &ca.alloc), TLS_STREAM_ERR_NOMEM);
    assert_null(w.hs);
    feed(&w, IN, fatal, sizeof fatal, 0);
    assert_int_equal(w.last_alert, 40);
    tls_stream_mbt_wire_free(&w, &ca.alloc);
    assert_true(counting_alloc_clean(&ca));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tls12_resumption_is_the_echoed_session_id),
        cmocka_unit_test(tls12_server_sees_the_same_from_its_side),
        cmocka_unit_test(tls13_resumption_is_a_ticket_psk),
        cmocka_unit_test(tls13_server_tells_ticket_from_external_psk),
        cmocka_unit_test(malformed_hellos_are_never_resumptions),
        cmocka_unit_test(plaintext_alerts_are_read_encrypted_ones_not),
        cmocka_unit_test(without_the_capture_only_alerts_are_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
