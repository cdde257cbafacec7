/*
 * mbedtls version differences, in one place.
 *
 * The rest of the backend calls only these helpers where mbedtls 2.28 and
 * 3.x differ (private fields, extra RNG arguments, renamed functions and
 * error codes). 2.28 is what CI builds and tests; the 3.x branches follow the
 * 3.6 headers but are not exercised yet.
 */
#ifndef TLS_STREAM_MBEDTLS_COMPAT_H
#define TLS_STREAM_MBEDTLS_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tls_stream/error.h"
#include "tls_stream/tls_stream.h"

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_NUMBER < 0x03000000
#include <mbedtls/config.h>
#else
#include <mbedtls/build_info.h>
#endif
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/debug.h>
#include <mbedtls/dhm.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER < 0x021C0000
#error "tls_stream needs mbedtls 2.28 or later"
#endif

typedef int (*tls_stream_mbc_rng_fn)(void *, unsigned char *, size_t);

#if MBEDTLS_VERSION_NUMBER < 0x03000000 /* ---------------- mbedtls 2.28 */

/* mbedtls_ssl_flush_output() is declared in the installed internal header. */
#include <mbedtls/ssl_internal.h>

/** Bytes of an already built record still waiting to be sent. */
static inline size_t tls_stream_mbc_out_left(const mbedtls_ssl_context *ssl)
{
    return ssl->out_left;
}

/** The description of the last alert received (valid right after
 *  MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE), or -1. */
static inline int tls_stream_mbc_last_alert(const mbedtls_ssl_context *ssl)
{
    if (ssl->in_msg == NULL || ssl->in_msgtype != MBEDTLS_SSL_MSG_ALERT ||
        ssl->in_msglen < 2)
        return -1;
    return ssl->in_msg[1];
}

/* 2.28 needs no RNG to parse a key or to check a key pair. */
static inline int tls_stream_mbc_pk_parse_key(mbedtls_pk_context *pk,
                                       const unsigned char *key, size_t len,
                                       const unsigned char *pwd, size_t pwdlen,
                                       tls_stream_mbc_rng_fn f_rng, void *p_rng)
{
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_parse_key(pk, key, len, pwd, pwdlen);
}

static inline int tls_stream_mbc_pk_check_pair(const mbedtls_pk_context *pub,
                                        const mbedtls_pk_context *prv,
                                        tls_stream_mbc_rng_fn f_rng, void *p_rng)
{
    (void)f_rng;
    (void)p_rng;
    return mbedtls_pk_check_pair(pub, prv);
}

/** TLS 1.2 only (2.28 knows nothing newer; refuse 1.0 and 1.1). */
static inline void tls_stream_mbc_conf_tls12_only(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
}

/** The handshake has completed. */
static inline int tls_stream_mbc_handshake_over(const mbedtls_ssl_context *ssl)
{
    return ssl->state == MBEDTLS_SSL_HANDSHAKE_OVER;
}

/** The handshake state (MBEDTLS_SSL_*): the next message to handle. */
static inline int tls_stream_mbc_handshake_state(const mbedtls_ssl_context *ssl)
{
    return ssl->state;
}

/** 1 when the running handshake (still) resumes a session, 0 when not, -1
 *  once the handshake data is gone (completed). A client sets it when it
 *  offers a session and clears it when the server declines. */
static inline int tls_stream_mbc_handshake_resumes(const mbedtls_ssl_context *ssl)
{
    return ssl->handshake == NULL ? -1 : ssl->handshake->resume != 0;
}

