/*
 * Test support: a real client and server in one process.
 *
 * Helpers for tests that run both ends of a connection with a real backend
 * (the mbedtls one):
 *
 *   - configurations: load test certificates by file name (from the folder
 *     TLS_TEST_CERTS, compiled into this library), build client and server
 *     configurations for PSK and certificate modes;
 *   - tls_pair: a client and a server stream over one tls_stream_mem_pipe, both
 *     non-blocking, stepped by one thread (handshake and transfers with a
 *     bounded number of steps; a run that stops making progress is reported,
 *     never waited on);
 *   - tls_pair_sock: a client stream over one end of a socketpair(AF_UNIX)
 *     and a server stream over the other, the server running in a pthread,
 *     both in blocking mode;
 *   - patterned data: writers and readers that send and check a byte pattern
 *     (so order and content are both verified) of any length.
 *
 * Typical use (cmocka):
 *
 *     tls_stream_config *c, *s;
 *     tls_pair p;
 *     assert_int_equal(tls_pair_psk_client(&c, NULL, "client1", key, 32), TLS_STREAM_OK);
 *     assert_int_equal(tls_pair_psk_server(&s, NULL, "client1", key, 32), TLS_STREAM_OK);
 *     assert_int_equal(tls_pair_new(&p, c, s, NULL), TLS_STREAM_OK);
 *     tls_stream_config_free(c);              // the streams keep their references
 *     tls_stream_config_free(s);
 *     assert_int_equal(tls_pair_handshake(&p), TLS_STREAM_OK);
 *     assert_int_equal(tls_pair_transfer(&p, 4096), TLS_STREAM_OK);
 *     tls_pair_free(&p);
 *
 * Every function returns TLS_STREAM_OK (0) or a negative tls_stream_status, except where
 * said; the TLS_PAIR_* codes below report test-level failures. None of them
 * uses cmocka, so they can run in any thread; they print a one-line reason to
 * stderr when they report a failure that the return code alone does not
 * explain. Not thread-safe unless said.
 */
#ifndef TLS_TEST_TLS_PAIR_H
#define TLS_TEST_TLS_PAIR_H

#include <pthread.h>
#include <stddef.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/posix.h"
#include "tls_stream/tls_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Test-level failures (positive, so they never collide with tls_stream_status). */
#define TLS_PAIR_MISMATCH 1 /**< received data differs from what was sent */
#define TLS_PAIR_STUCK 2    /**< no progress, or the step limit was reached */
#define TLS_PAIR_SHORT 3    /**< the stream ended (read 0) before all data came */
#define TLS_PAIR_SYS 4      /**< an OS call failed (socketpair, pthread_create) */

/** Step limit of tls_pair_handshake() and tls_pair_transfer() (rounds). */
#define TLS_PAIR_MAX_STEPS 100000

/**
 * Timeout (ms) that the configuration builders below set, so a blocking test
 * stream whose peer went silent fails with TLS_STREAM_ERR_TIMEOUT instead of
 * hanging. Override with tls_stream_config_set_timeout() before the first stream.
 */
#define TLS_PAIR_TIMEOUT_MS 10000

/* ---------------------------------------------------------------------- */
/* Test files and configurations                                          */
/* ---------------------------------------------------------------------- */

/**
 * The path of test file name (e.g. "ca.pem") in TLS_TEST_CERTS. Returns a
 * pointer to a static buffer, overwritten by the next call (from any thread).
 */
const char *tls_pair_path(const char *name);

/** tls_stream_config_add_ca_file() with a test file name. */
int tls_pair_add_ca(tls_stream_config *cfg, const char *name);
/** tls_stream_config_set_cert_file() with a test file name. */
int tls_pair_set_cert(tls_stream_config *cfg, const char *name);
/** tls_stream_config_set_key_file() with a test file name; password may be NULL. */
int tls_pair_set_key(tls_stream_config *cfg, const char *name, const char *password);

/**
 * Read the key of identity from a test file in "identity:hexkey" format
 * (e.g. "psk.txt") into key (key_size bytes). Returns the key length (> 0),
 * TLS_STREAM_ERR_PSK_IDENTITY when the identity is not in the file, TLS_STREAM_ERR_BAD_KEY
 * for a malformed or too long key, or the error of reading the file.
 */
