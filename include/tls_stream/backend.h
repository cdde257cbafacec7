/*
 * tls_stream — the crypto backend interface.
 *
 * A backend owns everything that touches crypto or the TLS state machine.
 * The core calls it through this table and never sees a backend type.
 * To port tls_stream to another TLS library, fill in one const tls_stream_backend
 * (see docs/porting.md and src/backend/mbedtls/ for the reference one).
 *
 * Rules shared by every slot:
 *   - Return TLS_STREAM_OK / a byte count, or a tls_stream_status code. Translate your own
 *     error codes: the core only understands tls_stream_status.
 *   - When returning an error, write your own code and a short message to
 *     the tls_stream_detail you were given (tls_stream_detail_set()).
 *   - Allocate only through the allocator you were given (your library's
 *     own allocations are your business: document them).
 *   - Talk to the transport only through the tls_stream_io you were given, and
 *     return TLS_STREAM_WANT_READ / TLS_STREAM_WANT_WRITE when it would block; every slot
 *     must be callable again after a "want" with the same arguments.
 *   - When a transport call answered TLS_STREAM_INTERRUPTED, return
 *     TLS_STREAM_INTERRUPTED from the slot (not a want, not an error), keeping
 *     the session as after a want: the next call continues. (A write slot
 *     that already committed bytes returns their count instead.)
 */
#ifndef TLS_STREAM_TLS_BACKEND_H
#define TLS_STREAM_TLS_BACKEND_H

#include <stddef.h>

#include "tls_stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this interface; a backend sets tls_stream_backend.version to it. */
#define TLS_STREAM_BACKEND_VERSION 1

/** Capability flags (tls_stream_backend.caps). */
#define TLS_STREAM_CAP_PSK 0x1u  /**< PSK and ECDHE-PSK suites, client and server */
#define TLS_STREAM_CAP_ALPN 0x2u /**< ALPN */
#define TLS_STREAM_CAP_RESUME 0x4u /**< session tickets, session cache, session_save */
#define TLS_STREAM_CAP_MAX_FRAGMENT 0x8u /**< max fragment length negotiation */
/**
 * A frozen configuration may be used by streams running on several threads
 * at once (its shared state: random generator, ticket keys, session cache
 * is locked by the backend). Without it, every stream of a configuration
 * must run on one thread.
 */
#define TLS_STREAM_CAP_THREADS 0x10u
#define TLS_STREAM_CAP_TLS13 0x20u /**< TLS 1.3 (else TLS 1.2 only) */

/** The backend's own view of an error, kept for diagnosis. */
typedef struct tls_stream_detail {
    int code;      /**< the backend's or the transport's own code, 0 if none */
    char msg[96];  /**< NUL-terminated message */
} tls_stream_detail;

/**
 * Record code and msg (truncated to fit) in d. Returns status unchanged, so
 * a backend can write: return tls_stream_detail_set(d, TLS_STREAM_ERR_BAD_KEY, ret, "...").
 */
TLS_STREAM_API int tls_stream_detail_set(tls_stream_detail *d, int status, int code, const char *msg);

/** What a backend configuration is made from (tls_stream_backend.config_new). */
typedef struct tls_stream_backend_env {
    tls_stream_role role;
    const tls_stream_allocator *alloc; /**< valid for the life of the configuration */
    tls_stream_detail *detail;         /**< where config errors are described */
} tls_stream_backend_env;

/** Kinds of data that tls_stream_backend.config_load parses. */
typedef enum tls_stream_item { TLS_STREAM_ITEM_CA = 0, TLS_STREAM_ITEM_CERT, TLS_STREAM_ITEM_KEY } tls_stream_item;

/**
 * The validated settings, given once to tls_stream_backend.config_finish. Every
 * pointer stays valid until tls_stream_backend.config_free.
 */
typedef struct tls_stream_settings {
    tls_stream_role role;
    tls_stream_verify verify;
    int verify_depth;             /**< 0: backend default */
    int has_ca, has_cert;         /**< CA / own cert+key loaded */
    const unsigned char *psk_identity; /**< client PSK, NULL if none */
    size_t psk_identity_len;
    const unsigned char *psk_key;
    size_t psk_key_len;
    tls_stream_psk_lookup_fn psk_lookup; /**< server PSK, NULL if none */
    void *psk_lookup_arg;
    const char *const *alpn;      /**< NULL-terminated, or NULL */
    const char *const *ciphersuites; /**< IANA/backend names in order, or NULL: defaults */
    const char *const *groups;    /**< key exchange groups in order, or NULL: defaults */
    tls_stream_entropy_fn entropy;       /**< NULL: platform source only */
    void *entropy_arg;
    tls_stream_debug_fn debug;
    void *debug_arg;
    int debug_level;
    int ticket_lifetime;          /**< server: seconds, 0 = no tickets */
    int cache_entries;            /**< server: 0 = no session cache */
    int cache_timeout;            /**< server: seconds */
    unsigned max_fragment;        /**< client: 512..4096, 0 = off */
    const char *const *sigalgs;   /**< signature schemes in order, or NULL: the backend's default */
    int min_version, max_version; /**< TLS_STREAM_TLS1_2 / _3; 0 = backend default.
                                       TLS 1.3 only when caps has TLS_STREAM_CAP_TLS13 */
} tls_stream_settings;

