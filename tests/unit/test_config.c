/*
 * tls_stream_config: arguments, defaults, setters, freeze-time validation, the
 * settings handed to the backend, reference counting and allocation failure.
 * Runs against the mock backend (tests/support/mock_backend.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"
#include "test_alloc.h"
#include "unit_fixture.h"
#include "tls_stream/backend.h"
#include "tls_stream/tls_stream.h"

static const char CA[] = "-----BEGIN CERTIFICATE-----ca-----END CERTIFICATE-----";
static const char CERT[] = "-----BEGIN CERTIFICATE-----me-----END CERTIFICATE-----";
static const char KEY[] = "-----BEGIN PRIVATE KEY-----k-----END PRIVATE KEY-----";
static const unsigned char PSK_KEY[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                           0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

/* The fixture: counting allocator, reset mock, one mock io (unit_fixture.h). */
typedef unit_fx fx;

static tls_stream_config *new_config(fx *f, tls_stream_role role)
{
    assert_int_equal(tls_stream_config_new(&f->cfg, &f->mb->backend, role, &f->ca.alloc), TLS_STREAM_OK);
    assert_non_null(f->cfg);
    return f->cfg;
}

/* A client that passes validation (CA, name). */
static tls_stream_config *new_valid_client(fx *f)
{
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_server_name(cfg, "example.com"), TLS_STREAM_OK);
    return cfg;
}

/* A certificate server that passes validation. */
static tls_stream_config *new_cert_server(fx *f)
{
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, sizeof CERT), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, sizeof KEY, NULL), TLS_STREAM_OK);
    return cfg;
}

/* The first tls_stream_new(): freezes the configuration. */
static int freeze(fx *f)
{
    return tls_stream_new(&f->s, f->cfg, &f->io.io);
}

static const char *detail_msg(const tls_stream_config *cfg)
{
    const char *msg = NULL;
    (void)tls_stream_config_error_detail(cfg, &msg);
    assert_non_null(msg);
    return msg;
}

static void fill(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = '\0';
}

/* ---- tls_stream_config_new ---- */

static void test_config_new_rejects_a_null_out(void **state)
{
    fx *f = (fx *)*state;
    assert_int_equal(tls_stream_config_new(NULL, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc),
                     TLS_STREAM_ERR_ARG);
    assert_int_equal(f->ca.allocs, 0);
    assert_int_equal(f->mb->calls.config_new, 0);
}

static void test_config_new_rejects_a_null_backend_and_clears_out(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = (tls_stream_config *)&f->io; /* not NULL */
    assert_int_equal(tls_stream_config_new(&cfg, NULL, TLS_STREAM_CLIENT, &f->ca.alloc), TLS_STREAM_ERR_ARG);
    assert_null(cfg);
    assert_int_equal(f->ca.allocs, 0);
}

static void test_config_new_rejects_a_backend_of_another_version(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = NULL;
    f->mb->backend.version = TLS_STREAM_BACKEND_VERSION + 1;
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, TLS_STREAM_CLIENT, &f->ca.alloc),
                     TLS_STREAM_ERR_ARG);
    assert_null(cfg);
    assert_int_equal(f->mb->calls.config_new, 0);
    assert_int_equal(f->ca.allocs, 0);
}

static void test_config_new_rejects_an_unknown_role(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = NULL;
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, (tls_stream_role)2, &f->ca.alloc),
                     TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, (tls_stream_role)-1, &f->ca.alloc),
                     TLS_STREAM_ERR_ARG);
    assert_null(cfg);
    assert_int_equal(f->mb->calls.config_new, 0);
}

static void test_config_new_rejects_an_allocator_without_functions(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = NULL;
    tls_stream_allocator no_alloc = f->ca.alloc, no_free = f->ca.alloc;
    no_alloc.alloc = NULL;
    no_free.free = NULL;
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, TLS_STREAM_CLIENT, &no_alloc), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, TLS_STREAM_CLIENT, &no_free), TLS_STREAM_ERR_ARG);
    assert_null(cfg);
    assert_int_equal(f->ca.allocs, 0);
    assert_int_equal(f->mb->calls.config_new, 0);
}

static void test_config_new_propagates_a_backend_failure_and_leaks_nothing(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = NULL;
    mock_script_set(&f->mb->config_new, 1, TLS_STREAM_ERR_UNSUPPORTED);
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, TLS_STREAM_SERVER, &f->ca.alloc),
                     TLS_STREAM_ERR_UNSUPPORTED);
    assert_null(cfg);
    assert_int_equal(f->mb->calls.config_new, 1);
    assert_int_equal(f->mb->calls.config_free, 0);
    assert_int_equal(f->ca.allocs, 1); /* the tls_stream_config, given back */
    assert_int_equal(f->ca.live_bytes, 0);
}

static void test_config_new_gives_the_backend_the_role_and_the_callers_allocator(void **state)
{
    fx *f = (fx *)*state;
    new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(f->mb->calls.config_new, 1);
    assert_int_equal(f->mb->env_role, TLS_STREAM_SERVER);
    assert_non_null(f->mb->env_alloc);
    assert_ptr_equal(f->mb->env_alloc->ctx, &f->ca);
    assert_int_equal(f->ca.live_blocks, 2); /* tls_stream_config + the mock's configuration */
}

static void test_config_new_without_allocator_uses_the_platform_default(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = NULL;
    if (!tls_test_has_default_allocator()) { /* a build without one refuses NULL */
        cfg = (tls_stream_config *)&cfg;
        assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, TLS_STREAM_CLIENT, NULL),
                         TLS_STREAM_ERR_ARG);
        assert_null(cfg);
        assert_int_equal(f->mb->calls.config_new, 0);
        return;
    }
    assert_int_equal(tls_stream_config_new(&cfg, &f->mb->backend, TLS_STREAM_CLIENT, NULL), TLS_STREAM_OK);
    assert_non_null(cfg);
    assert_int_equal(f->ca.allocs, 0);
    assert_int_equal(f->mb->configs_live, 1);
    tls_stream_config_free(cfg);
    assert_int_equal(f->mb->configs_live, 0);
    assert_int_equal(f->mb->calls.config_free, 1);
}

