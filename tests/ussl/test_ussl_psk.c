/*
 * TLS-PSK: the esp32 fork's psk_ident/psk_key keywords and MicroPython's
 * multi_net/sslcontext_server_client_psk*.py behaviours (ok, binary
 * identity, wrong key, unknown identity, bad lookup result, no fallback to
 * certificate suites in either direction).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "tls_version.h"
#include "ussl_test_util.h"
#include "test_backend.h"

typedef struct fixture {
    ut_pair p; /* the server has no certificate: a PSK table */
    ut_blob table;
    unsigned char key1[USSL_PSK_MAX_KEY];
    int key1_len;
    int lookups;
    const char *ident; /* what lookup() knows */
    size_t ident_len;
    size_t seen_len;   /* what lookup() was asked last */
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    ut_pair_init(&f->p);
    ut_blob_load(&f->table, "psk.txt");
    f->key1_len = ussl_unhexlify("57cce1f04b5cfa8dbd51d160a33cfd997d4834ac6876b22242d5fe204851f8ec",
                                 f->key1, sizeof f->key1, NULL);
    assert_int_equal(f->key1_len, 32);
    f->p.co.psk_ident = "client1";
    f->p.co.psk_ident_len = 7;
    f->p.co.psk_key = f->key1;
    f->p.co.psk_key_len = (size_t)f->key1_len;
    f->p.so.psk_table = ut_data(&f->table);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ut_pair_free(&f->p);
    ut_blob_free(&f->table);
    test_free(f);
    return 0;
}

/* sslcontext_server_client_psk.py: PSK client and server exchange data on a PSK suite */
static void test_psk_ok_exchanges_data_on_psk_suite(void **state)
{
    fixture *f = *state;
    int crc, src;
    char buf[8];
    const char *name;
    const unsigned char *der;
    size_t len;
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_cipher(f->p.c, &name, NULL), 0);
    if (tls_test_default_tls13()) /* TLS 1.3 suites do not name the key exchange */
        assert_string_equal(name, "TLS1-3-AES-128-GCM-SHA256");
    else
        assert_non_null(strstr(name, "PSK"));
    assert_int_equal(ussl_write(f->p.c, "publish", 7), 7);
    assert_int_equal(ussl_read(f->p.s, buf, 7), 7);
    assert_memory_equal(buf, "publish", 7);
    /* no certificate in a PSK handshake: getpeercert is None */
    assert_int_equal(ussl_getpeercert(f->p.c, 1, &der, &len), 0);
    assert_null(der);
}

/* a 16-byte key given in hex, as in mqtt_psk.py, and the second table entry */
static void test_psk_16_byte_key_from_hex_works(void **state)
{
    fixture *f = *state;
    unsigned char key[USSL_PSK_MAX_KEY];
    int crc, src;
    assert_int_equal(ussl_unhexlify("9a8c070dee2cdd3541c82a4608416f62", key, sizeof key, NULL), 16);
    f->p.co.psk_ident = "client2";
    f->p.co.psk_ident_len = 7;
    f->p.co.psk_key = key;
    f->p.co.psk_key_len = 16;
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
}

/* ..._psk_wrong_key_error.py: a wrong key fails both sides with OSError */
static void test_psk_wrong_key_fails_both_sides_with_oserror(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->key1[0] ^= 1;
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.s)->kind, USSL_OSERROR);
    if (!tls_test_openssl(TLS_STREAM_SERVER)) /* an MBEDTLS_ERR_* code */
        assert_true(ussl_last_error(f->p.s)->code < 0);
    else /* SSL_R_BINDER_DOES_NOT_VERIFY (1.3) or _DECRYPTION_FAILED_OR_BAD_RECORD_MAC (1.2) */
        assert_int_equal(ussl_last_error(f->p.s)->code, tls_test_default_tls13() ? 0x0A0000FD : 0x0A000119);
    assert_true(crc == USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
}

/* ..._psk_unknown_identity_error.py: an unknown identity fails both sides */
static void test_psk_unknown_identity_fails_both_sides_with_oserror(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->p.co.psk_ident = "stranger";
    f->p.co.psk_ident_len = 8;
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.s)->status, TLS_STREAM_ERR_PSK_IDENTITY);
    assert_int_equal(crc, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
}

/* Server lookup: knows one identity, f->ident (f->ident_len bytes), key 0x42 x 16. */
static int lookup(void *arg, const unsigned char *identity, size_t identity_len,
                  unsigned char *key, size_t key_size)
{
    fixture *f = arg;
    f->lookups++;
    f->seen_len = identity_len;
    if (identity_len == f->ident_len && memcmp(identity, f->ident, identity_len) == 0 && key_size >= 16) {
        memset(key, 0x42, 16);
        return 16;
    }
    return TLS_STREAM_ERR_PSK_IDENTITY;
}

/* A lookup server knowing ident and a client sending it: both handshakes succeed. */
/* A handshake whose client sends ident (len bytes), looked up by lookup(). */
static void identity_handshake(fixture *f, const char *ident, size_t len, int *crc, int *src)
{
    unsigned char key[16];
    memset(key, 0x42, sizeof key);
    f->ident = ident;
    f->ident_len = len;
    f->p.so.psk_table = ut_bytes(NULL, 0);
    f->p.so.psk_lookup = lookup;
    f->p.so.psk_lookup_arg = f;
    f->p.co.psk_ident = ident;
    f->p.co.psk_ident_len = len;
    f->p.co.psk_key = key;
    f->p.co.psk_key_len = sizeof key;
    ut_pair_handshake(&f->p, crc, src);
}

