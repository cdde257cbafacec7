/*
 * tls_stream — the mbedtls backend (mbedtls 2.28; 3.x behind a compat header).
 */
#ifndef TLS_STREAM_TLS_MBEDTLS_H
#define TLS_STREAM_TLS_MBEDTLS_H

#include "tls_stream/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The mbedtls backend table, for tls_stream_config_new(). Returns a pointer to a
 * static, read-only table; never NULL.
 *
 * Memory: tls_stream's own objects use the configuration's allocator;
 * mbedtls allocates its record buffers and parsed certificates with its own
 * calloc/free (the platform's, unless mbedtls was built with
 * MBEDTLS_PLATFORM_MEMORY and set up by the application).
 * Randomness: mbedtls's entropy collector (the OS source on hosted builds)
 * plus the source given with tls_stream_config_set_entropy().
 * Features follow mbedtls's build configuration: what it leaves out
 * (X.509, a role, (EC)DHE groups, ALPN, max fragment length, resumption,
 * debug output) is refused with TLS_STREAM_ERR_UNSUPPORTED; compile the
 * backend with the MBEDTLS_CONFIG_FILE mbedtls was built with (see
 * docs/porting.md).
 */
TLS_STREAM_API const tls_stream_backend *tls_stream_backend_mbedtls(void);

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_MBEDTLS_H */
