/*
 * The server PSK table: tls_stream_config_add_psk(), tls_stream_config_load_psk_table()
 * ("identity:hexkey" lines) and the lookup handed to the backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "expect_text.h"
#include "unit_fixture.h"
#include "tls_stream/backend.h"
#include "tls_stream/tls_stream.h"

typedef unit_fx fx; /* unit_fixture.h */

/* The unit fixture with a server configuration in f->cfg. */
static int setup(void **state)
{
    fx *f;
    if (unit_fx_setup(state) != 0)
        return -1;
    f = (fx *)*state;
    if (tls_stream_config_new(&f->cfg, &f->mb->backend, TLS_STREAM_SERVER, &f->ca.alloc) != TLS_STREAM_OK) {
        free(f);
        return -1;
    }
    return 0;
}

static int load(fx *f, const char *text)
{
    return tls_stream_config_load_psk_table(f->cfg, text, strlen(text));
}

/* Freeze the server config; the backend then holds the table lookup. */
static void freeze(fx *f)
{
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &f->io.io), TLS_STREAM_OK);
    assert_non_null(f->mb->settings.psk_lookup);
}

/* The backend's lookup of identity: key length or error; key in out. */
static int lookup(fx *f, const char *identity, unsigned char *out, size_t out_size)
{
    const tls_stream_settings *st = &f->mb->settings;
    return st->psk_lookup(st->psk_lookup_arg, (const unsigned char *)identity, strlen(identity),
                          out, out_size);
}

static void expect_key(fx *f, const char *identity, const unsigned char *key, size_t key_len)
{
    unsigned char out[TLS_STREAM_PSK_MAX_KEY];
    memset(out, 0xee, sizeof out);
    assert_int_equal(lookup(f, identity, out, sizeof out), (int)key_len);
    assert_memory_equal(out, key, key_len);
}

static void expect_unknown(fx *f, const char *identity)
{
    unsigned char out[TLS_STREAM_PSK_MAX_KEY];
    assert_int_equal(lookup(f, identity, out, sizeof out), TLS_STREAM_ERR_PSK_IDENTITY);
}

static const char *detail_msg(const fx *f)
{
    const char *msg = NULL;
    (void)tls_stream_config_error_detail(f->cfg, &msg);
    assert_non_null(msg);
    return msg;
}

static void expect_detail_contains(const fx *f, const char *part)
{
    expect_text_contains(detail_msg(f), part);
}

/* ---- loading ---- */

static void test_valid_table_lookups_return_each_key(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k1[] = { 0x00, 0x11, 0x22, 0x33 };
    static const unsigned char k2[] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
    assert_int_equal(load(f, "client1:00112233\nclient2:deadbeef01\n"), TLS_STREAM_OK);
    freeze(f);
    assert_true(f->mb->settings.psk_lookup == tls_stream_psk_table_lookup);
    expect_key(f, "client1", k1, sizeof k1);
    expect_key(f, "client2", k2, sizeof k2);
}

static void test_unknown_identity_is_a_psk_identity_error(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "client1:00112233\n"), TLS_STREAM_OK);
    freeze(f);
    expect_unknown(f, "client2");
    expect_unknown(f, "client"); /* a prefix is not a match */
    expect_unknown(f, "client11");
}

static void test_crlf_lines_and_a_last_line_without_newline_are_read(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k1[] = { 0x01, 0x02 };
    static const unsigned char k2[] = { 0x03, 0x04 };
    assert_int_equal(load(f, "a:0102\r\nb:0304"), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "a", k1, sizeof k1);
    expect_key(f, "b", k2, sizeof k2);
}

static void test_comments_and_blank_lines_are_skipped(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 0xaa };
    assert_int_equal(load(f, "# clients of the broker\n\n\r\n#x:zz\nid:aa\n\n"), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "id", k, sizeof k);
    expect_unknown(f, "#x");
}

static void test_identity_containing_colons_is_split_at_the_last_colon(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 0x12, 0x34 };
    assert_int_equal(load(f, "urn:dev:42:1234\n"), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "urn:dev:42", k, sizeof k);
    expect_unknown(f, "urn");
}

static void test_uppercase_and_mixed_case_hex_are_accepted(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 0xab, 0xcd, 0xef, 0xaf };
    assert_int_equal(load(f, "u:ABCDEFaF\n"), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "u", k, sizeof k);
}

static void test_keys_of_32_bytes_and_identities_of_128_bytes_are_accepted(void **state)
{
    fx *f = (fx *)*state;
    char text[128 + 1 + 64 + 2];
    char identity[129];
    unsigned char k[32];
    size_t i;
    memset(identity, 'i', 128);
    identity[128] = '\0';
    memset(k, 0x5a, sizeof k);
    memcpy(text, identity, 128);
    text[128] = ':';
    for (i = 0; i < 32; i++) { /* "5a" 32 times */
        text[129 + 2 * i] = '5';
        text[130 + 2 * i] = 'a';
    }
    text[193] = '\n';
    text[194] = '\0';
    assert_int_equal(load(f, text), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, identity, k, sizeof k);
}

