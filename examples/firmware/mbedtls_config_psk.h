/*
 * Recommended mbedtls configuration for tls_stream on a microcontroller:
 * a TLS 1.2 client with PSK and ECDHE-PSK, AES-CCM and AES-GCM, small
 * record buffers negotiated with max fragment length, no X.509, no debug
 * output, and every allocation through the platform memory hooks.
 *
 * For mbedtls 3.6 (and 2.28): compile mbedtls and the backend with
 * MBEDTLS_CONFIG_FILE="mbedtls_config_psk.h". Options tls_stream uses when present:
 *
 *   feature                 mbedtls options                        tls_stream call
 *   PSK                     MBEDTLS_KEY_EXCHANGE_PSK_ENABLED       tls_stream_config_set_psk
 *   ECDHE-PSK               + _ECDHE_PSK_ENABLED, ECDH_C, ECP_C    (suites by name)
 *   max fragment length     MBEDTLS_SSL_MAX_FRAGMENT_LENGTH        tls_stream_config_set_max_fragment
 *   certificates            X509_CRT_PARSE_C, PK_PARSE_C, PEM...   tls_stream_config_add_ca, _set_cert
 *   ALPN                    MBEDTLS_SSL_ALPN                       tls_stream_config_set_alpn
 *   resumption (server)     SESSION_TICKETS, TICKET_C, CACHE_C     tls_stream_config_set_tickets
 *   debug output            MBEDTLS_DEBUG_C                        tls_stream_config_set_debug
 *
 * A feature whose options are absent makes its call return
 * TLS_STREAM_ERR_UNSUPPORTED (see docs/porting.md).
 */
#ifndef TLS_STREAM_MBEDTLS_CONFIG_PSK_H
#define TLS_STREAM_MBEDTLS_CONFIG_PSK_H

/* ---- platform: no OS, allocations through mbedtls_platform_set_calloc_free */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_NO_PLATFORM_ENTROPY  /* entropy: tls_stream_config_set_entropy */
#define MBEDTLS_HAVE_ASM
/* no MBEDTLS_HAVE_TIME: no wall clock on a bare board */

/* ---- TLS 1.2 client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
/* #define MBEDTLS_SSL_SRV_C     for a server (PSK lookup) */
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_KEY_EXCHANGE_PSK_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED

/* ---- crypto: PSK with AES-GCM and AES-CCM; ECDHE-PSK with ChaCha20-Poly1305
 * (TLS 1.2 has no ECDHE-PSK suite with GCM or CCM that mbedtls implements,
 * and its CBC suites would add CBC, padding and HMAC code); SHA-256; ECDH on
 * X25519 and P-256. */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES     /* tables in flash, not RAM */
#define MBEDTLS_AES_FEWER_TABLES   /* 2 KiB of tables instead of 8 */
#define MBEDTLS_AES_ONLY_128_BIT_KEY_LENGTH /* 3.x: 96 bytes less per AES context */
#define MBEDTLS_CTR_DRBG_USE_128_BIT_KEY    /* AES-128 DRBG: 128-bit security, as the suites */
#define MBEDTLS_CCM_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_ENTROPY_FORCE_SHA256
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#define MBEDTLS_MPI_WINDOW_SIZE 1
#define MBEDTLS_MPI_MAX_SIZE 32

/* ---- sizes: 1 KiB records (the client asks for max_fragment_length 1024) */
#define MBEDTLS_SSL_IN_CONTENT_LEN 1024
#define MBEDTLS_SSL_OUT_CONTENT_LEN 1024
#define MBEDTLS_PSK_MAX_LEN 32
#define MBEDTLS_ENTROPY_MAX_SOURCES 2

/* mbedtls 3.x defines its version before reading this file and checks the
 * configuration itself; 2.28 leaves the check to the configuration file. */
#if !defined(MBEDTLS_VERSION_MAJOR)
#include "mbedtls/check_config.h"
#endif

#endif /* TLS_STREAM_MBEDTLS_CONFIG_PSK_H */
