/*
 * What the backends share (not a public header): portable C99 glue that
 * keeps the backend contract (tls_stream/backend.h) the same way in every
 * backend. No TLS library's type appears here; a backend's own files use
 * these and their library's public API.
 *
 *   backend_alloc.c   allocations through the configuration's allocator
 *   backend_settings.h  the rules every backend checks on its settings
 *                     (inline: see there)
 *   backend_checks.c  the rules every backend checks on a new session
 *   backend_psk.c     the server's PSK lookup
 *   backend_text.c    detail texts both backends word alike (snprintf: the
 *                     one file here that needs a C library, and only with
 *                     messages)
 */
#ifndef TLS_STREAM_BACKEND_COMMON_H
#define TLS_STREAM_BACKEND_COMMON_H

#include <stddef.h>

#include "tls_stream/backend.h"
#include "tls_stream/options.h"

/**
 * Declare the slot functions of a backend, tls_stream_<p>_config_new ...
 * tls_stream_<p>_session_save, one per member of tls_stream_backend with
 * that member's type.
 */
#define TLS_STREAM_BK_DECLARE_SLOTS(p)                                                            \
    int tls_stream_##p##_config_new(const tls_stream_backend_env *env, void **out);               \
    int tls_stream_##p##_config_load(void *cfg, tls_stream_item item, const unsigned char *data,  \
                                     size_t len, const char *password);                           \
    int tls_stream_##p##_config_finish(void *cfg, const tls_stream_settings *settings);           \
    void tls_stream_##p##_config_free(void *cfg);                                                 \
    int tls_stream_##p##_session_new(void *cfg, const tls_stream_session_env *env, void **out);   \
    void tls_stream_##p##_session_free(void *session);                                            \
    int tls_stream_##p##_handshake(void *session);                                                \
    int tls_stream_##p##_read(void *session, unsigned char *buf, size_t len);                     \
    int tls_stream_##p##_write(void *session, const unsigned char *buf, size_t len);              \
    int tls_stream_##p##_flush(void *session);                                                    \
    int tls_stream_##p##_close_notify(void *session);                                             \
    size_t tls_stream_##p##_pending(const void *session);                                         \
    int tls_stream_##p##_wants_flush(const void *session);                                        \
    int tls_stream_##p##_info(void *session, tls_stream_conn_info *info);                         \
    int tls_stream_##p##_session_save(void *session, unsigned char *buf, size_t size, size_t *len)

/** The slot members of a tls_stream_backend initialiser: the functions
 *  TLS_STREAM_BK_DECLARE_SLOTS(p) declares. */
#define TLS_STREAM_BK_SLOTS(p)                                                                    \
    .config_new = tls_stream_##p##_config_new, .config_load = tls_stream_##p##_config_load,       \
    .config_finish = tls_stream_##p##_config_finish, .config_free = tls_stream_##p##_config_free, \
    .session_new = tls_stream_##p##_session_new, .session_free = tls_stream_##p##_session_free,   \
    .handshake = tls_stream_##p##_handshake, .read = tls_stream_##p##_read,                       \
    .write = tls_stream_##p##_write, .flush = tls_stream_##p##_flush,                             \
    .close_notify = tls_stream_##p##_close_notify, .pending = tls_stream_##p##_pending,           \
    .wants_flush = tls_stream_##p##_wants_flush, .info = tls_stream_##p##_info,                   \
    .session_save = tls_stream_##p##_session_save

/** The transport's soft stops, TLS_STREAM_INTERRUPTED and TLS_STREAM_ERR_TIMEOUT:
 *  a slot hands them back unchanged and its session goes on. */
static inline int tls_stream_bk_is_stop(int status)
{
    return status == TLS_STREAM_INTERRUPTED || status == TLS_STREAM_ERR_TIMEOUT;
}

/** A status after which the session goes on: a want or a soft stop (any
 *  other error is fatal and sticky). */
static inline int tls_stream_bk_is_soft(int status)
{
    return status == TLS_STREAM_WANT_READ || status == TLS_STREAM_WANT_WRITE || tls_stream_bk_is_stop(status);
}

/* backend_alloc.c */
/** size zeroed bytes from a, or NULL with TLS_STREAM_ERR_NOMEM ("out of
 *  memory") described in d. */
void *tls_stream_bk_zalloc(const tls_stream_allocator *a, size_t size, tls_stream_detail *d);
/** Zero p's size bytes (keys, secrets), then give them back to a. NULL is ignored. */
void tls_stream_bk_free(const tls_stream_allocator *a, void *p, size_t size);

/* backend_checks.c */
/**
 * The rules of session_new: env complete (TLS_STREAM_ERR_ARG, nothing
 * described without a detail), the configuration finished, a verifying
 * certificate client given a server name (without it a library may skip the
 * name check: CVE-2025-27809). Returns TLS_STREAM_OK, or the status described
 * in env->detail.
 */
int tls_stream_bk_check_session(const tls_stream_session_env *env, int finished, tls_stream_role role,
                                tls_stream_verify verify, int is_psk);

/* backend_psk.c */
/**
 * Server: ask lookup (with arg) for identity's key, into key (key_size
 * bytes). Returns TLS_STREAM_OK with *key_len set, TLS_STREAM_ERR_PSK_IDENTITY
 * for an identity that is empty, too long or unknown, or TLS_STREAM_ERR_INTERNAL
 * when the lookup claims more than key_size bytes. key may hold a partial
 * key on failure: the caller zeroes it.
 */
int tls_stream_bk_psk_lookup(tls_stream_psk_lookup_fn lookup, void *arg, const unsigned char *identity,
                             size_t identity_len, unsigned char *key, size_t key_size, size_t *key_len);

/* backend_text.c */
/** Describe the failure of the transport: status TLS_STREAM_ERR_IO (the
 *  transport's error) or another (it broke the tls_stream_io contract), with
 *  its own code in d. Returns status. */
int tls_stream_bk_transport_error(tls_stream_detail *d, int status, int code);
/** Describe "what: name" (name cut to 60 characters) in d, code 0.
 *  Returns status. */
int tls_stream_bk_name_error(tls_stream_detail *d, int status, const char *what, const char *name);
/* Without TLS_STREAM_NO_MESSAGES only: */
/** Describe "peer alert <alert> (<name>)" in d with code.
 *  Returns TLS_STREAM_ERR_PEER_ALERT. */
int tls_stream_bk_peer_alert(tls_stream_detail *d, int code, int alert, const char *name);
/** "certificate chain longer than the verify depth (<depth>)" into msg
 *  (size bytes, cut to fit). */
void tls_stream_bk_depth_text(char *msg, size_t size, int depth);

#endif /* TLS_STREAM_BACKEND_COMMON_H */
