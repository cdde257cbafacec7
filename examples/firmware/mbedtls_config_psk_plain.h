/*
 * The smallest configuration: mbedtls_config_psk.h without ECDHE-PSK (no
 * bignum, elliptic curves or ChaCha20-Poly1305). Plain PSK has no forward
 * secrecy: a key that leaks later decrypts recorded sessions. Use it only
 * where flash is that short; the firmware test builds it to check that the
 * backend follows a configuration without (EC)DHE too.
 */
#ifndef TLS_STREAM_MBEDTLS_CONFIG_PSK_PLAIN_H
#define TLS_STREAM_MBEDTLS_CONFIG_PSK_PLAIN_H

#include "mbedtls_config_psk.h"

#undef MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED
#undef MBEDTLS_ECDH_C
#undef MBEDTLS_ECP_C
#undef MBEDTLS_BIGNUM_C
#undef MBEDTLS_ECP_DP_SECP256R1_ENABLED
#undef MBEDTLS_ECP_DP_CURVE25519_ENABLED
#undef MBEDTLS_CHACHA20_C
#undef MBEDTLS_POLY1305_C
#undef MBEDTLS_CHACHAPOLY_C

#endif /* TLS_STREAM_MBEDTLS_CONFIG_PSK_PLAIN_H */
