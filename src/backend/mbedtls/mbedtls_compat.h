/*
 * mbedtls version differences, in one place.
 *
 * The rest of the backend calls only these helpers where mbedtls 2.28 and
 * 3.x differ (private fields, extra RNG arguments, renamed functions and
 * error codes). CI builds and tests 2.28 (Debian 12) and 3.6 LTS. Public
 * API only: no private header, no private field.
 */
#ifndef TLS_STREAM_MBEDTLS_COMPAT_H
#define TLS_STREAM_MBEDTLS_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tls_stream/error.h"
#include "tls_stream/tls_stream.h"

#include "mbedtls_features.h"

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_NUMBER < 0x03000000
#if defined(MBEDTLS_CONFIG_FILE) /* a firmware configuration, as mbedtls reads it */
#include MBEDTLS_CONFIG_FILE
#else
#include <mbedtls/config.h>
#endif
#else
#include <mbedtls/build_info.h>
#endif
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/cipher.h>
#include <mbedtls/ctr_drbg.h>
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
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/x509_crt.h>

#if MBEDTLS_VERSION_NUMBER < 0x021C0000
#error "tls_stream needs mbedtls 2.28 or later"
#endif

typedef int (*tls_stream_mbc_rng_fn)(void *, unsigned char *, size_t);

#if MBEDTLS_VERSION_NUMBER < 0x03000000 /* ---------------- mbedtls 2.28 */

#if TLS_STREAM_MBC_CAP_CERTS
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

/** The DER inside a decoded PEM block. */
static inline const unsigned char *tls_stream_mbc_pem_buffer(mbedtls_pem_context *pem, size_t *len)
{
    *len = pem->buflen;
    return pem->buf;
}
#endif

/** The protocol versions this mbedtls can speak (TLS_STREAM_TLS1_*). */
#define TLS_STREAM_MBC_MAX_VERSION TLS_STREAM_TLS1_2

/** Allow TLS min..max (2.28: only 1.2 reaches here; 1.0 and 1.1 never). */
static inline void tls_stream_mbc_conf_versions(mbedtls_ssl_config *conf, int min, int max)
{
    (void)min;
    (void)max;
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
}

/** The handshake has completed. 2.28 has no accessor: the established
 *  session (which mbedtls installs as the handshake's last act) names its
 *  suite, and renegotiation is off, so there is only one handshake. */
static inline int tls_stream_mbc_handshake_over(mbedtls_ssl_context *ssl)
{
    return mbedtls_ssl_get_ciphersuite(ssl) != NULL;
}

/** A session's ID (2.28 documents the fields; 3.x has accessors). */
static inline size_t tls_stream_mbc_session_id(const mbedtls_ssl_session *session,
                                               const unsigned char **id)
{
    *id = session->id;
    return session->id_len;
}

/** The suite's name. */
static inline const char *tls_stream_mbc_suite_name(const mbedtls_ssl_ciphersuite_t *info)
{
    return info->name;
}

/** No PSA in 2.28's TLS. */
static inline int tls_stream_mbc_crypto_init(void)
{
    return 0;
}

/** The peer offered no protocol version we speak. */
static inline int tls_stream_mbc_is_version_error(int ret)
{
    return ret == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION;
}

/** Nothing in common (suites, groups): a negotiation, not a decoding, failure. */
static inline int tls_stream_mbc_is_negotiation_error(int ret)
{
    return ret == MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN || ret == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE;
}

/* Error codes that exist only in 2.28, as rows of the error table. The
 * BAD_HS_* codes are a malformed or unacceptable handshake message: the
 * same status as 3.x's DECODE_ERROR / ILLEGAL_PARAMETER for the same fault. */
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
    {MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED, TLS_STREAM_ERR_VERIFY},                     \
    {MBEDTLS_ERR_SSL_CERTIFICATE_TOO_LARGE, TLS_STREAM_ERR_PROTOCOL},

#else /* ---------------------------------------------------- mbedtls 3.x */

#include <psa/crypto.h>

#if TLS_STREAM_MBC_CAP_CERTS
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

static inline const unsigned char *tls_stream_mbc_pem_buffer(mbedtls_pem_context *pem, size_t *len)
{
    return mbedtls_pem_get_buffer(pem, len);
}
#endif

#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
#define TLS_STREAM_MBC_MAX_VERSION TLS_STREAM_TLS1_3
#else
#define TLS_STREAM_MBC_MAX_VERSION TLS_STREAM_TLS1_2
#endif

static inline void tls_stream_mbc_conf_versions(mbedtls_ssl_config *conf, int min, int max)
{
    mbedtls_ssl_conf_min_tls_version(conf, (mbedtls_ssl_protocol_version)min);
    mbedtls_ssl_conf_max_tls_version(conf, (mbedtls_ssl_protocol_version)max);
}

static inline int tls_stream_mbc_handshake_over(mbedtls_ssl_context *ssl)
{
    return mbedtls_ssl_is_handshake_over(ssl);
}

static inline size_t tls_stream_mbc_session_id(const mbedtls_ssl_session *session,
                                               const unsigned char **id)
{
    *id = *mbedtls_ssl_session_get_id(session);
    return mbedtls_ssl_session_get_id_len(session);
}

static inline const char *tls_stream_mbc_suite_name(const mbedtls_ssl_ciphersuite_t *info)
{
    return mbedtls_ssl_ciphersuite_get_name(info);
}

/** TLS 1.3 (and 3.x's PK layer) run on PSA: initialise it once per process.
 *  Idempotent; never freed (other users of mbedtls in the process share it). */
