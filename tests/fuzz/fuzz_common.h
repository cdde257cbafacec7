/*
 * Shared by the libFuzzer harnesses and the seed recorder.
 *
 * Determinism: a fuzzer input must mean the same thing every time it runs,
 * and a recorded handshake must replay. So this file replaces, for the
 * whole fuzz executable, two things the backend takes from the outside:
 *   - time(): a fixed instant (FUZZ_TIME, inside the test certificates'
 *     validity), which mbedtls puts in its hello randoms and checks
 *     certificates against;
 *   - fuzz_rng(), the backend's RNG in this build (TLS_STREAM_MBT_RNG): a
 *     PRNG with a fixed seed per role, reset before each input by
 *     fuzz_reset(). Configurations speak TLS 1.2 (the seeds' version).
 * (ELF interposition: the executable's definitions win over libc's and
 * libmbedcrypto's, for the shared mbedtls libraries too.)
 */
#ifndef TLS_FUZZ_COMMON_H
#define TLS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/tls_stream.h"

/** 2030-01-01T00:00:00Z: the test certificates run from 2026 to 2046. */
#define FUZZ_TIME 1893456000L

/** The PSK of the fuzz configurations. */
#define FUZZ_PSK_ID "client1"
extern const unsigned char fuzz_psk_key[32];

/** Reset the deterministic RNG (call first in every LLVMFuzzerTestOneInput). */
void fuzz_reset(void);

/** The backend's RNG in the fuzz build (see TLS_STREAM_MBT_RNG). */
int fuzz_rng(void *p_rng, unsigned char *output, size_t output_len);

/** A test file (TLS_FUZZ_CERTS/name), loaded once and kept; NULL if missing. */
const unsigned char *fuzz_file(const char *name, size_t *len);

/** The backend a harness fuzzes: built once per backend, FUZZ_OPENSSL=1
 *  for the OpenSSL one. */
#if FUZZ_OPENSSL
#include "tls_stream/openssl.h"
#define FUZZ_BACKEND() tls_stream_backend_openssl()
#else
#define FUZZ_BACKEND() tls_stream_backend_mbedtls()
#endif

/** Fuzz configurations on backend. Abort on failure (a broken set-up, not a
 *  finding). mbedtls ones speak TLS 1.2 (the seeds' version, replayable);
 *  OpenSSL's draw from OpenSSL's own RNG and keep both versions. */
tls_stream_config *fuzz_psk_client(const tls_stream_backend *backend);
tls_stream_config *fuzz_psk_server(const tls_stream_backend *backend);
tls_stream_config *fuzz_cert_client(const tls_stream_backend *backend);
tls_stream_config *fuzz_cert_server(const tls_stream_backend *backend);

/**
 * A transport whose reads serve data (then end of stream) and whose writes
 * are swallowed (or recorded into out when out is not NULL).
 */
typedef struct fuzz_feed {
    tls_stream_io io;
    const uint8_t *data;
    size_t len, pos;
    unsigned char *out;
    size_t out_len, out_size;
} fuzz_feed;

void fuzz_feed_init(fuzz_feed *f, const uint8_t *data, size_t len);

/** Step a non-blocking handshake until it stops asking for more (bounded). */
int fuzz_handshake(tls_stream *s);

/** Read until an error or the end (bounded); returns the last result. */
int fuzz_drain(tls_stream *s);

/**
 * Handshake a client and a server over a memory pipe, both non-blocking,
 * bounded. Returns TLS_STREAM_OK when both completed.
 */
int fuzz_pair_handshake(tls_stream *c, tls_stream *s);

/**
 * Make a PSK configuration offer plain PSK with AES-128-GCM only (no ECDHE:
 * a handshake per input costs ~20x less). cfg must be frozen (call after its
 * first tls_stream_new()); test-only, through the backend's internals.
 */
void fuzz_plain_psk(tls_stream_config *cfg);

/** Non-zero when FUZZ_VERBOSE is set: harnesses then print each outcome. */
int fuzz_verbose(void);

/**
 * Non-zero when rc is TLS_STREAM_ERR_INTERNAL caused by MBEDTLS_ERR_SSL_BAD_INPUT_DATA
 * (a known mis-mapping, see docs/security.md) and FUZZ_TOLERATE_KNOWN is set
 * in the environment: lets a long run look past it. ctest never sets it.
 */
int fuzz_known_bug(int rc, int detail);

/** Abort unless rc is TLS_STREAM_OK, a want, or a negative tls_stream_status / errno. */
void fuzz_check_rc(int rc);

#endif
