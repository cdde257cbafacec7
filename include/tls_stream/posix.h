/*
 * tls_stream — POSIX adapters: a file-descriptor stream and file loaders.
 * Not part of the portable core: link only on platforms with POSIX I/O.
 */
#ifndef TLS_STREAM_TLS_POSIX_H
#define TLS_STREAM_TLS_POSIX_H

#include "tls_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * A tls_stream_io over a connected socket or pipe descriptor, as fast as raw
 * blocking I/O: one recv()/send() (read()/write()) per call, no poll().
 *   - blocking descriptor: calls block in the kernel. With a configured
 *     timeout (tls_stream_config_set_timeout) set_timeout applies it to a
 *     socket as SO_RCVTIMEO/SO_SNDTIMEO (once per stream) and a call that
 *     runs out answers TLS_STREAM_ERR_TIMEOUT. Blocking pipes and terminals
 *     cannot take a timeout: give them O_NONBLOCK for one. A non-blocking
 *     tls_stream (tls_stream_set_blocking(s, 0)) needs an O_NONBLOCK
 *     descriptor: over a blocking one its calls block.
 *   - O_NONBLOCK descriptor: EAGAIN becomes TLS_STREAM_WANT_*; a blocking
 *     tls_stream then waits in wait() (poll()) with its timeout.
 * EINTR is retried; other failures return the negated errno; close()
 * closes fd and returns 0 or the negated errno. Writes to sockets use
 * MSG_NOSIGNAL, so a closed peer gives -EPIPE, not SIGPIPE; for pipes (and
 * platforms without MSG_NOSIGNAL) the application must ignore SIGPIPE
 * itself. The descriptor is stored in the returned value itself: no memory
 * is allocated and nothing needs freeing.
 */
TLS_STREAM_API tls_stream_io tls_stream_io_fd(int fd);

/**
 * tls_stream_io_fd() that does not own fd: its close is NULL, so
 * tls_stream_close()/_free() leave the descriptor open; the caller closes
 * it (after freeing the stream). Otherwise the same transport.
 */
TLS_STREAM_API tls_stream_io tls_stream_io_fd_borrow(int fd);

/**
 * The descriptor of a tls_stream_io made by tls_stream_io_fd() or
 * tls_stream_io_fd_borrow(), or -1 for any other io.
 */
TLS_STREAM_API int tls_stream_io_fd_get(const tls_stream_io *io);

/**
 * Load a file's contents and hand them to the matching setter:
 * tls_stream_config_add_ca(), tls_stream_config_set_cert(), tls_stream_config_set_key(),
 * tls_stream_config_load_psk_table(). PEM or DER are detected by the backend.
 * Returns what the setter returns (an empty file: TLS_STREAM_ERR_ARG),
 * TLS_STREAM_ERR_ARG for NULL arguments, TLS_STREAM_ERR_NOMEM, or
 * TLS_STREAM_ERR_IO when the file cannot be read (detail code: the negated
 * errno, e.g. -ENOENT, via tls_stream_config_error_detail()).
 */
TLS_STREAM_API int tls_stream_config_add_ca_file(tls_stream_config *cfg, const char *path);
/** See tls_stream_config_add_ca_file(). */
TLS_STREAM_API int tls_stream_config_set_cert_file(tls_stream_config *cfg, const char *path);
/** See tls_stream_config_add_ca_file(); password may be NULL. */
TLS_STREAM_API int tls_stream_config_set_key_file(tls_stream_config *cfg, const char *path, const char *password);
/** See tls_stream_config_add_ca_file(). */
TLS_STREAM_API int tls_stream_config_load_psk_file(tls_stream_config *cfg, const char *path);

/**
 * Read a whole file into memory allocated with malloc (NUL-terminated, the
 * NUL not counted in *len). The caller frees *data with free() (wipe it
 * first if it holds a key). Returns TLS_STREAM_OK, TLS_STREAM_ERR_ARG,
 * TLS_STREAM_ERR_NOMEM, or TLS_STREAM_ERR_IO when the file cannot be opened
 * or read: errno then says why (e.g. ENOENT), as the detail code -errno of
 * the file setters above does. On failure *data is NULL and *len 0.
 */
TLS_STREAM_API int tls_stream_read_file(const char *path, unsigned char **data, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_POSIX_H */