/* Error codes that exist only in 2.28, as rows of the error table. */
#define TLS_STREAM_MBC_VERSION_ERRORS                                                \
    {MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN, TLS_STREAM_ERR_HANDSHAKE},                    \
    {MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE, TLS_STREAM_ERR_HANDSHAKE},               \
    {MBEDTLS_ERR_SSL_UNKNOWN_CIPHER, TLS_STREAM_ERR_HANDSHAKE},                      \
    {MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO, TLS_STREAM_ERR_HANDSHAKE},                 \
    {MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO, TLS_STREAM_ERR_HANDSHAKE},                 \
    {MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE, TLS_STREAM_ERR_HANDSHAKE},                  \
    {MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_REQUEST, TLS_STREAM_ERR_HANDSHAKE},          \
    {MBEDTLS_ERR_SSL_BAD_HS_SERVER_KEY_EXCHANGE, TLS_STREAM_ERR_HANDSHAKE},          \
    {MBEDTLS_ERR_SSL_BAD_HS_SERVER_HELLO_DONE, TLS_STREAM_ERR_HANDSHAKE},            \
    {MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE, TLS_STREAM_ERR_HANDSHAKE},          \
    {MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_RP, TLS_STREAM_ERR_HANDSHAKE},       \
    {MBEDTLS_ERR_SSL_BAD_HS_CLIENT_KEY_EXCHANGE_CS, TLS_STREAM_ERR_HANDSHAKE},       \
    {MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE_VERIFY, TLS_STREAM_ERR_HANDSHAKE},           \
    {MBEDTLS_ERR_SSL_BAD_HS_CHANGE_CIPHER_SPEC, TLS_STREAM_ERR_HANDSHAKE},           \
    {MBEDTLS_ERR_SSL_BAD_HS_FINISHED, TLS_STREAM_ERR_HANDSHAKE},                     \
    {MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION, TLS_STREAM_ERR_HANDSHAKE},             \
    {MBEDTLS_ERR_SSL_BAD_HS_NEW_SESSION_TICKET, TLS_STREAM_ERR_HANDSHAKE},           \
    {MBEDTLS_ERR_SSL_CERTIFICATE_REQUIRED, TLS_STREAM_ERR_CONFIG},                   \
    {MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE, TLS_STREAM_ERR_PROTOCOL},

#else /* ---------------------------------------------------- mbedtls 3.x */

/* Exported by libmbedtls 3.x, but declared only in its private ssl_misc.h. */
int mbedtls_ssl_flush_output(mbedtls_ssl_context *ssl);

static inline size_t tls_stream_mbc_out_left(const mbedtls_ssl_context *ssl)
{
    return ssl->MBEDTLS_PRIVATE(out_left);
}

static inline int tls_stream_mbc_last_alert(const mbedtls_ssl_context *ssl)
{
    if (ssl->MBEDTLS_PRIVATE(in_msg) == NULL ||
        ssl->MBEDTLS_PRIVATE(in_msgtype) != MBEDTLS_SSL_MSG_ALERT ||
        ssl->MBEDTLS_PRIVATE(in_msglen) < 2)
        return -1;
    return ssl->MBEDTLS_PRIVATE(in_msg)[1];
}

static inline int tls_stream_mbc_pk_parse_key(mbedtls_pk_context *pk,
                                       const unsigned char *key, size_t len,
                                       const unsigned char *pwd, size_t pwdlen,
                                       tls_stream_mbc_rng_fn f_rng, void *p_rng)
{
    return mbedtls_pk_parse_key(pk, key, len, pwd, pwdlen, f_rng, p_rng);
}

static inline int tls_stream_mbc_pk_check_pair(const mbedtls_pk_context *pub,
                                        const mbedtls_pk_context *prv,
                                        tls_stream_mbc_rng_fn f_rng, void *p_rng)
{
    return mbedtls_pk_check_pair(pub, prv, f_rng, p_rng);
}

static inline void tls_stream_mbc_conf_tls12_only(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
}

static inline int tls_stream_mbc_handshake_over(const mbedtls_ssl_context *ssl)
{
    return mbedtls_ssl_is_handshake_over(ssl);
}

static inline int tls_stream_mbc_handshake_state(const mbedtls_ssl_context *ssl)
{
    return ssl->MBEDTLS_PRIVATE(state);
}

static inline int tls_stream_mbc_handshake_resumes(const mbedtls_ssl_context *ssl)
{
    return ssl->MBEDTLS_PRIVATE(handshake) == NULL
               ? -1
               : ssl->MBEDTLS_PRIVATE(handshake)->MBEDTLS_PRIVATE(resume) != 0;
}

#define TLS_STREAM_MBC_VERSION_ERRORS                                                \
    {MBEDTLS_ERR_SSL_DECODE_ERROR, TLS_STREAM_ERR_PROTOCOL},                         \
    {MBEDTLS_ERR_SSL_ILLEGAL_PARAMETER, TLS_STREAM_ERR_PROTOCOL},                    \
    {MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE, TLS_STREAM_ERR_HANDSHAKE},                   \
    {MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION, TLS_STREAM_ERR_HANDSHAKE},                \
    {MBEDTLS_ERR_SSL_BAD_CERTIFICATE, TLS_STREAM_ERR_HANDSHAKE},                     \
    {MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION, TLS_STREAM_ERR_HANDSHAKE},               \
    {MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL, TLS_STREAM_ERR_HANDSHAKE},             \
    {MBEDTLS_ERR_SSL_UNRECOGNIZED_NAME, TLS_STREAM_ERR_HANDSHAKE},                   \
    {MBEDTLS_ERR_SSL_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME, TLS_STREAM_ERR_CONFIG},

