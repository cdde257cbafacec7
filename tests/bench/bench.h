/*
 * tls_bench: what the files of the benchmark program share.
 *
 *   bench_main.c       options, the order of the sections, the table
 *   bench_util.c       clock, medians, interleaved repetitions, table rows
 *   bench_fixture.c    test credentials, configurations of both kinds
 *                      (tls_stream and raw mbedtls), the suite-forcing shim
 *   raw_mbedtls.c      the baseline: mbedtls called directly over a tls_stream_io
 *   bench_bulk.c       one-direction bulk throughput
 *   bench_handshake.c  full and resumed handshakes per second
 *   bench_resume_ours.c  tls_stream's side of the resumed handshakes
 *   bench_heap.c       heap per connection (counting allocator + calloc hook)
 *   bench_size.c       .text+.rodata of our objects, x86-64 and Cortex-M4
 *   bench_socket.c     socketpair paths: handshakes, streaming, request/response, syscalls
 *   bench_openssl.c    the OpenSSL backend against raw OpenSSL (when built)
 *
 * Every comparison runs the raw baseline and tls_stream in the same process,
 * over the same transport, with the same mbedtls settings (RNG, forced
 * suite, curve, buffers), alternating which goes first.
 */
#ifndef TLS_BENCH_H
#define TLS_BENCH_H

#include <stddef.h>

#include "bench_mbedtls_compat.h"
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include "tls_stream/io.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/tls_stream.h"
#include "test_alloc.h"

/* ---------------------------------------------------------------- options */

typedef struct bench_opts {
    int quick;          /* --quick */
    int reps;           /* repetitions of each side (alternating) */
    size_t bulk_bytes;  /* bytes per bulk transfer */
    double hs_seconds;  /* target duration of one handshake repetition */
    unsigned sections;  /* BENCH_SEC_* */
    int verbose;
    int wall;           /* --wall: time with the wall clock, not CPU time */
    int warmup;         /* set during the untimed warm-up run: do less */
} bench_opts;

#define BENCH_SEC_BULK 0x1u
#define BENCH_SEC_HS 0x2u
#define BENCH_SEC_RESUME 0x4u
#define BENCH_SEC_HEAP 0x8u
#define BENCH_SEC_SIZE 0x10u
#define BENCH_SEC_SOCK 0x20u
#define BENCH_SEC_OSSL 0x40u /* the OpenSSL backend (bench_openssl.c) */
#define BENCH_SEC_ALL 0x7fu

extern bench_opts g_opts;

/* ------------------------------------------------------------- utilities */

/** Monotonic time in seconds. */
double bench_now(void);

/**
 * The clock of the measurements: this process's CPU time (all threads;
 * default, so other load on the machine does not count), or the monotonic
 * wall clock with --wall. In seconds.
 */
double bench_clock(void);

/** 1 for TLS_STREAM_WANT_READ and TLS_STREAM_WANT_WRITE. */
int bench_is_want(int rc);

/** A blocking recv()/send() transport over fd for the raw baseline (no close). */
tls_stream_io bench_blocking_io(int fd);

/**
 * Make streams c and s non-blocking and step both handshakes in turn until
 * both are done. Returns 0, or -1 when one fails or after max_steps rounds
 * (0: no limit); *crc and *src get each side's last result.
 */
int bench_handshake_pair(tls_stream *c, tls_stream *s, int max_steps, int *crc, int *src);

/** Median of n values (sorts a copy). */
double bench_median(const double *v, int n);

/** Print a message to stderr and exit(1). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void bench_die(const char *fmt, ...);

/** Target kinds for a row's verdict. */
typedef enum bench_target {
    BENCH_NO_TARGET = 0, /* informative row */
    BENCH_RATIO_MIN,     /* ratio ours/raw must be >= limit */
    BENCH_MAX,           /* the value (ours) must be <= limit */
} bench_target;

/** Print the section header (column titles). */
void bench_section(const char *title, const char *unit);

/**
 * Print one comparison row: raw and ours medians, their ratio, the target
 * and the verdict. Returns 1 when a target was missed. ratio < 0: compute
 * as ours/raw.
 */
int bench_row_ratio(const char *name, double raw, double ours, double ratio,
                    double min_ratio);

/** A row with only text in the value columns. */
void bench_row_text(const char *name, const char *raw, const char *ours,
                    const char *note);

/** A row of one value against an upper limit (limit <= 0: informative). */
int bench_row_limit(const char *name, const char *raw, double ours, double limit,
                    const char *unit);

/** Count of targets missed so far. */
extern int g_missed;

/**
 * Run raw(arg) and ours(arg) reps times each, alternating which goes first,
 * after one untimed warm-up each. Each returns a figure (bigger is better,
 * e.g. MiB/s) or < 0 on failure (fatal). Stores the medians and the median
 * of the per-repetition ratios ours/raw.
 */
void bench_interleave(double (*raw)(void *), double (*ours)(void *), void *arg,
                      int reps, double *raw_med, double *ours_med, double *ratio_med);

/* --------------------------------------------------------- credentials */

/** Test files, loaded once (NUL-terminated PEM). */
typedef struct bench_creds {
    unsigned char *ca, *cert, *key;
    size_t ca_len, cert_len, key_len;
} bench_creds;

