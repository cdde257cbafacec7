/*
 * ussl_wrap_socket() keywords, defaults and argument errors — the
 * behaviours of MicroPython's tests/extmod/ssl_keycert.py, ssl_cadata.py,
 * ssl_keycert_pkcs8.py, tls_psk.py and multi_net/sslcontext_check_hostname_error.py
 * that need no peer.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "counting_alloc.h"
#include "expect_text.h"
#include "ussl_test_util.h"

typedef struct fixture {
    ut_end a, b;
    tls_stream_io io;
    ussl_opts o;
    ussl_error err;
    ussl_socket *s;
    counting_alloc ca;
} fixture;

static int setup(void **state)
{
    fixture *f = test_calloc(1, sizeof *f);
    ut_pipe_new(&f->a, &f->b, 0);
    f->io = ut_io(&f->a);
    ut_opts(&f->o);
    counting_alloc_init(&f->ca);
    f->o.alloc = &f->ca.alloc;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ussl_free(f->s);
    assert_true(counting_alloc_clean(&f->ca));
    ut_pipe_free(&f->a, &f->b);
    test_free(f);
    return 0;
}

/* A wrap that must fail: *out NULL, transport untouched, nothing allocated. */
static int wrap_fails(fixture *f)
{
    int rc = ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err);
    assert_true(rc < 0);
    assert_null(f->s);
    assert_int_equal(f->a.closes, 0);
    assert_int_equal(f->a.bytes_written, 0);
    assert_int_equal(f->ca.live_bytes, 0);
    return rc;
}

static void expect_value_error(fixture *f, const char *text)
{
    assert_int_equal(wrap_fails(f), USSL_E_VALUE);
    assert_int_equal(f->err.kind, USSL_VALUEERROR);
    assert_string_equal(f->err.msg, text);
}

static void expect_no_blob(const ussl_blob *b)
{
    assert_null(b->data);
    assert_int_equal(b->len, 0);
    assert_null(b->path);
}

/* ussl_opts_init() sets every field, whatever the struct held before */
static void test_defaults_are_micropythons(void **state)
{
    ussl_opts a;
    (void)state;
    memset(&a, 0xa5, sizeof a);
    ussl_opts_init(&a);
    assert_int_equal(a.init, USSL_OPTS_MAGIC);
    assert_int_equal(a.server_side, 0);
    expect_no_blob(&a.keyfile);
    expect_no_blob(&a.certfile);
    assert_int_equal(a.cert_reqs, USSL_CERT_NONE);
    expect_no_blob(&a.ca_certs);
    assert_null(a.server_hostname);
    assert_int_equal(a.do_handshake, 1);
    assert_null(a.psk_ident);
    assert_int_equal(a.psk_ident_len, 0);
    assert_null(a.psk_key);
    assert_int_equal(a.psk_key_len, 0);
    expect_no_blob(&a.psk_table);
    assert_null(a.psk_lookup);
    assert_null(a.psk_lookup_arg);
    assert_null(a.backend);
    assert_null(a.alloc);
    assert_null(a.load_file);
    assert_null(a.load_file_arg);
    assert_null(a.sock_ops);
    assert_int_equal(a.timeout_ms, -1);
    assert_null(a.poll_hook);
    assert_null(a.poll_hook_arg);
    assert_null(a.session);
    assert_int_equal(a.session_len, 0);
    assert_int_equal(USSL_CERT_NONE, 0);
    assert_int_equal(USSL_CERT_OPTIONAL, 1);
    assert_int_equal(USSL_CERT_REQUIRED, 2);
    ussl_opts_init(NULL); /* a no-op */
}

static void test_errno_constants_match_micropython(void **state)
{
    (void)state;
    assert_int_equal(USSL_EAGAIN, 11);
    assert_int_equal(USSL_ENOMEM, 12);
    assert_int_equal(USSL_EINVAL, 22);
    assert_int_equal(USSL_EBADF, 9);
    assert_int_equal(USSL_ECONNRESET, 104);
    assert_int_equal(USSL_ETIMEDOUT, 110);
    assert_int_equal(USSL_EINPROGRESS, 115);
    assert_string_equal(ussl_errno_name(USSL_ECONNRESET), "ECONNRESET");
    assert_string_equal(ussl_errno_name(9999), "");
}