#endif /* MBEDTLS_VERSION_NUMBER */

/** Send the pending record (both versions have it, not as public API). */
static inline int tls_stream_mbc_flush(mbedtls_ssl_context *ssl)
{
    return mbedtls_ssl_flush_output(ssl);
}

/* ---- the same in both, but behind a build option ---------------------- */

/** Renegotiation off, and never with peers lacking RFC 5746. */
#if defined(MBEDTLS_SSL_RENEGOTIATION)
static inline void tls_stream_mbc_conf_no_renegotiation(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    mbedtls_ssl_conf_legacy_renegotiation(conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
}
#else
static inline void tls_stream_mbc_conf_no_renegotiation(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_legacy_renegotiation(conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
}
#endif

/** Set mbedtls's debug threshold. It is a process-wide global in mbedtls. */
#if defined(MBEDTLS_DEBUG_C)
static inline void tls_stream_mbc_debug_threshold(int level)
{
    mbedtls_debug_set_threshold(level);
}
#else
static inline void tls_stream_mbc_debug_threshold(int level)
{
    (void)level;
}
#endif

/** ALPN: mbedtls keeps the pointer (not the strings' copies). It never
 *  writes through it; the prototype just lacks the inner const. */
#if defined(MBEDTLS_SSL_ALPN)
static inline int tls_stream_mbc_conf_alpn(mbedtls_ssl_config *conf, const char *const *protos)
{
    return mbedtls_ssl_conf_alpn_protocols(conf, (const char **)(uintptr_t)protos);
}
static inline const char *tls_stream_mbc_get_alpn(const mbedtls_ssl_context *ssl)
{
    return mbedtls_ssl_get_alpn_protocol(ssl);
}
#define TLS_STREAM_MBC_CAP_ALPN 1
#else
static inline int tls_stream_mbc_conf_alpn(mbedtls_ssl_config *conf, const char *const *protos)
{
    (void)conf;
    return protos == NULL ? 0 : MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
}
static inline const char *tls_stream_mbc_get_alpn(const mbedtls_ssl_context *ssl)
{
    (void)ssl;
    return NULL;
}
#define TLS_STREAM_MBC_CAP_ALPN 0
#endif

/** The peer's certificate (DER), or NULL when none was kept. */
#if defined(MBEDTLS_SSL_KEEP_PEER_CERTIFICATE)
static inline const unsigned char *tls_stream_mbc_peer_cert(const mbedtls_ssl_context *ssl,
                                                     size_t *len)
{
    const mbedtls_x509_crt *crt = mbedtls_ssl_get_peer_cert(ssl);

    if (crt == NULL || crt->raw.p == NULL) {
        *len = 0;
        return NULL;
    }
    *len = crt->raw.len;
    return crt->raw.p;
}
#else
static inline const unsigned char *tls_stream_mbc_peer_cert(const mbedtls_ssl_context *ssl,
                                                     size_t *len)
{
    (void)ssl;
    *len = 0;
    return NULL;
}
#endif

/** mbedtls_strerror, which prints a placeholder without MBEDTLS_ERROR_C. */
#if defined(MBEDTLS_ERROR_C)
static inline void tls_stream_mbc_strerror(int code, char *buf, size_t size)
{
    mbedtls_strerror(code, buf, size);
}
#else
static inline void tls_stream_mbc_strerror(int code, char *buf, size_t size)
{
    snprintf(buf, size, "mbedtls error -0x%04X", (unsigned)-code);
}
#endif

/** Groups chosen by name, in both forms (2.28 takes curve ids, 3.x TLS ids). */
typedef struct tls_stream_mbc_groups {
    mbedtls_ecp_group_id ids[TLS_STREAM_MAX_GROUPS + 1]; /* MBEDTLS_ECP_DP_NONE-terminated */
    uint16_t tls_ids[TLS_STREAM_MAX_GROUPS + 1];         /* 0-terminated */
} tls_stream_mbc_groups;

/** The key exchange of a suite: plain PSK or ECDHE-PSK (1), another PSK (2), none (0). */
static inline int tls_stream_mbc_suite_psk_kind(const mbedtls_ssl_ciphersuite_t *info)
{
#if MBEDTLS_VERSION_NUMBER < 0x03000000
    mbedtls_key_exchange_type_t kx = info->key_exchange;
#else
    mbedtls_key_exchange_type_t kx = (mbedtls_key_exchange_type_t)info->MBEDTLS_PRIVATE(key_exchange);
#endif
    if (kx == MBEDTLS_KEY_EXCHANGE_PSK || kx == MBEDTLS_KEY_EXCHANGE_ECDHE_PSK)
        return 1;
    if (kx == MBEDTLS_KEY_EXCHANGE_DHE_PSK || kx == MBEDTLS_KEY_EXCHANGE_RSA_PSK)
        return 2;
    return 0;
}

static inline void tls_stream_mbc_conf_groups(mbedtls_ssl_config *conf, const tls_stream_mbc_groups *g)
{
#if MBEDTLS_VERSION_NUMBER < 0x03000000
    mbedtls_ssl_conf_curves(conf, g->ids);
#else
    mbedtls_ssl_conf_groups(conf, g->tls_ids);
#endif
}

/* Session resumption needs tickets, the cache and session serialisation. */
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_TICKET_C) && \
    defined(MBEDTLS_SSL_CACHE_C) && defined(MBEDTLS_GCM_C)
#define TLS_STREAM_MBC_CAP_RESUME 1
#else
#define TLS_STREAM_MBC_CAP_RESUME 0
#endif

#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
#define TLS_STREAM_MBC_CAP_MAX_FRAGMENT 1
/** Ask for records of at most len bytes (512..4096). */
static inline int tls_stream_mbc_conf_max_fragment(mbedtls_ssl_config *conf, unsigned len)
{
    unsigned char code = len == 512    ? MBEDTLS_SSL_MAX_FRAG_LEN_512
                         : len == 1024 ? MBEDTLS_SSL_MAX_FRAG_LEN_1024
                         : len == 2048 ? MBEDTLS_SSL_MAX_FRAG_LEN_2048
                                       : MBEDTLS_SSL_MAX_FRAG_LEN_4096;
    return mbedtls_ssl_conf_max_frag_len(conf, code);
}
#else
#define TLS_STREAM_MBC_CAP_MAX_FRAGMENT 0
static inline int tls_stream_mbc_conf_max_fragment(mbedtls_ssl_config *conf, unsigned len)
{
    (void)conf;
    (void)len;
    return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
}
#endif

/** Signature algorithms chosen by name: 2.28 takes hashes, 3.x TLS SignatureScheme ids. */
typedef struct tls_stream_mbc_sigalgs {
    int hashes[TLS_STREAM_MAX_SIGALGS + 1]; /* MBEDTLS_MD_NONE-terminated, no repeats */
    uint16_t tls_ids[TLS_STREAM_MAX_SIGALGS + 1]; /* 0-terminated */
} tls_stream_mbc_sigalgs;

#if MBEDTLS_VERSION_NUMBER < 0x03000000
/** 2.28 signs TLS 1.2 with PKCS#1 v1.5 or ECDSA only: no PSS. */
#define TLS_STREAM_MBC_SIGALG_PSS 0
static inline void tls_stream_mbc_conf_sigalgs(mbedtls_ssl_config *conf, const tls_stream_mbc_sigalgs *a)
{
#if defined(MBEDTLS_KEY_EXCHANGE_WITH_CERT_ENABLED)
    mbedtls_ssl_conf_sig_hashes(conf, a->hashes);
#else
    (void)conf;
    (void)a;
#endif
}
#else
#define TLS_STREAM_MBC_SIGALG_PSS 1
static inline void tls_stream_mbc_conf_sigalgs(mbedtls_ssl_config *conf, const tls_stream_mbc_sigalgs *a)
{
    mbedtls_ssl_conf_sig_algs(conf, a->tls_ids);
}
#endif

/*
 * Configurations shared across threads: mbedtls locks its random generator,
 * ticket keys and session cache only with MBEDTLS_THREADING_C (Debian's
 * 2.28 and 3.6 packages have it, with pthreads).
 */
#if defined(MBEDTLS_THREADING_C)
#define TLS_STREAM_MBC_CAP_THREADS 1
#else
#define TLS_STREAM_MBC_CAP_THREADS 0
#endif

#endif /* TLS_STREAM_MBEDTLS_COMPAT_H */
