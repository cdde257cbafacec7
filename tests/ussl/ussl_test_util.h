/* Helpers shared by the ussl conformance tests (tests/ussl). */
#ifndef USSL_TEST_UTIL_H
#define USSL_TEST_UTIL_H

#include <stddef.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/ussl.h"

/** A file of tests/certs in memory (malloc'ed, freed by ut_blob_free). */
typedef struct ut_blob {
    unsigned char *data;
    size_t len;
} ut_blob;

void ut_blob_load(ut_blob *b, const char *name);
void ut_blob_free(ut_blob *b);
/** ussl_blob of a loaded file. */
ussl_blob ut_data(const ut_blob *b);
/** ussl_blob holding n bytes at p (keyfile=, cadata=... as data). */
ussl_blob ut_bytes(const void *p, size_t n);
/** ussl_blob naming a file (keyfile=, ca_certs=... as a path). */
ussl_blob ut_file(const char *path);
/** Full path of a file of tests/certs (static buffer, overwritten by the next call). */
const char *ut_path(const char *name);

/**
 * A transport end in the style of MicroPython's ssl_poll.py _Pipe: a
 * tls_stream_mem_pipe end that can be told to block reads or writes, counts
 * close() and setblocking() calls, and answers poll() from its state.
 */
typedef struct ut_end {
    tls_stream_mem_pipe *pipe;
    int end;
    tls_stream_io inner;
    int block_reads, block_writes;
    int eof_reads;       /* read returns 0 (end of stream) */
    int closes;
    int close_rc;        /* what close() answers (0) */
    int interrupts;      /* the next this many reads/writes answer TLS_STREAM_INTERRUPTED */
    unsigned long io_calls; /* reads and writes */
    int setblocking_calls, last_blocking;
    int last_poll_arg;   /* -1: not asked since reset */
    unsigned long bytes_written;
} ut_end;

/** Two ends over one pipe (capacity 0: default). */
void ut_pipe_new(ut_end *a, ut_end *b, size_t capacity);
void ut_pipe_free(ut_end *a, ut_end *b);
tls_stream_io ut_io(ut_end *e);
extern const ussl_sock_ops ut_sock_ops;

/** Options with the backend and tls_test_allocator() set (MicroPython defaults otherwise). */
void ut_opts(ussl_opts *o);

/**
 * ussl_wrap_socket() on the backend the test runs on (tests/support/
 * test_backend.h): a non-NULL opts->backend is replaced by the one chosen
 * for the role that opts->server_side says. Every test here calls it
 * through the macro below, so one test source serves every backend.
 */
int ut_wrap_socket(const tls_stream_io *sock, const ussl_opts *opts, ussl_socket **out, ussl_error *err);
#define ussl_wrap_socket ut_wrap_socket

/**
 * A client and a server over one ut_pipe (the common fixture of the peer
 * tests): options with do_handshake off, server_side on the server, and
 * server.key, server.pem and ca.pem loaded (not set: see ut_pair_serve_cert).
 */
typedef struct ut_pair {
    ut_end ce, se; /* client end, server end */
    tls_stream_io cio, sio;
    ussl_opts co, so;
    ussl_error err;
    ussl_socket *c, *s; /* freed by ut_pair_free */
    ut_blob skey, scert, ca;
} ut_pair;

void ut_pair_init(ut_pair *p);
/** The server presents server.pem with server.key. */
void ut_pair_serve_cert(ut_pair *p);
/** Wrap the server, then the client (both must succeed). */
void ut_pair_wrap(ut_pair *p);
/** ut_pair_wrap, then ut_handshake of the two (same result and *crc, *src). */
int ut_pair_handshake(ut_pair *p, int *crc, int *src);
void ut_pair_free(ut_pair *p);

/**
 * Step both sides' handshakes (ussl_do_handshake, non-blocking pipe)
 * until both complete or one fails. Returns 0, or the first failure;
 * *crc and *src (may be NULL) get each side's last result.
 */
int ut_handshake(ussl_socket *c, ussl_socket *s, int *crc, int *src);

/**
 * Send len bytes (pattern from seed) from a to b, stepping both sides,
 * and check that b receives exactly them. Returns 0 or a failure code.
 */
int ut_transfer(ussl_socket *a, ussl_socket *b, size_t len, unsigned seed);

#endif