/* Every name, and the numbers between and around them, which have none. */
static void test_every_errno_has_its_micropython_name(void **state)
{
    static const struct {
        int err;
        const char *name;
    } names[] = {
        {USSL_EPERM, "EPERM"},
        {USSL_ENOENT, "ENOENT"},
        {USSL_EINTR, "EINTR"},
        {USSL_EIO, "EIO"},
        {USSL_EBADF, "EBADF"},
        {USSL_EAGAIN, "EAGAIN"},
        {USSL_ENOMEM, "ENOMEM"},
        {USSL_EACCES, "EACCES"},
        {USSL_EINVAL, "EINVAL"},
        {USSL_EPIPE, "EPIPE"},
        {USSL_EOPNOTSUPP, "EOPNOTSUPP"},
        {USSL_ECONNABORTED, "ECONNABORTED"},
        {USSL_ECONNRESET, "ECONNRESET"},
        {USSL_ENOTCONN, "ENOTCONN"},
        {USSL_ETIMEDOUT, "ETIMEDOUT"},
        {USSL_ECONNREFUSED, "ECONNREFUSED"},
        {USSL_EHOSTUNREACH, "EHOSTUNREACH"},
        {USSL_EALREADY, "EALREADY"},
        {USSL_EINPROGRESS, "EINPROGRESS"},
    };
    int err, named;
    size_t i;
    (void)state;
    for (err = -300; err <= 300; err++) {
        named = 0;
        for (i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (names[i].err == err) {
                assert_string_equal(ussl_errno_name(err), names[i].name);
                named = 1;
            }
        }
        if (!named)
            assert_string_equal(ussl_errno_name(err), "");
    }
}

static void test_zeroed_opts_are_rejected_not_do_handshake_false(void **state)
{
    fixture *f = *state;
    memset(&f->o, 0, sizeof f->o);
    f->o.backend = tls_stream_backend_mbedtls();
    expect_value_error(f, TLS_STREAM_MSG("opts not initialised (use ussl_opts_init())"));
}

static void test_missing_backend_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.backend = NULL;
    expect_value_error(f, TLS_STREAM_MSG("opts.backend is required (e.g. tls_stream_backend_mbedtls())"));
}

static void test_bad_cert_reqs_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.cert_reqs = 3;
    expect_value_error(f, TLS_STREAM_MSG("invalid cert_reqs"));
}

/* ssl_keycert.py: key=b"!" -> ValueError("invalid key") */
static void test_invalid_key_data_is_value_error_invalid_key(void **state)
{
    fixture *f = *state;
    ut_blob cert;
    ut_blob_load(&cert, "server.pem");
    f->o.keyfile = ut_bytes("!", 1);
    f->o.certfile = ut_data(&cert);
    expect_value_error(f, TLS_STREAM_MSG("invalid key"));
    ut_blob_free(&cert);
}

/* ssl_keycert.py: valid key, bad cert -> ValueError("invalid cert") */
static void test_invalid_cert_data_is_value_error_invalid_cert(void **state)
{
    fixture *f = *state;
    ut_blob key;
    ut_blob_load(&key, "server.key");
    f->o.keyfile = ut_data(&key);
    f->o.certfile = ut_bytes("!", 1);
    expect_value_error(f, TLS_STREAM_MSG("invalid cert"));
    ut_blob_free(&key);
}

/* ssl_keycert.py: valid key and no cert -> TypeError in MicroPython */
static void test_key_without_cert_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob key;
    ut_blob_load(&key, "server.key");
    f->o.keyfile = ut_data(&key);
    expect_value_error(f, TLS_STREAM_MSG("keyfile requires certfile"));
    ut_blob_free(&key);
}

/* ssl_keycert.py: key=b"!" is "invalid key" also without a cert (the key is
 * parsed before the missing cert is reported) */
