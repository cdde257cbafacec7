/*
 * tls_stream — ussl: MicroPython's ussl.wrap_socket() for C.
 *
 * The same keywords, defaults, methods and errors as MicroPython's
 *
 *     ussl.wrap_socket(sock, server_side=False, keyfile=None, certfile=None,
 *                      cert_reqs=CERT_NONE, ca_certs=None,
 *                      server_hostname=None, do_handshake=True,
 *                      psk_ident=None, psk_key=None)
 *
 * on top of the tls_stream core. docs/micropython-compat.md maps every
 * keyword, method and error to MicroPython's and says where we differ.
 *
 * MicroPython                          C
 * -----------------------------------  ---------------------------------------
 * ss = ussl.wrap_socket(s, **kw)       ussl_opts o; ussl_opts_init(&o); o.x = ..;
 *                                      ussl_wrap_socket(&io, &o, &ss, &err)
 * ss.read(n) / ss.readinto(buf, n)     ussl_read(ss, buf, n) / ussl_readinto()
 * ss.readline()                        ussl_readline(ss, buf, size)
 * ss.write(buf)                        ussl_write(ss, buf, n)
 * ss.setblocking(flag)                 ussl_setblocking(ss, flag)
 * ss.getpeercert(True)                 ussl_getpeercert(ss, 1, &der, &len)
 * ss.cipher()                          ussl_cipher(ss, &name, &version)
 * select.poll / ioctl(POLL)            ussl_poll(ss, ev), ussl_poll_direction()
 * ss.close()                           ussl_close(ss); then ussl_free(ss)
 * returns None (would block)           returns -USSL_EAGAIN
 * raise OSError(errno)                 returns -errno (e.g. -USSL_ECONNRESET)
 * raise OSError(code, "MBEDTLS_...")   returns USSL_E_TLS; ussl_last_error()
 * raise ValueError("invalid key")      returns USSL_E_VALUE; ussl_last_error()
 *
 * Example: MQTT over TLS-PSK on a connected TCP socket fd (POSIX)
 *
 *     unsigned char key[USSL_PSK_MAX_KEY];
 *     int klen = ussl_unhexlify("bb500112233445566778899AABBCCDD0",
 *                               key, sizeof key, &err);
 *     ussl_opts o;
 *     ussl_opts_init(&o);
 *     o.backend = tls_stream_backend_mbedtls();
 *     o.psk_ident = "itsme";
 *     o.psk_ident_len = 5;
 *     o.psk_key = key;
 *     o.psk_key_len = (size_t)klen;
 *     tls_stream_io io = tls_stream_io_fd(fd);
 *     ussl_socket *ss;
 *     if (ussl_wrap_socket(&io, &o, &ss, &err) < 0)
 *         fprintf(stderr, "%s\n", err.msg);  // fd is still the caller's
 *     ussl_write(ss, connect_packet, connect_len);
 *     ussl_read(ss, connack, 4);
 *     ussl_close(ss);                        // also closes fd
 *     ussl_free(ss);
 *
 * Portable: this header and src/ussl need only <stddef.h>; every
 * allocation goes through the allocator hook (opts.alloc). File paths and
 * the POSIX helpers at the end of this header live in src/io.
 */
#ifndef TLS_STREAM_USSL_H
#define TLS_STREAM_USSL_H

#include <stddef.h>

#include "tls_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Constants                                                              */
/* ---------------------------------------------------------------------- */

/** cert_reqs values, equal to MicroPython's ussl.CERT_* (and mbedtls's). */
#define USSL_CERT_NONE 0
#define USSL_CERT_OPTIONAL 1
#define USSL_CERT_REQUIRED 2

/** The longest psk_key accepted, in bytes (32, as the ussl documentation says). */
#define USSL_PSK_MAX_KEY 32
/** The longest psk_ident accepted, in bytes. */
#define USSL_PSK_MAX_IDENT 128

/*
 * errno values. Freestanding C has no <errno.h>, so the values MicroPython
 * uses are defined here. MicroPython's py/mperrno.h uses the Linux numbers,
 * and so do these: on Linux USSL_Exxx == Exxx. On other hosts compare with
 * these constants, not with the host's <errno.h>. A transport adapter's
 * negated errno is passed through unchanged (it is the host's errno).
 */