/* ---- defaults ---- */

static void test_client_verifies_by_default(void **state)
{
    fx *f = (fx *)*state;
    const tls_stream_settings *st = &f->mb->settings;
    new_valid_client(f);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.config_finish, 1);
    assert_int_equal(st->role, TLS_STREAM_CLIENT);
    assert_int_equal(st->verify, TLS_STREAM_VERIFY_REQUIRED);
    assert_int_equal(st->verify_depth, 0);
    assert_int_equal(st->has_ca, 1);
    assert_int_equal(st->has_cert, 0);
    assert_null(st->psk_identity);
    assert_int_equal(st->psk_identity_len, 0);
    assert_null(st->psk_key);
    assert_int_equal(st->psk_key_len, 0);
    assert_null(st->psk_lookup);
    assert_null(st->alpn);
    assert_null(st->entropy);
    assert_null(st->debug);
    assert_int_equal(st->debug_level, 0);
    assert_int_equal(st->ticket_lifetime, 0);
    assert_int_equal(st->cache_entries, 0);
    assert_int_equal(st->max_fragment, 0);
}

static void test_server_does_not_ask_for_client_certificates_by_default(void **state)
{
    fx *f = (fx *)*state;
    const tls_stream_settings *st = &f->mb->settings;
    new_cert_server(f);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(st->role, TLS_STREAM_SERVER);
    assert_int_equal(st->verify, TLS_STREAM_VERIFY_NONE);
    assert_int_equal(st->has_ca, 0);
    assert_int_equal(st->has_cert, 1);
    assert_null(st->psk_lookup);
}

/* ---- setters after freeze ---- */

static int lookup_stub(void *arg, const unsigned char *id, size_t id_len, unsigned char *key,
                       size_t key_size)
{
    (void)arg;
    (void)id;
    (void)id_len;
    (void)key;
    (void)key_size;
    return TLS_STREAM_ERR_PSK_IDENTITY;
}

static int entropy_stub(void *arg, unsigned char *buf, size_t len)
{
    (void)arg;
    memset(buf, 0x5a, len);
    return 0;
}

static void debug_stub(void *arg, int level, const char *line)
{
    (void)arg;
    (void)level;
    (void)line;
}

static void test_every_setter_fails_with_state_once_a_client_config_is_frozen(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    const char *const alpn[] = { "h2", NULL };
    assert_int_equal(freeze(f), TLS_STREAM_OK);

    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_NONE), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_verify_depth(cfg, 4), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, sizeof CERT), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, sizeof KEY, NULL), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_server_name(cfg, "other.example"), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_alpn(cfg, alpn), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_timeout(cfg, 100), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_insecure_allow_truncation(cfg, 1), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_entropy(cfg, entropy_stub, NULL), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_debug(cfg, debug_stub, NULL, 2), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 1024), TLS_STREAM_ERR_STATE);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("configuration is in use (frozen)"));
    assert_int_equal(f->mb->calls.config_load, 1); /* the CA before freezing */
    assert_int_equal(f->mb->calls.config_finish, 1);
}

static void test_every_server_psk_setter_fails_with_state_once_frozen(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_add_psk(cfg, "a", 1, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);

    assert_int_equal(tls_stream_config_add_psk(cfg, "b", 1, PSK_KEY, 16), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_psk_lookup(cfg, lookup_stub, NULL), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_load_psk_table(cfg, "c:00\n", 5), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_NONE), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_session_tickets(cfg, 60), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 10, 60), TLS_STREAM_ERR_STATE);
}

