/*
 * Test support: result scripts and a scriptable tls_stream_io transport.
 *
 * mock_script is a list of int results answered one per call, then a fixed
 * "otherwise" result forever. Both mocks (mock_io here, mock_backend.h) use
 * it for every slot whose answer a test wants to choose:
 *
 *     mock_script_set(&m.wait, 2, 0, TLS_STREAM_ERR_TIMEOUT); // ready, then timeout
 *     m.wait.otherwise = 0;                            // then ready forever
 *
 * mock_io is a tls_stream_io whose read, write, close and wait count their calls
 * and answer from scripts. It moves bytes only when a test asks it to
 * (rx/tx below), so it serves both as a transport that a mock backend never
 * touches and as a tiny scripted peer for a real backend. One mock_io per
 * stream; it is plain data, put it on the stack or in a fixture.
 *
 *     mock_io m;
 *     mock_io_init(&m, MOCK_IO_DEFAULT);
 *     tls_stream_new(&s, cfg, &m.io);
 */
#ifndef TLS_TEST_MOCK_IO_H
#define TLS_TEST_MOCK_IO_H

#include <limits.h>
#include <stddef.h>

#include "tls_stream/io.h"

/** Most results one script holds. */
#define MOCK_SCRIPT_MAX 64
/** "As many as asked": a positive script step for read/write slots. */
#define MOCK_ALL INT_MAX

/** Results answered in order, then otherwise forever. */
typedef struct mock_script {
    int step[MOCK_SCRIPT_MAX];
    size_t count;  /**< steps scripted */
    size_t next;   /**< index of the next step to answer */
    int otherwise; /**< the answer once the steps are used up */
} mock_script;

/** Replace the steps of s with the count ints that follow (otherwise kept). */
void mock_script_set(mock_script *s, size_t count, ...);

/** Drop every step; answer otherwise from now on. */
void mock_script_clear(mock_script *s, int otherwise);

/** The next answer (consumes one step when there is one). */
int mock_script_next(mock_script *s);

/** Steps not yet answered. */
size_t mock_script_left(const mock_script *s);

/* ---------------------------------------------------------------------- */

/** mock_io_init() flags. */
#define MOCK_IO_DEFAULT 0x0u
#define MOCK_IO_NO_WAIT 0x1u  /**< io.wait = NULL: the transport cannot block */
#define MOCK_IO_NO_CLOSE 0x2u /**< io.close = NULL: nothing to close */

/** How many wait() calls are logged one by one. */
#define MOCK_IO_WAIT_LOG 64
/** Bytes of written data kept in tx (the rest is only counted). */
#define MOCK_IO_TX_MAX 4096

typedef struct mock_io {
    /** The transport to hand to tls_stream_new() (ctx points to this mock_io). */
    tls_stream_io io;

    /**
     * read answers: a positive step n gives min(n, len, bytes left in rx)
     * bytes of rx, or 0 (end of stream) when rx is used up; any other step
     * is returned as is. Default: TLS_STREAM_WANT_READ.
     */
    mock_script read;
    const unsigned char *rx; /**< not copied: must outlive the reads */
    size_t rx_len, rx_pos;

    /**
     * write answers: a positive step n accepts min(n, len) bytes (kept in
     * tx); any other step is returned as is. Default: MOCK_ALL.
     */
    mock_script write;
    unsigned char tx[MOCK_IO_TX_MAX];
    size_t tx_len; /**< bytes accepted (may exceed MOCK_IO_TX_MAX) */

    /** wait answers (default 0: ready). */
    mock_script wait;
    /** close answers (default 0: closed). */
    mock_script close;

    unsigned read_calls, write_calls, close_calls, wait_calls;
    /** want and timeout_ms of each of the first MOCK_IO_WAIT_LOG waits. */
    int wait_want[MOCK_IO_WAIT_LOG];
    int wait_timeout[MOCK_IO_WAIT_LOG];
} mock_io;

/** Reset m: zero counters, default scripts, io filled in as flags say. */
void mock_io_init(mock_io *m, unsigned flags);

#endif /* TLS_TEST_MOCK_IO_H */