/* ---- bad lines ---- */

static void test_bad_hex_is_a_bad_key_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "a:00\nb:00zz\n"), TLS_STREAM_ERR_BAD_KEY);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK table line 2: key is not 1..32 bytes of hex"));
}

static void test_odd_hex_length_is_a_bad_key_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "a:001\n"), TLS_STREAM_ERR_BAD_KEY);
    expect_detail_contains(f, "line 1");
}

static void test_empty_key_is_a_bad_key_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "a:00\nb:\n"), TLS_STREAM_ERR_BAD_KEY);
    expect_detail_contains(f, "line 2");
}

static void test_key_of_33_bytes_is_a_bad_key_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    char text[80];
    memcpy(text, "big:", 4);
    memset(text + 4, 'f', 66);
    text[70] = '\0';
    assert_int_equal(load(f, text), TLS_STREAM_ERR_BAD_KEY);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK table line 1: key is not 1..32 bytes of hex"));
}

static void test_line_without_colon_is_a_bad_key_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "# comment\n\nid:00\nnocolon\n"), TLS_STREAM_ERR_BAD_KEY);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK table line 4: expected identity:hexkey"));
}

static void test_line_numbers_count_crlf_blank_and_comment_lines(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "#c\r\n\r\na:00\r\n\r\nb:0g\r\n"), TLS_STREAM_ERR_BAD_KEY);
    expect_detail_contains(f, "line 5");
}

static void test_empty_identity_is_a_bad_argument_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "a:00\n:0011\n"), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK table line 2: identity must be 1..128 bytes"));
}

static void test_identity_of_129_bytes_is_a_bad_argument_naming_the_line(void **state)
{
    fx *f = (fx *)*state;
    char text[140];
    memset(text, 'i', 129);
    memcpy(text + 129, ":00\n", 5);
    assert_int_equal(load(f, text), TLS_STREAM_ERR_ARG);
    expect_detail_contains(f, "line 1");
}

static void test_duplicate_identity_in_one_text_is_a_config_error(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(load(f, "a:00\nb:01\na:02\n"), TLS_STREAM_ERR_CONFIG);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK table line 3: duplicate identity"));
}

static void test_duplicate_of_an_identity_already_loaded_is_a_config_error(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 0x00 };
    assert_int_equal(load(f, "a:00\n"), TLS_STREAM_OK);
    assert_int_equal(load(f, "b:01\na:02\n"), TLS_STREAM_ERR_CONFIG);
    expect_detail_contains(f, "line 2");
    freeze(f);
    expect_key(f, "a", k, sizeof k); /* the first key stays */
    expect_unknown(f, "b");
}

static void test_a_bad_line_adds_none_of_the_good_lines_before_it(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k0[] = { 0x00 };
    static const unsigned char k1[] = { 0x01 };
    size_t blocks = f->ca.live_blocks;
    assert_int_equal(load(f, "first:00\n"), TLS_STREAM_OK);
    assert_int_equal(load(f, "b:01\nc:02\nd:xx\n"), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(f->ca.live_blocks, blocks + 1); /* only "first" */
    /* b was not added: loading it again is no duplicate */
    assert_int_equal(load(f, "b:01\n"), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "first", k0, sizeof k0);
    expect_key(f, "b", k1, sizeof k1);
    expect_unknown(f, "c");
    expect_unknown(f, "d");
}

static void test_table_without_entries_is_a_bad_key(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(tls_stream_config_load_psk_table(f->cfg, "", 0), TLS_STREAM_ERR_BAD_KEY);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK table has no entry"));
    assert_int_equal(load(f, "# nobody yet\n\n\r\n"), TLS_STREAM_ERR_BAD_KEY);
    /* still no PSK, so the server is incomplete */
    assert_int_equal(tls_stream_new(&f->s, f->cfg, &f->io.io), TLS_STREAM_ERR_CONFIG);
}

static void test_null_table_text_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(tls_stream_config_load_psk_table(f->cfg, NULL, 4), TLS_STREAM_ERR_ARG);
}

static void test_table_length_bounds_the_text(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 0x01 };
    /* only the first 4 bytes count: "a:01" */
    assert_int_equal(tls_stream_config_load_psk_table(f->cfg, "a:01zz", 4), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "a", k, sizeof k);
}

/* ---- add_psk ---- */

static void test_add_psk_entries_are_found_by_the_lookup(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k1[] = { 1, 2, 3 };
    static const unsigned char k2[32] = { 9 };
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "one", 3, k1, sizeof k1), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "two", 3, k2, sizeof k2), TLS_STREAM_OK);
    assert_int_equal(load(f, "three:03\n"), TLS_STREAM_OK);
    freeze(f);
    expect_key(f, "one", k1, sizeof k1);
    expect_key(f, "two", k2, sizeof k2);
    expect_unknown(f, "four");
}