static void test_setters_reject_a_null_config(void **state)
{
    const char *const alpn[] = { "h2", NULL };
    (void)state;
    assert_int_equal(tls_stream_config_set_verify(NULL, TLS_STREAM_VERIFY_NONE), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_verify_depth(NULL, 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_ca(NULL, CA, sizeof CA), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_cert(NULL, CERT, sizeof CERT), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_key(NULL, KEY, sizeof KEY, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_server_name(NULL, "a"), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_psk(NULL, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_psk_lookup(NULL, lookup_stub, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_psk(NULL, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_load_psk_table(NULL, "a:00", 4), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_alpn(NULL, alpn), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_timeout(NULL, 1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_insecure_allow_truncation(NULL, 1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_entropy(NULL, entropy_stub, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_debug(NULL, debug_stub, NULL, 1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_session_tickets(NULL, 60), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_session_cache(NULL, 10, 60), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_max_fragment(NULL, 512), TLS_STREAM_ERR_ARG);
}

/* ---- verification ---- */

static void test_set_verify_rejects_an_unknown_mode(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    assert_int_equal(tls_stream_config_set_verify(cfg, (tls_stream_verify)3), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_verify(cfg, (tls_stream_verify)-1), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("unknown verify mode"));
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.verify, TLS_STREAM_VERIFY_REQUIRED); /* unchanged */
}

static void test_set_verify_optional_reaches_the_backend(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_OPTIONAL), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.verify, TLS_STREAM_VERIFY_OPTIONAL);
}

static void test_verify_depth_accepts_1_to_16_and_rejects_0_and_17(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    assert_int_equal(tls_stream_config_set_verify_depth(cfg, 0), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("verify depth must be 1..16"));
    assert_int_equal(tls_stream_config_set_verify_depth(cfg, 17), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_verify_depth(cfg, -1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_verify_depth(cfg, 1), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_verify_depth(cfg, 16), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.verify_depth, 16);
}

/* ---- certificates and keys ---- */

static void test_loaders_reject_null_data_or_zero_length_without_calling_the_backend(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_add_ca(cfg, NULL, 10), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_cert(cfg, NULL, 10), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, 0), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_key(cfg, NULL, 10, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, 0, NULL), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("no data"));
    assert_int_equal(f->mb->calls.config_load, 0);
}

static void test_loaders_hand_each_item_and_the_password_to_the_backend(void **state)
{
    fx *f = (fx *)*state;
    static const char password[] = "secret";
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(f->mb->last_load_item, TLS_STREAM_ITEM_CA);
    assert_int_equal(f->mb->last_load_len, sizeof CA);
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, sizeof CERT), TLS_STREAM_OK);
    assert_int_equal(f->mb->last_load_item, TLS_STREAM_ITEM_CERT);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, sizeof KEY, password), TLS_STREAM_OK);
    assert_int_equal(f->mb->last_load_item, TLS_STREAM_ITEM_KEY);
    assert_int_equal(f->mb->last_load_len, sizeof KEY);
    assert_ptr_equal(f->mb->last_load_password, password);
    assert_int_equal(f->mb->loads[TLS_STREAM_ITEM_CA], 1);
    assert_int_equal(f->mb->loads[TLS_STREAM_ITEM_CERT], 1);
    assert_int_equal(f->mb->loads[TLS_STREAM_ITEM_KEY], 1);
}

static void test_a_bad_ca_is_reported_with_the_backend_detail_and_not_counted(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    const char *msg = NULL;
    assert_int_equal(tls_stream_config_set_server_name(cfg, "example.com"), TLS_STREAM_OK);
    mock_script_set(&f->mb->config_load, 1, TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(tls_stream_config_error_detail(cfg, &msg), MOCK_DETAIL_CODE);
    assert_string_equal(msg, "mock config_load failed");
    /* the CA did not count: a verifying client without CA is incomplete */
    assert_int_equal(freeze(f), TLS_STREAM_ERR_CONFIG);
    assert_null(f->s);
}

static void test_a_bad_certificate_is_reported_and_not_counted(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    mock_script_set(&f->mb->config_load, 1, TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, sizeof CERT), TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, sizeof KEY, NULL), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_ERR_CONFIG); /* key without certificate */
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("private key without certificate"));
}

static void test_a_bad_key_is_reported_and_not_counted(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    const char *msg = NULL;
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, sizeof CERT), TLS_STREAM_OK);
    mock_script_set(&f->mb->config_load, 1, TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, sizeof KEY, "wrong"), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(tls_stream_config_error_detail(cfg, &msg), MOCK_DETAIL_CODE);
    assert_string_equal(msg, "mock config_load failed");
    assert_int_equal(freeze(f), TLS_STREAM_ERR_CONFIG); /* certificate without key */
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("certificate without private key"));
}

/* ---- PSK setters ---- */

static void test_client_psk_key_of_33_bytes_is_a_bad_key(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    unsigned char key[33] = { 1 };
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, key, 33), TLS_STREAM_ERR_BAD_KEY);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, key, 32), TLS_STREAM_OK);
}

/*
 * tls_stream.h: "TLS_STREAM_ERR_ARG (bad length), TLS_STREAM_ERR_BAD_KEY (key too long)".
 * An empty key is a bad length, not a key too long.
 */
static void test_client_psk_key_of_0_bytes_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, PSK_KEY, 0), TLS_STREAM_ERR_ARG);
}

static void test_client_psk_identity_of_129_bytes_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    unsigned char id[129];
    memset(id, 'i', sizeof id);
    assert_int_equal(tls_stream_config_set_psk(cfg, id, 129, PSK_KEY, 16), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("PSK identity must be 0..128 bytes"));
    assert_int_equal(tls_stream_config_set_psk(cfg, NULL, 2, PSK_KEY, 16), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_psk(cfg, id, 2, NULL, 16), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_psk(cfg, id, 128, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.psk_identity_len, 128);
}

/* the empty identity is a valid TLS identity: the core passes it on (a
 * backend that cannot send it refuses it when the configuration freezes) */
static void test_client_psk_empty_identity_reaches_the_backend(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_psk(cfg, "", 0, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_non_null(f->mb->settings.psk_identity);
    assert_int_equal(f->mb->settings.psk_identity_len, 0);
    assert_int_equal(f->mb->settings.psk_key_len, 16);
}

static void test_client_psk_on_a_server_config_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_STATE);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("client PSK set on a server configuration"));
}

static void test_server_psk_setters_on_a_client_config_are_state_errors(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_psk_lookup(cfg, lookup_stub, NULL), TLS_STREAM_ERR_STATE);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("server PSK set on a client configuration"));
    assert_int_equal(tls_stream_config_add_psk(cfg, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_STATE);
    assert_int_equal(tls_stream_config_load_psk_table(cfg, "id:00\n", 6), TLS_STREAM_ERR_STATE);
}

