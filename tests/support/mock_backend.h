/*
 * Test support: a scriptable tls_stream_backend for testing the core alone.
 *
 * The backend vtable gives config_new no context of its own, so there is
 * one mock, global to the test program. mock_backend_reset() restores its
 * defaults (every slot succeeds, the handshake completes at once, nothing to
 * read, writes accepted in full) and returns it:
 *
 *     mock_backend *mb = mock_backend_reset();
 *     mock_script_set(&mb->handshake, 3, TLS_STREAM_WANT_READ, TLS_STREAM_WANT_WRITE, TLS_STREAM_OK);
 *     mock_backend_set_read_data(mb, "hello", 5);
 *     mock_script_set(&mb->read, 2, 3, MOCK_ALL);  // "hel", then "lo"
 *     tls_stream_config_new(&cfg, &mb->backend, TLS_STREAM_CLIENT, &ca.alloc);
 *
 * Every slot counts its calls (mb->calls), and the mock records what the
 * core handed it: the settings of config_finish, the server name, io and
 * resume blob of session_new, the data of config_load, the bytes written.
 * By default the mock has every capability (TLS_STREAM_CAP_PSK, _ALPN, _RESUME,
 * _MAX_FRAGMENT); clear bits of mb->backend.caps (and set
 * mb->backend.session_save to NULL without TLS_STREAM_CAP_RESUME) to test a
 * smaller backend. Slots that
 * answer an error (anything negative but a want) also write mb->detail_code
 * and "mock <slot> failed" to the tls_stream_detail they were given, as a real
 * backend does.
 *
 * The mock allocates its configuration and session objects through the
 * allocator of tls_stream_backend_env, so a counting allocator sees them and can
 * make session_new fail with TLS_STREAM_ERR_NOMEM.
 *
 * It also checks that the core keeps the backend contract (slots called on a
 * live session, config_finish once and before any session, no zero-length
 * read/write, ...). Breaches are counted in mb->violations with the first
 * described in mb->violation; tests assert violations == 0.
 */
#ifndef TLS_TEST_MOCK_BACKEND_H
#define TLS_TEST_MOCK_BACKEND_H

#include <stddef.h>

#include "mock_io.h"
#include "tls_stream/backend.h"

/** Session-slot calls kept in mock_backend.trace. */
#define MOCK_TRACE_MAX 256
/** Bytes the mock can serve to read and keep from write. */
#define MOCK_DATA_MAX 8192
/** The code mock slots put in tls_stream_detail.code when they fail (by default). */
#define MOCK_DETAIL_CODE (-0x6d6f)

typedef struct mock_calls {
    unsigned config_new, config_load, config_finish, config_free;
    unsigned session_new, session_free;
    unsigned handshake, read, write, flush, close_notify;
    unsigned pending, wants_flush, info, session_save;
} mock_calls;

typedef struct mock_backend {
    /** Pass &mb->backend to tls_stream_config_new(); version and caps may be edited. */
    tls_stream_backend backend;

    /* ---- scripts (see mock_script in mock_io.h) ---- */
    mock_script config_new;    /**< default TLS_STREAM_OK */
    mock_script config_load;   /**< default TLS_STREAM_OK */
    mock_script config_finish; /**< default TLS_STREAM_OK */
    mock_script session_new;   /**< default TLS_STREAM_OK (TLS_STREAM_ERR_NOMEM also if the allocator fails) */
    mock_script handshake;     /**< default TLS_STREAM_OK */
    /**
     * read: a positive step n answers min(n, len, unread bytes of read_data)
     * bytes (a breach if none is left); other steps are returned as is:
     * 0 (close_notify), TLS_STREAM_ERR_TRUNCATED, wants... Default TLS_STREAM_WANT_READ.
     */
    mock_script read;
    /**
     * write: a positive step n accepts min(n, len) bytes, appended to
     * written; other steps are returned as is. Default MOCK_ALL; set
     * write.otherwise = 3 for a backend that takes 3 bytes a call.
     */
    mock_script write;
    mock_script flush;         /**< default TLS_STREAM_OK; TLS_STREAM_OK clears unflushed */
    mock_script close_notify;  /**< default TLS_STREAM_OK */
    mock_script info;          /**< default TLS_STREAM_OK */
    /**
     * session_save: TLS_STREAM_OK copies save_blob into buf when it fits (else
     * answers TLS_STREAM_ERR_ARG), *len = save_blob_len either way; other steps
     * are returned as is. Default TLS_STREAM_OK.
     */
    mock_script session_save;
    unsigned char save_blob[256];
    size_t save_blob_len;

    /* ---- data ---- */
    unsigned char read_data[MOCK_DATA_MAX];
    size_t read_len, read_pos;
    unsigned char written[MOCK_DATA_MAX];
    size_t written_len;
    size_t last_read_len, last_write_len; /**< len of the last read/write call */

    /** wants_flush() answers unflushed != 0. */
    int unflushed;
    /** When set, every accepted write sets unflushed (data buffered). */
    int write_buffers;
    /** pending() answers this. */
    size_t pending;
    /** info() copies this (defaults: "TLSv1.2", MOCK_CIPHER, no ALPN, no cert). */
    tls_stream_conn_info info_value;
    /** Code written to tls_stream_detail by a failing slot. */
    int detail_code;

    /* ---- records ---- */
    mock_calls calls;
    /**
     * The order of session-slot calls, one letter each: n session_new,
     * h handshake, i info, r read, w write, f flush, c close_notify,
     * s session_save, x session_free (queries are not traced). E.g. a
     * deferred handshake then a read: "nhir". NUL-terminated; the first
     * MOCK_TRACE_MAX - 1 calls are kept.
     */
    char trace[MOCK_TRACE_MAX];
    unsigned loads[3];                /**< config_load calls per tls_stream_item */
    tls_stream_item last_load_item;
    size_t last_load_len;
    const char *last_load_password;
    tls_stream_role env_role;                /**< role given to config_new */
    const tls_stream_allocator *env_alloc;   /**< allocator given to config_new */
    tls_stream_settings settings;            /**< copy of config_finish's settings */
    int settings_seen;
    char server_name[256];            /**< session_new's server_name ... */
    int server_name_null;             /**< ... or 1 when it was NULL */
    const tls_stream_io *session_io;         /**< session_new's io */
    unsigned char resume[256];        /**< session_new's resume blob (first 256 bytes) */
    size_t resume_len;                /**< ... its length (0 with no blob) */
    int resume_null;                  /**< 1 when session_new got no resume blob */
    size_t last_save_size;            /**< size given to the last session_save */
    int configs_live, sessions_live;

    unsigned violations;
    const char *violation;            /**< the first breach, or NULL */
} mock_backend;

/** The cipher name info() reports by default. */
#define MOCK_CIPHER "TLS-MOCK-WITH-AES-128-GCM-SHA256"

/** Restore the global mock to its defaults and return it. */
mock_backend *mock_backend_reset(void);

/** The global mock (as last reset). */
mock_backend *mock_backend_get(void);

/** Copy len bytes (at most MOCK_DATA_MAX) as the plaintext read will serve. */
void mock_backend_set_read_data(mock_backend *mb, const void *data, size_t len);

#endif /* TLS_TEST_MOCK_BACKEND_H */
