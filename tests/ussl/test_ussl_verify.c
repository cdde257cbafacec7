/*
 * cert_reqs and server_hostname: MicroPython's multi_net/ssl_cert_ec.py,
 * sslcontext_verify_error.py, sslcontext_verify_time_error.py,
 * asyncio_tls_server_client_cert_required_error.py, and our rule that a client
 * asking for verification (OPTIONAL or REQUIRED) verifies or fails.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "expect_text.h"
#include "tls_version.h"
#include "ussl_test_util.h"
#include "test_backend.h"

typedef struct fixture {
    ut_pair p;
    ut_blob ckey, ccert, other_ca;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    ut_pair_init(&f->p);
    ut_pair_serve_cert(&f->p);
    ut_blob_load(&f->ckey, "client.key");
    ut_blob_load(&f->ccert, "client.pem");
    ut_blob_load(&f->other_ca, "other_ca.pem");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ut_pair_free(&f->p);
    ut_blob_free(&f->ckey);
    ut_blob_free(&f->ccert);
    ut_blob_free(&f->other_ca);
    test_free(f);
    return 0;
}

static void verifying_client(fixture *f, const ut_blob *ca, const char *host)
{
    f->p.co.cert_reqs = USSL_CERT_REQUIRED;
    f->p.co.ca_certs = ut_data(ca);
    f->p.co.server_hostname = host;
}

/* ssl_cert_ec.py: CERT_REQUIRED + cadata + server_hostname succeeds */
static void test_cert_required_with_trusted_ca_and_hostname_succeeds(void **state)
{
    fixture *f = *state;
    int crc, src;
    char buf[16];
    verifying_client(f, &f->p.ca, "localhost");
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_write(f->p.s, "0123456789abcdef", 16), 16);
    assert_int_equal(ussl_read(f->p.c, buf, 16), 16);
}

/* sslcontext_verify_error.py: wrong hostname -> client ValueError (CN text), server OSError */
static void test_wrong_hostname_is_value_error_with_reason(void **state)
{
    fixture *f = *state;
    int crc, src;
    verifying_client(f, &f->p.ca, "wrong.example.com");
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->p.c)->kind, USSL_VALUEERROR);
    expect_text_contains(ussl_last_error(f->p.c)->msg,
                         TLS_TEST_BY_BACKEND(TLS_STREAM_CLIENT,
                             "The certificate Common Name (CN) does not match with the expected CN",
                             "hostname mismatch"));
    assert_int_equal(ussl_last_error(f->p.c)->status, TLS_STREAM_ERR_HOSTNAME);
    /* the server sees the client's fatal alert as OSError */
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.s)->kind, USSL_OSERROR);
    /* MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE; OpenSSL: SSL_R_SSLV3_ALERT_BAD_CERTIFICATE */
    assert_int_equal(ussl_last_error(f->p.s)->code, TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, -0x7780, 0x0A000412));
}

/* an untrusted chain under CERT_REQUIRED -> ValueError with the reason */
static void test_untrusted_ca_is_value_error(void **state)
{
    fixture *f = *state;
    int crc;
    verifying_client(f, &f->other_ca, "localhost");
    ut_pair_handshake(&f->p, &crc, NULL);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->p.c)->status, TLS_STREAM_ERR_VERIFY);
    expect_text_contains(ussl_last_error(f->p.c)->msg,
                         TLS_TEST_BY_BACKEND(TLS_STREAM_CLIENT, "not correctly signed by the trusted CA",
                                             "unable to get local issuer certificate"));
}

/* sslcontext_verify_time_error.py: expired certificate -> ValueError "validity has expired" */
static void test_expired_certificate_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob ekey, ecert;
    int crc;
    ut_blob_load(&ekey, "expired.key");
    ut_blob_load(&ecert, "expired.pem");
    f->p.so.keyfile = ut_data(&ekey);
    f->p.so.certfile = ut_data(&ecert);
    verifying_client(f, &f->p.ca, "localhost");
    ut_pair_handshake(&f->p, &crc, NULL);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->p.c)->status, TLS_STREAM_ERR_CERT_EXPIRED);
    expect_text_contains(ussl_last_error(f->p.c)->msg,
                         TLS_TEST_BY_BACKEND(TLS_STREAM_CLIENT, "The certificate validity has expired",
                                             "certificate has expired"));
    ut_blob_free(&ekey);
    ut_blob_free(&ecert);
}

/* CERT_NONE (the default) accepts any certificate, even an untrusted one */
static void test_cert_none_accepts_untrusted_server(void **state)
{
    fixture *f = *state;
    ut_blob okey, ocert;
    int crc;
    ut_blob_load(&okey, "other_server.key");
    ut_blob_load(&ocert, "other_server.pem");
    f->p.so.keyfile = ut_data(&okey);
    f->p.so.certfile = ut_data(&ocert);
    f->p.co.server_hostname = "wrong.example.com"; /* SNI only: not verified */
    ut_pair_handshake(&f->p, &crc, NULL);
    assert_int_equal(crc, 0);
    ut_blob_free(&okey);
    ut_blob_free(&ocert);
}