static void test_invalid_key_without_cert_is_invalid_key(void **state)
{
    fixture *f = *state;
    f->o.keyfile = ut_bytes("!", 1);
    expect_value_error(f, TLS_STREAM_MSG("invalid key"));
}

static void test_cert_without_key_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob cert;
    ut_blob_load(&cert, "server.pem");
    f->o.certfile = ut_data(&cert);
    expect_value_error(f, TLS_STREAM_MSG("certfile requires keyfile"));
    ut_blob_free(&cert);
}

/* ssl_cadata.py: cadata=b"!" -> ValueError("invalid cert") */
static void test_invalid_ca_certs_is_value_error_invalid_cert(void **state)
{
    fixture *f = *state;
    f->o.ca_certs = ut_bytes("!", 1);
    expect_value_error(f, TLS_STREAM_MSG("invalid cert"));
}

static void test_empty_key_data_is_invalid_key(void **state)
{
    fixture *f = *state;
    ut_blob cert;
    ut_blob_load(&cert, "server.pem");
    f->o.keyfile = ut_bytes("", 0);
    f->o.certfile = ut_data(&cert);
    expect_value_error(f, TLS_STREAM_MSG("invalid key"));
    ut_blob_free(&cert);
}

/* ssl_keycert_pkcs8.py: a PKCS#8 DER key (and DER cert) is accepted */
static void test_der_pkcs8_key_and_der_cert_are_accepted(void **state)
{
    fixture *f = *state;
    ut_blob key, cert;
    ut_blob_load(&key, "server.key.der");
    ut_blob_load(&cert, "server.der");
    f->o.server_side = 1;
    f->o.do_handshake = 0;
    f->o.keyfile = ut_data(&key);
    f->o.certfile = ut_data(&cert);
    assert_int_equal(ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err), 0);
    assert_non_null(f->s);
    assert_int_equal(f->a.bytes_written, 0); /* deferred: nothing sent */
    ut_blob_free(&key);
    ut_blob_free(&cert);
}

static void test_data_and_path_together_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.ca_certs.data = "x";
    f->o.ca_certs.len = 1;
    f->o.ca_certs.path = ut_path("ca.pem");
    expect_value_error(f, TLS_STREAM_MSG("ca_certs: give data or a path, not both"));
}

static void test_path_without_loader_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.ca_certs = ut_file(ut_path("ca.pem"));
    expect_value_error(f, TLS_STREAM_MSG("ca_certs: file paths need opts.load_file"));
}

static void test_paths_load_through_posix_loader(void **state)
{
    fixture *f = *state;
    const char *k = "server.key", *c = "server.pem";
    char kp[512], cp[512];
    strcpy(kp, ut_path(k));
    strcpy(cp, ut_path(c));
    ussl_opts_init_posix(&f->o);
    f->o.backend = tls_stream_backend_mbedtls();
    f->o.alloc = &f->ca.alloc;
    f->o.server_side = 1;
    f->o.do_handshake = 0;
    f->o.keyfile = ut_file(kp);
    f->o.certfile = ut_file(cp);
    assert_int_equal(ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err), 0);
}

static void test_missing_file_is_oserror_enoent(void **state)
{
    fixture *f = *state;
    ussl_opts_init_posix(&f->o);
    f->o.backend = tls_stream_backend_mbedtls();
    f->o.alloc = &f->ca.alloc;
    f->o.ca_certs = ut_file("/nonexistent/ca.pem");
    assert_int_equal(wrap_fails(f), -USSL_ENOENT);
    assert_int_equal(f->err.kind, USSL_OSERROR);
    assert_int_equal(f->err.code, USSL_ENOENT);
    assert_string_equal(f->err.msg, "ENOENT" TLS_STREAM_MSG(": ca_certs")); /* the name stays */
}

static void test_bad_file_contents_is_invalid_key(void **state)
{
    fixture *f = *state;
    char cp[512];
    strcpy(cp, ut_path("server.pem"));
    ussl_opts_init_posix(&f->o);
    f->o.backend = tls_stream_backend_mbedtls();
    f->o.alloc = &f->ca.alloc;
    f->o.keyfile = ut_file(cp); /* a certificate is not a key */
    f->o.certfile = ut_file(cp);
    expect_value_error(f, TLS_STREAM_MSG("invalid key"));
}

