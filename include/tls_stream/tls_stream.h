/*
 * tls_stream — TLS on any byte stream.
 *
 * Two opaque objects:
 *   tls_stream_config  built once, then shared read-only by any number of streams.
 *               Reference counted: tls_stream_config_free() drops the caller's
 *               reference; every stream holds its own.
 *   tls_stream  one connection over one tls_stream_io transport; one thread at a
 *               time.
 *
 * Threads: a configuration's setters and its first tls_stream_new() (which
 * freezes it) run on one thread, before the configuration is shared. From
 * then on, streams of one configuration may run on several threads at once
 * when the backend has TLS_STREAM_CAP_THREADS (mbedtls: built with
 * MBEDTLS_THREADING_C, as Debian's packages are); otherwise all of them must
 * run on one thread. tls_stream_config_ref()/_free() are atomic (GCC,
 * clang). With mbedtls the debug level (tls_stream_config_set_debug) is
 * process-wide.
 *
 * Typical client:
 *
 *     tls_stream_config *cfg;
 *     tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT, NULL);
 *     tls_stream_config_add_ca(cfg, ca_pem, ca_pem_len);
 *     tls_stream_config_set_server_name(cfg, "example.com");
 *     tls_stream *s;
 *     tls_stream_new(&s, cfg, &io);
 *     tls_stream_config_free(cfg);            // the stream keeps its reference
 *     tls_stream_write(s, "hi\n", 3);  // runs the handshake first
 *     n = tls_stream_read(s, buf, sizeof buf);
 *     tls_stream_close(s);
 *     tls_stream_free(s);
 *
 * Every function returns TLS_STREAM_OK (0) or a byte count on success, and a
 * negative tls_stream_status on failure (see tls_stream/error.h).
 */
#ifndef TLS_STREAM_TLS_STREAM_H
#define TLS_STREAM_TLS_STREAM_H

#include <stddef.h>

#include "tls_stream/error.h"
#include "tls_stream/io.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tls_stream_config tls_stream_config;
typedef struct tls_stream tls_stream;
typedef struct tls_stream_backend tls_stream_backend;

/** Which end of the connection a configuration is for. */
typedef enum tls_stream_role { TLS_STREAM_CLIENT = 0, TLS_STREAM_SERVER = 1 } tls_stream_role;

/**
 * Peer verification.
 *   NONE      client: accept any server certificate (insecure, by name);
 *             server: do not ask for a client certificate (the server default).
 *   OPTIONAL  client: same as REQUIRED; server: ask for a client certificate
 *             and verify it if one is sent.
 *   REQUIRED  client: verify chain and host name (the client default);
 *             server: demand and verify a client certificate (mutual TLS).
 */
typedef enum tls_stream_verify {
    TLS_STREAM_VERIFY_NONE = 0,
    TLS_STREAM_VERIFY_OPTIONAL = 1,
    TLS_STREAM_VERIFY_REQUIRED = 2
} tls_stream_verify;

/**
 * Allocator hook. Every allocation of tls_stream's own code goes through it.
 * alloc returns size bytes (contents undefined) or NULL; free receives the
 * size that was asked for, so pool allocators need no header.
 */
typedef struct tls_stream_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} tls_stream_allocator;

/**
 * Server-side PSK lookup: copy the key for identity into key (key_size bytes
 * available). Returns the key length (> 0), or TLS_STREAM_ERR_PSK_IDENTITY when the
 * identity is unknown. Called during the handshake, on the stream's thread.
 */
typedef int (*tls_stream_psk_lookup_fn)(void *arg, const unsigned char *identity,
                                 size_t identity_len, unsigned char *key,
                                 size_t key_size);

/**
 * Entropy source for firmware: fill buf with len bytes of true randomness.
 * Returns 0 on success, non-zero on failure. Where the platform has an OS
 * entropy source the backend uses it and this hook adds to it.
 */
typedef int (*tls_stream_entropy_fn)(void *arg, unsigned char *buf, size_t len);