int tls_pair_psk_from_file(const char *name, const char *identity, unsigned char *key,
                           size_t key_size);

/** A PSK key read from a test file. */
typedef struct tls_pair_key {
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    size_t len;
} tls_pair_key;

/** The key of "client1" in psk.txt, once tls_pair_load_client1() has read it. */
extern tls_pair_key tls_pair_client1;

/** A cmocka group setup: reads tls_pair_client1 (-1 when it cannot). */
int tls_pair_load_client1(void **state);

/**
 * The first certificate of a test file in DER: decodes the first PEM block
 * of a PEM file, or returns a DER file's bytes. The caller frees *der with
 * free(). Returns TLS_STREAM_OK, TLS_STREAM_ERR_BAD_CERT (no PEM block, bad base64), or
 * the error of reading the file.
 */
int tls_pair_cert_der(const char *name, unsigned char **der, size_t *len);

/**
 * A PSK client configuration for the mbedtls backend: identity (a string)
 * and key. alloc may be NULL (tls_test_allocator()). Sets TLS_PAIR_TIMEOUT_MS.
 * On success the caller owns *out (tls_stream_config_free()); on failure *out is
 * NULL and the setter's error is returned.
 */
int tls_pair_psk_client(tls_stream_config **out, const tls_stream_allocator *alloc, const char *identity,
                        const void *key, size_t key_len);

/**
 * A PSK server configuration knowing one identity → key pair (identity NULL:
 * none; add more with tls_stream_config_add_psk() or tls_stream_config_load_psk_file()).
 * Otherwise as tls_pair_psk_client().
 */
int tls_pair_psk_server(tls_stream_config **out, const tls_stream_allocator *alloc, const char *identity,
                        const void *key, size_t key_len);

/**
 * A PSK client and server, both "client1" with tls_pair_client1 (see
 * tls_pair_load_client1()). Returns TLS_STREAM_OK or the first error (then *s is
 * not set when the client failed).
 */
int tls_pair_client1_configs(tls_stream_config **c, tls_stream_config **s, const tls_stream_allocator *alloc);

/**
 * A certificate client configuration: verify mode, trusted CA file (NULL:
 * none), server name (NULL: none), own certificate and key files for mutual
 * TLS (NULL: none). Otherwise as tls_pair_psk_client().
 */
int tls_pair_cert_client(tls_stream_config **out, const tls_stream_allocator *alloc, tls_stream_verify verify,
                         const char *ca, const char *server_name, const char *cert,
                         const char *key);

/**
 * The backend detail code of the last configuration builder above that
 * failed (0 after one that succeeded). Not thread-safe.
 */
int tls_pair_config_detail(void);

/**
 * The protocol versions every builder sets (tls_stream_config_set_version).
 * Unless a test says otherwise, the suite's default: a pair with an mbedtls
 * end pins TLS 1.2 (the tests check TLS 1.2's message flow on every mbedtls
 * version), a pair of OpenSSL ends keeps OpenSSL's default, TLS 1.3
 * (tls_test_tls13()). So OpenSSL runs the suite on TLS 1.3 in its own pairs
 * and on TLS 1.2 in the mixed pairs, in both roles. test_tls13 calls
 * tls_pair_versions(0, 0) for each backend's defaults;
 * tls_pair_versions(TLS_PAIR_SUITE_VERSIONS, TLS_PAIR_SUITE_VERSIONS) goes
 * back to the suite's default.
 */
void tls_pair_versions(int min, int max);
#define TLS_PAIR_SUITE_VERSIONS (-1)

/** A saved client session (tls_stream_session_save). */
typedef struct tls_pair_saved {
    unsigned char blob[4096];
    size_t len;
} tls_pair_saved;

/**
 * One connection between new streams of c and s: offer offer (NULL: none),
 * handshake, move n bytes each way (a TLS 1.3 ticket arrives after the
 * handshake), save the client's session into save (NULL: none) twice and
 * check both saves are equal. Returns 1 when both sides say it resumed, 0
 * when neither does, -1 on any failure or disagreement.
 */