static void test_server_without_key_and_cert_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.server_side = 1;
    expect_value_error(f, TLS_STREAM_MSG("server_side requires keyfile and certfile (or psk_table)"));
}

/* ssl_basic.py, ssl_sslcontext.py: a server without key wrapped with
 * do_handshake=False is created; the handshake (any read or write) fails,
 * setblocking and close still reach the transport */
static void test_server_without_key_fails_at_the_handshake(void **state)
{
    fixture *f = *state;
    unsigned char buf[4];
    const unsigned char *der = (const unsigned char *)"x";
    size_t len = 1;
    f->o.server_side = 1;
    f->o.do_handshake = 0;
    assert_int_equal(ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err), 0);
    assert_non_null(f->s);
    assert_int_equal(ussl_setblocking(f->s, 1), 0);
    assert_int_equal(ussl_getpeercert(f->s, 1, &der, &len), 0);
    assert_null(der);
    assert_int_equal(ussl_poll(f->s, USSL_POLL_RD), USSL_POLL_NVAL);
    assert_int_equal(ussl_write(f->s, "data", 4), USSL_E_VALUE);
    assert_string_equal(ussl_last_error(f->s)->msg,
                        TLS_STREAM_MSG("server_side requires keyfile and certfile (or psk_table)"));
    assert_int_equal(ussl_read(f->s, buf, sizeof buf), USSL_E_VALUE);
    assert_int_equal(ussl_do_handshake(f->s), USSL_E_VALUE);
    assert_int_equal(ussl_last_error(f->s)->kind, USSL_VALUEERROR);
    assert_int_equal(f->a.bytes_written, 0);
    assert_int_equal(ussl_close(f->s), 0);
    assert_int_equal(f->a.closes, 1);
    assert_int_equal(ussl_read(f->s, buf, sizeof buf), -USSL_EBADF);
}

/* sslcontext_check_hostname_error.py */
static void test_cert_required_without_server_hostname_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob ca;
    ut_blob_load(&ca, "ca.pem");
    f->o.cert_reqs = USSL_CERT_REQUIRED;
    f->o.ca_certs = ut_data(&ca);
    expect_value_error(f, TLS_STREAM_MSG("CERT_REQUIRED requires server_hostname"));
    ut_blob_free(&ca);
}

static void test_cert_optional_client_without_server_hostname_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob ca;
    ut_blob_load(&ca, "ca.pem");
    f->o.cert_reqs = USSL_CERT_OPTIONAL;
    f->o.ca_certs = ut_data(&ca);
    expect_value_error(f, TLS_STREAM_MSG("CERT_OPTIONAL requires server_hostname"));
    ut_blob_free(&ca);
}

static void test_cert_required_without_ca_certs_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.cert_reqs = USSL_CERT_REQUIRED;
    f->o.server_hostname = "localhost";
    expect_value_error(f, TLS_STREAM_MSG("CERT_REQUIRED requires ca_certs"));
}

static void test_server_cert_required_without_ca_certs_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob key, cert;
    ut_blob_load(&key, "server.key");
    ut_blob_load(&cert, "server.pem");
    f->o.server_side = 1;
    f->o.keyfile = ut_data(&key);
    f->o.certfile = ut_data(&cert);
    f->o.cert_reqs = USSL_CERT_REQUIRED;
    expect_value_error(f, TLS_STREAM_MSG("CERT_REQUIRED requires ca_certs"));
    ut_blob_free(&key);
    ut_blob_free(&cert);
}

static void test_psk_with_key_and_cert_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob key, cert;
    ut_blob_load(&key, "client.key");
    ut_blob_load(&cert, "client.pem");
    f->o.keyfile = ut_data(&key);
    f->o.certfile = ut_data(&cert);
    f->o.psk_ident = "client1";
    f->o.psk_ident_len = 7;
    f->o.psk_key = (const unsigned char *)"0123456789abcdef";
    f->o.psk_key_len = 16;
    expect_value_error(f, TLS_STREAM_MSG("cannot have cert&key and psk_ident&psk_key"));
    ut_blob_free(&key);
    ut_blob_free(&cert);
}

