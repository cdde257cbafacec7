/*
 * OpenSSL backend: the configuration (an SSL_CTX with our certificate, key,
 * CA store, verification, PSK, suites, ALPN and debug output).
 */
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "openssl_internal.h"
#include "../common/backend_settings.h"

int tls_stream_osl_config_new(const tls_stream_backend_env *env, void **out)
{
    tls_stream_osl_config *cfg;

    *out = NULL;
    if (env->alloc == NULL || env->detail == NULL)
        return TLS_STREAM_ERR_ARG;
    if ((cfg = tls_stream_bk_zalloc(env->alloc, sizeof *cfg, env->detail)) == NULL)
        return TLS_STREAM_ERR_NOMEM;
    cfg->alloc = env->alloc;
    cfg->detail = env->detail;
    cfg->role = env->role;
    ERR_clear_error();
    cfg->ctx = SSL_CTX_new(env->role == TLS_STREAM_SERVER ? TLS_server_method() : TLS_client_method());
    cfg->bio_method = cfg->ctx != NULL ? tls_stream_osl_bio_method() : NULL;
    if (cfg->bio_method == NULL) {
        int status = tls_stream_osl_config_error(env->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("SSL_CTX"));
        tls_stream_osl_config_free(cfg);
        return status;
    }
    *out = cfg;
    return TLS_STREAM_OK;
}

int tls_stream_osl_config_load(void *vcfg, tls_stream_item item, const unsigned char *data,
                               size_t len, const char *password)
{
    /* the core checks state, item and data first (tls_stream_backend.config_load) */
    return tls_stream_osl_load(vcfg, item, data, len, password);
}

/* The rules of every backend (backend_checks.c) with OpenSSL's limits. */
static int check_settings(tls_stream_osl_config *cfg, const tls_stream_settings *st)
{
    /* OpenSSL's TLS 1.2 PSK callback takes the identity as a C string */
    const tls_stream_bk_held h = {
        cfg->role, cfg->has_ca, cfg->has_cert, cfg->has_key, cfg->is_psk, TLS_STREAM_PSK_MAX_KEY, 1,
        TLS_STREAM_MSG("OpenSSL cannot send an empty PSK identity or one with a zero byte")};

    return tls_stream_bk_check_settings(&h, st, cfg->detail);
}

/* OpenSSL's state changes and alerts as debug lines: alerts at level 1,
 * handshake start and end at 2, every state at 3. */
static void info_cb(const SSL *ssl, int where, int ret)
{
    const tls_stream_osl_session *s = SSL_get_app_data(ssl);
    const tls_stream_osl_config *cfg;
    char line[160];
    int level;

    if (s == NULL)
        return;
    cfg = s->cfg;
    if (where & SSL_CB_ALERT) {
        level = 1;
        snprintf(line, sizeof line, "alert %s: %s %s", (where & SSL_CB_READ) ? "received" : "sent",
                 SSL_alert_type_string_long(ret), SSL_alert_desc_string_long(ret));
    } else if (where & (SSL_CB_HANDSHAKE_START | SSL_CB_HANDSHAKE_DONE)) {
        level = 2;
        snprintf(line, sizeof line, "handshake %s",
                 (where & SSL_CB_HANDSHAKE_START) ? "start" : "done");
    } else if (where & SSL_CB_LOOP) {
        level = 3;
        snprintf(line, sizeof line, "state: %s", SSL_state_string_long(ssl));
    } else {
        return;
    }
    if (level <= cfg->debug_level)
        cfg->debug(cfg->debug_arg, level, line);
}

/* Server ALPN: the first of our protocols (our order) that the client
 * offers; none in common is fatal (no_application_protocol), as mbedtls. */