int tls_pair_connect_once(tls_stream_config *c, tls_stream_config *s, const tls_pair_saved *offer,
                          tls_pair_saved *save, size_t n);

/**
 * A certificate server configuration: own certificate and key files, verify
 * mode for client certificates and the CA file that checks them (NULL:
 * none). Otherwise as tls_pair_psk_client().
 */
int tls_pair_cert_server(tls_stream_config **out, const tls_stream_allocator *alloc, const char *cert,
                         const char *key, tls_stream_verify verify, const char *ca);

/* ---------------------------------------------------------------------- */
/* Both ends over an in-memory pipe, one thread                          */
/* ---------------------------------------------------------------------- */

/**
 * One end of a tls_pair: the stream's transport is this counting wrapper
 * around the pipe end (so the helpers can tell whether a step moved bytes).
 */
typedef struct tls_pair_end {
    tls_stream_io pipe_io;              /**< the tls_stream_mem_pipe end underneath */
    unsigned long long read_bytes, written_bytes;
    int cut;                     /**< tls_pair_cut() was called */
} tls_pair_end;

/**
 * A client (pipe end 0) and a server (pipe end 1). The struct must not move
 * while its streams exist (their transports point into it).
 */
typedef struct tls_pair {
    tls_stream_mem_pipe *pipe;
    tls_stream *client, *server;
    tls_pair_end end[2];         /**< [0] client, [1] server */
    int client_rc, server_rc;    /**< last handshake result of each side */
    unsigned long steps;         /**< rounds used by the last handshake */
} tls_pair;

/**
 * Create the pipe (default capacity; alloc NULL: tls_test_allocator()) and both streams,
 * in non-blocking mode. Nothing is sent yet. The streams take their own
 * configuration references: the caller may free its own at once. On failure
 * everything made so far is freed and *p is zeroed.
 */
int tls_pair_new(tls_pair *p, tls_stream_config *client_cfg, tls_stream_config *server_cfg,
                 const tls_stream_allocator *alloc);

/**
 * tls_pair_new() with the default allocator, then the caller's references
 * to both configurations freed (whatever the outcome; NULL ones are
 * refused with TLS_STREAM_ERR_ARG). Returns what tls_pair_new() returned.
 */
int tls_pair_adopt(tls_pair *p, tls_stream_config *client_cfg, tls_stream_config *server_cfg);

/**
 * Step both handshakes (client first, then server, each round) until both
 * are done or failed, or no progress is possible (a side waits for bytes
 * that will never come: its result stays TLS_STREAM_WANT_*), or
 * TLS_PAIR_MAX_STEPS rounds. p->client_rc and p->server_rc hold each side's
 * last result. Returns TLS_STREAM_OK when both completed; else the client's error
 * if it has one, else the server's, else TLS_PAIR_STUCK.
 */
int tls_pair_handshake(tls_pair *p);

/**
 * Send n pattern bytes client → server and n other pattern bytes server →
 * client at the same time, in non-blocking mode (handshakes first if not
 * done), and check every byte received. Returns TLS_STREAM_OK, a stream error,
 * TLS_PAIR_MISMATCH, TLS_PAIR_SHORT or TLS_PAIR_STUCK. Also checks that
 * every TLS_STREAM_WANT_* answer matches tls_stream_wants() (TLS_PAIR_MISMATCH).
 */
int tls_pair_transfer(tls_pair *p, size_t n);

/**
 * Close the pipe end of side (0 client, 1 server) underneath its stream,
 * without close_notify: the peer then sees the transport end.
 */
void tls_pair_cut(tls_pair *p, int side);

/** Free both streams (no close_notify) and the pipe; zeroes *p. */
void tls_pair_free(tls_pair *p);

/* ---------------------------------------------------------------------- */
/* Both ends over a socketpair, server in a thread, blocking               */
/* ---------------------------------------------------------------------- */

struct tls_pair_sock;

/**
 * What the server thread does after its handshake succeeded. Returns the
 * thread's result (TLS_STREAM_OK or an error); runs in the server thread, so it
 * must not use cmocka assertions.
 */
typedef int (*tls_pair_serve_fn)(struct tls_pair_sock *ps, void *arg);