/** Debug hook: level 1 (errors) to 4 (verbose); line has no newline. */
typedef void (*tls_stream_debug_fn)(void *arg, int level, const char *line);

/** The longest PSK key accepted (bytes), as in MicroPython and mbedtls. */
#define TLS_STREAM_PSK_MAX_KEY 32
/** The longest PSK identity accepted (bytes). */
#define TLS_STREAM_PSK_MAX_IDENTITY 128

/* ---------------------------------------------------------------------- */
/* Configuration                                                          */
/* ---------------------------------------------------------------------- */

/**
 * Create a configuration for role, using backend (e.g. tls_stream_backend_mbedtls()).
 * alloc may be NULL for the platform default (malloc/free on hosted builds);
 * it is copied. Defaults: clients verify (TLS_STREAM_VERIFY_REQUIRED), servers do
 * not ask for client certificates, no timeout, truncation is an error.
 * On success *out holds one reference owned by the caller.
 * Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_NOMEM, or a backend error.
 */
TLS_STREAM_API int tls_stream_config_new(tls_stream_config **out, const tls_stream_backend *backend, tls_stream_role role,
                   const tls_stream_allocator *alloc);

/**
 * Take one more reference to cfg. Returns cfg. Each reference is dropped
 * with tls_stream_config_free().
 */
TLS_STREAM_API tls_stream_config *tls_stream_config_ref(tls_stream_config *cfg);

/**
 * Drop one reference; the last one frees the configuration and everything
 * it copied. NULL is ignored.
 */
TLS_STREAM_API void tls_stream_config_free(tls_stream_config *cfg);

/*
 * Setters. They are valid until the first successful tls_stream_new() on
 * the configuration, which freezes it; afterwards they return
 * TLS_STREAM_ERR_STATE. A tls_stream_new() that fails because the
 * configuration is refused (validation, or the backend's check, e.g. an
 * unknown suite name) does not freeze it: fix it and try again.
 * Data is copied: the caller keeps ownership of every pointer it passes.
 */

/** Set the verification mode (see tls_stream_verify). Returns TLS_STREAM_OK or TLS_STREAM_ERR_ARG. */
TLS_STREAM_API int tls_stream_config_set_verify(tls_stream_config *cfg, tls_stream_verify mode);

/**
 * Limit the peer's certificate chain to depth certificates below the trust
 * anchor (default: the backend's, 8 for mbedtls). Returns TLS_STREAM_OK or TLS_STREAM_ERR_ARG
 * for 0 or a depth above 16.
 */
TLS_STREAM_API int tls_stream_config_set_verify_depth(tls_stream_config *cfg, int depth);

/**
 * Add trusted CA certificates, PEM (one or many) or DER (one). May be called
 * more than once. Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_BAD_CERT, TLS_STREAM_ERR_NOMEM.
 */
TLS_STREAM_API int tls_stream_config_add_ca(tls_stream_config *cfg, const void *data, size_t len);

/**
 * Set our own certificate chain (PEM with leaf first, or one DER). Returns
 * TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_BAD_CERT, TLS_STREAM_ERR_NOMEM, or TLS_STREAM_ERR_CONFIG when
 * a PSK is already configured.
 */
TLS_STREAM_API int tls_stream_config_set_cert(tls_stream_config *cfg, const void *data, size_t len);

/**
 * Set our private key (PEM or DER; password may be NULL). Returns TLS_STREAM_OK,
 * TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_BAD_KEY, TLS_STREAM_ERR_NOMEM, or TLS_STREAM_ERR_CONFIG when a PSK
 * is already configured.
 */
TLS_STREAM_API int tls_stream_config_set_key(tls_stream_config *cfg, const void *data, size_t len,
                       const char *password);

/**
 * Client: the server's name, sent as SNI and verified against its
 * certificate. A NUL-terminated string, copied. Returns TLS_STREAM_OK or TLS_STREAM_ERR_ARG.
 */
TLS_STREAM_API int tls_stream_config_set_server_name(tls_stream_config *cfg, const char *name);