static void test_add_psk_of_a_known_identity_is_a_config_error(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 1 };
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "one", 3, k, 1), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "one", 3, k, 1), TLS_STREAM_ERR_CONFIG);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("duplicate PSK identity"));
    assert_int_equal(load(f, "one:01\n"), TLS_STREAM_ERR_CONFIG);
}

static void test_add_psk_rejects_bad_identities_and_keys(void **state)
{
    fx *f = (fx *)*state;
    unsigned char id[129], key[33];
    memset(id, 'i', sizeof id);
    memset(key, 1, sizeof key);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, NULL, 1, key, 1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, id, 1, NULL, 1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, id, 0, key, 1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, id, 129, key, 1), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK identity must be 1..128 bytes"));
    assert_int_equal(tls_stream_config_add_psk(f->cfg, id, 1, key, 33), TLS_STREAM_ERR_BAD_KEY);
    assert_string_equal(detail_msg(f), TLS_STREAM_MSG("PSK key must be 1..32 bytes"));
    assert_int_equal(tls_stream_config_add_psk(f->cfg, id, 128, key, 32), TLS_STREAM_OK);
}

/*
 * tls_stream.h: add_psk "Returns as tls_stream_config_set_psk_lookup() (TLS_STREAM_ERR_ARG
 * for bad arguments), plus TLS_STREAM_ERR_BAD_KEY for a key too long": an empty key
 * is a bad argument.
 */
static void test_add_psk_with_an_empty_key_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    static const unsigned char k[] = { 1 };
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "one", 3, k, 0), TLS_STREAM_ERR_ARG);
}

static void test_lookup_into_a_buffer_smaller_than_the_key_is_a_psk_identity_error(void **state)
{
    fx *f = (fx *)*state;
    unsigned char key[16] = { 7 }, out[16];
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "id", 2, key, sizeof key), TLS_STREAM_OK);
    freeze(f);
    memset(out, 0xee, sizeof out);
    assert_int_equal(lookup(f, "id", out, 15), TLS_STREAM_ERR_PSK_IDENTITY);
    assert_int_equal(out[0], 0xee); /* nothing copied */
    assert_int_equal(lookup(f, "id", out, 16), 16);
    assert_memory_equal(out, key, 16);
}

static void test_table_on_a_config_with_a_certificate_is_a_config_error(void **state)
{
    fx *f = (fx *)*state;
    static const char cert[] = "cert";
    assert_int_equal(tls_stream_config_set_cert(f->cfg, cert, sizeof cert), TLS_STREAM_OK);
    assert_int_equal(load(f, "a:00\n"), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(tls_stream_config_add_psk(f->cfg, "a", 1, "k", 1), TLS_STREAM_ERR_CONFIG);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, unit_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_valid_table_lookups_return_each_key),
        T(test_unknown_identity_is_a_psk_identity_error),
        T(test_crlf_lines_and_a_last_line_without_newline_are_read),
        T(test_comments_and_blank_lines_are_skipped),
        T(test_identity_containing_colons_is_split_at_the_last_colon),
        T(test_uppercase_and_mixed_case_hex_are_accepted),
        T(test_keys_of_32_bytes_and_identities_of_128_bytes_are_accepted),
        T(test_bad_hex_is_a_bad_key_naming_the_line),
        T(test_odd_hex_length_is_a_bad_key_naming_the_line),
        T(test_empty_key_is_a_bad_key_naming_the_line),
        T(test_key_of_33_bytes_is_a_bad_key_naming_the_line),
        T(test_line_without_colon_is_a_bad_key_naming_the_line),
        T(test_line_numbers_count_crlf_blank_and_comment_lines),
        T(test_empty_identity_is_a_bad_argument_naming_the_line),
        T(test_identity_of_129_bytes_is_a_bad_argument_naming_the_line),
        T(test_duplicate_identity_in_one_text_is_a_config_error),
        T(test_duplicate_of_an_identity_already_loaded_is_a_config_error),
        T(test_a_bad_line_adds_none_of_the_good_lines_before_it),
        T(test_table_without_entries_is_a_bad_key),
        T(test_null_table_text_is_a_bad_argument),
        T(test_table_length_bounds_the_text),
        T(test_add_psk_entries_are_found_by_the_lookup),
        T(test_add_psk_of_a_known_identity_is_a_config_error),
        T(test_add_psk_rejects_bad_identities_and_keys),
        T(test_add_psk_with_an_empty_key_is_a_bad_argument),
        T(test_lookup_into_a_buffer_smaller_than_the_key_is_a_psk_identity_error),
        T(test_table_on_a_config_with_a_certificate_is_a_config_error),
    };
    return cmocka_run_group_tests_name("psk_table", tests, NULL, NULL);
}