/** What a session is made from (tls_stream_backend.session_new). */
typedef struct tls_stream_session_env {
    const tls_stream_io *io;        /**< the transport; valid for the session's life */
    const char *server_name; /**< client: SNI and verified name, or NULL */
    tls_stream_detail *detail;      /**< where this session's errors are described */
    const unsigned char *resume; /**< client: a saved session to offer, or NULL */
    size_t resume_len;
} tls_stream_session_env;

/** Facts about an established session (tls_stream_backend.info). */
typedef struct tls_stream_conn_info {
    const char *version;               /**< "TLSv1.2" or "TLSv1.3" (static) */
    const char *cipher;                /**< suite name (static) */
    const char *alpn;                  /**< or NULL */
    const unsigned char *peer_cert;    /**< DER, owned by the session, or NULL */
    size_t peer_cert_len;
    int resumed;                       /**< 1 when the handshake resumed a session */
} tls_stream_conn_info;

/** The backend table. All slots are required but session_save, which is
 *  NULL when caps lacks TLS_STREAM_CAP_RESUME. */
struct tls_stream_backend {
    unsigned version; /**< TLS_STREAM_BACKEND_VERSION */
    const char *name;
    unsigned caps;    /**< TLS_STREAM_CAP_* */

    /** Create an empty configuration for env->role in *out. */
    int (*config_new)(const tls_stream_backend_env *env, void **out);
    /**
     * Parse data (PEM or DER) as item; password only for keys. The core
     * guarantees: only before config_finish succeeded, item is one of
     * TLS_STREAM_ITEM_*, data != NULL and len > 0 (a backend need not check).
     */
    int (*config_load)(void *cfg, tls_stream_item item, const unsigned char *data,
                       size_t len, const char *password);
    /**
     * Apply the validated settings (seed the RNG, select suites). Called
     * again after it failed (the settings may have changed in between),
     * never after it succeeded: a failure must leave the configuration
     * ready for another try.
     */
    int (*config_finish)(void *cfg, const tls_stream_settings *settings);
    /** Free a configuration (also one that never finished). */
    void (*config_free)(void *cfg);

    /** Create a session from a finished configuration. */
    int (*session_new)(void *cfg, const tls_stream_session_env *env, void **out);
    /** Free a session; never touches the transport. */
    void (*session_free)(void *session);
    /** Advance the handshake: TLS_STREAM_OK when complete. */
    int (*handshake)(void *session);
    /**
     * Read plaintext: n > 0, 0 after the peer's close_notify,
     * TLS_STREAM_ERR_TRUNCATED at an end of stream without it.
     */
    int (*read)(void *session, unsigned char *buf, size_t len);
    /**
     * Accept up to len bytes of plaintext: returns n > 0 once n bytes are
     * committed (encrypted; possibly still buffered, see flush), or
     * TLS_STREAM_WANT_* when none was. Must never lose or repeat committed bytes.
     * Since nothing is committed while it answers a want, the next call may
     * pass other data (the core relies on this).
     */
    int (*write)(void *session, const unsigned char *buf, size_t len);
    /** Send buffered records: TLS_STREAM_OK when nothing is left. */
    int (*flush)(void *session);
    /** Send close_notify (and flush it): TLS_STREAM_OK when sent. */
    int (*close_notify)(void *session);
    /** Decrypted plaintext bytes buffered. */
    size_t (*pending)(const void *session);
    /** Non-zero while committed bytes wait in the backend to be sent. */
    int (*wants_flush)(const void *session);
    /** Fill info after the handshake. */
    int (*info)(void *session, tls_stream_conn_info *info);
    /**
     * Client: serialise the session into buf (size bytes); *len = bytes
     * written, or needed with TLS_STREAM_ERR_ARG when size is too small.
     */
    int (*session_save)(void *session, unsigned char *buf, size_t size, size_t *len);
};

#ifdef __cplusplus
}
#endif

#endif /* TLS_STREAM_TLS_BACKEND_H */
