/*
 * mbedtls backend: the configuration (CA chain, own certificate and key,
 * RNG, cipher suites, verification, PSK, ALPN, debug output).
 */
#include <string.h>

#include "mbedtls_internal.h"
#include "../common/backend_settings.h"

/* PSK configurations offer these and nothing else (TLS 1.3 when built in;
 * then TLS 1.2: forward secret ECDHE-PSK first, then plain PSK with AEAD,
 * then CBC). Suites this mbedtls
 * build lacks are left out when the list is built. */
static const int psk_suites[] = {
    TLS_STREAM_MBC_TLS13_PSK_SUITES
    MBEDTLS_TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384,
    MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_PSK_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_PSK_WITH_AES_256_CCM,
    MBEDTLS_TLS_PSK_WITH_AES_128_CCM,
    MBEDTLS_TLS_PSK_WITH_AES_256_CCM_8,
    MBEDTLS_TLS_PSK_WITH_AES_128_CCM_8,
    MBEDTLS_TLS_PSK_WITH_AES_256_CBC_SHA384,
    MBEDTLS_TLS_PSK_WITH_AES_128_CBC_SHA256,
};

static const unsigned char rng_personalization[] = "tls_stream";

/* The DRBG's entropy callback. mbedtls 3.x's entropy pool allocates (its
 * hash context), and the DRBG turns every entropy error into
 * ENTROPY_SOURCE_FAILED: keep the real code, so that an allocation
 * failure can be told from a broken source. */
static int pool_entropy(void *p, unsigned char *out, size_t len)
{
    tls_stream_mbt_config *cfg = p;
    int ret = mbedtls_entropy_func(&cfg->entropy_ctx, out, len);

    if (ret != 0)
        cfg->entropy_error = ret;
    return ret;
}

/* Seed (or, when already seeded, reseed) the DRBG from every entropy source
 * registered so far. Returns the entropy pool's own error when it failed. */
static int seed_rng(tls_stream_mbt_config *cfg)
{
    int ret;

    cfg->entropy_error = 0;
    if (cfg->rng_seeded)
        ret = mbedtls_ctr_drbg_reseed(&cfg->drbg, NULL, 0);
    else
        ret = mbedtls_ctr_drbg_seed(&cfg->drbg, pool_entropy, cfg, rng_personalization,
                                    sizeof rng_personalization - 1);
    if (ret == 0)
        cfg->rng_seeded = 1;
    return ret != 0 && cfg->entropy_error != 0 ? cfg->entropy_error : ret;
}

/* The RNG given to mbedtls 3.x key parsing, which may come before
 * config_finish: seeds from the platform source on first use. mbedtls 2.28
 * never calls it. */
int tls_stream_mbt_lazy_rng(void *p, unsigned char *out, size_t len)
{
    tls_stream_mbt_config *cfg = p;
    int ret;

    if (!cfg->rng_seeded && (ret = seed_rng(cfg)) != 0)
        return ret;
    return TLS_STREAM_MBT_RNG(&cfg->drbg, out, len);
}

static int user_entropy(void *p, unsigned char *out, size_t len, size_t *olen)
{
    const tls_stream_mbt_config *cfg = p;

    if (cfg->entropy == NULL || cfg->entropy(cfg->entropy_arg, out, len) != 0)
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    *olen = len;
    return 0;
}

/* mbedtls's lines end in '\n'; ours do not. Each configuration keeps to its
 * own level even though mbedtls's threshold is process-wide. */
static void debug_line(void *p, int level, const char *file, int line, const char *str)
{
    const tls_stream_mbt_config *cfg = p;
    char buf[512];
    size_t n = strlen(str);

    (void)file;
    (void)line;
    if (level > cfg->debug_level)
        return;
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, str, n);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    cfg->debug(cfg->debug_arg, level, buf);
}

/* Server PSK: ask the application for the key of identity. On refusal
 * mbedtls sends unknown_psk_identity; psk_status lets the handshake slot
 * report TLS_STREAM_ERR_PSK_IDENTITY rather than a generic failure. */
