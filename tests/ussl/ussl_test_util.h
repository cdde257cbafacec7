/* Helpers shared by the ussl conformance tests (tests/ussl). */
#ifndef USSL_TEST_UTIL_H
#define USSL_TEST_UTIL_H

#include <stddef.h>

#include "tls_stream/tls_mbedtls.h"
#include "tls_stream/tls_mem_pipe.h"
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
/** Full path of a file of tests/certs (static buffer, overwritten by the next call). */
const char *ut_path(const char *name);

/**
 * A transport end in the style of MicroPython's ssl_poll.py _Pipe: a
 * tls_mem_pipe end that can be told to block reads or writes, counts
 * close() and setblocking() calls, and answers poll() from its state.
 */
typedef struct ut_end {
    tls_mem_pipe *pipe;
    int end;
    tls_io inner;
    int block_reads, block_writes;
    int eof_reads;       /* read returns 0 (end of stream) */
    int closes;
    int setblocking_calls, last_blocking;
    int last_poll_arg;   /* -1: not asked since reset */
    unsigned long bytes_written;
} ut_end;

/** Two ends over one pipe (capacity 0: default). */
void ut_pipe_new(ut_end *a, ut_end *b, size_t capacity);
void ut_pipe_free(ut_end *a, ut_end *b);
tls_io ut_io(ut_end *e);
extern const ussl_sock_ops ut_sock_ops;

/** Options with the backend set (MicroPython defaults otherwise). */
void ut_opts(ussl_opts *o);

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