static void test_psk_after_a_certificate_is_a_config_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *client = new_config(f, TLS_STREAM_CLIENT);
    tls_stream_config *server = NULL;
    assert_int_equal(tls_stream_config_set_cert(client, CERT, sizeof CERT), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(client, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_CONFIG);
    assert_string_equal(detail_msg(client), TLS_STREAM_MSG("PSK and a certificate on the same side are exclusive"));

    assert_int_equal(tls_stream_config_new(&server, &f->mb->backend, TLS_STREAM_SERVER, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_key(server, KEY, sizeof KEY, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(server, "id", 2, PSK_KEY, 16), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(tls_stream_config_set_psk_lookup(server, lookup_stub, NULL), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(tls_stream_config_load_psk_table(server, "id:00", 5), TLS_STREAM_ERR_CONFIG);
    tls_stream_config_free(server);
}

static void test_psk_after_a_ca_is_allowed(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk(cfg, "id", 2, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
}

static void test_certificate_or_key_after_a_psk_is_a_config_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *client = new_config(f, TLS_STREAM_CLIENT);
    tls_stream_config *server = NULL;
    assert_int_equal(tls_stream_config_set_psk(client, "id", 2, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_cert(client, CERT, sizeof CERT), TLS_STREAM_ERR_CONFIG);
    assert_string_equal(detail_msg(client), TLS_STREAM_MSG("PSK and a certificate on the same side are exclusive"));
    assert_int_equal(tls_stream_config_set_key(client, KEY, sizeof KEY, NULL), TLS_STREAM_ERR_CONFIG);

    assert_int_equal(tls_stream_config_new(&server, &f->mb->backend, TLS_STREAM_SERVER, &f->ca.alloc), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk_lookup(server, lookup_stub, NULL), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_cert(server, CERT, sizeof CERT), TLS_STREAM_ERR_CONFIG);
    assert_int_equal(tls_stream_config_set_key(server, KEY, sizeof KEY, NULL), TLS_STREAM_ERR_CONFIG);
    tls_stream_config_free(server);
    assert_int_equal(f->mb->calls.config_load, 0);
}

static void test_set_psk_lookup_rejects_a_null_function(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_set_psk_lookup(cfg, NULL, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(freeze(f), TLS_STREAM_ERR_CONFIG); /* still no PSK, no certificate */
}

/* ---- server name ---- */

static void test_server_name_of_0_or_254_characters_is_a_bad_argument(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    char name[255];
    fill(name, 254, 'a');
    assert_int_equal(tls_stream_config_set_server_name(cfg, ""), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("server name must be 1..253 characters"));
    assert_int_equal(tls_stream_config_set_server_name(cfg, name), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_server_name(cfg, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(f->ca.live_blocks, 2); /* nothing copied */
    fill(name, 253, 'a');
    assert_int_equal(tls_stream_config_set_server_name(cfg, name), TLS_STREAM_OK);
}

static void test_setting_the_server_name_twice_keeps_the_last(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_server_name(cfg, "first.example"), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_server_name(cfg, "second.example"), TLS_STREAM_OK);
    assert_int_equal(f->ca.live_blocks, 3);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(tls_stream_handshake(f->s), TLS_STREAM_OK);
    assert_string_equal(f->mb->server_name, "second.example");
}

/* ---- ALPN ---- */

static void test_alpn_rejects_a_null_or_empty_list(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    const char *const empty[] = { NULL };
    assert_int_equal(tls_stream_config_set_alpn(cfg, NULL), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_alpn(cfg, empty), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("ALPN names are 1..255 bytes, 1..16 of them"));
}

static void test_alpn_rejects_an_empty_name_and_a_name_of_256_characters(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    char name[257];
    const char *list[3] = { "h2", "", NULL };
    assert_int_equal(tls_stream_config_set_alpn(cfg, list), TLS_STREAM_ERR_ARG);
    fill(name, 256, 'p');
    list[1] = name;
    assert_int_equal(tls_stream_config_set_alpn(cfg, list), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("ALPN names are 1..255 bytes, 1..16 of them"));
    assert_int_equal(f->ca.live_blocks, 2);
    fill(name, 255, 'p');
    assert_int_equal(tls_stream_config_set_alpn(cfg, list), TLS_STREAM_OK);
}

static void test_alpn_rejects_17_names_and_accepts_16(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    const char *list[18];
    size_t i;
    for (i = 0; i < 17; i++)
        list[i] = "proto";
    list[17] = NULL;
    assert_int_equal(tls_stream_config_set_alpn(cfg, list), TLS_STREAM_ERR_ARG);
    list[16] = NULL;
    assert_int_equal(tls_stream_config_set_alpn(cfg, list), TLS_STREAM_OK);
}

static void test_alpn_on_a_backend_without_the_capability_is_unsupported(void **state)
{
    fx *f = (fx *)*state;
    const char *const list[] = { "h2", NULL };
    tls_stream_config *cfg;
    f->mb->backend.caps = TLS_STREAM_CAP_PSK;
    cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_alpn(cfg, list), TLS_STREAM_ERR_UNSUPPORTED);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("backend has no ALPN"));
}

static void test_alpn_list_is_copied_and_reaches_the_backend_in_order(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    char first[8] = "h2";
    const char *list[4] = { first, "http/1.1", "mqtt", NULL };
    const char *const *got;
    assert_int_equal(tls_stream_config_set_alpn(cfg, (const char *const *)list), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_alpn(cfg, (const char *const *)list), TLS_STREAM_OK); /* replaces */
    first[0] = 'X'; /* the caller's copy changes; the configuration's does not */
    list[1] = NULL;
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    got = f->mb->settings.alpn;
    assert_non_null(got);
    assert_string_equal(got[0], "h2");
    assert_string_equal(got[1], "http/1.1");
    assert_string_equal(got[2], "mqtt");
    assert_null(got[3]);
}

/* ---- validation at the first tls_stream_new() ---- */

static void expect_freeze_config_error(fx *f, const char *why)
{
    assert_int_equal(freeze(f), TLS_STREAM_ERR_CONFIG);
    assert_null(f->s);
    assert_int_equal(f->mb->calls.config_finish, 0);
    assert_string_equal(detail_msg(f->cfg), why);
}

static void test_verifying_client_without_ca_or_psk_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_server_name(cfg, "example.com"), TLS_STREAM_OK);
    expect_freeze_config_error(f, TLS_STREAM_MSG("a verifying client needs a CA (or PSK)"));
}

static void test_optional_verifying_client_without_ca_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_OPTIONAL), TLS_STREAM_OK);
    expect_freeze_config_error(f, TLS_STREAM_MSG("a verifying client needs a CA (or PSK)"));
}

