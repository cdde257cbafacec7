/*
 * Loading certificates and keys into a real mbedtls configuration: PEM and
 * DER, encrypted keys, and the exact error of each kind of bad input; the
 * loaded material is then used in a handshake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "expect_text.h"
#include "tls_pair.h"
#include "test_alloc.h"
#include "test_backend.h"

static tls_stream_config *new_server(void)
{
    tls_stream_config *s = NULL;
    assert_int_equal(tls_stream_config_new(&s, tls_test_backend(TLS_STREAM_SERVER), TLS_STREAM_SERVER, tls_test_allocator()), TLS_STREAM_OK);
    return s;
}

/* Handshake a verifying client (ca_file, "localhost") with server s;
 * returns the result and frees everything. */
static int handshake_with(tls_stream_config *s, const char *ca_file)
{
    tls_stream_config *c = NULL;
    tls_pair p;
    int rc;

    assert_int_equal(tls_stream_config_new(&c, tls_test_backend(TLS_STREAM_CLIENT), TLS_STREAM_CLIENT, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_pair_add_ca(c, ca_file), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_server_name(c, "localhost"), TLS_STREAM_OK);
    rc = tls_pair_new(&p, c, s, NULL);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
    if (rc != TLS_STREAM_OK)
        return rc;
    rc = tls_pair_handshake(&p);
    if (rc == TLS_STREAM_OK)
        rc = tls_pair_transfer(&p, 100);
    tls_pair_free(&p);
    return rc;
}

/* The whole test file into memory (caller frees). */
static unsigned char *load(const char *name, size_t *len)
{
    unsigned char *data = NULL;
    int rc = tls_stream_read_file(tls_pair_path(name), &data, len);
    assert_int_equal(rc, TLS_STREAM_OK);
    return data;
}

/* A server given cert and key (the key's password, or NULL) from the test
 * files completes a handshake with a client that trusts ca_file. */
static void assert_loads_and_works(const char *cert, const char *key, const char *password,
                                   const char *ca_file)
{
    tls_stream_config *s = new_server();

    assert_int_equal(tls_pair_set_cert(s, cert), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_key(s, key, password), TLS_STREAM_OK);
    assert_int_equal(handshake_with(s, ca_file), TLS_STREAM_OK);
}

static void test_pem_certificate_and_key_load_and_work(void **state)
{
    (void)state;
    assert_loads_and_works("server.pem", "server.key", NULL, "ca.pem");
}

static void test_der_certificate_and_key_load_and_work(void **state)
{
    (void)state;
    assert_loads_and_works("server.der", "server.key.der", NULL, "ca.pem");
}

static void test_der_ca_loads_and_verifies(void **state)
{
    (void)state;
    assert_loads_and_works("server.pem", "server.key", NULL, "ca.der");
}

/* PEM in memory without a terminating NUL, as firmware embeds it. */
static void test_pem_from_memory_without_nul_loads(void **state)
{
    tls_stream_config *s = new_server();
    unsigned char *cert, *key;
    size_t cert_len, key_len;
    (void)state;

    cert = load("server.pem", &cert_len);
    key = load("server.key", &key_len);
    assert_int_equal(tls_stream_config_set_cert(s, cert, cert_len), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_key(s, key, key_len, NULL), TLS_STREAM_OK);
    free(cert);
    free(key);
    assert_int_equal(handshake_with(s, "ca.pem"), TLS_STREAM_OK);
}

static void test_encrypted_key_loads_with_its_password(void **state)
{
    (void)state;
    assert_loads_and_works("server.pem", "server_enc.key", "test", "ca.pem");
}

static void test_encrypted_key_with_wrong_password_is_bad_key(void **state)
{
    tls_stream_config *s = new_server();
    const char *msg = NULL;
    (void)state;

    assert_int_equal(tls_pair_set_key(s, "server_enc.key", "wrong"), TLS_STREAM_ERR_BAD_KEY);
    assert_int_not_equal(tls_stream_config_error_detail(s, &msg), 0);
    assert_non_null(msg);
    expect_text_present(msg);
    tls_stream_config_free(s);
}

static void test_encrypted_key_without_password_is_bad_key(void **state)
{
    tls_stream_config *s = new_server();
    (void)state;

    assert_int_equal(tls_pair_set_key(s, "server_enc.key", NULL), TLS_STREAM_ERR_BAD_KEY);
    tls_stream_config_free(s);
}

/* server.pem with one base64 character of its body replaced by '!'. */
static unsigned char *malformed_pem(size_t *len)
{
    unsigned char *pem = load("server.pem", len);
    size_t i = 0;
    /* the end of the BEGIN line, by index: gcc 12 -O2 misreads strstr() here
     * as a pointer into load()'s local (-Wdangling-pointer) */
    while (i + 6 < *len && memcmp(pem + i, "-----\n", 6) != 0)
        i++;
    assert_true(i + 16 < *len);
    pem[i + 6 + 10] = '!';
    return pem;
}

static void test_malformed_pem_certificate_is_bad_cert(void **state)
{
    tls_stream_config *s = new_server();
    size_t len;
    unsigned char *pem = malformed_pem(&len);
    (void)state;

    assert_int_equal(tls_stream_config_set_cert(s, pem, len), TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(tls_stream_config_set_cert(s, pem, len + 1), TLS_STREAM_ERR_BAD_CERT); /* with NUL */
    free(pem);
    tls_stream_config_free(s);
}

static void test_malformed_pem_ca_is_bad_cert(void **state)
{
    tls_stream_config *c = NULL;
    size_t len;
    unsigned char *pem = malformed_pem(&len);
    (void)state;

    assert_int_equal(tls_stream_config_new(&c, tls_test_backend(TLS_STREAM_CLIENT), TLS_STREAM_CLIENT, tls_test_allocator()), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_ca(c, pem, len), TLS_STREAM_ERR_BAD_CERT);
    free(pem);
    tls_stream_config_free(c);
}

static void test_truncated_der_certificate_is_bad_cert(void **state)
{
    tls_stream_config *s = new_server();
    size_t len;
    unsigned char *der = load("server.der", &len);
    (void)state;

    assert_int_equal(tls_stream_config_set_cert(s, der, len / 2), TLS_STREAM_ERR_BAD_CERT);
    free(der);
    tls_stream_config_free(s);
}

static void test_garbage_key_is_bad_key(void **state)
{
    static const char garbage[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    tls_stream_config *s = new_server();
    (void)state;

    assert_int_equal(tls_stream_config_set_key(s, garbage, sizeof garbage - 1, NULL), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(tls_stream_config_set_key(s, "\x30\x03\x02\x01\x00", 5, NULL), TLS_STREAM_ERR_BAD_KEY);
    tls_stream_config_free(s);
}

/* A key that parses but belongs to another certificate: caught when the
 * configuration is finished, i.e. at the first tls_stream_new(). */
/* tls_stream_new() with server s over a fresh pipe answers expected and
 * makes no stream, twice: a refused configuration stays refused. Frees s. */
static void assert_new_refused(tls_stream_config *s, int expected)
{
    tls_stream_mem_pipe *pipe = NULL;
    tls_stream *stream = NULL;
    tls_stream_io io;

    assert_int_equal(tls_stream_mem_pipe_new(&pipe, 0, tls_test_allocator()), TLS_STREAM_OK);
    io = tls_stream_mem_pipe_io(pipe, 1);
    assert_int_equal(tls_stream_new(&stream, s, &io), expected);
    assert_null(stream);
    assert_int_equal(tls_stream_new(&stream, s, &io), expected);
    assert_null(stream);
    tls_stream_config_free(s);
    tls_stream_mem_pipe_free(pipe);
}

static void test_key_not_matching_certificate_is_bad_key(void **state)
{
    tls_stream_config *s = new_server();
    (void)state;

    assert_int_equal(tls_pair_set_cert(s, "server.pem"), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_key(s, "client.key", NULL), TLS_STREAM_OK);
    assert_new_refused(s, TLS_STREAM_ERR_BAD_KEY);
}

static void test_rsa_key_with_ec_certificate_is_bad_key(void **state)
{
    tls_stream_config *s = new_server();
    (void)state;

    assert_int_equal(tls_pair_set_cert(s, "server.pem"), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_key(s, "rsa_server.key", NULL), TLS_STREAM_OK);
    assert_new_refused(s, TLS_STREAM_ERR_BAD_KEY);
}

static void test_certificate_without_key_is_a_config_error(void **state)
{
    tls_stream_config *s = new_server();
    (void)state;

    assert_int_equal(tls_pair_set_cert(s, "server.pem"), TLS_STREAM_OK);
    assert_new_refused(s, TLS_STREAM_ERR_CONFIG);
}

static void test_missing_file_is_io_error_with_errno(void **state)
{
    tls_stream_config *s = new_server();
    (void)state;

    assert_int_equal(tls_pair_set_cert(s, "no-such-file.pem"), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_stream_config_error_detail(s, NULL), -ENOENT);
    assert_int_equal(tls_pair_set_key(s, "no-such-file.key", NULL), TLS_STREAM_ERR_IO);
    assert_int_equal(tls_pair_add_ca(s, "no-such-file.pem"), TLS_STREAM_ERR_IO);
    tls_stream_config_free(s);
}

static void test_setters_after_first_stream_are_refused(void **state)
{
    tls_stream_config *s = new_server();
    tls_stream_mem_pipe *pipe = NULL;
    tls_stream *stream = NULL;
    tls_stream_io io;
    (void)state;

    assert_int_equal(tls_pair_set_cert(s, "server.pem"), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_key(s, "server.key", NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_mem_pipe_new(&pipe, 0, tls_test_allocator()), TLS_STREAM_OK);
    io = tls_stream_mem_pipe_io(pipe, 1);
    assert_int_equal(tls_stream_new(&stream, s, &io), TLS_STREAM_OK);
    assert_int_equal(tls_pair_set_cert(s, "server.pem"), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_pair_add_ca(s, "ca.pem"), TLS_STREAM_ERR_STATE);
    tls_stream_free(stream);
    tls_stream_config_free(s);
    tls_stream_mem_pipe_free(pipe);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pem_certificate_and_key_load_and_work),
        cmocka_unit_test(test_der_certificate_and_key_load_and_work),
        cmocka_unit_test(test_der_ca_loads_and_verifies),
        cmocka_unit_test(test_pem_from_memory_without_nul_loads),
        cmocka_unit_test(test_encrypted_key_loads_with_its_password),
        cmocka_unit_test(test_encrypted_key_with_wrong_password_is_bad_key),
        cmocka_unit_test(test_encrypted_key_without_password_is_bad_key),
        cmocka_unit_test(test_malformed_pem_certificate_is_bad_cert),
        cmocka_unit_test(test_malformed_pem_ca_is_bad_cert),
        cmocka_unit_test(test_truncated_der_certificate_is_bad_cert),
        cmocka_unit_test(test_garbage_key_is_bad_key),
        cmocka_unit_test(test_key_not_matching_certificate_is_bad_key),
        cmocka_unit_test(test_rsa_key_with_ec_certificate_is_bad_key),
        cmocka_unit_test(test_certificate_without_key_is_a_config_error),
        cmocka_unit_test(test_missing_file_is_io_error_with_errno),
        cmocka_unit_test(test_setters_after_first_stream_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