#if defined(MBEDTLS_PSA_CRYPTO_C)
static inline int tls_stream_mbc_crypto_init(void)
{
    psa_status_t st = psa_crypto_init();

    if (st == PSA_SUCCESS)
        return 0;
    return st == PSA_ERROR_INSUFFICIENT_MEMORY ? MBEDTLS_ERR_SSL_ALLOC_FAILED
                                               : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}
#else
static inline int tls_stream_mbc_crypto_init(void)
{
    return 0;
}
#endif

static inline int tls_stream_mbc_is_version_error(int ret)
{
    return ret == MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION;
}

static inline int tls_stream_mbc_is_negotiation_error(int ret)
{
    return ret == MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE;
}

/* DECODE_ERROR and ILLEGAL_PARAMETER (a malformed or unacceptable message)
 * have no row: like 2.28's BAD_HS_* codes they are TLS_STREAM_ERR_HANDSHAKE
 * during the handshake, and TLS_STREAM_ERR_PROTOCOL after it. */
#define TLS_STREAM_MBC_VERSION_ERRORS                                                \
    {MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE, TLS_STREAM_ERR_HANDSHAKE},                   \
    {MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION, TLS_STREAM_ERR_HANDSHAKE},                \
    {MBEDTLS_ERR_SSL_BAD_CERTIFICATE, TLS_STREAM_ERR_HANDSHAKE},                     \
    {MBEDTLS_ERR_SSL_UNSUPPORTED_EXTENSION, TLS_STREAM_ERR_HANDSHAKE},               \
    {MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL, TLS_STREAM_ERR_HANDSHAKE},             \
    {MBEDTLS_ERR_SSL_UNRECOGNIZED_NAME, TLS_STREAM_ERR_HANDSHAKE},                   \
    {MBEDTLS_ERR_SSL_CERTIFICATE_VERIFICATION_WITHOUT_HOSTNAME, TLS_STREAM_ERR_CONFIG},

#endif /* MBEDTLS_VERSION_NUMBER */

/* ---- TLS 1.3 (3.6 with MBEDTLS_SSL_PROTO_TLS1_3) ------------------------ */
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
/** The connection speaks TLS 1.3. */
static inline int tls_stream_mbc_is_tls13(const mbedtls_ssl_context *ssl)
{
    return mbedtls_ssl_get_version_number(ssl) == MBEDTLS_SSL_VERSION_TLS1_3;
}
/** A TLS 1.3 client was told about a new ticket (non-fatal; read again). */
static inline int tls_stream_mbc_is_new_ticket(int ret)
{
    return ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET;
}
/** TLS 1.3 key exchange modes: PSK configurations psk_ke and psk_dhe_ke,
 *  never a certificate; certificate ones (EC)DHE, and psk_dhe_ke to resume. */
static inline void tls_stream_mbc_conf_tls13_modes(mbedtls_ssl_config *conf, int is_psk)
{
    mbedtls_ssl_conf_tls13_key_exchange_modes(
        conf, is_psk ? MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_ALL
                     : MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL |
                           MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_PSK_EPHEMERAL);
}
/* TLS 1.3 suites offered first by PSK configurations: SHA-256 ones only,
 * the hash RFC 8446 assumes for an external PSK without one. */
#define TLS_STREAM_MBC_TLS13_PSK_SUITES                                              \
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256, MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,      \
        MBEDTLS_TLS1_3_AES_128_CCM_SHA256,
#else
static inline int tls_stream_mbc_is_tls13(const mbedtls_ssl_context *ssl)
{
    (void)ssl;
    return 0;
}
static inline int tls_stream_mbc_is_new_ticket(int ret)
{
    (void)ret;
    return 0;
}
static inline void tls_stream_mbc_conf_tls13_modes(mbedtls_ssl_config *conf, int is_psk)
{
    (void)conf;
    (void)is_psk;
}
#define TLS_STREAM_MBC_TLS13_PSK_SUITES
#endif

#if defined(MBEDTLS_SSL_PROTO_TLS1_3) && defined(MBEDTLS_SSL_SESSION_TICKETS) && \
    defined(MBEDTLS_SSL_CLI_C)
/** Client: have TLS 1.3 NewSessionTickets kept and signalled (3.6 drops
 *  them otherwise). */
static inline void tls_stream_mbc_conf_tls13_tickets(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_tls13_enable_signal_new_session_tickets(
        conf, MBEDTLS_SSL_TLS1_3_SIGNAL_NEW_SESSION_TICKETS_ENABLED);
}
#else
static inline void tls_stream_mbc_conf_tls13_tickets(mbedtls_ssl_config *conf)
{
    (void)conf;
}
#endif

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
#include <mbedtls/debug.h>
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

/** The key exchange of a suite, by its name (3.x keeps the field private):
 *  plain PSK or ECDHE-PSK (1), another PSK (2), a TLS 1.3 suite, which any
 *  authentication may use (3), a certificate one (0). */
static inline int tls_stream_mbc_suite_psk_kind(const mbedtls_ssl_ciphersuite_t *info)
{
    const char *name = tls_stream_mbc_suite_name(info);

    if (strncmp(name, "TLS-PSK-", 8) == 0 || strncmp(name, "TLS-ECDHE-PSK-", 14) == 0)
        return 1;
    if (strncmp(name, "TLS-DHE-PSK-", 12) == 0 || strncmp(name, "TLS-RSA-PSK-", 12) == 0)
        return 2;
    if (strncmp(name, "TLS1-3-", 7) == 0)
        return 3;
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
#if TLS_STREAM_MBC_CAP_SIGALGS
static inline void tls_stream_mbc_conf_sigalgs(mbedtls_ssl_config *conf, const tls_stream_mbc_sigalgs *a)
{
    mbedtls_ssl_conf_sig_algs(conf, a->tls_ids);
}
#endif
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