extern bench_creds g_creds;
extern const unsigned char g_psk_key[32];
extern const char g_psk_identity[];
#define BENCH_SERVER_NAME "localhost"

void bench_load_creds(void);
void bench_free_creds(void);

/* --------------------------------------------------------- the settings */

/** The modes the benchmark compares. */
typedef enum bench_mode {
    BENCH_PSK_GCM = 0,   /* TLS-PSK-WITH-AES-128-GCM-SHA256 */
    BENCH_ECDHE_PSK_CHACHA, /* TLS-ECDHE-PSK-WITH-CHACHA20-POLY1305-SHA256 */
    BENCH_ECDSA_GCM      /* TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256, P-256 cert */
} bench_mode;

/** The one suite forced for mode (0-terminated list). */
const int *bench_mode_suites(bench_mode mode);
/** The curves forced on every configuration (P-256 only). */
const char *bench_mode_name(bench_mode mode);
int bench_mode_is_psk(bench_mode mode);

/**
 * The mbedtls backend with one slot changed: config_finish also forces the
 * suite of the mode given to bench_config_new() and P-256, exactly as the
 * raw baseline does. tls_stream has no suite-selection call yet; see
 * docs/performance.md.
 */
const tls_stream_backend *bench_backend(void);

/** The suite the next configuration made through bench_backend() gets
 *  (for configurations built elsewhere, e.g. by ussl_wrap_socket()). */
void bench_shim_next(bench_mode mode);
void bench_shim_clear(void);

/** Allocator used by bench_config_new for the next configuration (NULL: tls_test_allocator()). */
int bench_config_new(tls_stream_config **out, bench_mode mode, tls_stream_role role,
                     const tls_stream_allocator *alloc);

/* ---------------------------------------------------- the raw baseline */

/** A raw mbedtls configuration, set up as the mbedtls backend sets its own. */
typedef struct raw_config {
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca, cert;
    mbedtls_pk_context key;
    int suites[2];
    int is_server, is_psk;
    unsigned long verify_calls; /* client: certificate chains verified */
    unsigned long psk_calls;    /* server: PSK identities looked up */
} raw_config;

/** Resumption flavours of the raw server. */
typedef enum raw_resume { RAW_RESUME_NONE = 0, RAW_RESUME_TICKETS, RAW_RESUME_CACHE } raw_resume;

/** Server-side resumption state (one per server configuration). */
typedef struct raw_resume_state {
    raw_resume kind;
    mbedtls_ssl_ticket_context ticket;
    mbedtls_ssl_cache_context cache;
} raw_resume_state;

int raw_config_init(raw_config *rc, bench_mode mode, tls_stream_role role);
void raw_config_free(raw_config *rc);
/** Server: enable tickets or the session cache; client: allow tickets or not. */
int raw_config_resume(raw_config *rc, raw_resume_state *st, raw_resume kind);
void raw_resume_free(raw_resume_state *st);

/** One raw connection over a tls_stream_io (the same adapters tls_stream uses). */
typedef struct raw_conn {
    mbedtls_ssl_context ssl;
    const tls_stream_io *io;
} raw_conn;

int raw_conn_init(raw_conn *c, raw_config *rc, const tls_stream_io *io);
void raw_conn_free(raw_conn *c);
/** mbedtls_ssl_handshake(); WANT_* mapped to TLS_STREAM_WANT_*, 0 when done. */
int raw_handshake(raw_conn *c);
/** mbedtls_ssl_write/read, WANT_* mapped to TLS_STREAM_WANT_*; read 0 at close_notify. */
int raw_write(raw_conn *c, const unsigned char *buf, size_t len);
int raw_read(raw_conn *c, unsigned char *buf, size_t len);
int raw_close_notify(raw_conn *c);

/* ------------------------------------------------------------ sections */

void bench_bulk(void);
void bench_handshakes(void);
void bench_resumed(void);
void bench_heap(void);
void bench_size(void);
void bench_socket(void);
#if TLS_BENCH_OPENSSL
/** Count OpenSSL's allocations; first thing in main(). */
void bench_openssl_init(void);
/** The OpenSSL backend against raw OpenSSL and tls_stream on mbedtls. */
void bench_openssl(void);
#endif

/* ------------------------------------------------ resumption, our side */

/**
 * Whether tls_stream's side of the resumed rows can run: 0, or a negative
 * value with the reason (printed instead of the figure) in *why.
 */
int bench_resume_ours_available(const char **why);

/** Run one repetition of n resumed handshakes through tls_stream; handshakes/s. */
double bench_resume_ours_run(bench_mode mode, raw_resume kind, int n);

/* ------------------------------------------------------- memory pipe */

/** Capacity of each direction of the memory pipes (the same for both sides). */
#define BENCH_PIPE_CAPACITY ((size_t)64 * 1024)

/** Record-sized application buffer for bulk transfers. */
#define BENCH_CHUNK 16384

/** A tls_stream_io of a pipe end with close = NULL, so the pipe can be reused. */
tls_stream_io bench_pipe_io_noclose(void *pipe, int end);

#endif /* TLS_BENCH_H */