static void test_psk_table_with_key_and_cert_on_server_is_value_error(void **state)
{
    fixture *f = *state;
    ut_blob key, cert;
    ut_blob_load(&key, "server.key");
    ut_blob_load(&cert, "server.pem");
    f->o.server_side = 1;
    f->o.keyfile = ut_data(&key);
    f->o.certfile = ut_data(&cert);
    f->o.psk_table = ut_bytes("a:00112233", 10);
    expect_value_error(f, TLS_STREAM_MSG("cannot have cert&key and a PSK table"));
    ut_blob_free(&key);
    ut_blob_free(&cert);
}

static void test_psk_ident_on_server_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.server_side = 1;
    f->o.psk_ident = "client1";
    f->o.psk_ident_len = 7;
    f->o.psk_key = (const unsigned char *)"k";
    f->o.psk_key_len = 1;
    expect_value_error(f, TLS_STREAM_MSG("PSK ciphers only supported for client connections "
                          "(a PSK server uses psk_table or psk_lookup)"));
}

static void test_psk_table_on_client_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.psk_table = ut_bytes("a:00112233", 10);
    expect_value_error(f, TLS_STREAM_MSG("psk_table and psk_lookup are for server_side"));
}

static void test_psk_ident_without_key_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.psk_ident = "client1";
    f->o.psk_ident_len = 7;
    expect_value_error(f, TLS_STREAM_MSG("psk_ident requires psk_key"));
}

static void test_psk_key_without_ident_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.psk_key = (const unsigned char *)"k";
    f->o.psk_key_len = 1;
    expect_value_error(f, TLS_STREAM_MSG("psk_key requires psk_ident"));
}

/* tls_psk.py: an over-long key is refused (49 bytes there; 33 here) */
static void test_psk_key_longer_than_32_bytes_is_value_error(void **state)
{
    fixture *f = *state;
    static const unsigned char key[33] = { 1 };
    f->o.psk_ident = "client1";
    f->o.psk_ident_len = 7;
    f->o.psk_key = key;
    f->o.psk_key_len = 33;
    expect_value_error(f, TLS_STREAM_MSG("psk_key must be 1..32 bytes"));
}

static void test_psk_key_of_32_bytes_is_accepted(void **state)
{
    fixture *f = *state;
    static const unsigned char key[32] = { 1 };
    f->o.psk_ident = "client1";
    f->o.psk_ident_len = 7;
    f->o.psk_key = key;
    f->o.psk_key_len = 32;
    f->o.do_handshake = 0;
    assert_int_equal(ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err), 0);
}

static void test_bad_psk_table_line_is_value_error(void **state)
{
    fixture *f = *state;
    f->o.server_side = 1;
    f->o.psk_table = ut_bytes("client1:zz\n", 11);
    assert_int_equal(wrap_fails(f), USSL_E_VALUE);
    assert_int_equal(f->err.kind, USSL_VALUEERROR);
    expect_text_present(f->err.msg);
}

static void test_unhexlify_parses_hex_key(void **state)
{
    unsigned char key[USSL_PSK_MAX_KEY];
    static const unsigned char want[16] = { 0xbb, 0x50, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56,
                                            0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xd0 };
    (void)state;
    /* the key of MicroPython's examples/network/mqtt_psk.py */
    assert_int_equal(ussl_unhexlify("bb500112233445566778899AABBCCDD0", key, sizeof key, NULL),
                     16);
    assert_memory_equal(key, want, 16);
    assert_int_equal(ussl_unhexlify("", key, sizeof key, NULL), 0);
}

