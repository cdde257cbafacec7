/*
 * What this mbedtls build was configured with, in one place.
 *
 * mbedtls_compat.h hides the differences between mbedtls versions; this
 * header hides the differences between mbedtls configurations (a firmware
 * build may leave out X.509, ECDHE, the server or the debug module). Each
 * feature is a TLS_STREAM_MBC_CAP_* macro (0 or 1) plus, where the backend
 * calls into the feature, a helper with a stub for builds without it. The
 * backend answers TLS_STREAM_ERR_UNSUPPORTED for a feature that is absent.
 */
#ifndef TLS_STREAM_MBEDTLS_FEATURES_H
#define TLS_STREAM_MBEDTLS_FEATURES_H

#include <stdint.h>

#include <mbedtls/ecp.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>

/* Certificates: X.509 parsing, keys, PEM (mbedtls_certs.c). */
#if defined(MBEDTLS_X509_CRT_PARSE_C) && defined(MBEDTLS_PK_PARSE_C) && \
    defined(MBEDTLS_PEM_PARSE_C)
#define TLS_STREAM_MBC_CAP_CERTS 1
#else
#define TLS_STREAM_MBC_CAP_CERTS 0
#endif

/* Session resumption needs tickets, the cache and session serialisation. */
#if defined(MBEDTLS_SSL_SESSION_TICKETS) && defined(MBEDTLS_SSL_TICKET_C) && \
    defined(MBEDTLS_SSL_CACHE_C) && defined(MBEDTLS_GCM_C)
#define TLS_STREAM_MBC_CAP_RESUME 1
#else
#define TLS_STREAM_MBC_CAP_RESUME 0
#endif

/* Roles. */
#if defined(MBEDTLS_SSL_CLI_C)
#define TLS_STREAM_MBC_CAP_CLIENT 1
#else
#define TLS_STREAM_MBC_CAP_CLIENT 0
#endif
#if defined(MBEDTLS_SSL_SRV_C)
#define TLS_STREAM_MBC_CAP_SERVER 1
/** Server PSK: ask f_psk for the key of each identity. */
static inline void tls_stream_mbc_conf_psk_cb(mbedtls_ssl_config *conf,
                                              int (*f_psk)(void *, mbedtls_ssl_context *,
                                                           const unsigned char *, size_t),
                                              void *p_psk)
{
    mbedtls_ssl_conf_psk_cb(conf, f_psk, p_psk);
}
#else
#define TLS_STREAM_MBC_CAP_SERVER 0
static inline void tls_stream_mbc_conf_psk_cb(mbedtls_ssl_config *conf,
                                              int (*f_psk)(void *, mbedtls_ssl_context *,
                                                           const unsigned char *, size_t),
                                              void *p_psk)
{
    /* unreachable: config_new refuses the server role */
    (void)conf;
    (void)f_psk;
    (void)p_psk;
}
#endif

/* (EC)DHE groups by name: needs the elliptic curve module. */
#if defined(MBEDTLS_ECP_C) || defined(MBEDTLS_ECP_LIGHT)
#define TLS_STREAM_MBC_CAP_GROUPS 1
/** Look up a group by name: 0 and both ids, or -1 when unknown. */
static inline int tls_stream_mbc_group_by_name(const char *name, mbedtls_ecp_group_id *id,
                                               uint16_t *tls_id)
{
    const mbedtls_ecp_curve_info *info = mbedtls_ecp_curve_info_from_name(name);

    if (info == NULL)
        return -1;
    *id = info->grp_id;
    *tls_id = info->tls_id;
    return 0;
}
#else
#define TLS_STREAM_MBC_CAP_GROUPS 0
static inline int tls_stream_mbc_group_by_name(const char *name, mbedtls_ecp_group_id *id,
                                               uint16_t *tls_id)
{
    (void)name;
    (void)id;
    (void)tls_id;
    return -1;
}
#endif

/* Signature algorithms: only a handshake with certificates signs anything. */
#if defined(MBEDTLS_SSL_HANDSHAKE_WITH_CERT_ENABLED) || defined(MBEDTLS_KEY_EXCHANGE_WITH_CERT_ENABLED)
#define TLS_STREAM_MBC_CAP_SIGALGS 1
#else
#define TLS_STREAM_MBC_CAP_SIGALGS 0
#endif

/* mbedtls's debug output (mbedtls_ssl_conf_dbg prints nothing without it). */
#if defined(MBEDTLS_DEBUG_C)
#define TLS_STREAM_MBC_CAP_DEBUG 1
#else
#define TLS_STREAM_MBC_CAP_DEBUG 0
#endif

#endif /* TLS_STREAM_MBEDTLS_FEATURES_H */