typedef struct tls_pair_sock {
    int fd[2];                  /**< [0] client, [1] server; closed by the streams */
    tls_stream *client, *server;
    pthread_t thread;
    int thread_started;
    tls_pair_serve_fn serve;
    void *serve_arg;
    int server_hs_rc;           /**< the server's handshake result */
    int server_rc;              /**< the serve function's result */
} tls_pair_sock;

/**
 * Make a socketpair(AF_UNIX, SOCK_STREAM), a blocking client stream over
 * fd[0] and a blocking server stream over fd[1] (tls_stream_io_fd()), then start a
 * thread that runs the server's handshake and, when it succeeds, serve(ps,
 * arg) (serve may be NULL: then the thread ends after the handshake).
 * The descriptors stay in blocking mode, with the TLS_PAIR_WATCHDOG_S
 * watchdog. The client stream is left to the caller (in this thread). Returns TLS_STREAM_OK,
 * a tls_stream_new() error, or TLS_PAIR_SYS; on failure all is freed.
 */
int tls_pair_sock_start(tls_pair_sock *ps, tls_stream_config *client_cfg, tls_stream_config *server_cfg,
                        tls_pair_serve_fn serve, void *arg);

/** tls_pair_sock_start_ex() flag: put both descriptors in O_NONBLOCK mode
 * (the streams stay blocking and wait with poll(), honouring timeouts). */
#define TLS_PAIR_SOCK_NONBLOCK_FDS 0x1u

/**
 * Seconds after which a read() or write() blocked in the kernel gives up
 * (SO_RCVTIMEO/SO_SNDTIMEO on both sockets): a watchdog that keeps a test
 * bounded even when a stream never returns on its own.
 */
#define TLS_PAIR_WATCHDOG_S 30

/** tls_pair_sock_start() with flags (TLS_PAIR_SOCK_*). */
int tls_pair_sock_start_ex(tls_pair_sock *ps, tls_stream_config *client_cfg, tls_stream_config *server_cfg,
                           tls_pair_serve_fn serve, void *arg, unsigned flags);

/**
 * Wait for the server thread. Returns its result: the handshake error if
 * the handshake failed, else serve's result (TLS_STREAM_OK without serve).
 */
int tls_pair_sock_join(tls_pair_sock *ps);

/** Join the thread if still running, free both streams; zeroes *ps. */
void tls_pair_sock_free(tls_pair_sock *ps);

/**
 * A serve function: read *(size_t *)arg pattern bytes (client → server),
 * then write as many of the other pattern back, then wait for the client's
 * close_notify (read returns 0) and close. Pair with tls_pair_sock_transfer().
 */
int tls_pair_serve_transfer(tls_pair_sock *ps, void *arg);

/**
 * Client side of tls_pair_serve_transfer(): write n pattern bytes, read n
 * bytes back and check them, then close (sending close_notify). Returns
 * TLS_STREAM_OK or the first failure.
 */
int tls_pair_sock_transfer(tls_pair_sock *ps, size_t n);

/* ---------------------------------------------------------------------- */
/* Patterned data, blocking streams                                       */
/* ---------------------------------------------------------------------- */

/** Pattern streams: one for each direction, so echoes cannot pass for data. */
#define TLS_PAIR_C2S 0u
#define TLS_PAIR_S2C 1u

/** Byte i of pattern stream dir (TLS_PAIR_C2S or TLS_PAIR_S2C). */
unsigned char tls_pair_pattern(unsigned dir, size_t i);

/** Fill buf with len bytes of pattern dir starting at offset. */
void tls_pair_fill(unsigned dir, size_t offset, unsigned char *buf, size_t len);

/**
 * Blocking stream: write n bytes of pattern dir in chunks of varying size.
 * Returns TLS_STREAM_OK or the first write error.
 */
int tls_pair_write_pattern(tls_stream *s, unsigned dir, size_t n);

/**
 * Blocking stream: read exactly n bytes and compare them with pattern dir.
 * Returns TLS_STREAM_OK, a read error, TLS_PAIR_SHORT (read 0 too early) or
 * TLS_PAIR_MISMATCH.
 */
int tls_pair_read_pattern(tls_stream *s, unsigned dir, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TLS_TEST_TLS_PAIR_H */
