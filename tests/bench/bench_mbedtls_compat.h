/*
 * tls_bench: the mbedtls calls that differ between 2.28 and 3.x, so that
 * the raw baseline runs on whichever version the build uses. Both sides of
 * every comparison speak TLS 1.2 with one forced suite and curve.
 */
#ifndef TLS_BENCH_MBEDTLS_COMPAT_H
#define TLS_BENCH_MBEDTLS_COMPAT_H

#include <mbedtls/version.h>
#if MBEDTLS_VERSION_NUMBER < 0x03000000
#include <mbedtls/config.h>
#else
#include <mbedtls/build_info.h>
#include <psa/crypto.h>
#endif
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>

#if MBEDTLS_VERSION_NUMBER < 0x03000000
static inline int bench_pk_parse_key(mbedtls_pk_context *pk, const unsigned char *key, size_t len,
                                     mbedtls_ctr_drbg_context *drbg)
{
    (void)drbg;
    return mbedtls_pk_parse_key(pk, key, len, NULL, 0);
}
static inline void bench_conf_tls12(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
}
/** secp256r1 only. */
static inline void bench_conf_p256(mbedtls_ssl_config *conf)
{
    static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE};
    mbedtls_ssl_conf_curves(conf, curves);
}
static inline int bench_crypto_init(void)
{
    return 0;
}
#else
static inline int bench_pk_parse_key(mbedtls_pk_context *pk, const unsigned char *key, size_t len,
                                     mbedtls_ctr_drbg_context *drbg)
{
    return mbedtls_pk_parse_key(pk, key, len, NULL, 0, mbedtls_ctr_drbg_random, drbg);
}
static inline void bench_conf_tls12(mbedtls_ssl_config *conf)
{
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
}
static inline void bench_conf_p256(mbedtls_ssl_config *conf)
{
    static const uint16_t groups[] = {MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, 0};
    mbedtls_ssl_conf_groups(conf, groups);
}
static inline int bench_crypto_init(void)
{
    return psa_crypto_init() == PSA_SUCCESS ? 0 : -1;
}
#endif

#endif
