/*
 * Robustness tests: shared helpers (tests/robust only).
 *
 *   faulty_io   a tls_stream_io wrapper that misbehaves on purpose: 1-byte reads
 *               and writes, a "would block" answer before every real call,
 *               a transport error at a chosen call index (then forever).
 *   rb_conn     a client and a server stream over a tls_stream_mem_pipe, each
 *               behind a faulty_io, stepped by one thread through a full
 *               scenario: handshake, n pattern bytes each way, close_notify
 *               from the client, then from the server. Every loop is bounded
 *               by a round counter; a run without progress is reported as
 *               stuck, never waited on.
 *   rb_chan     a scripted link: each side's tls_stream_io reads from an inbox and
 *               writes into an outbox that the test inspects, edits and
 *               forwards record by record (the "raw peer").
 */
#ifndef TLS_ROBUST_UTIL_H
#define TLS_ROBUST_UTIL_H

#include <stddef.h>

#include "tls_pair.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/tls_stream.h"

/* ---------------------------------------------------------------------- */
/* The faulty transport                                                    */
/* ---------------------------------------------------------------------- */

#define FAULTY_ONE_BYTE 0x1u   /**< move at most one byte per call */
#define FAULTY_WANT_FIRST 0x2u /**< answer TLS_STREAM_WANT_* before each real call */

typedef struct faulty_io {
    tls_stream_io io;                /**< give this to tls_stream_new() */
    tls_stream_io inner;             /**< the transport underneath */
    unsigned flags;
    unsigned long calls;      /**< read + write calls seen */
    unsigned long fail_at;    /**< 1-based call that fails (0: none) ... */
    int fail_code;            /**< ... with this code, and every call after it */
    int failed;               /**< the fault fired */
    int pass_close;           /**< close() also closes inner (else only marks) */
    int closed, inner_closed;
    int toggle;
    unsigned long long rbytes, wbytes;
} faulty_io;

void faulty_io_init(faulty_io *f, tls_stream_io inner, unsigned flags);
/** Close the inner transport (the peer then sees the end of the stream). */
void faulty_io_cut(faulty_io *f);

/* ---------------------------------------------------------------------- */
/* A full scenario over a memory pipe                                      */
/* ---------------------------------------------------------------------- */

/** Positive pseudo-errors of the scenario (never tls_stream_status values). */
#define RB_SHORT 1001    /**< read 0 before all data came */
#define RB_MISMATCH 1002 /**< wrong data received */
#define RB_EXTRA 1003    /**< data received after all was expected */

#define RB_MAX_ROUNDS 200000UL

typedef struct rb_side {
    tls_stream *s;
    faulty_io fio;
    int hs_done, flushed, closed, peer_closed, done;
    int err;        /**< first error met (0: none) */
    int err_detail; /**< tls_stream_error_detail() code at that moment */
    int close_rc;
    size_t sent, rcvd;
} rb_side;

typedef struct rb_conn {
    tls_stream_mem_pipe *pipe;
    rb_side side[2]; /**< [0] client, [1] server */
    size_t n;
    unsigned long rounds;
    int stuck;       /**< no progress possible and not finished: a hang */
    int cut;         /**< a failed side's transport was cut */
} rb_conn;

/**
 * Make the pipe and both streams (non-blocking) with faulty wrappers having
 * flags cflags / sflags. Returns TLS_STREAM_OK or the first error (all freed then).
 */
int rb_conn_new(rb_conn *c, tls_stream_config *ccfg, tls_stream_config *scfg, unsigned cflags,
                unsigned sflags);
/**
 * Pipe capacity (each way) used by rb_conn_new(); default 256 KiB, so that a
 * 64 KiB transfer each way never fills both directions at once (see
 * test_faulty_stream.c, full_duplex_*, for what happens then).
 */
extern size_t rb_pipe_capacity;
/**
 * Run the scenario with n bytes each way. Returns 0 when both sides
 * completed everything cleanly, 1 otherwise (see the side fields).
 */
int rb_conn_run(rb_conn *c, size_t n);
void rb_conn_free(rb_conn *c);

/* ---------------------------------------------------------------------- */
/* The scripted link                                                       */
/* ---------------------------------------------------------------------- */

#define RB_CHAN_MAX (256 * 1024)

typedef struct rb_box {
    unsigned char *buf; /* RB_CHAN_MAX bytes */
    size_t len, pos;    /* bytes [pos, len) are unread */
} rb_box;

typedef struct rb_chan_end {
    struct rb_chan *chan;
    int id;
} rb_chan_end;

/** Two ends; end e reads from in[e] (set by the test), writes into out[e]. */
typedef struct rb_chan {
    rb_box in[2], out[2];
    int eof[2];        /**< end e reads 0 once in[e] is drained */
    int closed[2];     /**< end e's close() was called */
    unsigned long reads[2], writes[2];
    rb_chan_end end[2];
} rb_chan;

void rb_chan_init(rb_chan *ch);
void rb_chan_free(rb_chan *ch);
tls_stream_io rb_chan_io(rb_chan *ch, int end);
/** Append len bytes to end's inbox. */
void rb_chan_put(rb_chan *ch, int end, const void *data, size_t len);
/** Move every byte end 'from' wrote into the inbox of the other end. */
size_t rb_chan_forward(rb_chan *ch, int from);
/** Forward at most max bytes of what 'from' wrote. */
size_t rb_chan_forward_n(rb_chan *ch, int from, size_t max);
/** Bytes written by end and not yet forwarded or taken. */
size_t rb_chan_pending(const rb_chan *ch, int end);
/** Pointer to the not yet forwarded output of end. */
unsigned char *rb_chan_peek(rb_chan *ch, int end);
/** Drop n bytes of end's unforwarded output. */
void rb_chan_drop(rb_chan *ch, int end, size_t n);

/**
 * One TLS record at the start of buf (len bytes): returns its total size
 * (5 + length) when complete, 0 when not. *type gets the content type.
 */
size_t rb_record(const unsigned char *buf, size_t len, int *type);

/**
 * Step the handshakes of two streams over ch (forwarding everything both
 * ways each round) until both are done or failed or nothing moves; bounded.
 * Returns TLS_STREAM_OK when both completed; stores each result.
 */
int rb_chan_handshake(rb_chan *ch, tls_stream *c, tls_stream *s, int *crc, int *src);

/** Keep calling op until it stops answering TLS_STREAM_WANT_* (bounded); returns its result. */
int rb_handshake_until_quiet(tls_stream *s, unsigned max);

/* ---------------------------------------------------------------------- */
/* Configurations                                                          */
/* ---------------------------------------------------------------------- */

extern const unsigned char rb_psk_key[32];
#define RB_PSK_ID "client1"

int rb_psk_client(tls_stream_config **out, const tls_stream_allocator *a);
int rb_psk_server(tls_stream_config **out, const tls_stream_allocator *a);
int rb_cert_client(tls_stream_config **out, const tls_stream_allocator *a);
int rb_cert_server(tls_stream_config **out, const tls_stream_allocator *a);

/** Read a test file (TLS_TEST_CERTS/name) into a malloc'ed buffer. */
unsigned char *rb_file(const char *name, size_t *len);

#endif /* TLS_ROBUST_UTIL_H */
