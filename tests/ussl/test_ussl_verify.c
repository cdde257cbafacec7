/*
 * cert_reqs and server_hostname: MicroPython's multi_net/ssl_cert_ec.py,
 * sslcontext_verify_error.py, sslcontext_verify_time_error.py,
 * asyncio_tls_server_client_cert_required_error.py, and DESIGN §3.
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
    ut_blob skey, scert, ca, ckey, ccert, other_ca;
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
    ut_blob_load(&f->ckey, "client.key");
    ut_blob_load(&f->ccert, "client.pem");
    ut_blob_load(&f->other_ca, "other_ca.pem");
    ut_opts(&f->co);
    f->co.do_handshake = 0;
    ut_opts(&f->so);
    f->so.server_side = 1;
    f->so.do_handshake = 0;
    f->so.keyfile = ut_data(&f->skey);
    f->so.certfile = ut_data(&f->scert);
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
    ut_blob_free(&f->ckey);
    ut_blob_free(&f->ccert);
    ut_blob_free(&f->other_ca);
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

static void verifying_client(fixture *f, const ut_blob *ca, const char *host)
{
    f->co.cert_reqs = USSL_CERT_REQUIRED;
    f->co.ca_certs = ut_data(ca);
    f->co.server_hostname = host;
}

/* ssl_cert_ec.py: CERT_REQUIRED + cadata + server_hostname succeeds */
static void test_cert_required_with_trusted_ca_and_hostname_succeeds(void **state)
{
    fixture *f = *state;
    int crc, src;
    char buf[16];
    verifying_client(f, &f->ca, "localhost");
    handshake(f, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_write(f->s, "0123456789abcdef", 16), 16);
    assert_int_equal(ussl_read(f->c, buf, 16), 16);
}

/* sslcontext_verify_error.py: wrong hostname -> client ValueError (CN text), server OSError */
static void test_wrong_hostname_is_value_error_with_reason(void **state)
{
    fixture *f = *state;
    int crc, src;
    verifying_client(f, &f->ca, "wrong.example.com");
    handshake(f, &crc, &src);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->c)->kind, USSL_VALUEERROR);
    assert_non_null(strstr(ussl_last_error(f->c)->msg,
                           "The certificate Common Name (CN) does not match with the expected CN"));
    assert_int_equal(ussl_last_error(f->c)->status, TLS_ERR_HOSTNAME);
    /* the server sees the client's fatal alert as OSError */
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->s)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->s)->code, -0x7780); /* MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE */
}

/* an untrusted chain under CERT_REQUIRED -> ValueError with the reason */
static void test_untrusted_ca_is_value_error(void **state)
{
    fixture *f = *state;
    int crc;
    verifying_client(f, &f->other_ca, "localhost");
    handshake(f, &crc, NULL);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->c)->status, TLS_ERR_VERIFY);
    assert_non_null(strstr(ussl_last_error(f->c)->msg, "not correctly signed by the trusted CA"));
}

/* sslcontext_verify_time_error.py: expired certificate -> ValueError "validity has expired" */
static void test_expired_certificate_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob ekey, ecert;
    int crc;
    ut_blob_load(&ekey, "expired.key");
    ut_blob_load(&ecert, "expired.pem");
    f->so.keyfile = ut_data(&ekey);
    f->so.certfile = ut_data(&ecert);
    verifying_client(f, &f->ca, "localhost");
    handshake(f, &crc, NULL);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_non_null(strstr(ussl_last_error(f->c)->msg, "The certificate validity has expired"));
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
    f->so.keyfile = ut_data(&okey);
    f->so.certfile = ut_data(&ocert);
    f->co.server_hostname = "wrong.example.com"; /* SNI only: not verified */
    handshake(f, &crc, NULL);
    assert_int_equal(crc, 0);
    ut_blob_free(&okey);
    ut_blob_free(&ocert);
}

/* CERT_OPTIONAL on a client verifies like CERT_REQUIRED (DESIGN §3) */
static void test_cert_optional_client_verifies_like_required(void **state)
{
    fixture *f = *state;
    int crc;
    verifying_client(f, &f->other_ca, "localhost");
    f->co.cert_reqs = USSL_CERT_OPTIONAL;
    handshake(f, &crc, NULL);
    assert_int_equal(crc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->c)->status, TLS_ERR_VERIFY);
}

/* asyncio_tls_server_client_cert_required_error.py: server CERT_REQUIRED, no client cert */
static void test_server_cert_required_without_client_cert_is_oserror(void **state)
{
    fixture *f = *state;
    int crc, src;
    f->so.cert_reqs = USSL_CERT_REQUIRED;
    f->so.ca_certs = ut_data(&f->ca);
    handshake(f, &crc, &src);
    assert_int_equal(src, USSL_E_TLS);
    assert_int_equal(ussl_last_error(f->s)->kind, USSL_OSERROR);
    assert_int_equal(ussl_last_error(f->s)->code, -0x7480); /* MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE */
    assert_true(crc < 0);
}

/* server CERT_REQUIRED with a client certificate: mutual TLS, getpeercert on the server */
static void test_server_cert_required_with_client_cert_succeeds(void **state)
{
    fixture *f = *state;
    int crc, src;
    const unsigned char *der;
    size_t len;
    f->so.cert_reqs = USSL_CERT_REQUIRED;
    f->so.ca_certs = ut_data(&f->ca);
    f->co.keyfile = ut_data(&f->ckey);
    f->co.certfile = ut_data(&f->ccert);
    handshake(f, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_getpeercert(f->s, 1, &der, &len), 0);
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
    f->so.cert_reqs = USSL_CERT_OPTIONAL;
    f->so.ca_certs = ut_data(&f->ca);
    handshake(f, &crc, &src);
    assert_int_equal(crc, 0);
    assert_int_equal(src, 0);
    assert_int_equal(ussl_getpeercert(f->s, 1, &der, &len), 0);
    assert_null(der);
}

/* do_handshake=False: a verification failure surfaces from the first read */
static void test_deferred_verification_failure_comes_from_read(void **state)
{
    fixture *f = *state;
    char buf[4];
    int i, rc = -USSL_EAGAIN;
    verifying_client(f, &f->ca, "wrong.example.com");
    assert_int_equal(ussl_wrap_socket(&f->sio, &f->so, &f->s, &f->err), 0);
    assert_int_equal(ussl_wrap_socket(&f->cio, &f->co, &f->c, &f->err), 0);
    for (i = 0; i < 100 && rc == -USSL_EAGAIN; i++) {
        rc = ussl_read(f->c, buf, 4);
        (void)ussl_read(f->s, buf, 4);
    }
    assert_int_equal(rc, USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->c)->status, TLS_ERR_HOSTNAME);
    assert_int_equal(ussl_write(f->c, "x", 1), USSL_E_VALUE); /* sticky */
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