static void handshake_with_identity(fixture *f, const char *ident, size_t len)
{
    int crc, src;
    identity_handshake(f, ident, len, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(f->lookups, 1);
    assert_int_equal(f->seen_len, len);
}

/* ..._psk_object.py + _binary_identity.py: a lookup callback and a non-UTF-8 identity */
static void test_psk_lookup_with_binary_identity_works(void **state)
{
    handshake_with_identity(*state, "\xff\xfe\xfd", 3);
}

/* the length is explicit: an identity with zero bytes in it (even at the
 * end) reaches the server whole, not cut at the first zero */
static void test_psk_identity_with_zero_bytes_is_sent_whole(void **state)
{
    fixture *f = *state;

    if (tls_test_openssl(TLS_STREAM_CLIENT)) {
        /* OpenSSL's TLS 1.2 PSK callback takes a C string: refused before
         * any byte is sent */
        f->p.co.psk_ident = "a\0b\0";
        f->p.co.psk_ident_len = 4;
        assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), -USSL_EOPNOTSUPP);
        assert_null(f->p.c);
        assert_int_equal(f->p.err.status, TLS_STREAM_ERR_UNSUPPORTED);
        assert_int_equal(f->p.ce.bytes_written, 0);
        return;
    }
    if (tls_test_openssl(TLS_STREAM_SERVER) && !tls_test_default_tls13()) {
        /* an OpenSSL server's TLS 1.2 PSK callback gets a C string: the
         * lookup sees "a" and refuses it (in TLS 1.3, with an mbedtls 3.6
         * client, it sees the identity whole, as below) */
        int crc, src;
        identity_handshake(f, "a\0b\0", 4, &crc, &src);
        assert_int_equal(src, USSL_E_TLS);
        assert_int_equal(ussl_last_error(f->p.s)->status, TLS_STREAM_ERR_PSK_IDENTITY);
        assert_int_equal(f->seen_len, 1);
        assert_true(crc < 0);
        return;
    }
    handshake_with_identity(*state, "a\0b\0", 4);
}

/* length 0 is the empty identity, never strlen(): mbedtls 2.28 and OpenSSL cannot send
 * one (it treats an empty identity as no PSK), so the wrap refuses it
 * before any byte is sent */
static void test_psk_empty_identity_is_not_strlen_and_refused_by_the_backend(void **state)
{
    fixture *f = *state;
    f->p.co.psk_ident = "client1";
    f->p.co.psk_ident_len = 0;
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), -USSL_EOPNOTSUPP);
    assert_null(f->p.c);
    assert_int_equal(f->p.err.status, TLS_STREAM_ERR_UNSUPPORTED);
    assert_int_equal(f->p.ce.bytes_written, 0);
}

/* ..._psk_client_only_error.py / _no_fallback_error.py: PSK client vs certificate server */
static void test_psk_client_does_not_fall_back_to_certificate_suites(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->p.so.psk_table = ut_bytes(NULL, 0);
    f->p.so.keyfile = ut_data(&f->p.skey);
    f->p.so.certfile = ut_data(&f->p.scert);
    ut_pair_handshake(&f->p, &crc, &src);
    assert_true(crc < 0 && crc != -USSL_EAGAIN);
    assert_true(src < 0 && src != -USSL_EAGAIN);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->p.s)->kind, USSL_OSERROR);
}

/* ..._psk_server_only_error.py / _server_no_fallback_error.py: certificate client vs PSK server */
static void test_psk_server_does_not_accept_certificate_client(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->p.co.psk_ident = NULL;
    f->p.co.psk_key = NULL;
    f->p.co.psk_key_len = 0;
    f->p.co.cert_reqs = USSL_CERT_REQUIRED;
    f->p.co.ca_certs = ut_data(&f->p.ca);
    f->p.co.server_hostname = "localhost";
    ut_pair_handshake(&f->p, &crc, &src);
    assert_true(crc < 0 && crc != -USSL_EAGAIN);
    assert_true(src < 0 && src != -USSL_EAGAIN);
    assert_int_equal(ussl_last_error(f->p.s)->kind, USSL_OSERROR);
}

/* PSK client: cert_reqs does not apply (the key authenticates the server) */
static void test_psk_client_with_cert_required_needs_no_hostname(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->p.co.cert_reqs = USSL_CERT_REQUIRED;
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
}

/* the psk_table can also be a file (mosquitto's psk_file) */
static void test_psk_table_from_file_path(void **state)
{
    fixture *f = *state;
    int crc, src;
    char path[512];
    strcpy(path, ut_path("psk.txt"));
    f->p.so.psk_table = ut_file(path);
    f->p.so.load_file = ussl_posix_load_file;
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_psk_ok_exchanges_data_on_psk_suite),
        T(test_psk_16_byte_key_from_hex_works),
        T(test_psk_wrong_key_fails_both_sides_with_oserror),
        T(test_psk_unknown_identity_fails_both_sides_with_oserror),
        T(test_psk_lookup_with_binary_identity_works),
        T(test_psk_identity_with_zero_bytes_is_sent_whole),
        T(test_psk_empty_identity_is_not_strlen_and_refused_by_the_backend),
        T(test_psk_client_does_not_fall_back_to_certificate_suites),
        T(test_psk_server_does_not_accept_certificate_client),
        T(test_psk_client_with_cert_required_needs_no_hostname),
        T(test_psk_table_from_file_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
