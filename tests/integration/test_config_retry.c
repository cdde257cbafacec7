/*
 * Config lifecycle with real mbedtls: a configuration the backend refuses
 * at the first tls_stream_new() (an unknown cipher suite name) stays
 * editable; once repaired, streams are made from it and handshake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tls_pair.h"
#include "tls_stream/options.h"

static void test_refused_suite_name_can_be_repaired_before_any_stream(void **state)
{
    static const char *const bad[] = { "TLS-NO-SUCH-SUITE", NULL };
    static const char *const good[] = { "TLS-PSK-WITH-AES-128-GCM-SHA256", NULL };
    tls_stream_config *c, *s;
    tls_stream *stream = NULL;
    tls_pair p;
    const char *msg = NULL;
    tls_stream_io none;
    (void)state;

    assert_int_equal(tls_pair_client1_configs(&c, &s, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, bad), TLS_STREAM_OK);
    none = tls_stream_io_fd(-1);
    assert_int_equal(tls_stream_new(&stream, c, &none), TLS_STREAM_ERR_CONFIG);
    assert_null(stream);
    tls_stream_config_error_detail(c, &msg);
    assert_string_equal(msg, TLS_STREAM_MSG("unknown cipher suite: TLS-NO-SUCH-SUITE"));
    /* not frozen: repaired, then used (the backend's first attempt is retried) */
    assert_int_equal(tls_stream_config_set_ciphersuites(c, good), TLS_STREAM_OK);
    assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
    assert_string_equal(tls_stream_cipher(p.client), "TLS-PSK-WITH-AES-128-GCM-SHA256");
    assert_int_equal(tls_pair_transfer(&p, 10000), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_ciphersuites(c, bad), TLS_STREAM_ERR_STATE); /* frozen now */
    tls_pair_free(&p);
    tls_stream_config_free(c);
    tls_stream_config_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_suite_name_can_be_repaired_before_any_stream),
    };
    return cmocka_run_group_tests(tests, tls_pair_load_client1, NULL);
}