#define USSL_EPERM 1
#define USSL_ENOENT 2
#define USSL_EINTR 4 /**< the transport was interrupted: nothing failed, call again */
#define USSL_EIO 5
#define USSL_EBADF 9
#define USSL_EAGAIN 11 /**< would block (MicroPython returns None) */
#define USSL_ENOMEM 12
#define USSL_EACCES 13
#define USSL_EINVAL 22
#define USSL_EPIPE 32
#define USSL_EOPNOTSUPP 95
#define USSL_ECONNABORTED 103
#define USSL_ECONNRESET 104
#define USSL_ENOTCONN 107
#define USSL_ETIMEDOUT 110
#define USSL_ECONNREFUSED 111
#define USSL_EHOSTUNREACH 113
#define USSL_EALREADY 114
#define USSL_EINPROGRESS 115

/*
 * Return values. Every ussl_* function that can fail returns an int:
 *   >= 0                 success (a byte count for read/write);
 *   -4095 .. -1          OSError(errno): -USSL_EAGAIN would block,
 *                        -USSL_EINTR the transport was interrupted (its
 *                        TLS_STREAM_INTERRUPTED: not sticky, the next call
 *                        continues where this one stopped), transport
 *                        errors (the adapter's negated errno), -USSL_ENOMEM,
 *                        -USSL_EBADF after close, -USSL_ETIMEDOUT...;
 *   USSL_E_TLS           OSError(code, text) for a TLS failure: code is the
 *                        backend's own (negative, e.g. MBEDTLS_ERR_SSL_*);
 *   USSL_E_VALUE         ValueError(text): a bad argument, "invalid key",
 *                        "invalid cert", "CERT_REQUIRED requires
 *                        server_hostname", or a verification failure (text:
 *                        the verification reason).
 * ussl_last_error() (or the ussl_error of ussl_wrap_socket()) has the kind,
 * the code and the text of every failure.
 */
#define USSL_E_TLS (-0x6001)
#define USSL_E_VALUE (-0x6002)

/** True when rc is an OSError(errno) return (-errno). */
#define USSL_IS_ERRNO(rc) ((rc) < 0 && (rc) > -4096)

/** The Python exception class a failure corresponds to. */
typedef enum ussl_error_kind {
    USSL_NO_ERROR = 0,
    USSL_OSERROR = 1,   /**< returned as -errno or USSL_E_TLS */
    USSL_VALUEERROR = 2 /**< returned as USSL_E_VALUE */
} ussl_error_kind;

/** A failure as MicroPython would raise it. */
typedef struct ussl_error {
    ussl_error_kind kind;
    /**
     * OSError: args[0], i.e. a positive errno (USSL_EAGAIN...) or the
     * backend's negative code (e.g. -0x7280 MBEDTLS_ERR_SSL_CONN_EOF), or
     * the TLS_STREAM_ERR_* status when the backend gave no code of its own (e.g.
     * TLS_STREAM_ERR_TRUNCATED for an end of stream without close_notify).
     * ValueError: 0.
     */
    int code;
    /** The tls_stream status the failure came from (TLS_STREAM_ERR_*), for diagnosis; 0 if none. */
    int status;
    /** NUL-terminated text: the errno's name ("ECONNRESET"), the backend's message, or the ValueError text. */
    char msg[128];
} ussl_error;

/* ---------------------------------------------------------------------- */
/* Options: one field per wrap_socket keyword                             */
/* ---------------------------------------------------------------------- */

/**
 * keyfile / certfile / ca_certs / psk_table: in-memory data or a file path.
 *   None:  all fields zero / NULL (the default).
 *   data:  data + len, PEM or DER (PEM need not be NUL-terminated) — what
 *          MicroPython's key=/cert=/cadata= take:
 *          `o.keyfile.data = key_pem; o.keyfile.len = key_pem_len;`
 *   path:  path (NUL-terminated) — what the ussl documentation names; read
 *          through opts.load_file (POSIX: ussl_posix_load_file):
 *          `o.ca_certs.path = "ca.pem";`
 * Giving both data and path is an argument error. The pointers are only
 * read during ussl_wrap_socket(): the data is copied.
 */
typedef struct ussl_blob {
    const void *data;
    size_t len;
    const char *path;
} ussl_blob;

/** Receives a loaded file's bytes; returns a ussl return value. */
typedef int (*ussl_blob_fn)(void *use_ctx, const unsigned char *data, size_t len);

