/*
 * Malformed key and certificate inputs (PEM and DER): each is refused by
 * the call that passed it, with its exact error and a message, and leaves
 * the configuration usable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect_text.h"
#include "robust_util.h"
#include "test_alloc.h"
#include "test_backend.h"

typedef int (*load_fn)(tls_stream_config *, const void *, size_t);

static int set_key_nopw(tls_stream_config *cfg, const void *d, size_t n)
{
    return tls_stream_config_set_key(cfg, d, n, NULL);
}

static void expect(load_fn fn, tls_stream_role role, const void *d, size_t n, int want)
{
    tls_stream_config *cfg;
    const char *msg = NULL;
    int rc;
    assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(role), role, tls_test_allocator()), TLS_STREAM_OK);
    rc = fn(cfg, d, n);
    if (rc != want)
        print_error("got %d (%s), want %d\n", rc, tls_stream_strerror(rc), want);
    assert_int_equal(rc, want);
    if (want != TLS_STREAM_OK) {
        tls_stream_config_error_detail(cfg, &msg);
        assert_non_null(msg);
        expect_text_present(msg);
    }
    tls_stream_config_free(cfg);
}

/* data with bytes [from, to) removed or changed */
static unsigned char *cut(const unsigned char *d, size_t n, size_t keep, size_t *out)
{
    unsigned char *c = malloc(n);
    memcpy(c, d, n);
    *out = keep < n ? keep : n;
    return c;
}

static void malformed_certificates_are_bad_cert(void **state)
{
    size_t n, m;
    unsigned char *pem = rb_file("server.pem", &n), *der, *c;
    static const unsigned char junk[] = "\x30\x82\x01\x00 definitely not a certificate";
    (void)state;
    assert_non_null(pem);
    der = rb_file("server.der", &m);
    assert_non_null(der);

    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, junk, sizeof junk - 1, TLS_STREAM_ERR_BAD_CERT);
    expect(tls_stream_config_add_ca, TLS_STREAM_CLIENT, junk, sizeof junk - 1, TLS_STREAM_ERR_BAD_CERT);
    /* PEM cut in the middle of the base64 (no END line) */
    c = cut(pem, n, n / 2, &n);
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_CERT);
    expect(tls_stream_config_add_ca, TLS_STREAM_CLIENT, c, n, TLS_STREAM_ERR_BAD_CERT);
    free(c);
    free(pem);
    /* a corrupted base64 character */
    pem = rb_file("server.pem", &n);
    pem[40] = '*';
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, pem, n, TLS_STREAM_ERR_BAD_CERT);
    free(pem);
    /* a PEM certificate followed by a broken one: our own chain must parse whole */
    {
        size_t a;
        unsigned char *one = rb_file("server.pem", &a), *two = malloc(2 * a);
        memcpy(two, one, a);
        memcpy(two + a, one, a);
        two[a + 100] = '!';
        expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, two, 2 * a, TLS_STREAM_ERR_BAD_CERT);
        free(one);
        free(two);
    }
    /* DER cut short, DER with a wrong inner length */
    c = cut(der, m, m - 10, &n);
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_CERT);
    expect(tls_stream_config_add_ca, TLS_STREAM_CLIENT, c, n, TLS_STREAM_ERR_BAD_CERT);
    free(c);
    c = cut(der, m, m, &n);
    c[3] ^= 0x40;
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_CERT);
    free(c);
    /* a private key handed in as a certificate */
    c = rb_file("server.key", &n);
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_CERT);
    expect(tls_stream_config_add_ca, TLS_STREAM_CLIENT, c, n, TLS_STREAM_ERR_BAD_CERT);
    free(c);
    /* only the PEM armour */
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER,
           "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", 54, TLS_STREAM_ERR_BAD_CERT);
    free(der);
}

static void malformed_keys_are_bad_key(void **state)
{
    size_t n, m;
    unsigned char *pem = rb_file("server.key", &n), *der = rb_file("server.key.der", &m), *c;
    static const unsigned char junk[] = "\x30\x77\x02\x01\x01 nope";
    (void)state;
    assert_non_null(pem);
    assert_non_null(der);
    expect(set_key_nopw, TLS_STREAM_SERVER, junk, sizeof junk - 1, TLS_STREAM_ERR_BAD_KEY);
    c = cut(pem, n, n / 2, &n);
    expect(set_key_nopw, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_KEY);
    free(c);
    c = cut(der, m, m - 5, &n);
    expect(set_key_nopw, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_KEY);
    free(c);
    /* a certificate handed in as a key */
    c = rb_file("server.pem", &n);
    expect(set_key_nopw, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_KEY);
    free(c);
    c = rb_file("server.der", &n);
    expect(set_key_nopw, TLS_STREAM_SERVER, c, n, TLS_STREAM_ERR_BAD_KEY);
    free(c);
    free(pem);
    free(der);
    /* an encrypted key: no password, a wrong one, the right one */
    {
        tls_stream_config *cfg;
        pem = rb_file("server_enc.key", &n);
        assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(TLS_STREAM_SERVER), TLS_STREAM_SERVER, tls_test_allocator()), TLS_STREAM_OK);
        assert_int_equal(tls_stream_config_set_key(cfg, pem, n, NULL), TLS_STREAM_ERR_BAD_KEY);
        assert_int_equal(tls_stream_config_set_key(cfg, pem, n, "wrong"), TLS_STREAM_ERR_BAD_KEY);
        assert_int_equal(tls_stream_config_set_key(cfg, pem, n, "test"), TLS_STREAM_OK);
        tls_stream_config_free(cfg);
        free(pem);
    }
}

static void empty_inputs_are_argument_errors(void **state)
{
    (void)state;
    expect(tls_stream_config_add_ca, TLS_STREAM_CLIENT, "x", 0, TLS_STREAM_ERR_ARG);
    expect(tls_stream_config_set_cert, TLS_STREAM_SERVER, "x", 0, TLS_STREAM_ERR_ARG);
    expect(set_key_nopw, TLS_STREAM_SERVER, "x", 0, TLS_STREAM_ERR_ARG);
}

/* A key that parses but does not belong to the certificate. */
static void mismatched_key_and_certificate_fail_at_first_use(void **state)
{
    tls_stream_config *cfg;
    tls_stream *s;
    tls_stream_io io;
    (void)state;
    memset(&io, 0, sizeof io);
    io.read = (int (*)(void *, unsigned char *, size_t))1;
    io.write = (int (*)(void *, const unsigned char *, size_t))1;
    assert_int_equal(tls_stream_config_new(&cfg, tls_test_backend(TLS_STREAM_SERVER), TLS_STREAM_SERVER, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_cert(cfg, "server.pem"), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_key(cfg, "client.key", NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s, cfg, &io), TLS_STREAM_ERR_BAD_KEY);
    assert_null(s);
    tls_stream_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_certificates_are_bad_cert),
        cmocka_unit_test(malformed_keys_are_bad_key),
        cmocka_unit_test(empty_inputs_are_argument_errors),
        cmocka_unit_test(mismatched_key_and_certificate_fail_at_first_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