/**
 * Client PSK: identity (0..TLS_STREAM_PSK_MAX_IDENTITY bytes of any value;
 * the length is explicit, 0 is the empty identity) and key
 * (1..TLS_STREAM_PSK_MAX_KEY bytes). The configuration then offers only PSK and
 * ECDHE-PSK suites. Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG (NULL pointers, empty key,
 * identity too long), TLS_STREAM_ERR_BAD_KEY (key too long), TLS_STREAM_ERR_STATE on a server,
 * TLS_STREAM_ERR_CONFIG when a certificate or key is already set, TLS_STREAM_ERR_UNSUPPORTED
 * when the backend has no PSK. A backend that cannot send an empty identity
 * (mbedtls) fails tls_stream_new() with TLS_STREAM_ERR_UNSUPPORTED.
 */
TLS_STREAM_API int tls_stream_config_set_psk(tls_stream_config *cfg, const void *identity, size_t identity_len,
                       const void *key, size_t key_len);

/**
 * Server PSK: look keys up with fn(arg, ...). arg must outlive the
 * configuration. Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_STATE on a client,
 * TLS_STREAM_ERR_CONFIG when a certificate or key is set, TLS_STREAM_ERR_UNSUPPORTED when
 * the backend has no PSK.
 */
TLS_STREAM_API int tls_stream_config_set_psk_lookup(tls_stream_config *cfg, tls_stream_psk_lookup_fn fn, void *arg);

/**
 * Server PSK: add identity → key to the configuration's own table (copied).
 * The table is used when no lookup function is set. Returns as
 * tls_stream_config_set_psk_lookup(), plus TLS_STREAM_ERR_BAD_KEY for a key too long.
 */
TLS_STREAM_API int tls_stream_config_add_psk(tls_stream_config *cfg, const void *identity, size_t identity_len,
                       const void *key, size_t key_len);

/**
 * Server PSK: load a table in the common "identity:hexkey" text format (one
 * entry a line; blank lines and lines starting with '#' are skipped; CR LF
 * accepted). All or nothing: on error nothing is added.
 * Returns TLS_STREAM_OK, or TLS_STREAM_ERR_BAD_KEY naming the first bad line in the detail
 * (tls_stream_config_error_detail()), or the errors of tls_stream_config_add_psk().
 */
TLS_STREAM_API int tls_stream_config_load_psk_table(tls_stream_config *cfg, const char *text, size_t len);

/**
 * Set the ALPN protocols to offer (client) or accept (server), in order of
 * preference; protos is a NULL-terminated array of strings, copied.
 * Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_NOMEM, TLS_STREAM_ERR_UNSUPPORTED.
 */
TLS_STREAM_API int tls_stream_config_set_alpn(tls_stream_config *cfg, const char *const *protos);

/** The most cipher suites tls_stream_config_set_ciphersuites() takes. */
#define TLS_STREAM_MAX_CIPHERSUITES 15
/** The most groups tls_stream_config_set_groups() takes. */
#define TLS_STREAM_MAX_GROUPS 8

/**
 * Offer (client) or accept (server) only these cipher suites, in order of
 * preference: a NULL-terminated array of the backend's names (mbedtls:
 * "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256", "TLS-PSK-WITH-AES-128-GCM-SHA256",
 * ...), copied. Checked when the configuration freezes: an unknown name, or
 * a certificate suite in a PSK configuration (and the reverse), fails
 * tls_stream_new() with TLS_STREAM_ERR_CONFIG naming it. Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG
 * (empty list, more than TLS_STREAM_MAX_CIPHERSUITES), TLS_STREAM_ERR_NOMEM.
 */
TLS_STREAM_API int tls_stream_config_set_ciphersuites(tls_stream_config *cfg, const char *const *names);

/**
 * Use only these (EC)DHE groups, in order of preference: a NULL-terminated
 * array of names such as "secp256r1", "x25519", copied. Checked like
 * tls_stream_config_set_ciphersuites(). Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_NOMEM.
 */