/**
 * File loader hook: read the file at path and call use(use_ctx, data, len)
 * once with its whole contents, then release them. Returns what use()
 * returned, or a negated errno (e.g. -USSL_ENOENT) when the file cannot be
 * read. The data need only live during the call to use().
 */
typedef int (*ussl_load_file_fn)(void *arg, const char *path, ussl_blob_fn use,
                                 void *use_ctx);

/**
 * The wrapped socket's own methods, which a tls_stream_io does not have. Both are
 * optional (NULL). ctx is the tls_stream_io's ctx.
 */
typedef struct ussl_sock_ops {
    /** sock.setblocking(flag): returns 0 or a negated errno. */
    int (*setblocking)(void *ctx, int blocking);
    /**
     * sock.ioctl(POLL, events): which of events (USSL_POLL_*) the transport
     * is ready for now, without waiting; may add USSL_POLL_ERR/HUP.
     */
    int (*poll)(void *ctx, int events);
} ussl_sock_ops;

/** Value of ussl_opts.init set by ussl_opts_init() (a zeroed struct is rejected). */
#define USSL_OPTS_MAGIC 0x7551u

/**
 * The keywords of wrap_socket, plus a few C needs. Initialise with
 * ussl_opts_init() (or ussl_opts_init_posix()): it gives MicroPython's
 * defaults, then set the fields you need. (No static initialiser: fields
 * may be added, and ussl_opts_init() sets them all, in C and in C++.)
 * A struct that was only zeroed is rejected with USSL_E_VALUE, so that
 * zero-initialisation cannot silently turn do_handshake off.
 * All pointers are borrowed during ussl_wrap_socket() only (their contents
 * are copied), except backend, alloc, sock_ops, psk_lookup_arg and the
 * hook arguments, which must outlive the socket.
 */
typedef struct ussl_opts {
    unsigned init; /**< USSL_OPTS_MAGIC (set by ussl_opts_init()) */

    /* ---- MicroPython's keywords, with its defaults ---- */
    int server_side;             /**< False: a client */
    ussl_blob keyfile;           /**< None. Our private key (PEM/DER) */
    ussl_blob certfile;          /**< None. Our certificate chain (PEM, leaf first, or one DER) */
    int cert_reqs;               /**< USSL_CERT_NONE */
    ussl_blob ca_certs;          /**< None. Trusted CAs (PEM, one or many, or one DER) */
    const char *server_hostname; /**< None. Client: SNI and the name verified */
    int do_handshake;            /**< True: handshake inside ussl_wrap_socket() */
    /**
     * None (NULL). Client PSK identity: psk_ident_len bytes at psk_ident,
     * any bytes (zeros, non-UTF-8), 0..USSL_PSK_MAX_IDENT; the length is
     * always explicit (0 is the empty identity, never "strlen"). A backend
     * that cannot send an empty identity refuses it (mbedtls 2.28: OSError
     * EOPNOTSUPP).
     */
    const void *psk_ident;
    size_t psk_ident_len;
    /** None. Client PSK key, binary, 1..32 bytes (see ussl_unhexlify()). */
    const unsigned char *psk_key;
    size_t psk_key_len;

    /* ---- our additions ---- */
    /** Server PSK: "identity:hexkey" lines (mosquitto psk_file format), data or path. */
    ussl_blob psk_table;
    /** Server PSK: a lookup function instead of a table (see tls_stream_psk_lookup_fn). */
    tls_stream_psk_lookup_fn psk_lookup;
    void *psk_lookup_arg;
    /** The crypto backend, e.g. tls_stream_backend_mbedtls(). Required. */
    const tls_stream_backend *backend;
    /** Allocator for everything this socket allocates; NULL: platform default. */
    const tls_stream_allocator *alloc;
    /** Reads keyfile/certfile/ca_certs/psk_table paths; NULL: paths are rejected. */
    ussl_load_file_fn load_file;
    void *load_file_arg;
    /** The wrapped socket's setblocking/poll, or NULL. */
    const ussl_sock_ops *sock_ops;
    /**
     * Blocking calls fail with -USSL_ETIMEDOUT after this many milliseconds
     * without progress; -1: never. The TLS layer does the waiting, so the
     * transport must answer "would block" and have a wait function (e.g. a
     * tls_stream_io_fd() on an O_NONBLOCK descriptor; ussl_setblocking() stays 1).
     */
    int timeout_ms;
    /**
     * Called between handshake attempts inside ussl_wrap_socket() when the
     * transport would block and cannot wait (the C counterpart of
     * MICROPY_EVENT_POLL_HOOK). Return 0 to retry, a negated errno to give
     * up with that error. NULL: such a handshake fails with -USSL_EAGAIN.
     */
    int (*poll_hook)(void *arg);
    void *poll_hook_arg;
    /**
     * Client: a session saved with ussl_session_save() to resume (copied);
     * NULL: none. A session the server declines means a full handshake.
     */
    const unsigned char *session;
    size_t session_len;
} ussl_opts;