static int psk_callback(void *p, mbedtls_ssl_context *ssl,
                        const unsigned char *identity, size_t identity_len)
{
    const tls_stream_mbt_config *cfg = p;
    tls_stream_mbt_session *s = (tls_stream_mbt_session *)(void *)ssl; /* ssl is its first member */
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    size_t n;
    int status, ret = -1;

    status = tls_stream_bk_psk_lookup(cfg->psk_lookup, cfg->psk_lookup_arg, identity, identity_len, key,
                                      sizeof key, &n);
    if (status != TLS_STREAM_OK) {
        s->psk_status = status;
    } else if ((ret = mbedtls_ssl_set_hs_psk(ssl, key, n)) != 0) {
        s->psk_status = tls_stream_mbt_is_alloc_failure(ret) ? TLS_STREAM_ERR_NOMEM : TLS_STREAM_ERR_INTERNAL;
    } else {
        s->ext_psk_used = 1; /* TLS 1.3: this PSK, not a ticket, was taken */
    }
    mbedtls_platform_zeroize(key, sizeof key);
    return ret;
}

int tls_stream_mbt_config_new(const tls_stream_backend_env *env, void **out)
{
    tls_stream_mbt_config *cfg;
    int ret;

    *out = NULL;
    if (env->alloc == NULL || env->detail == NULL)
        return TLS_STREAM_ERR_ARG;
    if (env->role == TLS_STREAM_CLIENT ? !TLS_STREAM_MBC_CAP_CLIENT : !TLS_STREAM_MBC_CAP_SERVER)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_UNSUPPORTED, 0,
                                     TLS_STREAM_MSG("this mbedtls build lacks the role"));
    if ((ret = tls_stream_mbc_crypto_init()) != 0)
        return tls_stream_mbt_config_error(env->detail, TLS_STREAM_ERR_INTERNAL, ret,
                                           TLS_STREAM_MSG("PSA crypto init"));
    if ((cfg = tls_stream_bk_zalloc(env->alloc, sizeof *cfg, env->detail)) == NULL)
        return TLS_STREAM_ERR_NOMEM;
    cfg->alloc = env->alloc;
    cfg->detail = env->detail;
    cfg->role = env->role;
    mbedtls_ssl_config_init(&cfg->conf);
    mbedtls_entropy_init(&cfg->entropy_ctx);
    mbedtls_ctr_drbg_init(&cfg->drbg);
    *out = cfg;
    return TLS_STREAM_OK;
}

int tls_stream_mbt_config_load(void *vcfg, tls_stream_item item, const unsigned char *data,
                        size_t len, const char *password)
{
    /* the core checks state, item and data first (tls_stream_backend.config_load) */
    return tls_stream_mbt_certs_load(vcfg, item, data, len, password);
}

/* The rules of every backend (backend_checks.c) with mbedtls's limits. */
static int check_settings(tls_stream_mbt_config *cfg, const tls_stream_settings *st)
{
    /* mbedtls takes an empty identity for "no PSK" and offers no PSK suite.
     * What this build cannot have (a server, certificates) is a constant,
     * so the compiler drops the rules about it. */
    const tls_stream_bk_held h = {
        TLS_STREAM_MBT_SERVER(cfg) ? TLS_STREAM_SERVER : TLS_STREAM_CLIENT, cfg->has_ca,
        TLS_STREAM_MBT_HAS_CERT(cfg), TLS_STREAM_MBC_CAP_CERTS && cfg->has_key, cfg->is_psk,
        TLS_STREAM_PSK_MAX_KEY < MBEDTLS_PSK_MAX_LEN ? TLS_STREAM_PSK_MAX_KEY : MBEDTLS_PSK_MAX_LEN, 0,
        TLS_STREAM_MSG("mbedtls cannot send an empty PSK identity")};

    return tls_stream_bk_check_settings(&h, st, cfg->detail);
}

static int authmode(tls_stream_role role, tls_stream_verify verify)
{
    if (verify == TLS_STREAM_VERIFY_NONE)
        return MBEDTLS_SSL_VERIFY_NONE;
    if (role == TLS_STREAM_SERVER && verify == TLS_STREAM_VERIFY_OPTIONAL)
        return MBEDTLS_SSL_VERIFY_OPTIONAL; /* checked after the handshake */
    return MBEDTLS_SSL_VERIFY_REQUIRED;
}