TLS_STREAM_API int tls_stream_config_set_groups(tls_stream_config *cfg, const char *const *names);

/** The most names tls_stream_config_set_sigalgs() takes. */
#define TLS_STREAM_MAX_SIGALGS 16

/**
 * Offer (client) or accept (server) only these signature algorithms, in
 * order of preference: a NULL-terminated array of RFC 8446 SignatureScheme
 * names, copied: "ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384",
 * "ecdsa_secp521r1_sha512", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384",
 * "rsa_pkcs1_sha512", "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384",
 * "rsa_pss_rsae_sha512", "ecdsa_sha1", "rsa_pkcs1_sha1". Checked like
 * tls_stream_config_set_ciphersuites() (an unknown name, or one the backend
 * cannot use, fails tls_stream_new() with TLS_STREAM_ERR_CONFIG naming it).
 * mbedtls 2.28 selects TLS 1.2 signatures by hash only: the hashes of the
 * names, in their order, are allowed for both RSA and ECDSA; the PSS names
 * are refused there. Default (mbedtls): SHA-256 first, then SHA-384,
 * SHA-512 — so a small RSA key (512 bits cannot sign SHA-384 or SHA-512
 * PKCS#1 v1.5 digests) works with a peer that follows our order.
 * Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG (empty list, more than
 * TLS_STREAM_MAX_SIGALGS, a name longer than 32), TLS_STREAM_ERR_NOMEM.
 */
TLS_STREAM_API int tls_stream_config_set_sigalgs(tls_stream_config *cfg, const char *const *names);

/**
 * Inactivity timeout for blocking streams, in milliseconds (< 0: none, the
 * default). A blocking call fails with TLS_STREAM_ERR_TIMEOUT when the transport
 * stays not ready that long. Needs a transport with a wait function.
 * Returns TLS_STREAM_OK.
 */
TLS_STREAM_API int tls_stream_config_set_timeout(tls_stream_config *cfg, int timeout_ms);

/**
 * Accept an end of stream without close_notify as a clean end (read returns
 * 0), like CPython's suppress_ragged_eofs. Insecure against truncation
 * attacks; off by default. Returns TLS_STREAM_OK.
 */
TLS_STREAM_API int tls_stream_config_insecure_allow_truncation(tls_stream_config *cfg, int allow);

/** Add an entropy source (see tls_stream_entropy_fn). Returns TLS_STREAM_OK or TLS_STREAM_ERR_ARG. */
TLS_STREAM_API int tls_stream_config_set_entropy(tls_stream_config *cfg, tls_stream_entropy_fn fn, void *arg);

/** Route the backend's debug output to fn at up to level (0 = off). Returns TLS_STREAM_OK. */
TLS_STREAM_API int tls_stream_config_set_debug(tls_stream_config *cfg, tls_stream_debug_fn fn, void *arg, int level);

/**
 * Server: issue session tickets (RFC 5077) valid for lifetime_s seconds, so
 * clients can resume without a full handshake; the ticket key is random,
 * kept in memory and rotated by the backend. 0 turns tickets off (default).
 * Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG (negative lifetime), TLS_STREAM_ERR_STATE on a client,
 * TLS_STREAM_ERR_UNSUPPORTED when the backend cannot resume.
 */
TLS_STREAM_API int tls_stream_config_set_session_tickets(tls_stream_config *cfg, int lifetime_s);

/**
 * Server: keep up to max_entries sessions for timeout_s seconds, so clients
 * can resume by session ID. 0 entries turns the cache off (default). The
 * cache lives in the configuration: the streams sharing it share the cache.
 * Returns as tls_stream_config_set_session_tickets().
 */
TLS_STREAM_API int tls_stream_config_set_session_cache(tls_stream_config *cfg, int max_entries, int timeout_s);