static void test_client_with_verify_none_needs_no_ca(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_NONE), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_non_null(f->s);
    assert_int_equal(f->mb->settings.verify, TLS_STREAM_VERIFY_NONE);
    assert_int_equal(f->mb->settings.has_ca, 0);
}

static void test_client_psk_without_ca_is_valid_and_verifies_no_certificate(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    const tls_stream_settings *st = &f->mb->settings;
    assert_int_equal(tls_stream_config_set_psk(cfg, "client1", 7, PSK_KEY, sizeof PSK_KEY), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(st->verify, TLS_STREAM_VERIFY_NONE);
    assert_int_equal(st->psk_identity_len, 7);
    assert_memory_equal(st->psk_identity, "client1", 7);
    assert_int_equal(st->psk_key_len, sizeof PSK_KEY);
    assert_memory_equal(st->psk_key, PSK_KEY, sizeof PSK_KEY);
    assert_null(st->psk_lookup);
}

static void test_server_without_certificate_or_psk_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    new_config(f, TLS_STREAM_SERVER);
    expect_freeze_config_error(f, TLS_STREAM_MSG("a server needs a certificate and key, or PSK"));
}

static void test_certificate_without_key_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_set_cert(cfg, CERT, sizeof CERT), TLS_STREAM_OK);
    expect_freeze_config_error(f, TLS_STREAM_MSG("certificate without private key"));
}

static void test_key_without_certificate_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_key(cfg, KEY, sizeof KEY, NULL), TLS_STREAM_OK);
    expect_freeze_config_error(f, TLS_STREAM_MSG("private key without certificate"));
}

static void test_psk_server_asking_for_client_certificates_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(cfg, "id", 2, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_OPTIONAL), TLS_STREAM_OK);
    expect_freeze_config_error(f, TLS_STREAM_MSG("a PSK server cannot ask for client certificates"));
}

static void test_verifying_server_without_ca_fails_at_first_stream(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_cert_server(f);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_REQUIRED), TLS_STREAM_OK);
    expect_freeze_config_error(f, TLS_STREAM_MSG("verifying client certificates needs a CA"));
}

static void test_verifying_server_with_ca_asks_for_client_certificates(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_cert_server(f);
    assert_int_equal(tls_stream_config_add_ca(cfg, CA, sizeof CA), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_REQUIRED), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.verify, TLS_STREAM_VERIFY_REQUIRED);
    assert_int_equal(f->mb->settings.has_ca, 1);
    assert_int_equal(f->mb->settings.has_cert, 1);
}

/* ---- signature algorithms ---- */

static void test_sigalgs_are_copied_and_given_to_the_backend_in_order(void **state)
{
    fx *f = (fx *)*state;
    char first[] = "rsa_pkcs1_sha256";
    const char *names[] = { first, "ecdsa_secp256r1_sha256", NULL };
    new_valid_client(f);
    assert_int_equal(tls_stream_config_set_sigalgs(f->cfg, names), TLS_STREAM_OK);
    first[0] = 'X'; /* copied: the caller's buffer may change */
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_non_null(f->mb->settings.sigalgs);
    assert_string_equal(f->mb->settings.sigalgs[0], "rsa_pkcs1_sha256");
    assert_string_equal(f->mb->settings.sigalgs[1], "ecdsa_secp256r1_sha256");
    assert_null(f->mb->settings.sigalgs[2]);
    assert_int_equal(tls_stream_config_set_sigalgs(f->cfg, names), TLS_STREAM_ERR_STATE);
}

static void test_without_sigalgs_the_backend_default_is_asked_for(void **state)
{
    fx *f = (fx *)*state;
    new_valid_client(f);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_null(f->mb->settings.sigalgs);
}

/* ---- freezing: validate first, freeze only on success ---- */

static void test_a_failed_validation_leaves_the_config_editable_for_the_next_stream(void **state)
{
    fx *f = (fx *)*state;
    new_config(f, TLS_STREAM_SERVER); /* no certificate, no PSK */
    assert_int_equal(freeze(f), TLS_STREAM_ERR_CONFIG);
    assert_null(f->s);
    assert_int_equal(f->mb->calls.config_finish, 0);
    /* not frozen: it can be repaired, and the next stream succeeds */
    assert_int_equal(tls_stream_config_set_cert(f->cfg, CERT, sizeof CERT), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_key(f->cfg, KEY, sizeof KEY, NULL), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.config_finish, 1);
    /* frozen now */
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, 5), TLS_STREAM_ERR_STATE);
}

static void test_a_failed_backend_finish_leaves_the_config_editable_and_is_tried_again(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s2 = NULL;
    const char *msg = NULL;
    new_valid_client(f);
    mock_script_set(&f->mb->config_finish, 1, TLS_STREAM_ERR_BAD_CERT);
    assert_int_equal(tls_stream_new(&s2, f->cfg, &f->io.io), TLS_STREAM_ERR_BAD_CERT);
    assert_null(s2);
    assert_int_equal(tls_stream_config_error_detail(f->cfg, &msg), MOCK_DETAIL_CODE);
    assert_string_equal(msg, "mock config_finish failed");
    assert_int_equal(tls_stream_config_set_timeout(f->cfg, 7), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.config_finish, 2);
    assert_int_equal(f->mb->settings.role, TLS_STREAM_CLIENT);
}

static void test_many_streams_finish_the_backend_config_once(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s2 = NULL;
    new_valid_client(f);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s2, f->cfg, &f->io.io), TLS_STREAM_OK);
    assert_int_equal(f->mb->calls.config_finish, 1);
    tls_stream_free(s2);
}

/* ---- settings contents ---- */