/**
 * Set *opts to MicroPython's defaults: init = USSL_OPTS_MAGIC, cert_reqs =
 * USSL_CERT_NONE, do_handshake = 1, timeout_ms = -1, everything else zero /
 * NULL (None). The one way to initialise a ussl_opts. opts NULL: no-op.
 */
TLS_STREAM_API void ussl_opts_init(ussl_opts *opts);

/* ---------------------------------------------------------------------- */
/* wrap_socket                                                            */
/* ---------------------------------------------------------------------- */

/** A wrapped socket (MicroPython's SSLSocket). Opaque. */
typedef struct ussl_socket ussl_socket;

/**
 * ussl.wrap_socket(sock, **opts).
 *
 * A server without keyfile/certfile or PSK fails as in MicroPython: at the
 * handshake. With do_handshake that is now (USSL_E_VALUE "server_side
 * requires keyfile and certfile (or psk_table)"); without, the wrap
 * succeeds and read, write and do_handshake return that error (poll says
 * USSL_POLL_NVAL; setblocking, getpeercert (None) and close work).
 *
 * sock is copied; sock->ctx must outlive the socket. Builds a TLS
 * configuration for this socket alone (as MicroPython's ussl does) and, if
 * opts->do_handshake, runs the handshake (blocking: through sock->wait, or
 * through opts->poll_hook when the transport cannot wait).
 *
 * Returns 0 and stores the socket in *out (free it with ussl_free()); from
 * then on the socket owns the transport and closes it in ussl_close().
 * On failure *out is NULL, nothing is left allocated, the transport is not
 * closed (it is still the caller's, as in MicroPython), and the error is
 * described in *err (when err is not NULL):
 *   USSL_E_VALUE   argument errors ("cannot have cert&key and
 *                  psk_ident&psk_key", "CERT_REQUIRED requires
 *                  server_hostname", "keyfile requires certfile" — after
 *                  the key parsed: a bad key is "invalid key" first, ...),
 *                  "invalid key", "invalid cert", verification failures;
 *   USSL_E_TLS     handshake failures (backend code and text);
 *   -errno         transport errors, -USSL_ENOMEM, -USSL_ENOENT (and other
 *                  errnos) from load_file, -USSL_EAGAIN when the handshake
 *                  would block and neither sock->wait nor a poll_hook exists,
 *                  -USSL_ETIMEDOUT.
 */
TLS_STREAM_API int ussl_wrap_socket(const tls_stream_io *sock, const ussl_opts *opts, ussl_socket **out,
                     ussl_error *err);

/* ---------------------------------------------------------------------- */
/* Stream methods                                                         */
/* ---------------------------------------------------------------------- */
/*
 * Common to every method: a failure is also recorded in the socket
 * (ussl_last_error()). After ussl_close() every method but close, free,
 * poll and last_error returns -USSL_EBADF. An error that ended the
 * connection is sticky: later calls return it again. Byte counts are capped
 * at INT_MAX. sock must not be NULL (-USSL_EINVAL otherwise).
 */

/**
 * read(n): read up to n bytes into buf. As MicroPython's stream read(n) it
 * keeps reading until n bytes arrived, the peer closed, or (non-blocking)
 * the transport would block after some bytes arrived.
 * Returns the count (> 0), 0 at the end of the stream (the peer's
 * close_notify; also for n == 0), -USSL_EAGAIN when nothing is available
 * without blocking, or an error. Bytes read before an error are returned
 * first; the error comes with the next call.
 */
TLS_STREAM_API int ussl_read(ussl_socket *sock, void *buf, size_t n);

/** readinto(buf, n): the same as ussl_read() (in C both fill the caller's buffer). */
TLS_STREAM_API int ussl_readinto(ussl_socket *sock, void *buf, size_t n);