/**
 * Client: ask the server for records of at most len plaintext bytes (max
 * fragment length negotiation: 512, 1024, 2048 or 4096; 0: off, the
 * default). Smaller records cut the peer's sending granularity, not our
 * receive buffer (see docs/performance.md). Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG for
 * another length, TLS_STREAM_ERR_STATE on a server, TLS_STREAM_ERR_UNSUPPORTED.
 */
TLS_STREAM_API int tls_stream_config_set_max_fragment(tls_stream_config *cfg, size_t len);

/** Protocol versions (tls_stream_config_set_version), their wire numbers. */
#define TLS_STREAM_TLS1_2 0x0303
#define TLS_STREAM_TLS1_3 0x0304

/**
 * Allow protocol versions min..max (TLS_STREAM_TLS1_2 or TLS_STREAM_TLS1_3;
 * 0 for either end: the default, TLS 1.2 up to the newest the backend
 * speaks). Both peers settle on the newest version they share.
 * Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG (another value, or min > max),
 * TLS_STREAM_ERR_UNSUPPORTED (TLS 1.3 with a backend without it, such as
 * mbedtls 2.28), TLS_STREAM_ERR_STATE once the configuration is in use.
 */
TLS_STREAM_API int tls_stream_config_set_version(tls_stream_config *cfg, int min, int max);

/**
 * Why the last setter on cfg failed, in the backend's words: returns the
 * backend's own error code (0 if none) and stores a NUL-terminated message
 * owned by cfg in *msg (when msg is not NULL).
 */
TLS_STREAM_API int tls_stream_config_error_detail(const tls_stream_config *cfg, const char **msg);

/* ---------------------------------------------------------------------- */
/* Streams                                                                */
/* ---------------------------------------------------------------------- */

/** Connection states, for diagnosis (tls_stream_state()). */
typedef enum tls_stream_conn_state {
    TLS_STREAM_STATE_NEW = 0,     /**< created, no byte sent yet */
    TLS_STREAM_STATE_HANDSHAKE,   /**< handshake in progress */
    TLS_STREAM_STATE_OPEN,        /**< application data flows */
    TLS_STREAM_STATE_PEER_CLOSED, /**< the peer sent close_notify; read returns 0 */
    TLS_STREAM_STATE_CLOSED,      /**< tls_stream_close() was called */
    TLS_STREAM_STATE_FAILED       /**< a fatal error; every call returns it again */
} tls_stream_conn_state;

/**
 * Create a stream over io (copied; io->ctx must outlive the stream) with the
 * configuration cfg, which the stream references (and freezes). Nothing is
 * sent: the handshake runs in tls_stream_handshake() or in the first read or
 * write. Streams start in blocking mode.
 * Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_CONFIG (e.g. a verifying client
 * without CA; a missing server name is reported by the handshake, since
 * tls_stream_set_server_name() may still provide it), TLS_STREAM_ERR_NOMEM, or a
 * backend error.
 */
TLS_STREAM_API int tls_stream_new(tls_stream **out, tls_stream_config *cfg, const tls_stream_io *io);

/**
 * Free the stream and drop its configuration reference. Never reads,
 * writes or waits on the transport (no close_notify is sent): its only
 * transport call is io->close, once, when tls_stream_close() was not called
 * (so no transport is leaked; its result is dropped). NULL is ignored.
 */
TLS_STREAM_API void tls_stream_free(tls_stream *s);

/**
 * Free the stream and drop its configuration reference without calling the
 * transport at all: no read, write, wait, nor close. For a garbage
 * collector's finaliser, or a program tearing down after the transport is
 * gone or owned elsewhere; the transport stays the caller's to release.
 * Valid in every state (also mid-handshake, after an interruption).
 * NULL is ignored.
 */
TLS_STREAM_API void tls_stream_abort(tls_stream *s);

/**
 * Client: override the configuration's server name for this stream (SNI and
 * verified name). Valid before the handshake starts. Returns TLS_STREAM_OK,
 * TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_STATE, TLS_STREAM_ERR_NOMEM.
 */
TLS_STREAM_API int tls_stream_set_server_name(tls_stream *s, const char *name);

