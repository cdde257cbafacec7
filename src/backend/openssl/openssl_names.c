/*
 * OpenSSL backend: cipher suites and groups by name.
 *
 * A suite is found by its OpenSSL name ("ECDHE-ECDSA-AES128-GCM-SHA256") or
 * its IANA name, spelt with '_' as OpenSSL's SSL_CIPHER_standard_name() or
 * with '-' as mbedtls does ("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
 * "TLS1-3-AES-128-GCM-SHA256"), so one list works on both backends.
 * The rules are the mbedtls backend's: a PSK configuration takes only plain
 * PSK and ECDHE-PSK suites (TLS 1.2) and SHA-256 TLS 1.3 suites (the hash of
 * our external PSK), a certificate configuration no PSK suite: no fallback.
 */
#include <stdio.h>
#include <string.h>

#include "openssl_internal.h"

/* The lists OpenSSL is given; room for TLS_STREAM_MAX_CIPHERSUITES names. */
#define LIST_SIZE 1024

/* What PSK configurations use when the application names no suite. */
static const char psk_tls12_default[] =
    "ECDHE-PSK-CHACHA20-POLY1305:ECDHE-PSK-AES256-CBC-SHA384:ECDHE-PSK-AES128-CBC-SHA256:"
    "PSK-AES256-GCM-SHA384:PSK-AES128-GCM-SHA256:PSK-CHACHA20-POLY1305:PSK-AES256-CCM:"
    "PSK-AES128-CCM:PSK-AES256-CCM8:PSK-AES128-CCM8:PSK-AES256-CBC-SHA384:PSK-AES128-CBC-SHA256";
static const char psk_tls13_default[] = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256";
/* Everything OpenSSL knows, to look names up in. */
static const char all_tls12[] = "ALL:COMPLEMENTOFALL";
static const char all_tls13[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
    "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";

enum suite_kind { KIND_CERT = 0, KIND_PSK, KIND_OTHER_PSK, KIND_TLS13 };

static enum suite_kind kind_of(const SSL_CIPHER *c)
{
    switch (SSL_CIPHER_get_kx_nid(c)) {
    case NID_kx_psk:
    case NID_kx_ecdhe_psk:
        return KIND_PSK;
    case NID_kx_dhe_psk:
    case NID_kx_rsa_psk:
    case NID_kx_srp:
        return KIND_OTHER_PSK;
    case NID_kx_any:
        return KIND_TLS13;
    default:
        return KIND_CERT;
    }
}

/* name in IANA spelling with '_' ("TLS1-3-" becomes "TLS_") into out. */
static void iana_spelling(const char *name, char *out, size_t size)
{
    size_t i = 0;

    if (strncmp(name, "TLS1-3-", 7) == 0) {
        name += 7;
        snprintf(out, size, "TLS_");
        i = 4;
    }
    for (; *name != '\0' && i + 1 < size; name++)
        out[i++] = *name == '-' ? '_' : *name;
    out[i] = '\0';
}

static const SSL_CIPHER *find_suite(STACK_OF(SSL_CIPHER) *all, const char *name)
{
    char iana[128];
    int i;

    iana_spelling(name, iana, sizeof iana);
    for (i = 0; i < sk_SSL_CIPHER_num(all); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);
        const char *std = SSL_CIPHER_standard_name(c);
        if (strcmp(SSL_CIPHER_get_name(c), name) == 0 || (std != NULL && strcmp(std, iana) == 0))
            return c;
    }
    return NULL;
}

/* "what: name" into the detail, with status. */
static int name_error(tls_stream_osl_config *cfg, int status, const char *what, const char *name)
{
    ERR_clear_error();
    return tls_stream_bk_name_error(cfg->detail, status, what, name);
}

static int append(char *list, const char *name)
{
    size_t used = strlen(list), n = strlen(name);

    if (used + n + 2 > LIST_SIZE)
        return -1;
    if (used > 0)
        list[used++] = ':';
    memcpy(list + used, name, n + 1);
    return 0;
}

/* Whether a TLS 1.3 suite hashes with SHA-256 (usable with our PSK). */
static int sha256_suite(const SSL_CIPHER *c)
{
    const EVP_MD *md = SSL_CIPHER_get_handshake_digest(c);

    return md != NULL && EVP_MD_get_type(md) == NID_sha256;
}

