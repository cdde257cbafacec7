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

#include "ussl_test_util.h"

typedef struct fixture {
    ut_end ce, se;
    tls_io cio, sio;
    ussl_opts co, so;
    ussl_error err;
    ussl_socket *c, *s;
    ut_blob skey, scert, ca, table;
    unsigned char key1[USSL_PSK_MAX_KEY];
    int key1_len;
    int lookups;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    ut_pipe_new(&f->ce, &f->se, 0);
    f->cio = ut_io(&f->ce);
    f->sio = ut_io(&f->se);
    ut_blob_load(&f->skey, "server.key");
    ut_blob_load(&f->scert, "server.pem");
    ut_blob_load(&f->ca, "ca.pem");
    ut_blob_load(&f->table, "psk.txt");
    f->key1_len = ussl_unhexlify("57cce1f04b5cfa8dbd51d160a33cfd997d4834ac6876b22242d5fe204851f8ec",
                                 f->key1, sizeof f->key1, NULL);
    assert_int_equal(f->key1_len, 32);
    ut_opts(&f->co);
    f->co.do_handshake = 0;
    f->co.psk_ident = "client1";
    f->co.psk_key = f->key1;
    f->co.psk_key_len = (size_t)f->key1_len;
    ut_opts(&f->so);
    f->so.server_side = 1;
    f->so.do_handshake = 0;
    f->so.psk_table = ut_data(&f->table);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ussl_free(f->c);
    ussl_free(f->s);
    ut_blob_free(&f->skey);
    ut_blob_free(&f->scert);
    ut_blob_free(&f->ca);
    ut_blob_free(&f->table);
    ut_pipe_free(&f->ce, &f->se);
    test_free(f);
    return 0;
}

static void handshake(fixture *f, int *crc, int *src)
{
    assert_int_equal(ussl_wrap_socket(&f->sio, &f->so, &f->s, &f->err), 0);
    assert_int_equal(ussl_wrap_socket(&f->cio, &f->co, &f->c, &f->err), 0);
    ut_handshake(f->c, f->s, crc, src);
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
    handshake(f, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_cipher(f->c, &name, NULL), 0);
    assert_non_null(strstr(name, "PSK"));
    assert_int_equal(ussl_write(f->c, "publish", 7), 7);
    assert_int_equal(ussl_read(f->s, buf, 7), 7);
    assert_memory_equal(buf, "publish", 7);
    /* no certificate in a PSK handshake: getpeercert is None */
    assert_int_equal(ussl_getpeercert(f->c, 1, &der, &len), 0);
    assert_null(der);
}

/* a 16-byte key given in hex, as in mqtt_psk.py, and the second table entry */
static void test_psk_16_byte_key_from_hex_works(void **state)
{
    fixture *f = *state;
    unsigned char key[USSL_PSK_MAX_KEY];
    int crc, src;
    assert_int_equal(ussl_unhexlify("9a8c070dee2cdd3541c82a4608416f62", key, sizeof key, NULL), 16);
    f->co.psk_ident = "client2";
    f->co.psk_key = key;
    f->co.psk_key_len = 16;
    handshake(f, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
}

/* ..._psk_wrong_key_error.py: a wrong key fails both sides with OSError */
static void test_psk_wrong_key_fails_both_sides_with_oserror(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->key1[0] ^= 1;
    handshake(f, &crc, &src);
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->s)->kind, USSL_OSERROR);
    assert_true(ussl_last_error(f->s)->code < 0);
    assert_true(crc == USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->c)->kind, USSL_OSERROR);
}

/* ..._psk_unknown_identity_error.py: an unknown identity fails both sides */
static void test_psk_unknown_identity_fails_both_sides_with_oserror(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->co.psk_ident = "stranger";
    handshake(f, &crc, &src);
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->s)->status, TLS_ERR_PSK_IDENTITY);
    assert_int_equal(crc, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->c)->kind, USSL_OSERROR);
}

static int lookup(void *arg, const unsigned char *identity, size_t identity_len,
                  unsigned char *key, size_t key_size)
{
    fixture *f = arg;
    f->lookups++;
    if (identity_len == 3 && memcmp(identity, "\xff\xfe\xfd", 3) == 0 && key_size >= 16) {
        memset(key, 0x42, 16);
        return 16;
    }
    return TLS_ERR_PSK_IDENTITY;
}

/* ..._psk_object.py + _binary_identity.py: a lookup callback and a non-UTF-8 identity */
static void test_psk_lookup_with_binary_identity_works(void **state)
{
    fixture *f = *state;
    unsigned char key[16];
    int crc, src;
    memset(key, 0x42, sizeof key);
    f->so.psk_table = USSL_DATA(NULL, 0);
    f->so.psk_lookup = lookup;
    f->so.psk_lookup_arg = f;
    f->co.psk_ident = "\xff\xfe\xfd";
    f->co.psk_ident_len = 3;
    f->co.psk_key = key;
    f->co.psk_key_len = sizeof key;
    handshake(f, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(f->lookups, 1);
}

/* ..._psk_client_only_error.py / _no_fallback_error.py: PSK client vs certificate server */
static void test_psk_client_does_not_fall_back_to_certificate_suites(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->so.psk_table = USSL_DATA(NULL, 0);
    f->so.keyfile = ut_data(&f->skey);
    f->so.certfile = ut_data(&f->scert);
    handshake(f, &crc, &src);
    assert_true(crc < 0 && crc != -USSL_EAGAIN);
    assert_true(src < 0 && src != -USSL_EAGAIN);
    assert_int_equal(ussl_last_error(f->c)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->s)->kind, USSL_OSERROR);
}

/* ..._psk_server_only_error.py / _server_no_fallback_error.py: certificate client vs PSK server */
static void test_psk_server_does_not_accept_certificate_client(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->co.psk_ident = NULL;
    f->co.psk_key = NULL;
    f->co.psk_key_len = 0;
    f->co.cert_reqs = USSL_CERT_REQUIRED;
    f->co.ca_certs = ut_data(&f->ca);
    f->co.server_hostname = "localhost";
    handshake(f, &crc, &src);
    assert_true(crc < 0 && crc != -USSL_EAGAIN);
    assert_true(src < 0 && src != -USSL_EAGAIN);
    assert_int_equal(ussl_last_error(f->s)->kind, USSL_OSERROR);
}

/* PSK client: cert_reqs does not apply (the key authenticates the server) */
static void test_psk_client_with_cert_required_needs_no_hostname(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->co.cert_reqs = USSL_CERT_REQUIRED;
    handshake(f, &crc, &src);
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
    f->so.psk_table = USSL_PATH(path);
    f->so.load_file = ussl_posix_load_file;
    handshake(f, &crc, &src);
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
        T(test_psk_client_does_not_fall_back_to_certificate_suites),
        T(test_psk_server_does_not_accept_certificate_client),
        T(test_psk_client_with_cert_required_needs_no_hostname),
        T(test_psk_table_from_file_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