static int alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                          const unsigned char *in, unsigned int inlen, void *arg)
{
    const tls_stream_osl_config *cfg = arg;
    size_t i;

    (void)ssl;
    for (i = 0; cfg->alpn[i] != NULL; i++) {
        size_t n = strlen(cfg->alpn[i]);
        unsigned int off = 0;
        while (off < inlen) {
            unsigned int len = in[off];
            if (len == 0 || off + 1 + len > inlen)
                break;
            if (len == n && memcmp(in + off + 1, cfg->alpn[i], n) == 0) {
                *out = in + off + 1;
                *outlen = (unsigned char)len;
                return SSL_TLSEXT_ERR_OK;
            }
            off += 1 + len;
        }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

/* Client ALPN: the protocols in wire format (length-prefixed). */
static int set_client_alpn(tls_stream_osl_config *cfg, const char *const *protos)
{
    unsigned char wire[1024];
    size_t i, n = 0;

    for (i = 0; protos[i] != NULL; i++) {
        size_t len = strlen(protos[i]);
        if (len == 0 || len > 255 || n + 1 + len > sizeof wire)
            return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("ALPN"));
        wire[n++] = (unsigned char)len;
        memcpy(wire + n, protos[i], len);
        n += len;
    }
    if (SSL_CTX_set_alpn_protos(cfg->ctx, wire, (unsigned int)n) != 0) /* 0 is success here */
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("ALPN"));
    return TLS_STREAM_OK;
}

static int set_max_fragment(tls_stream_osl_config *cfg, unsigned len)
{
    uint8_t mode;

    switch (len) {
    case 512: mode = TLSEXT_max_fragment_length_512; break;
    case 1024: mode = TLSEXT_max_fragment_length_1024; break;
    case 2048: mode = TLSEXT_max_fragment_length_2048; break;
    case 4096: mode = TLSEXT_max_fragment_length_4096; break;
    default:
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("max fragment length"));
    }
    if (!SSL_CTX_set_tlsext_max_fragment_length(cfg->ctx, mode))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_ARG, TLS_STREAM_MSG("max fragment length"));
    return TLS_STREAM_OK;
}

/* The application's entropy is mixed into OpenSSL's DRBG (which has the OS
 * source already); a failing source fails the configuration, as mbedtls. */
static int add_entropy(tls_stream_osl_config *cfg, const tls_stream_settings *st)
{
    unsigned char buf[48];
    int rc = st->entropy(st->entropy_arg, buf, sizeof buf);

    if (rc == 0)
        RAND_add(buf, (int)sizeof buf, (double)sizeof buf);
    OPENSSL_cleanse(buf, sizeof buf);
    return rc == 0 ? TLS_STREAM_OK
                   : tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_CONFIG, rc,
                                           TLS_STREAM_MSG("cannot seed the RNG: entropy source failed"));
}

static int apply_cert(tls_stream_osl_config *cfg)
{
    int nomem;
    unsigned long e;

    if (SSL_CTX_use_cert_and_key(cfg->ctx, cfg->leaf, cfg->key, cfg->chain, 1))
        return TLS_STREAM_OK;
    e = tls_stream_osl_drain(&nomem);
    return tls_stream_osl_describe(cfg->detail, nomem ? TLS_STREAM_ERR_NOMEM : TLS_STREAM_ERR_BAD_KEY, e,
                                   TLS_STREAM_MSG("key does not match certificate"));
}

/* config_finish may run again after it failed (tls_stream/backend.h): the
 * lists an earlier attempt set go back to OpenSSL's defaults first. */
static int reset_lists(tls_stream_osl_config *cfg)
{
    cfg->alpn = NULL;
    SSL_CTX_set_alpn_select_cb(cfg->ctx, NULL, NULL);
    SSL_CTX_set_info_callback(cfg->ctx, NULL);
    return SSL_CTX_set_ciphersuites(cfg->ctx, TLS_DEFAULT_CIPHERSUITES) &&
           SSL_CTX_set1_groups_list(cfg->ctx, "x25519:secp256r1:x448:secp521r1:secp384r1") &&
           SSL_CTX_set1_sigalgs_list(cfg->ctx,
                                     "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:"
                                     "ed25519:ed448:rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"
                                     "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
                                     "rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512");
}

/* Our version constants are the wire versions, as OpenSSL's are. */
typedef char tls_stream_osl_same_versions[(TLS_STREAM_TLS1_2 == TLS1_2_VERSION &&
                                          TLS_STREAM_TLS1_3 == TLS1_3_VERSION) ? 1 : -1];

/* The suites, and the versions: the application's range (0 ends: TLS 1.2
 * up to 1.3) narrowed to what the suite list has suites for. */