/**
 * Our addition (CPython's recv): one read, returning as soon as any bytes
 * are available (1..n). Returns as ussl_read().
 */
TLS_STREAM_API int ussl_read1(ussl_socket *sock, void *buf, size_t n);

/**
 * readline(): read up to and including '\n', or until the end of the
 * stream, or until size bytes filled buf (MicroPython's readline(size)).
 * Not NUL-terminated. Returns the count (the line), 0 at the end of the
 * stream, -USSL_EAGAIN when no byte was available (a partial line is
 * returned when the transport would block after some bytes), or an error.
 */
TLS_STREAM_API int ussl_readline(ussl_socket *sock, void *buf, size_t size);

/**
 * write(buf): blocking mode writes all n bytes and returns n; non-blocking
 * mode returns the count accepted (1..n; the rest is the caller's to retry)
 * or -USSL_EAGAIN when none was; accepted bytes are never lost: records
 * that could not be sent yet go out with the next call (ussl_poll_direction()
 * says USSL_POLL_WR meanwhile). n == 0 (buf may be NULL) just sends such
 * records: returns 0 when none is left, or -USSL_EAGAIN. Or an error.
 */
TLS_STREAM_API int ussl_write(ussl_socket *sock, const void *buf, size_t n);

/**
 * Our addition (CPython's do_handshake()): run or continue the handshake.
 * Returns 0 once complete, -USSL_EAGAIN (non-blocking), or an error.
 * Not needed: read and write run it (do_handshake=False).
 */
TLS_STREAM_API int ussl_do_handshake(ussl_socket *sock);

/**
 * setblocking(flag): blocking (flag != 0, the default) or non-blocking
 * mode of the TLS layer, also forwarded to the wrapped socket through
 * opts.sock_ops->setblocking (as MicroPython forwards it). Returns 0, the
 * hook's negated errno, or -USSL_EBADF after close.
 */
TLS_STREAM_API int ussl_setblocking(ussl_socket *sock, int flag);

/**
 * getpeercert(binary_form): stores the peer's certificate in DER (owned by
 * the socket, valid until ussl_close()) in *der and its length in *len, or
 * NULL/0 when there is none (None: before the handshake, or the peer sent
 * no certificate, e.g. a client under CERT_NONE or with PSK).
 * binary_form == 0 (the dict form) is not supported: USSL_E_VALUE (in
 * MicroPython NotImplementedError). Returns 0, USSL_E_VALUE, -USSL_EBADF.
 */
TLS_STREAM_API int ussl_getpeercert(ussl_socket *sock, int binary_form, const unsigned char **der,
                     size_t *len);

/**
 * cipher(): the negotiated suite (e.g. "TLS-ECDHE-PSK-WITH-AES-128-CBC-SHA256")
 * and protocol ("TLSv1.2"), static strings, or NULL before the handshake.
 * Either pointer may be NULL. Returns 0 or -USSL_EBADF.
 */
TLS_STREAM_API int ussl_cipher(const ussl_socket *sock, const char **name, const char **version);

/**
 * Client, after the handshake: serialise the session into buf (size bytes)
 * for opts.session of a later wrap (our addition: MicroPython cannot
 * resume). Resuming needs a server that keeps sessions across connections
 * (tickets or a cache: tls_stream_config_set_session_tickets() on a configuration
 * shared by its connections; a ussl server builds one configuration per
 * socket, so it cannot). The blob is secret (it holds the master secret). Stores the
 * length in *len (or, with USSL_E_VALUE "buffer too small", the length
 * needed). Returns 0, USSL_E_VALUE, -USSL_EBADF after close.
 */
TLS_STREAM_API int ussl_session_save(ussl_socket *sock, unsigned char *buf, size_t size, size_t *len);

/** 1 when the handshake resumed a saved session, else 0 (also after close). */
TLS_STREAM_API int ussl_session_resumed(const ussl_socket *sock);

/**
 * close(): send close_notify (best effort: its failures are ignored, as
 * MicroPython ignores them), close the wrapped transport and free the TLS
 * state. Returns 0, or the transport's close error as an OSError (-errno,
 * recorded in ussl_last_error(); the socket is closed all the same).
 * -USSL_EINTR when the transport was interrupted while close_notify was going
 * out: nothing is closed then, call ussl_close() again (or ussl_abort()).
 * A second close is a no-op returning 0. The handle stays valid (methods
 * return -USSL_EBADF) until ussl_free().
 */
