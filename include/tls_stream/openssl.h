/*
 * tls_stream — the OpenSSL backend (OpenSSL 3.0 or later), for host programs.
 */
#ifndef TLS_STREAM_TLS_OPENSSL_H
#define TLS_STREAM_TLS_OPENSSL_H

#include "tls_stream/backend.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The OpenSSL backend table, for tls_stream_config_new(). Returns a pointer to
 * a static, read-only table; never NULL. It can be linked into the same
 * program as tls_stream_backend_mbedtls(): each configuration picks its own.
 *
 * Protocols: TLS 1.2 and TLS 1.3 (a suite list naming only TLS 1.2 suites
 * keeps the configuration on TLS 1.2, one naming only TLS 1.3 suites on 1.3).
 * PSK: TLS 1.2 PSK and ECDHE-PSK suites and TLS 1.3 external PSK with
 * (EC)DHE; a PSK identity must not contain a zero byte (TLS 1.2 API).
 * Suite names: the IANA names in either spelling
 * ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" or mbedtls's
 * "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"), OpenSSL's own names
 * ("ECDHE-ECDSA-AES128-GCM-SHA256"), and for TLS 1.3 "TLS_AES_128_GCM_SHA256"
 * or "TLS1-3-AES-128-GCM-SHA256". tls_stream_cipher() reports the names the
 * mbedtls backend does ("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256",
 * "TLS1-3-AES-256-GCM-SHA384"), so a name means one suite on every backend;
 * alert names in error details are the RFC's ("bad_record_mac") likewise.
 * Verify depth: OpenSSL's default limit (100) unless one is set; a set depth
 * counts as the mbedtls backend's (certificates below the trust anchor).
 * Error detail: the OpenSSL error code (ERR_get_error()) and its reason text;
 * for a failed certificate check the X509_V_ERR_* code and its text.
 *
 * Memory: tls_stream's own objects (configuration, session, the buffer of
 * records not yet sent) use the configuration's allocator; OpenSSL allocates
 * everything else with its own malloc. Redirecting OpenSSL's allocations
 * (CRYPTO_set_mem_functions()) is process-wide, so this backend leaves it to
 * the application.
 * Randomness: OpenSSL's own DRBG (the OS source); a source given with
 * tls_stream_config_set_entropy() is mixed in with RAND_add() when the
 * configuration is finished (process-wide, additive only).
 * Errors: OpenSSL's thread-local error queue is cleared before and after
 * every call into OpenSSL, so no error leaks from one stream to another.
 */
TLS_STREAM_API const tls_stream_backend *tls_stream_backend_openssl(void);

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_OPENSSL_H */
