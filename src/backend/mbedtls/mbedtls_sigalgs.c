/*
 * mbedtls backend: signature algorithms by their RFC 8446 names. mbedtls
 * 2.28 chooses TLS 1.2 signatures by hash alone (for RSA and ECDSA alike),
 * 3.x by SignatureScheme; both lists are built, the compat header applies
 * the one its version takes.
 */
#include <string.h>

#include "mbedtls_internal.h"

typedef struct sigalg {
    const char *name;
    uint16_t tls_id;
    mbedtls_md_type_t md;
    int pss;
} sigalg;

static const sigalg known[] = {
    {"ecdsa_secp256r1_sha256", 0x0403, MBEDTLS_MD_SHA256, 0},
    {"ecdsa_secp384r1_sha384", 0x0503, MBEDTLS_MD_SHA384, 0},
    {"ecdsa_secp521r1_sha512", 0x0603, MBEDTLS_MD_SHA512, 0},
    {"rsa_pkcs1_sha256", 0x0401, MBEDTLS_MD_SHA256, 0},
    {"rsa_pkcs1_sha384", 0x0501, MBEDTLS_MD_SHA384, 0},
    {"rsa_pkcs1_sha512", 0x0601, MBEDTLS_MD_SHA512, 0},
    {"rsa_pss_rsae_sha256", 0x0804, MBEDTLS_MD_SHA256, 1},
    {"rsa_pss_rsae_sha384", 0x0805, MBEDTLS_MD_SHA384, 1},
    {"rsa_pss_rsae_sha512", 0x0806, MBEDTLS_MD_SHA512, 1},
    {"ecdsa_sha1", 0x0203, MBEDTLS_MD_SHA1, 0},
    {"rsa_pkcs1_sha1", 0x0201, MBEDTLS_MD_SHA1, 0},
};

/*
 * The default: SHA-256 before the longer hashes, so that a small RSA key
 * (512 bits: a PKCS#1 v1.5 SHA-384 or SHA-512 digest does not fit) can sign
 * for a peer that follows our order; mbedtls's own default puts SHA-512
 * first. PSS last (3.x; TLS 1.3 needs it for RSA).
 */
static const char *const default_names[] = {
    "ecdsa_secp256r1_sha256", "rsa_pkcs1_sha256", "ecdsa_secp384r1_sha384", "rsa_pkcs1_sha384",
    "ecdsa_secp521r1_sha512", "rsa_pkcs1_sha512", "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384",
    "rsa_pss_rsae_sha512", NULL,
};

static const sigalg *find(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(known[i].name, name) == 0)
            return &known[i];
    }
    return NULL;
}

static void add_hash(int *hashes, size_t *n, mbedtls_md_type_t md)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if (hashes[i] == (int)md)
            return;
    }
    hashes[(*n)++] = (int)md;
}

int tls_stream_mbt_set_sigalgs(tls_stream_mbt_config *cfg, const char *const *names)
{
    tls_stream_mbc_sigalgs *a = &cfg->sigalgs;
    int chosen = names != NULL;
    size_t i, n = 0, h = 0;

    if (!chosen)
        names = default_names;
    for (i = 0; names[i] != NULL && i < TLS_STREAM_MAX_SIGALGS; i++) {
        const sigalg *alg = find(names[i]);
        if (alg == NULL)
            return tls_stream_mbt_name_error(cfg, TLS_STREAM_ERR_CONFIG,
                                             TLS_STREAM_MSG("unknown signature algorithm"), names[i]);
        if (alg->pss && !TLS_STREAM_MBC_SIGALG_PSS) {
            if (!chosen)
                continue;
            return tls_stream_mbt_name_error(cfg, TLS_STREAM_ERR_CONFIG,
                                             TLS_STREAM_MSG("signature algorithm not in this mbedtls"), names[i]);
        }
        a->tls_ids[n++] = alg->tls_id;
        add_hash(a->hashes, &h, alg->md);
    }
    a->tls_ids[n] = 0;
    a->hashes[h] = MBEDTLS_MD_NONE;
    tls_stream_mbc_conf_sigalgs(&cfg->conf, a);
    return TLS_STREAM_OK;
}