static void test_server_psk_table_is_given_as_the_cores_table_lookup(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    const tls_stream_settings *st = &f->mb->settings;
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    assert_int_equal(tls_stream_config_add_psk(cfg, "alice", 5, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_add_psk(cfg, "bob", 3, PSK_KEY + 8, 8), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_true(st->psk_lookup == tls_stream_psk_table_lookup);
    assert_null(st->psk_key);
    assert_int_equal(st->psk_lookup(st->psk_lookup_arg, (const unsigned char *)"bob", 3, key,
                                    sizeof key),
                     8);
    assert_memory_equal(key, PSK_KEY + 8, 8);
    assert_int_equal(st->psk_lookup(st->psk_lookup_arg, (const unsigned char *)"alice", 5, key,
                                    sizeof key),
                     16);
    assert_memory_equal(key, PSK_KEY, 16);
    assert_int_equal(st->psk_lookup(st->psk_lookup_arg, (const unsigned char *)"carol", 5, key,
                                    sizeof key),
                     TLS_STREAM_ERR_PSK_IDENTITY);
}

static void test_user_psk_lookup_is_given_as_is_and_wins_over_the_table(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_SERVER);
    int marker = 0;
    assert_int_equal(tls_stream_config_add_psk(cfg, "alice", 5, PSK_KEY, 16), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_psk_lookup(cfg, lookup_stub, &marker), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_true(f->mb->settings.psk_lookup == lookup_stub);
    assert_ptr_equal(f->mb->settings.psk_lookup_arg, &marker);
}

static void test_entropy_and_debug_hooks_reach_the_backend(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    int e_arg = 0, d_arg = 0;
    assert_int_equal(tls_stream_config_set_entropy(cfg, NULL, NULL), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("no entropy function"));
    assert_int_equal(tls_stream_config_set_entropy(cfg, entropy_stub, &e_arg), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_debug(cfg, debug_stub, &d_arg, 3), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_true(f->mb->settings.entropy == entropy_stub);
    assert_ptr_equal(f->mb->settings.entropy_arg, &e_arg);
    assert_true(f->mb->settings.debug == debug_stub);
    assert_ptr_equal(f->mb->settings.debug_arg, &d_arg);
    assert_int_equal(f->mb->settings.debug_level, 3);
}

static void test_debug_level_is_0_without_a_function_or_with_a_negative_level(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    assert_int_equal(tls_stream_config_set_debug(cfg, debug_stub, NULL, -2), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_debug(cfg, NULL, NULL, 4), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_null(f->mb->settings.debug);
    assert_int_equal(f->mb->settings.debug_level, 0);
}

/* ---- resumption and fragment length ---- */

static void test_session_tickets_and_cache_reach_the_backend(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_cert_server(f);
    assert_int_equal(tls_stream_config_set_session_tickets(cfg, 3600), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 100, 300), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.ticket_lifetime, 3600);
    assert_int_equal(f->mb->settings.cache_entries, 100);
    assert_int_equal(f->mb->settings.cache_timeout, 300);
}

static void test_session_tickets_reject_a_negative_lifetime(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_cert_server(f);
    assert_int_equal(tls_stream_config_set_session_tickets(cfg, -1), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("negative ticket lifetime"));
    assert_int_equal(tls_stream_config_set_session_tickets(cfg, 0), TLS_STREAM_OK);
}

static void test_session_cache_rejects_negative_values_and_entries_without_timeout(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_cert_server(f);
    assert_int_equal(tls_stream_config_set_session_cache(cfg, -1, 60), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 10, -1), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 10, 0), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("session cache needs entries and a timeout"));
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 0, 0), TLS_STREAM_OK);
}

static void test_server_resumption_settings_on_a_client_are_state_errors(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_session_tickets(cfg, 60), TLS_STREAM_ERR_STATE);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("a server setting on a client configuration"));
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 10, 60), TLS_STREAM_ERR_STATE);
}

static void test_resumption_on_a_backend_without_the_capability_is_unsupported(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg;
    f->mb->backend.caps &= ~TLS_STREAM_CAP_RESUME;
    f->mb->backend.session_save = NULL;
    cfg = new_config(f, TLS_STREAM_SERVER);
    assert_int_equal(tls_stream_config_set_session_tickets(cfg, 60), TLS_STREAM_ERR_UNSUPPORTED);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("not supported by the backend"));
    assert_int_equal(tls_stream_config_set_session_cache(cfg, 10, 60), TLS_STREAM_ERR_UNSUPPORTED);
}

static void test_max_fragment_accepts_the_four_rfc_lengths_and_0(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 512), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 1024), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 4096), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 0), TLS_STREAM_OK);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 2048), TLS_STREAM_OK);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(f->mb->settings.max_fragment, 2048);
}

static void test_max_fragment_rejects_other_lengths(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_valid_client(f);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 1000), TLS_STREAM_ERR_ARG);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("max fragment is 512, 1024, 2048 or 4096"));
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 256), TLS_STREAM_ERR_ARG);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 8192), TLS_STREAM_ERR_ARG);
}

static void test_max_fragment_on_a_server_is_a_state_error(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_cert_server(f);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 512), TLS_STREAM_ERR_STATE);
    assert_string_equal(detail_msg(cfg), TLS_STREAM_MSG("a client setting on a server configuration"));
}

static void test_max_fragment_on_a_backend_without_the_capability_is_unsupported(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg;
    f->mb->backend.caps &= ~TLS_STREAM_CAP_MAX_FRAGMENT;
    cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_set_max_fragment(cfg, 512), TLS_STREAM_ERR_UNSUPPORTED);
}

/* ---- reference counting ---- */

static void test_config_outlives_its_owner_while_a_stream_holds_it(void **state)
{
    fx *f = (fx *)*state;
    new_valid_client(f);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    tls_stream_config_free(f->cfg);
    f->cfg = NULL;
    assert_int_equal(f->mb->calls.config_free, 0);
    assert_int_equal(f->mb->configs_live, 1);
    /* the stream still works on it */
    assert_int_equal(tls_stream_write(f->s, "x", 1), 1);
    tls_stream_free(f->s);
    f->s = NULL;
    assert_int_equal(f->mb->calls.config_free, 1);
    assert_int_equal(f->ca.live_bytes, 0);
}