/* Split names into OpenSSL's TLS 1.2 and TLS 1.3 lists, checking each. */
static int build_lists(tls_stream_osl_config *cfg, const char *const *names, char *l12, char *l13)
{
    STACK_OF(SSL_CIPHER) *all;
    size_t n;

    if (!SSL_CTX_set_cipher_list(cfg->ctx, all_tls12) || !SSL_CTX_set_ciphersuites(cfg->ctx, all_tls13))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_INTERNAL, TLS_STREAM_MSG("cipher list"));
    all = SSL_CTX_get_ciphers(cfg->ctx);
    for (n = 0; names[n] != NULL; n++) {
        const SSL_CIPHER *c = find_suite(all, names[n]);
        enum suite_kind kind;
        int ok;

        if (c == NULL || n >= TLS_STREAM_MAX_CIPHERSUITES)
            return name_error(cfg, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("unknown cipher suite"), names[n]);
        kind = kind_of(c);
        if (kind == KIND_TLS13)
            ok = !cfg->is_psk || sha256_suite(c);
        else
            ok = cfg->is_psk ? kind == KIND_PSK : kind == KIND_CERT;
        if (!ok)
            return name_error(cfg, TLS_STREAM_ERR_CONFIG,
                              !cfg->is_psk ? TLS_STREAM_MSG("a PSK suite needs a PSK")
                              : kind == KIND_TLS13 ? TLS_STREAM_MSG("TLS 1.3 PSK needs a SHA-256 suite")
                                                   : TLS_STREAM_MSG("not a PSK or ECDHE-PSK suite"),
                              names[n]);
        if (append(kind == KIND_TLS13 ? l13 : l12, SSL_CIPHER_get_name(c)) != 0)
            return name_error(cfg, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("suite list too long"), names[n]);
    }
    return TLS_STREAM_OK;
}

int tls_stream_osl_set_suites(tls_stream_osl_config *cfg, const char *const *names, int *min, int *max)
{
    char l12[LIST_SIZE] = "", l13[LIST_SIZE] = "";
    int status;

    if (names == NULL) {
        if (!cfg->is_psk)
            return SSL_CTX_set_cipher_list(cfg->ctx, "DEFAULT:!PSK:!SRP:!aNULL")
                       ? TLS_STREAM_OK
                       : tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_INTERNAL,
                                                     TLS_STREAM_MSG("cipher list"));
        snprintf(l12, sizeof l12, "%s", psk_tls12_default);
        snprintf(l13, sizeof l13, "%s", psk_tls13_default);
    } else if ((status = build_lists(cfg, names, l12, l13)) != TLS_STREAM_OK) {
        return status;
    }
    /* the list narrows the versions: no TLS 1.3 suite keeps to TLS 1.2,
     * no TLS 1.2 suite to TLS 1.3 (OpenSSL refuses an empty 1.2 list) */
    if (l12[0] == '\0')
        *min = TLS1_3_VERSION;
    else if (!SSL_CTX_set_cipher_list(cfg->ctx, l12))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("cipher list"));
    if (l13[0] == '\0')
        *max = TLS1_2_VERSION;
    if (!SSL_CTX_set_ciphersuites(cfg->ctx, l13))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("TLS 1.3 suites"));
    return TLS_STREAM_OK;
}

int tls_stream_osl_set_groups(tls_stream_osl_config *cfg, const char *const *names)
{
    char list[LIST_SIZE] = "";
    size_t n;

    for (n = 0; names[n] != NULL && n < TLS_STREAM_MAX_GROUPS; n++) {
        /* one at a time first, to name the one OpenSSL does not know */
        if (!SSL_CTX_set1_groups_list(cfg->ctx, names[n]) || append(list, names[n]) != 0)
            return name_error(cfg, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("unknown group"), names[n]);
    }
    if (!SSL_CTX_set1_groups_list(cfg->ctx, list))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("groups"));
    return TLS_STREAM_OK;
}

/* The RFC 8446 SignatureScheme names both backends take (OpenSSL knows more;
 * a name is accepted here only when it means the same on mbedtls). */
static const char *const sigalg_names[] = {
    "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512",
    "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512",
    "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512",
    "ecdsa_sha1", "rsa_pkcs1_sha1",
};

static int known_sigalg(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof sigalg_names / sizeof sigalg_names[0]; i++) {
        if (strcmp(sigalg_names[i], name) == 0)
            return 1;
    }
    return 0;
}

int tls_stream_osl_set_sigalgs(tls_stream_osl_config *cfg, const char *const *names)
{
    char list[LIST_SIZE] = "";
    size_t n;

    for (n = 0; names[n] != NULL && n < TLS_STREAM_MAX_SIGALGS; n++) {
        if (!known_sigalg(names[n]) || append(list, names[n]) != 0)
            return name_error(cfg, TLS_STREAM_ERR_CONFIG, TLS_STREAM_MSG("unknown signature algorithm"),
                              names[n]);
    }
    if (!SSL_CTX_set1_sigalgs_list(cfg->ctx, list))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_CONFIG,
                                           TLS_STREAM_MSG("signature algorithms"));
    return TLS_STREAM_OK;
}
