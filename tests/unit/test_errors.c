/* Error codes, tls_stream_strerror() and tls_stream_detail_set(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/core_internal.h"
#include "expect_text.h"
#include "tls_stream/backend.h"
#include "tls_stream/error.h"

/* Every code of tls_stream/error.h but TLS_STREAM_OK. */
static const int all_codes[] = {
    TLS_STREAM_WANT_READ,        TLS_STREAM_WANT_WRITE,     TLS_STREAM_INTERRUPTED,     TLS_STREAM_ERR_ARG,         TLS_STREAM_ERR_STATE,
    TLS_STREAM_ERR_CONFIG,       TLS_STREAM_ERR_UNSUPPORTED, TLS_STREAM_ERR_NOMEM,      TLS_STREAM_ERR_BAD_KEY,
    TLS_STREAM_ERR_BAD_CERT,     TLS_STREAM_ERR_CLOSED,     TLS_STREAM_ERR_TRUNCATED,   TLS_STREAM_ERR_IO,
    TLS_STREAM_ERR_TIMEOUT,      TLS_STREAM_ERR_VERIFY,     TLS_STREAM_ERR_HOSTNAME,    TLS_STREAM_ERR_CERT_EXPIRED,
    TLS_STREAM_ERR_NO_PEER_CERT, TLS_STREAM_ERR_PSK_IDENTITY, TLS_STREAM_ERR_PEER_ALERT, TLS_STREAM_ERR_HANDSHAKE,
    TLS_STREAM_ERR_PROTOCOL,     TLS_STREAM_ERR_INTERNAL,
};
#define N_CODES (sizeof all_codes / sizeof all_codes[0])

static void test_every_code_is_below_minus_4096_and_distinct(void **state)
{
    size_t i, j;
    (void)state;
    for (i = 0; i < N_CODES; i++) {
        assert_true(all_codes[i] < -4096);
        for (j = i + 1; j < N_CODES; j++)
            assert_int_not_equal(all_codes[i], all_codes[j]);
    }
}

static void test_strerror_gives_a_distinct_nonempty_text_for_every_code(void **state)
{
    const char *unknown = tls_stream_strerror(12345);
    const char *transport = tls_stream_strerror(-104);
    size_t i, j;
    (void)state;
    for (i = 0; i < N_CODES; i++) {
        const char *t = tls_stream_strerror(all_codes[i]);
        assert_non_null(t);
        expect_text_present(t);
        if (TLS_STREAM_NO_MESSAGES)
            continue; /* every text is "": nothing to tell apart */
        assert_string_not_equal(t, unknown);
        assert_string_not_equal(t, transport);
        assert_string_not_equal(t, tls_stream_strerror(TLS_STREAM_OK));
        for (j = i + 1; j < N_CODES; j++)
            assert_string_not_equal(t, tls_stream_strerror(all_codes[j]));
    }
}

static void test_strerror_of_ok_is_success(void **state)
{
    (void)state;
    assert_string_equal(tls_stream_strerror(TLS_STREAM_OK), TLS_STREAM_MSG("success"));
}

static void test_strerror_of_unknown_codes_is_unknown_error(void **state)
{
    (void)state;
    assert_string_equal(tls_stream_strerror(1), TLS_STREAM_MSG("unknown error"));
    assert_string_equal(tls_stream_strerror(-0x7fff), TLS_STREAM_MSG("unknown error"));
    assert_string_equal(tls_stream_strerror(-4096), TLS_STREAM_MSG("unknown error"));
    assert_string_equal(tls_stream_strerror(-0x7004), TLS_STREAM_MSG("unknown error"));
}

static void test_strerror_of_a_negated_errno_is_a_transport_text(void **state)
{
    (void)state;
    assert_string_equal(tls_stream_strerror(-104), TLS_STREAM_MSG("transport error (negated errno)"));
    assert_string_equal(tls_stream_strerror(-1), TLS_STREAM_MSG("transport error (negated errno)"));
    assert_string_equal(tls_stream_strerror(-4095), TLS_STREAM_MSG("transport error (negated errno)"));
}

static void test_detail_set_records_code_and_message_and_returns_status(void **state)
{
    tls_stream_detail d;
    (void)state;
    memset(&d, 'x', sizeof d);
    assert_int_equal(tls_stream_detail_set(&d, TLS_STREAM_ERR_BAD_KEY, -0x3d00, "bad key"), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(d.code, -0x3d00);
    assert_string_equal(d.msg, "bad key");
}

static void test_detail_set_truncates_a_long_message_to_fit(void **state)
{
    char longmsg[300];
    tls_stream_detail d;
    (void)state;
    memset(longmsg, 'a', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    memset(&d, 'x', sizeof d);
    assert_int_equal(tls_stream_detail_set(&d, TLS_STREAM_ERR_IO, 7, longmsg), TLS_STREAM_ERR_IO);
    assert_int_equal(d.code, 7);
    assert_int_equal(strlen(d.msg), sizeof d.msg - 1);
    assert_int_equal(d.msg[sizeof d.msg - 1], '\0');
    assert_memory_equal(d.msg, longmsg, sizeof d.msg - 1);
}

static void test_detail_set_with_a_null_message_stores_an_empty_one(void **state)
{
    tls_stream_detail d;
    (void)state;
    memset(&d, 'x', sizeof d);
    assert_int_equal(tls_stream_detail_set(&d, TLS_STREAM_ERR_PROTOCOL, 3, NULL), TLS_STREAM_ERR_PROTOCOL);
    assert_int_equal(d.code, 3);
    assert_string_equal(d.msg, "");
}

static void test_detail_set_with_a_null_detail_only_returns_the_status(void **state)
{
    (void)state;
    assert_int_equal(tls_stream_detail_set(NULL, TLS_STREAM_ERR_HANDSHAKE, 1, "x"), TLS_STREAM_ERR_HANDSHAKE);
}

/* the one integer-to-decimal routine (PSK table line numbers, "[Errno n]") */
static void test_utoa_writes_decimal_and_truncates_to_fit(void **state)
{
    char buf[24];
    (void)state;
    assert_int_equal(tls_stream_utoa(0, buf, sizeof buf), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(tls_stream_utoa(1907, buf, sizeof buf), 4);
    assert_string_equal(buf, "1907");
    assert_int_equal(tls_stream_utoa(4294967295ul, buf, sizeof buf), 10);
    assert_string_equal(buf, "4294967295");
    assert_int_equal(tls_stream_utoa(12345, buf, 4), 3);
    assert_string_equal(buf, "123");
    assert_int_equal(tls_stream_utoa(9, buf, 1), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utoa_writes_decimal_and_truncates_to_fit),
        cmocka_unit_test(test_every_code_is_below_minus_4096_and_distinct),
        cmocka_unit_test(test_strerror_gives_a_distinct_nonempty_text_for_every_code),
        cmocka_unit_test(test_strerror_of_ok_is_success),
        cmocka_unit_test(test_strerror_of_unknown_codes_is_unknown_error),
        cmocka_unit_test(test_strerror_of_a_negated_errno_is_a_transport_text),
        cmocka_unit_test(test_detail_set_records_code_and_message_and_returns_status),
        cmocka_unit_test(test_detail_set_truncates_a_long_message_to_fit),
        cmocka_unit_test(test_detail_set_with_a_null_message_stores_an_empty_one),
        cmocka_unit_test(test_detail_set_with_a_null_detail_only_returns_the_status),
    };
    return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