static void test_unhexlify_rejects_bad_hex(void **state)
{
    unsigned char key[USSL_PSK_MAX_KEY];
    ussl_error err;
    char longhex[2 * USSL_PSK_MAX_KEY + 3];
    (void)state;
    assert_int_equal(ussl_unhexlify("abc", key, sizeof key, &err), USSL_E_VALUE);
    assert_int_equal(err.kind, USSL_VALUEERROR);
    assert_string_equal(err.msg, TLS_STREAM_MSG("odd-length string"));
    assert_int_equal(ussl_unhexlify("zz", key, sizeof key, &err), USSL_E_VALUE);
    assert_string_equal(err.msg, TLS_STREAM_MSG("non-hex digit found"));
    assert_int_equal(ussl_unhexlify("0g", key, sizeof key, &err), USSL_E_VALUE);
    assert_string_equal(err.msg, TLS_STREAM_MSG("non-hex digit found"));
    memset(longhex, 'a', sizeof longhex - 1);
    longhex[sizeof longhex - 1] = '\0';
    assert_int_equal(ussl_unhexlify(longhex, key, sizeof key, &err), USSL_E_VALUE);
    assert_string_equal(err.msg, TLS_STREAM_MSG("key too long"));
}

/* a wrap that runs out of memory reports OSError(ENOMEM) and leaks nothing */
static void test_out_of_memory_at_every_allocation_is_enomem(void **state)
{
    fixture *f = *state;
    unsigned long n, total;
    assert_int_equal(ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err), -USSL_EAGAIN);
    total = f->ca.allocs;
    assert_true(total > 0);
    for (n = 1; n <= total; n++) {
        int rc;
        counting_alloc_init(&f->ca);
        f->o.alloc = &f->ca.alloc;
        f->ca.fail_at = n;
        f->o.do_handshake = 0;
        rc = ussl_wrap_socket(&f->io, &f->o, &f->s, &f->err);
        if (rc == 0) {
            ussl_free(f->s);
            f->s = NULL;
        } else {
            assert_int_equal(rc, -USSL_ENOMEM);
            assert_int_equal(f->err.code, USSL_ENOMEM);
            assert_string_equal(f->err.msg, "ENOMEM");
        }
        assert_true(counting_alloc_clean(&f->ca));
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_micropythons),
        cmocka_unit_test(test_errno_constants_match_micropython),
        cmocka_unit_test(test_every_errno_has_its_micropython_name),
        T(test_zeroed_opts_are_rejected_not_do_handshake_false),
        T(test_missing_backend_is_value_error),
        T(test_bad_cert_reqs_is_value_error),
        T(test_invalid_key_data_is_value_error_invalid_key),
        T(test_invalid_cert_data_is_value_error_invalid_cert),
        T(test_key_without_cert_is_value_error),
        T(test_invalid_key_without_cert_is_invalid_key),
        T(test_cert_without_key_is_value_error),
        T(test_invalid_ca_certs_is_value_error_invalid_cert),
        T(test_empty_key_data_is_invalid_key),
        T(test_der_pkcs8_key_and_der_cert_are_accepted),
        T(test_data_and_path_together_is_value_error),
        T(test_path_without_loader_is_value_error),
        T(test_paths_load_through_posix_loader),
        T(test_missing_file_is_oserror_enoent),
        T(test_bad_file_contents_is_invalid_key),
        T(test_server_without_key_and_cert_is_value_error),
        T(test_server_without_key_fails_at_the_handshake),
        T(test_cert_required_without_server_hostname_is_value_error),
        T(test_cert_optional_client_without_server_hostname_is_value_error),
        T(test_cert_required_without_ca_certs_is_value_error),
        T(test_server_cert_required_without_ca_certs_is_value_error),
        T(test_psk_with_key_and_cert_is_value_error),
        T(test_psk_table_with_key_and_cert_on_server_is_value_error),
        T(test_psk_ident_on_server_is_value_error),
        T(test_psk_table_on_client_is_value_error),
        T(test_psk_ident_without_key_is_value_error),
        T(test_psk_key_without_ident_is_value_error),
        T(test_psk_key_longer_than_32_bytes_is_value_error),
        T(test_psk_key_of_32_bytes_is_accepted),
        T(test_bad_psk_table_line_is_value_error),
        cmocka_unit_test(test_unhexlify_parses_hex_key),
        cmocka_unit_test(test_unhexlify_rejects_bad_hex),
        T(test_out_of_memory_at_every_allocation_is_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