static void test_config_ref_adds_a_reference_released_by_free(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_ptr_equal(tls_stream_config_ref(cfg), cfg);
    tls_stream_config_free(cfg);
    assert_int_equal(f->mb->calls.config_free, 0);
    assert_int_equal(tls_stream_config_set_verify(cfg, TLS_STREAM_VERIFY_NONE), TLS_STREAM_OK); /* still alive */
    tls_stream_config_free(cfg);
    f->cfg = NULL;
    assert_int_equal(f->mb->calls.config_free, 1);
    assert_int_equal(f->ca.live_bytes, 0);
}

static void test_the_last_of_many_releases_frees_the_backend_config_once(void **state)
{
    fx *f = (fx *)*state;
    tls_stream *s2 = NULL;
    new_valid_client(f);
    tls_stream_config_ref(f->cfg);
    assert_int_equal(freeze(f), TLS_STREAM_OK);
    assert_int_equal(tls_stream_new(&s2, f->cfg, &f->io.io), TLS_STREAM_OK);
    tls_stream_config_free(f->cfg);
    tls_stream_free(f->s);
    f->s = NULL;
    tls_stream_config_free(f->cfg);
    f->cfg = NULL;
    assert_int_equal(f->mb->calls.config_free, 0);
    tls_stream_free(s2);
    assert_int_equal(f->mb->calls.config_free, 1);
}

static void test_null_is_ignored_by_ref_and_free(void **state)
{
    (void)state;
    assert_null(tls_stream_config_ref(NULL));
    tls_stream_config_free(NULL);
}

/* ---- error detail ---- */

static void test_config_error_detail_of_null_is_empty(void **state)
{
    const char *msg = NULL;
    (void)state;
    assert_int_equal(tls_stream_config_error_detail(NULL, &msg), 0);
    assert_string_equal(msg, "");
    assert_int_equal(tls_stream_config_error_detail(NULL, NULL), 0);
}

static void test_config_error_detail_is_empty_before_any_failure(void **state)
{
    fx *f = (fx *)*state;
    tls_stream_config *cfg = new_config(f, TLS_STREAM_CLIENT);
    assert_int_equal(tls_stream_config_error_detail(cfg, NULL), 0);
    assert_string_equal(detail_msg(cfg), "");
}

/* ---- allocation failure ---- */

/* A client built with every allocating setter, one stream, one handshake. */
static int client_scenario(counting_alloc *ca, mock_io *io)
{
    mock_backend *mb = mock_backend_reset();
    const char *const alpn[] = { "h2", "http/1.1", NULL };
    tls_stream_config *cfg = NULL;
    tls_stream *s = NULL;
    int rc = tls_stream_config_new(&cfg, &mb->backend, TLS_STREAM_CLIENT, &ca->alloc);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_add_ca(cfg, CA, sizeof CA);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_server_name(cfg, "example.com");
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_set_alpn(cfg, alpn);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_new(&s, cfg, &io->io);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_set_server_name(s, "override.example");
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_session_load(s, (const unsigned char *)"saved-session", 13);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_handshake(s);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_write(s, "ping", 4) == 4 ? TLS_STREAM_OK : TLS_STREAM_ERR_INTERNAL;
    tls_stream_free(s);
    tls_stream_config_free(cfg);
    if (mb->violations != 0)
        fail_msg("backend contract breach: %s", mb->violation);
    return rc;
}

/* A PSK server: table text, one more entry, one stream, one handshake. */
static int server_scenario(counting_alloc *ca, mock_io *io)
{
    static const char table[] = "# clients\nalpha:00112233\r\nbeta:44556677\ngamma:8899\n";
    mock_backend *mb = mock_backend_reset();
    tls_stream_config *cfg = NULL;
    tls_stream *s = NULL;
    int rc = tls_stream_config_new(&cfg, &mb->backend, TLS_STREAM_SERVER, &ca->alloc);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_load_psk_table(cfg, table, sizeof table - 1);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_config_add_psk(cfg, "delta", 5, PSK_KEY, 16);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_new(&s, cfg, &io->io);
    if (rc == TLS_STREAM_OK)
        rc = tls_stream_handshake(s);
    tls_stream_free(s);
    tls_stream_config_free(cfg);
    if (mb->violations != 0)
        fail_msg("backend contract breach: %s", mb->violation);
    return rc;
}

static void sweep_allocation_failures(fx *f, int (*scenario)(counting_alloc *, mock_io *),
                                      unsigned long expected_min)
{
    unsigned long total, n;
    counting_alloc_init(&f->ca);
    assert_int_equal(scenario(&f->ca, &f->io), TLS_STREAM_OK);
    assert_int_equal(f->ca.live_bytes, 0);
    total = f->ca.allocs;
    assert_true(total >= expected_min);
    for (n = 1; n <= total; n++) {
        int rc;
        counting_alloc_init(&f->ca);
        f->ca.fail_at = n;
        rc = scenario(&f->ca, &f->io);
        if (rc != TLS_STREAM_ERR_NOMEM)
            fail_msg("allocation %lu of %lu refused: got %d, want TLS_STREAM_ERR_NOMEM", n, total, rc);
        assert_int_equal(f->ca.failed, 1);
        if (!counting_alloc_clean(&f->ca))
            fail_msg("allocation %lu of %lu refused: %lu bytes in %lu blocks live, %lu bad frees",
                     n, total, (unsigned long)f->ca.live_bytes,
                     (unsigned long)f->ca.live_blocks, f->ca.bad_frees);
    }
    counting_alloc_init(&f->ca);
    mock_backend_reset();
}