TLS_STREAM_API int ussl_close(ussl_socket *sock);

/**
 * Free the handle. Never reads, writes or waits on the transport (no
 * close_notify: call ussl_close() first for a graceful end); a transport
 * still open is closed (its close function, once). NULL is ignored.
 */
TLS_STREAM_API void ussl_free(ussl_socket *sock);

/**
 * Free the handle without calling the transport at all (no read, write,
 * wait or close): for a garbage collector's finaliser, or when the
 * transport is already gone. The transport stays the caller's to release
 * (in MicroPython the wrapped socket object has its own finaliser).
 * NULL is ignored.
 */
TLS_STREAM_API void ussl_abort(ussl_socket *sock);

/**
 * The last failure recorded on sock (kind USSL_NO_ERROR if none). The
 * pointer is owned by the socket and valid until ussl_free().
 */
TLS_STREAM_API const ussl_error *ussl_last_error(const ussl_socket *sock);

/* ---------------------------------------------------------------------- */
/* Polling                                                                */
/* ---------------------------------------------------------------------- */

/** Poll bits, with MicroPython's MP_STREAM_POLL_* values. */
#define USSL_POLL_RD 0x0001
#define USSL_POLL_WR 0x0004
#define USSL_POLL_ERR 0x0008
#define USSL_POLL_HUP 0x0010
#define USSL_POLL_NVAL 0x0020

/**
 * ioctl(POLL, events): which of events (USSL_POLL_RD/WR) are ready now.
 *   - closed socket or sticky error: USSL_POLL_NVAL (the transport is not asked);
 *   - buffered plaintext makes RD ready without asking the transport;
 *   - while the TLS layer needs a direction of its own (mid-handshake, or
 *     unsent records), RD and WR are both checked on the transport in that
 *     direction, and reported ready when it is, so that the caller calls
 *     read/write again to let it progress;
 *   - the transport is asked through opts.sock_ops->poll; without it only
 *     what the TLS layer knows (buffered plaintext) is reported.
 */
TLS_STREAM_API int ussl_poll(const ussl_socket *sock, int events);

/**
 * Which transport directions to wait for before calling again, for a caller
 * running its own poll()/select(): USSL_POLL_RD, USSL_POLL_WR or both (a
 * set, as tls_stream_wants(): poll all of them), the events
 * given (nothing pending inside TLS), 0 when RD was asked and plaintext is
 * already buffered (read at once), or USSL_POLL_NVAL (closed or failed).
 */
TLS_STREAM_API int ussl_poll_direction(const ussl_socket *sock, int events);

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

/**
 * binascii.unhexlify(hex) for psk_key: parse the NUL-terminated hex text
 * (either case, no separators) into out. Returns the byte count, or
 * USSL_E_VALUE with err->msg "odd-length string", "non-hex digit found" or
 * "key too long" (more than out_size bytes). err may be NULL.
 */
TLS_STREAM_API int ussl_unhexlify(const char *hex, unsigned char *out, size_t out_size, ussl_error *err);

/** The symbolic name of a positive errno ("ECONNRESET"), or "" when unknown. Static. */
TLS_STREAM_API const char *ussl_errno_name(int err);

/* ---------------------------------------------------------------------- */
/* POSIX helpers (src/io/posix_ussl_files.c; link only with POSIX I/O)   */
/* ---------------------------------------------------------------------- */

/**
 * A ussl_load_file_fn reading files with tls_stream_read_file(); arg is unused.
 * Returns use()'s result, or the negated errno when the file cannot be read.
 */
TLS_STREAM_API int ussl_posix_load_file(void *arg, const char *path, ussl_blob_fn use, void *use_ctx);

/** ussl_opts_init(), plus load_file = ussl_posix_load_file (paths work). */
TLS_STREAM_API void ussl_opts_init_posix(ussl_opts *opts);

/**
 * setblocking (fcntl O_NONBLOCK) and poll (poll() with timeout 0) of a
 * tls_stream_io_fd() transport, for opts.sock_ops. Use only with tls_stream_io_fd().
 */
TLS_STREAM_API extern const ussl_sock_ops ussl_fd_sock_ops;

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_USSL_H */