static int set_psk_suites(tls_stream_mbt_config *cfg)
{
    size_t i, n = 0;

    for (i = 0; i < sizeof psk_suites / sizeof psk_suites[0]; i++) {
        if (mbedtls_ssl_ciphersuite_from_id(psk_suites[i]) != NULL &&
            n < TLS_STREAM_MBT_MAX_SUITES - 1)
            cfg->suites[n++] = psk_suites[i];
    }
    cfg->suites[n] = 0;
    if (n == 0)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_UNSUPPORTED, 0,
                              TLS_STREAM_MSG("this mbedtls has no PSK cipher suite"));
    mbedtls_ssl_conf_ciphersuites(&cfg->conf, cfg->suites);
    return TLS_STREAM_OK;
}

/* "what: name" into the detail, with status. */
int tls_stream_mbt_name_error(tls_stream_mbt_config *cfg, int status, const char *what, const char *name)
{
    return tls_stream_bk_name_error(cfg->detail, status, what, name);
}

/* The application's suite list. A PSK configuration takes only plain PSK
 * and ECDHE-PSK suites, a certificate one no PSK suite: no fallback. */
static int set_named_suites(tls_stream_mbt_config *cfg, const char *const *names)
{
    size_t n = 0;

    for (; names[n] != NULL; n++) {
        int id = mbedtls_ssl_get_ciphersuite_id(names[n]);
        const mbedtls_ssl_ciphersuite_t *info = mbedtls_ssl_ciphersuite_from_id(id);
        int kind;

        if (id == 0 || info == NULL || n >= TLS_STREAM_MBT_MAX_SUITES - 1)
            return tls_stream_mbt_name_error(cfg, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("unknown cipher suite"), names[n]);
        kind = tls_stream_mbc_suite_psk_kind(info);
        if (kind != 3 && (cfg->is_psk ? kind != 1 : kind != 0))
            return tls_stream_mbt_name_error(cfg, TLS_STREAM_ERR_CONFIG,
                              cfg->is_psk ? TLS_STREAM_MSG("not a PSK or ECDHE-PSK suite")
                                          : TLS_STREAM_MSG("a PSK suite needs a PSK"),
                              names[n]);
        cfg->suites[n] = id;
        if (kind == 3)
            cfg->has_tls13_suite = 1;
        else
            cfg->has_tls12_suite = 1;
    }
    cfg->suites[n] = 0;
    mbedtls_ssl_conf_ciphersuites(&cfg->conf, cfg->suites);
    return TLS_STREAM_OK;
}

/* A named list speaks only the versions it has suites for: offering TLS 1.3
 * without a TLS 1.3 suite would fail the handshake instead of settling on
 * TLS 1.2 (and the reverse). */
static int clamp_versions(tls_stream_mbt_config *cfg, int *min, int *max)
{
    if (!cfg->has_tls13_suite && *max > TLS_STREAM_TLS1_2)
        *max = TLS_STREAM_TLS1_2;
    if (!cfg->has_tls12_suite && *min < TLS_STREAM_TLS1_3)
        *min = TLS_STREAM_TLS1_3;
    if (*min > *max)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_CONFIG, 0,
                                     TLS_STREAM_MSG("no cipher suite of the allowed versions"));
    tls_stream_mbc_conf_versions(&cfg->conf, *min, *max);
    return TLS_STREAM_OK;
}

static int set_named_groups(tls_stream_mbt_config *cfg, const char *const *names)
{
    size_t n = 0;

    if (!TLS_STREAM_MBC_CAP_GROUPS)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_UNSUPPORTED, 0,
                                     TLS_STREAM_MSG("this mbedtls build has no (EC)DHE groups"));
    for (; names[n] != NULL && n < TLS_STREAM_MAX_GROUPS; n++) {
        if (tls_stream_mbc_group_by_name(names[n], &cfg->groups.ids[n], &cfg->groups.tls_ids[n]) != 0)
            return tls_stream_mbt_name_error(cfg, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("unknown group"), names[n]);
    }
    cfg->groups.ids[n] = MBEDTLS_ECP_DP_NONE;
    cfg->groups.tls_ids[n] = 0;
    tls_stream_mbc_conf_groups(&cfg->conf, &cfg->groups);
    return TLS_STREAM_OK;
}