static void test_every_failed_allocation_of_a_client_gives_nomem_and_leaks_nothing(void **state)
{
    /* tls_stream_config, mock config, name, ALPN, stream, stream name, resume blob, mock session */
    sweep_allocation_failures((fx *)*state, client_scenario, 8);
}

static void test_every_failed_allocation_of_a_psk_server_gives_nomem_and_leaks_nothing(void **state)
{
    /* tls_stream_config, mock config, 3 table entries, 1 entry, stream, mock session */
    sweep_allocation_failures((fx *)*state, server_scenario, 8);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, unit_fx_setup, unit_fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_config_new_rejects_a_null_out),
        T(test_config_new_rejects_a_null_backend_and_clears_out),
        T(test_config_new_rejects_a_backend_of_another_version),
        T(test_config_new_rejects_an_unknown_role),
        T(test_config_new_rejects_an_allocator_without_functions),
        T(test_config_new_propagates_a_backend_failure_and_leaks_nothing),
        T(test_config_new_gives_the_backend_the_role_and_the_callers_allocator),
        T(test_config_new_without_allocator_uses_the_platform_default),
        T(test_client_verifies_by_default),
        T(test_server_does_not_ask_for_client_certificates_by_default),
        T(test_every_setter_fails_with_state_once_a_client_config_is_frozen),
        T(test_every_server_psk_setter_fails_with_state_once_frozen),
        T(test_setters_reject_a_null_config),
        T(test_set_verify_rejects_an_unknown_mode),
        T(test_set_verify_optional_reaches_the_backend),
        T(test_verify_depth_accepts_1_to_16_and_rejects_0_and_17),
        T(test_loaders_reject_null_data_or_zero_length_without_calling_the_backend),
        T(test_loaders_hand_each_item_and_the_password_to_the_backend),
        T(test_a_bad_ca_is_reported_with_the_backend_detail_and_not_counted),
        T(test_a_bad_certificate_is_reported_and_not_counted),
        T(test_a_bad_key_is_reported_and_not_counted),
        T(test_client_psk_key_of_33_bytes_is_a_bad_key),
        T(test_client_psk_key_of_0_bytes_is_a_bad_argument),
        T(test_client_psk_identity_of_129_bytes_is_a_bad_argument),
        T(test_client_psk_empty_identity_reaches_the_backend),
        T(test_client_psk_on_a_server_config_is_a_state_error),
        T(test_server_psk_setters_on_a_client_config_are_state_errors),
        T(test_psk_after_a_certificate_is_a_config_error),
        T(test_psk_after_a_ca_is_allowed),
        T(test_certificate_or_key_after_a_psk_is_a_config_error),
        T(test_set_psk_lookup_rejects_a_null_function),
        T(test_server_name_of_0_or_254_characters_is_a_bad_argument),
        T(test_setting_the_server_name_twice_keeps_the_last),
        T(test_alpn_rejects_a_null_or_empty_list),
        T(test_alpn_rejects_an_empty_name_and_a_name_of_256_characters),
        T(test_alpn_rejects_17_names_and_accepts_16),
        T(test_alpn_on_a_backend_without_the_capability_is_unsupported),
        T(test_alpn_list_is_copied_and_reaches_the_backend_in_order),
        T(test_verifying_client_without_ca_or_psk_fails_at_first_stream),
        T(test_optional_verifying_client_without_ca_fails_at_first_stream),
        T(test_client_with_verify_none_needs_no_ca),
        T(test_client_psk_without_ca_is_valid_and_verifies_no_certificate),
        T(test_server_without_certificate_or_psk_fails_at_first_stream),
        T(test_certificate_without_key_fails_at_first_stream),
        T(test_key_without_certificate_fails_at_first_stream),
        T(test_psk_server_asking_for_client_certificates_fails_at_first_stream),
        T(test_verifying_server_without_ca_fails_at_first_stream),
        T(test_verifying_server_with_ca_asks_for_client_certificates),
        T(test_sigalgs_are_copied_and_given_to_the_backend_in_order),
        T(test_without_sigalgs_the_backend_default_is_asked_for),
        T(test_a_failed_validation_leaves_the_config_editable_for_the_next_stream),
        T(test_a_failed_backend_finish_leaves_the_config_editable_and_is_tried_again),
        T(test_many_streams_finish_the_backend_config_once),
        T(test_server_psk_table_is_given_as_the_cores_table_lookup),
        T(test_user_psk_lookup_is_given_as_is_and_wins_over_the_table),
        T(test_entropy_and_debug_hooks_reach_the_backend),
        T(test_debug_level_is_0_without_a_function_or_with_a_negative_level),
        T(test_session_tickets_and_cache_reach_the_backend),
        T(test_session_tickets_reject_a_negative_lifetime),
        T(test_session_cache_rejects_negative_values_and_entries_without_timeout),
        T(test_server_resumption_settings_on_a_client_are_state_errors),
        T(test_resumption_on_a_backend_without_the_capability_is_unsupported),
        T(test_max_fragment_accepts_the_four_rfc_lengths_and_0),
        T(test_max_fragment_rejects_other_lengths),
        T(test_max_fragment_on_a_server_is_a_state_error),
        T(test_max_fragment_on_a_backend_without_the_capability_is_unsupported),
        T(test_config_outlives_its_owner_while_a_stream_holds_it),
        T(test_config_ref_adds_a_reference_released_by_free),
        T(test_the_last_of_many_releases_frees_the_backend_config_once),
        T(test_null_is_ignored_by_ref_and_free),
        T(test_config_error_detail_of_null_is_empty),
        T(test_config_error_detail_is_empty_before_any_failure),
        T(test_every_failed_allocation_of_a_client_gives_nomem_and_leaks_nothing),
        T(test_every_failed_allocation_of_a_psk_server_gives_nomem_and_leaks_nothing),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