/* CERT_OPTIONAL on a client verifies like CERT_REQUIRED: asking for verification means it */
static void test_cert_optional_client_verifies_like_required(void **state)
{
    fixture *f = *state;
    int crc;
    verifying_client(f, &f->other_ca, "localhost");
    f->p.co.cert_reqs = USSL_CERT_OPTIONAL;
    ut_pair_handshake(&f->p, &crc, NULL);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->p.c)->status, TLS_STREAM_ERR_VERIFY);
}

/* asyncio_tls_server_client_cert_required_error.py: server CERT_REQUIRED, no client cert */
static void test_server_cert_required_without_client_cert_is_oserror(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->p.so.cert_reqs = USSL_CERT_REQUIRED;
    f->p.so.ca_certs = ut_data(&f->p.ca);
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->p.s)->kind, USSL_OSERROR);
    /* MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE; OpenSSL: SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE */
    assert_int_equal(ussl_last_error(f->p.s)->code, TLS_TEST_BY_BACKEND(TLS_STREAM_SERVER, -0x7480, 0x0A0000C7));
    if (tls_test_default_tls13()) {
        /* TLS 1.3: the client's handshake is over before the server judges
         * its (missing) certificate; the alert comes with the first read.
         * mbedtls 3.6 encrypts it with its handshake key instead of the
         * application key (RFC 8446 7.1): it fails to decrypt */
        char buf[4];
        assert_int_equal(crc, 0);
        assert_int_equal(ussl_read(f->p.c, buf, sizeof buf), USSL_E_TLS);
        assert_int_equal(ussl_last_error(f->p.c)->status, tls_test_openssl(TLS_STREAM_SERVER)
                                                              ? TLS_STREAM_ERR_PEER_ALERT
                                                              : TLS_STREAM_ERR_PROTOCOL);
    } else {
        assert_true(crc < 0);
    }
}

/* server CERT_REQUIRED with a client certificate: mutual TLS, getpeercert on the server */
static void test_server_cert_required_with_client_cert_succeeds(void **state)
{
    fixture *f = *state;
    int crc, src;
    const unsigned char *der;
    size_t len;
    f->p.so.cert_reqs = USSL_CERT_REQUIRED;
    f->p.so.ca_certs = ut_data(&f->p.ca);
    f->p.co.keyfile = ut_data(&f->ckey);
    f->p.co.certfile = ut_data(&f->ccert);
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_getpeercert(f->p.s, 1, &der, &len), 0);
    assert_non_null(der);
    assert_true(len > 100);
}

/* server CERT_OPTIONAL: a client without a certificate is accepted */
static void test_server_cert_optional_accepts_client_without_cert(void **state)
{
    fixture *f = *state;
    int crc, src;
    const unsigned char *der;
    size_t len;
    f->p.so.cert_reqs = USSL_CERT_OPTIONAL;
    f->p.so.ca_certs = ut_data(&f->p.ca);
    ut_pair_handshake(&f->p, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_getpeercert(f->p.s, 1, &der, &len), 0);
    assert_null(der);
}

/* do_handshake=False: a verification failure surfaces from the first read */
static void test_deferred_verification_failure_comes_from_read(void **state)
{
    fixture *f = *state;
    char buf[4];
    int i, rc = -USSL_EAGAIN;
    verifying_client(f, &f->p.ca, "wrong.example.com");
    assert_int_equal(ussl_wrap_socket(&f->p.sio, &f->p.so, &f->p.s, &f->p.err), 0);
    assert_int_equal(ussl_wrap_socket(&f->p.cio, &f->p.co, &f->p.c, &f->p.err), 0);
    for (i = 0; i < 100 && rc == -USSL_EAGAIN; i++) {
        rc = ussl_read(f->p.c, buf, 4);
        (void)ussl_read(f->p.s, buf, 4);
    }
    assert_int_equal(rc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->p.c)->status, TLS_STREAM_ERR_HOSTNAME);
    assert_int_equal(ussl_write(f->p.c, "x", 1), USSL_E_VALUE); /* sticky */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_cert_required_with_trusted_ca_and_hostname_succeeds),
        T(test_wrong_hostname_is_value_error_with_reason),
        T(test_untrusted_ca_is_value_error),
        T(test_expired_certificate_is_value_error),
        T(test_cert_none_accepts_untrusted_server),
        T(test_cert_optional_client_verifies_like_required),
        T(test_server_cert_required_without_client_cert_is_oserror),
        T(test_server_cert_required_with_client_cert_succeeds),
        T(test_server_cert_optional_accepts_client_without_cert),
        T(test_deferred_verification_failure_comes_from_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
