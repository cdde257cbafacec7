/*
 * tls_stream — the stream (transport) interface.
 *
 * A tls_stream_io is a small value: a context pointer and three or four function
 * pointers. tls_stream_new() copies it, so the struct itself may live on the
 * caller's stack; the context it points to must outlive the tls_stream.
 *
 * Contract for read and write (shared with coreMQTT's transport interface):
 *   - len is never 0;
 *   - return n > 0: n bytes moved (short reads and writes are normal);
 *   - read returns 0 only for a clean end of stream (the peer closed);
 *   - return TLS_STREAM_WANT_READ / TLS_STREAM_WANT_WRITE when the call would block;
 *     never 0 for "retry";
 *   - return TLS_STREAM_INTERRUPTED when the call was interrupted before it
 *     moved a byte (a signal, a host language's pending exception, Ctrl-C)
 *     and the caller should get control back now. The tls_stream function
 *     that was running hands TLS_STREAM_INTERRUPTED back unchanged, at once:
 *     it does not call wait, does not fail the stream and loses nothing; the
 *     next call continues where it stopped (mid-handshake, mid-record,
 *     mid-write). A blocking tls_stream_write() that had already accepted
 *     bytes returns their count instead (as write(2) after EINTR); the
 *     interruption is then reported by the next call that meets it.
 *     wait may return it too, with the same meaning;
 *   - return TLS_STREAM_ERR_TIMEOUT when the transport itself blocked and its
 *     own timeout ran out (a kernel socket timeout set by set_timeout below):
 *     tls_stream reports a timeout exactly as when wait() timed out;
 *   - any other negative value is a transport error. Adapters return the
 *     negated errno (e.g. -ECONNRESET); tls_stream reports TLS_STREAM_ERR_IO and
 *     keeps that value as the error detail.
 *
 * close releases the transport and returns 0 or a negated errno (or another
 * negative transport code); tls_stream_close() reports a failure as
 * TLS_STREAM_ERR_IO with that code as the detail. The transport counts as
 * closed whatever close returns: it is never called twice.
 *
 * Which callbacks run when: tls_stream_new() calls none; set_timeout runs
 * once, before the first read or write; read, write and
 * wait run only inside tls_stream_handshake/read/write/flush/shutdown/close;
 * close runs once, in tls_stream_close() or, when that was never called, in
 * tls_stream_free(); tls_stream_abort() calls none at all.
 */
#ifndef TLS_STREAM_TLS_IO_H
#define TLS_STREAM_TLS_IO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A byte stream that tls_stream runs TLS over. */
typedef struct tls_stream_io {
    /** The adapter's own state, passed first to every function. */
    void *ctx;
    /** Read up to len bytes into buf (see the contract above). Required. */
    int (*read)(void *ctx, unsigned char *buf, size_t len);
    /** Write up to len bytes from buf (see the contract above). Required. */
    int (*write)(void *ctx, const unsigned char *buf, size_t len);
    /**
     * Close the transport: 0, or a negated errno (see the contract above).
     * Called at most once, by tls_stream_close() or tls_stream_free().
     * May be NULL when the transport has nothing to close.
     */
    int (*close)(void *ctx);
    /**
     * Wait until the transport is ready. Optional (NULL: cannot block).
     * want is TLS_STREAM_WANT_READ or TLS_STREAM_WANT_WRITE; timeout_ms < 0 waits forever.
     * Returns 0 when ready (or possibly ready), TLS_STREAM_ERR_TIMEOUT when the
     * time ran out, TLS_STREAM_INTERRUPTED (see above), or a negative
     * transport error. tls_stream calls it in
     * blocking mode when read or write answered "would block".
     */
    int (*wait)(void *ctx, int want, int timeout_ms);
    /**
     * Optional (NULL: none). Called once, before the first read or write,
     * with the configuration's inactivity timeout when one is set
     * (timeout_ms >= 0). A transport whose read and write block (a blocking
     * socket) applies it there (SO_RCVTIMEO/SO_SNDTIMEO) and answers
     * TLS_STREAM_ERR_TIMEOUT when it runs out, so no wait() is needed;
     * others may ignore it (tls_stream then times out in wait()). Returns 0
     * or a negative transport error (the stream then fails with
     * TLS_STREAM_ERR_IO).
     */
    int (*set_timeout)(void *ctx, int timeout_ms);
} tls_stream_io;

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_IO_H */