static int set_versions(tls_stream_osl_config *cfg, const tls_stream_settings *st)
{
    int min = st->min_version != 0 ? st->min_version : TLS1_2_VERSION;
    int max = st->max_version != 0 ? st->max_version : TLS1_3_VERSION;
    int status = tls_stream_osl_set_suites(cfg, st->ciphersuites, &min, &max);

    if (status != TLS_STREAM_OK)
        return status;
    if (min > max)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_CONFIG, 0,
                                     TLS_STREAM_MSG("no cipher suite of the allowed versions"));
    if (!SSL_CTX_set_min_proto_version(cfg->ctx, min) || !SSL_CTX_set_max_proto_version(cfg->ctx, max))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_INTERNAL, TLS_STREAM_MSG("version"));
    return TLS_STREAM_OK;
}

static int finish(tls_stream_osl_config *cfg, const tls_stream_settings *st)
{
    int status;

    cfg->is_psk = st->psk_identity != NULL || st->psk_key != NULL || st->psk_lookup != NULL;
    if ((status = check_settings(cfg, st)) != TLS_STREAM_OK)
        return status;
    cfg->verify = st->verify;
    cfg->verify_depth = st->verify_depth;
    cfg->psk_identity = st->psk_identity;
    cfg->psk_identity_len = st->psk_identity_len;
    cfg->psk_key = st->psk_key;
    cfg->psk_key_len = st->psk_key_len;
    cfg->psk_lookup = st->psk_lookup;
    cfg->psk_lookup_arg = st->psk_lookup_arg;
    if (cfg->has_cert && (status = apply_cert(cfg)) != TLS_STREAM_OK)
        return status;
    if (st->entropy != NULL && (status = add_entropy(cfg, st)) != TLS_STREAM_OK)
        return status;
    /* our constant lists: only memory can fail them (and OpenSSL does not
     * always say so) */
    if (!reset_lists(cfg))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("default lists"));
    /* no renegotiation, the server's suite order */
    SSL_CTX_set_options(cfg->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(cfg->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS);
    tls_stream_osl_verify_setup(cfg);
    tls_stream_osl_psk_setup(cfg);
    if ((status = set_versions(cfg, st)) != TLS_STREAM_OK)
        return status;
    if (st->groups != NULL && (status = tls_stream_osl_set_groups(cfg, st->groups)) != TLS_STREAM_OK)
        return status;
    if (st->sigalgs != NULL && (status = tls_stream_osl_set_sigalgs(cfg, st->sigalgs)) != TLS_STREAM_OK)
        return status;
    if (st->alpn != NULL && cfg->role == TLS_STREAM_CLIENT &&
        (status = set_client_alpn(cfg, st->alpn)) != TLS_STREAM_OK)
        return status;
    if (st->alpn != NULL && cfg->role == TLS_STREAM_SERVER) {
        cfg->alpn = st->alpn;
        SSL_CTX_set_alpn_select_cb(cfg->ctx, alpn_select_cb, cfg);
    }
    if (st->max_fragment != 0 && cfg->role == TLS_STREAM_CLIENT &&
        (status = set_max_fragment(cfg, st->max_fragment)) != TLS_STREAM_OK)
        return status;
    if (st->debug != NULL && st->debug_level > 0) {
        cfg->debug = st->debug;
        cfg->debug_arg = st->debug_arg;
        cfg->debug_level = st->debug_level;
        SSL_CTX_set_info_callback(cfg->ctx, info_cb);
    }
    return tls_stream_osl_resume_setup(cfg, st);
}

int tls_stream_osl_config_finish(void *vcfg, const tls_stream_settings *st)
{
    tls_stream_osl_config *cfg = vcfg;
    int status;

    if (cfg->finished)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_STATE, 0,
                                     TLS_STREAM_MSG("configuration already finished"));
    ERR_clear_error();
    status = finish(cfg, st);
    ERR_clear_error();
    if (status == TLS_STREAM_OK)
        cfg->finished = 1;
    return status;
}

void tls_stream_osl_config_free(void *vcfg)
{
    tls_stream_osl_config *cfg = vcfg;
    const tls_stream_allocator *alloc;

    if (cfg == NULL)
        return;
    alloc = cfg->alloc;
    SSL_CTX_free(cfg->ctx); /* OpenSSL zeroizes the keys it frees */
    BIO_meth_free(cfg->bio_method);
    X509_free(cfg->leaf);
    sk_X509_pop_free(cfg->chain, X509_free);
    EVP_PKEY_free(cfg->key);
    tls_stream_bk_free(alloc, cfg, sizeof *cfg);
    ERR_clear_error();
}