/**
 * Blocking (non-zero, the default) or non-blocking mode. In blocking mode
 * calls loop (using io->wait) until done or until the configured timeout;
 * in non-blocking mode they return TLS_STREAM_WANT_READ/TLS_STREAM_WANT_WRITE.
 * Returns TLS_STREAM_OK.
 */
TLS_STREAM_API int tls_stream_set_blocking(tls_stream *s, int blocking);

/**
 * Run (or continue) the handshake. Returns TLS_STREAM_OK once it is complete (also
 * when it already was), TLS_STREAM_WANT_READ/TLS_STREAM_WANT_WRITE in non-blocking mode,
 * TLS_STREAM_INTERRUPTED when the transport was interrupted (call again to
 * continue; see tls_stream/io.h), or a fatal error (sticky: see
 * tls_stream_error()). read, write, flush and shutdown also return
 * TLS_STREAM_INTERRUPTED that way.
 */
TLS_STREAM_API int tls_stream_handshake(tls_stream *s);

/**
 * Read up to len plaintext bytes (runs the handshake first if needed).
 * Returns n > 0 bytes read; 0 after the peer's close_notify; TLS_STREAM_WANT_* in
 * non-blocking mode; TLS_STREAM_ERR_TRUNCATED when the transport ended without
 * close_notify; TLS_STREAM_ERR_CLOSED after tls_stream_close(); or another error.
 * len is capped at INT_MAX. len 0 returns 0 at once, as tls_stream_write() does
 * (buf may then be NULL; nothing is read, no handshake runs): only a 0 from a
 * read of len > 0 means the end of the stream.
 */
TLS_STREAM_API int tls_stream_read(tls_stream *s, void *buf, size_t len);

/**
 * Write len plaintext bytes (runs the handshake first if needed).
 * Blocking mode: returns len once all of it reached the transport, or an
 * error. Non-blocking mode: returns the number of bytes accepted (> 0, may be
 * less than len; they will be sent by later calls, see tls_stream_wants()),
 * or TLS_STREAM_WANT_* when none was. len is capped at INT_MAX; len 0 returns 0
 * at once (buf may then be NULL; nothing is sent, no handshake runs).
 */
TLS_STREAM_API int tls_stream_write(tls_stream *s, const void *buf, size_t len);

/**
 * Send whatever accepted data is still buffered. Returns TLS_STREAM_OK,
 * TLS_STREAM_WANT_WRITE in non-blocking mode, or an error.
 */
TLS_STREAM_API int tls_stream_flush(tls_stream *s);

/**
 * Half close: send close_notify (our last word) but keep the transport open
 * and keep reading until the peer's close_notify (read returns 0). Later
 * writes return TLS_STREAM_ERR_CLOSED. Returns TLS_STREAM_OK once close_notify is sent,
 * TLS_STREAM_WANT_* in non-blocking mode (call again), or an error (sticky). A
 * second call returns TLS_STREAM_OK. Follow with tls_stream_close() as usual.
 */
TLS_STREAM_API int tls_stream_shutdown(tls_stream *s);

/**
 * Send close_notify (best effort, bounded like any blocking call) and close
 * the transport. Returns TLS_STREAM_OK; the error met while sending
 * close_notify; else TLS_STREAM_ERR_IO when the transport's close failed
 * (tls_stream_error_detail() gives its code, a negated errno). The transport
 * is closed in every case but one: TLS_STREAM_INTERRUPTED, returned when the
 * transport was interrupted while close_notify was going out; nothing is
 * closed then, and the next tls_stream_close() continues. A second call after
 * the close is a no-op returning TLS_STREAM_OK.
 */
TLS_STREAM_API int tls_stream_close(tls_stream *s);

/** tls_stream_wants() bits: poll the transport for input / for output. */
#define TLS_STREAM_POLL_READ 0x1
#define TLS_STREAM_POLL_WRITE 0x2

