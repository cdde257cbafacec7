/*
 * MicroPython's native `tls` module on tls_stream: what the files of this
 * user C module share (not a public header).
 *
 *   mod_tls.c       the module: constants, SSLContext/SSLSocket types
 *   tls_context.c   SSLContext: settings, one tls_stream_config per settings
 *   tls_socket.c    SSLSocket: the stream protocol, ioctl/poll, close
 *   tls_io.c        tls_stream_io over a MicroPython stream, exceptions caught
 *   tls_raise.c     tls_stream statuses raised as MicroPython's exceptions
 *   tls_alloc.c     the allocator hook on MicroPython's GC heap
 *   tls_backend.c   backend specifics (mbedtls: version, suite list, names)
 *   tls_compat.h    adapters for library API changes under way
 */
#ifndef MOD_TLS_STREAM_H
#define MOD_TLS_STREAM_H

#include "py/obj.h"
#include "py/objstr.h"
#include "py/stream.h"

#include "tls_stream/tls_stream.h"

/* SSLContext(protocol): MicroPython's PROTOCOL_TLS_CLIENT / _SERVER. */
#define MP_TLS_PROTOCOL_CLIENT 0
#define MP_TLS_PROTOCOL_SERVER 1

typedef struct mp_tls_context {
    mp_obj_base_t base;
    tls_stream_config *cfg; /* built from the settings below; NULL: rebuild */
    tls_stream_role role;
    int verify_mode; /* CERT_NONE/OPTIONAL/REQUIRED */
    mp_obj_t key;    /* data, or MP_OBJ_NULL */
    mp_obj_t cert;
    mp_obj_t cadata;  /* list of data objects, or MP_OBJ_NULL */
    mp_obj_t ciphers; /* list of str, or MP_OBJ_NULL */
    mp_obj_t verify_callback;
    mp_obj_t psk_identity; /* None or data */
    mp_obj_t psk_key;
    mp_obj_t server_psk_keys; /* None or an object with .get(identity) */
} mp_tls_context;

typedef struct mp_tls_socket {
    mp_obj_base_t base;
    mp_tls_context *ctx; /* keeps the context (and its callbacks) alive */
    mp_obj_t sock;       /* the wrapped stream; MP_OBJ_NULL once closed */
    tls_stream *stream;  /* NULL before a deferred error and once closed */
    mp_obj_t pending_exc; /* an exception the wrapped stream raised, or NULL */
    int deferred;         /* a tls_stream_new() error raised at the handshake */
    int last_error;       /* sticky: the errcode every later call returns */
    int checked;          /* verify_callback ran after the handshake */
    int server_side;
} mp_tls_socket;

extern const mp_obj_type_t mp_tls_context_type;
extern const mp_obj_type_t mp_tls_socket_type;

/* ---- tls_alloc.c ---- */
extern const tls_stream_allocator mp_tls_allocator;

/* ---- tls_context.c ---- */
/** The context's configuration, built now if a setting changed. Raises. */
tls_stream_config *mp_tls_context_config(mp_tls_context *self);
/** The PSK identity is set on a client context (the key authenticates). */
bool mp_tls_context_has_psk(const mp_tls_context *self);

/* ---- tls_socket.c ---- */
mp_obj_t mp_tls_socket_new(mp_tls_context *ctx, mp_obj_t sock, bool server_side,
    bool do_handshake, mp_obj_t server_hostname);

/* ---- tls_io.c ---- */
/** The transport of sock (reads and writes sock->sock). */
void mp_tls_io_init(mp_tls_socket *sock, tls_stream_io *io);
/** Re-raise an exception the wrapped stream raised during the last call. */
void mp_tls_io_reraise(mp_tls_socket *sock);

/* ---- tls_raise.c ---- */
/**
 * The errcode MicroPython's stream protocol passes for status (the mbedtls
 * code, or an errno), storing the detail for mp_tls_raise_errcode().
 */
/** Raise status with the backend's code and text (msg may be NULL or ""). */
NORETURN void mp_tls_raise_status(int status, int code, const char *msg);
NORETURN void mp_tls_raise_stream(const tls_stream *s, int status);
NORETURN void mp_tls_raise_config(const tls_stream_config *cfg, int status);
/** Raise OSError(code, name) for a backend code as MicroPython's mbedtls module does. */
NORETURN void mp_tls_raise_code(int code);
/** The errcode for a stream failure, for the stream protocol's *errcode. */
int mp_tls_errcode(const tls_stream *s, int status);

/* ---- tls_backend.c ---- */
extern mp_obj_str_t mp_tls_backend_version_obj;
const tls_stream_backend *mp_tls_backend(void);
/** The backend's suite names, in its order of preference. */
mp_obj_t mp_tls_backend_ciphers(void);
/** The symbolic name of a backend code ("MBEDTLS_ERR_SSL_CONN_EOF"), or NULL. */
const char *mp_tls_backend_code_name(int code);
/** The backend knows this cipher suite name. */
bool mp_tls_backend_cipher_known(const char *name);
/** The backend's code for "bad configuration" (set_ciphers with an unknown name). */
int mp_tls_backend_bad_config_code(void);

#endif /* MOD_TLS_STREAM_H */