/* The version range: 0 is the default end (TLS 1.2 up to the newest this
 * mbedtls speaks); the core refused what the capabilities lack already. */
static int check_versions(tls_stream_mbt_config *cfg, const tls_stream_settings *st, int *min,
                          int *max)
{
    *min = st->min_version != 0 ? st->min_version : TLS_STREAM_TLS1_2;
    *max = st->max_version != 0 ? st->max_version : TLS_STREAM_MBC_MAX_VERSION;
    if (*min < TLS_STREAM_TLS1_2 || *max > TLS_STREAM_MBC_MAX_VERSION || *min > *max)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_UNSUPPORTED, 0,
                                     TLS_STREAM_MSG("protocol version not in this mbedtls"));
    return TLS_STREAM_OK;
}

int tls_stream_mbt_config_finish(void *vcfg, const tls_stream_settings *st)
{
    tls_stream_mbt_config *cfg = vcfg;
    tls_stream_detail *d = cfg->detail;
    int status, ret, min, max;

    if (cfg->finished)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("configuration already finished"));
    /* an earlier attempt may have failed half way: start from scratch */
    mbedtls_ssl_config_free(&cfg->conf);
    mbedtls_ssl_config_init(&cfg->conf);
    tls_stream_mbt_resume_free(cfg);
    cfg->is_psk = st->psk_identity != NULL || st->psk_key != NULL || st->psk_lookup != NULL;
    status = check_settings(cfg, st);
    if (status != TLS_STREAM_OK)
        return status;
    cfg->verify = st->verify;
    cfg->verify_depth = st->verify_depth;
    cfg->client_psk = st->psk_key != NULL;
    if ((status = check_versions(cfg, st, &min, &max)) != TLS_STREAM_OK)
        return status;

    if ((status = tls_stream_mbt_certs_check(cfg)) != TLS_STREAM_OK)
        return status;
    if (st->debug != NULL && st->debug_level > 0 && !TLS_STREAM_MBC_CAP_DEBUG)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_UNSUPPORTED, 0,
                                     TLS_STREAM_MSG("this mbedtls build has no debug output"));

    cfg->entropy = st->entropy; /* user_entropy() reads them: a retry may change them */
    cfg->entropy_arg = st->entropy_arg;
    if (st->entropy != NULL && !cfg->entropy_added) {
        ret = mbedtls_entropy_add_source(&cfg->entropy_ctx, user_entropy, cfg,
                                         MBEDTLS_ENTROPY_BLOCK_SIZE,
                                         MBEDTLS_ENTROPY_SOURCE_STRONG);
        if (ret != 0)
            return tls_stream_mbt_config_error(d, TLS_STREAM_ERR_INTERNAL, ret, TLS_STREAM_MSG("entropy source"));
        cfg->entropy_added = 1;
    }
    if ((ret = seed_rng(cfg)) != 0)
        return tls_stream_mbt_config_error(d, TLS_STREAM_ERR_CONFIG, ret, TLS_STREAM_MSG("cannot seed the RNG"));

    ret = mbedtls_ssl_config_defaults(&cfg->conf,
                                      TLS_STREAM_MBT_SERVER(cfg) ? MBEDTLS_SSL_IS_SERVER
                                                              : MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        return tls_stream_mbt_config_error(d, TLS_STREAM_ERR_INTERNAL, ret, TLS_STREAM_MSG("config defaults"));
    tls_stream_mbc_conf_versions(&cfg->conf, min, max);
    tls_stream_mbc_conf_tls13_modes(&cfg->conf, cfg->is_psk);
    if (cfg->role == TLS_STREAM_CLIENT)
        tls_stream_mbc_conf_tls13_tickets(&cfg->conf);
    tls_stream_mbc_conf_no_renegotiation(&cfg->conf);
    mbedtls_ssl_conf_rng(&cfg->conf, TLS_STREAM_MBT_RNG, &cfg->drbg);
    mbedtls_ssl_conf_authmode(&cfg->conf, authmode(cfg->role, st->verify));

    /* mbedtls's debug threshold is a global: set only when asked for, so a
     * configuration without debug output leaves others' setting alone.
     * (Refused above without the debug module: the constant lets the
     * compiler drop this and debug_line() from such a build.) */
    if (TLS_STREAM_MBC_CAP_DEBUG && st->debug != NULL && st->debug_level > 0) {
        cfg->debug = st->debug;
        cfg->debug_arg = st->debug_arg;
        cfg->debug_level = st->debug_level;
        mbedtls_ssl_conf_dbg(&cfg->conf, debug_line, cfg);
        tls_stream_mbc_debug_threshold(st->debug_level > 4 ? 4 : st->debug_level);
    }

    if ((status = tls_stream_mbt_certs_apply(cfg)) != TLS_STREAM_OK)
        return status;

    if (st->psk_key != NULL) {
        ret = mbedtls_ssl_conf_psk(&cfg->conf, st->psk_key, st->psk_key_len,
                                   st->psk_identity, st->psk_identity_len);
        if (ret != 0)
            return tls_stream_mbt_config_error(d, TLS_STREAM_ERR_BAD_KEY, ret, TLS_STREAM_MSG("PSK"));
    }
    if (st->psk_lookup != NULL) {
        cfg->psk_lookup = st->psk_lookup;
        cfg->psk_lookup_arg = st->psk_lookup_arg;
        tls_stream_mbc_conf_psk_cb(&cfg->conf, psk_callback, cfg);
    }
    if (st->ciphersuites != NULL) {
        status = set_named_suites(cfg, st->ciphersuites);
        if (status == TLS_STREAM_OK)
            status = clamp_versions(cfg, &min, &max);
    } else if (cfg->is_psk)
        status = set_psk_suites(cfg);
    if (status != TLS_STREAM_OK)
        return status;
    if (st->groups != NULL && (status = set_named_groups(cfg, st->groups)) != TLS_STREAM_OK)
        return status;
    if ((status = tls_stream_mbt_set_sigalgs(cfg, st->sigalgs)) != TLS_STREAM_OK)
        return status;

    if (st->alpn != NULL && (ret = tls_stream_mbc_conf_alpn(&cfg->conf, st->alpn)) != 0)
        return tls_stream_mbt_config_error(d, ret == MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE
                                           ? TLS_STREAM_ERR_UNSUPPORTED : TLS_STREAM_ERR_ARG,
                                    ret, TLS_STREAM_MSG("ALPN"));

    if (st->max_fragment != 0 && cfg->role == TLS_STREAM_CLIENT &&
        (ret = tls_stream_mbc_conf_max_fragment(&cfg->conf, st->max_fragment)) != 0)
        return tls_stream_mbt_config_error(d, ret == MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE
                                           ? TLS_STREAM_ERR_UNSUPPORTED : TLS_STREAM_ERR_ARG,
                                    ret, TLS_STREAM_MSG("max fragment length"));
    if ((status = tls_stream_mbt_resume_setup(cfg, st)) != TLS_STREAM_OK)
        return status;

    cfg->finished = 1;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_config_free(void *vcfg)
{
    tls_stream_mbt_config *cfg = vcfg;
    const tls_stream_allocator *alloc;

    if (cfg == NULL)
        return;
    alloc = cfg->alloc;
    /* Each of these zeroizes the secrets it holds (PSK, key, DRBG state). */
    tls_stream_mbt_resume_free(cfg);
    mbedtls_ssl_config_free(&cfg->conf);
    mbedtls_ctr_drbg_free(&cfg->drbg);
    mbedtls_entropy_free(&cfg->entropy_ctx);
    tls_stream_mbt_certs_free(cfg);
    tls_stream_bk_free(alloc, cfg, sizeof *cfg);
}