/**
 * The set of transport directions the stream waits for (poll exactly these):
 * the want last answered by each kind of call that has not completed since
 * — tls_stream_read(); tls_stream_write()/_flush()/_shutdown()/_close() (also
 * a write that returned a short count because the rest would block);
 * tls_stream_handshake() — plus TLS_STREAM_POLL_WRITE while accepted data is
 * still buffered for sending. Both bits at once when both hold (e.g. a read
 * waiting for input while a write waits for output or a record is queued);
 * 0 when nothing is pending (then poll for what you want to do). When the
 * direction a call's want named is ready, repeat that call. Failed or
 * closed streams answer 0.
 */
TLS_STREAM_API int tls_stream_wants(const tls_stream *s);

/** Plaintext bytes already decrypted and buffered: a read returns them at once. */
TLS_STREAM_API size_t tls_stream_pending(const tls_stream *s);

/** The current state (tls_stream_conn_state). */
TLS_STREAM_API tls_stream_conn_state tls_stream_state(const tls_stream *s);

/** The sticky error that failed the stream, or TLS_STREAM_OK. */
TLS_STREAM_API int tls_stream_error(const tls_stream *s);

/**
 * The cause of the last error in its own terms: returns the backend's code
 * (e.g. an MBEDTLS_ERR_* value) or the transport's (a negated errno), 0 if
 * none, and stores a NUL-terminated message owned by s in *msg when msg is
 * not NULL.
 */
TLS_STREAM_API int tls_stream_error_detail(const tls_stream *s, const char **msg);

/** The negotiated cipher suite name, or NULL before the handshake. Static string. */
TLS_STREAM_API const char *tls_stream_cipher(const tls_stream *s);

/** The negotiated protocol version ("TLSv1.2"), or NULL before the handshake. */
TLS_STREAM_API const char *tls_stream_version(const tls_stream *s);

/** The negotiated ALPN protocol, or NULL. Owned by the stream. */
TLS_STREAM_API const char *tls_stream_alpn(const tls_stream *s);

/**
 * The peer's certificate in DER: stores a pointer owned by the stream (valid
 * until tls_stream_free()) and its length. Returns TLS_STREAM_OK, TLS_STREAM_ERR_STATE
 * before the handshake, or TLS_STREAM_ERR_NO_PEER_CERT when the peer sent none.
 */
TLS_STREAM_API int tls_stream_peer_cert(const tls_stream *s, const unsigned char **der, size_t *len);

/* ---------------------------------------------------------------------- */
/* Session resumption (client)                                            */
/* ---------------------------------------------------------------------- */

/**
 * Client: serialise the established session (its ticket or ID and master
 * secret) into buf, so a later connection to the same server can resume it
 * with tls_stream_session_load() — also after a reboot, from flash.
 * The blob is a secret: whoever holds it can decrypt that session.
 * Returns TLS_STREAM_OK with *len set; TLS_STREAM_ERR_ARG when buf is NULL or size is too
 * small (then *len is the size needed); TLS_STREAM_ERR_STATE before the handshake or
 * on a server; TLS_STREAM_ERR_UNSUPPORTED when the backend cannot resume.
 */
TLS_STREAM_API int tls_stream_session_save(const tls_stream *s, unsigned char *buf, size_t size, size_t *len);

/**
 * Client: offer the saved session (copied) in this stream's handshake. Call
 * before the handshake starts, with a blob saved from a connection to the
 * same server name. A session the server no longer accepts (expired ticket,
 * restarted server, unreadable blob) falls back to a full, fully verified
 * handshake: see tls_stream_resumed(). Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG,
 * TLS_STREAM_ERR_STATE (handshake started, or a server), TLS_STREAM_ERR_NOMEM,
 * TLS_STREAM_ERR_UNSUPPORTED.
 */
TLS_STREAM_API int tls_stream_session_load(tls_stream *s, const unsigned char *buf, size_t len);

/** 1 when the completed handshake resumed a session, else 0. */
TLS_STREAM_API int tls_stream_resumed(const tls_stream *s);

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_STREAM_H */
