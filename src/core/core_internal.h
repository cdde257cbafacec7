/*
 * What the core shares inside the library (not a public header).
 * Adapters in src/io and src/ussl, and the backends' shared glue in
 * src/backend/common, may use it; a backend's own files may not.
 */
#ifndef TLS_STREAM_CORE_INTERNAL_H
#define TLS_STREAM_CORE_INTERNAL_H

#include <stddef.h>

#include "tls_stream/backend.h"
#include "tls_stream/options.h"
#include "tls_stream/tls_stream.h"

/** The platform's default allocator, or NULL when the build has none. */
const tls_stream_allocator *tls_stream_platform_allocator(void);

/** Resolve alloc (NULL: platform default). Returns NULL when there is none. */
const tls_stream_allocator *tls_stream_allocator_or_default(const tls_stream_allocator *alloc);

/** Allocate size zeroed bytes with a, or NULL. */
void *tls_stream_zalloc(const tls_stream_allocator *a, size_t size);

/** Free p (size bytes, as allocated) with a. NULL is ignored. */
void tls_stream_dealloc(const tls_stream_allocator *a, void *p, size_t size);

/** Copy len bytes into a new allocation with a trailing NUL (not counted). */
unsigned char *tls_stream_memdup(const tls_stream_allocator *a, const void *p, size_t len);

/** The configuration's allocator. */
const tls_stream_allocator *tls_stream_config_allocator(const tls_stream_config *cfg);

/** Record an error detail on cfg (shown by tls_stream_config_error_detail()). Returns status. */
int tls_stream_config_fail(tls_stream_config *cfg, int status, int code, const char *msg);

/** The value of one hex digit (either case), or -1. */
int tls_stream_hex_value(char c);

/** Parse hex text (even length) into out; returns the byte count or TLS_STREAM_ERR_BAD_KEY. */
int tls_stream_hex_decode(const char *hex, size_t hex_len, unsigned char *out, size_t out_size);

/**
 * Write v in decimal at out (size bytes, size > 0), NUL-terminated; digits
 * that do not fit are dropped from the end. Returns the count written.
 */
size_t tls_stream_utoa(unsigned long v, char *out, size_t size);

/* Freestanding replacements for the string.h functions the core needs. */
/** Zero n bytes at p in a way the compiler does not remove (for secrets). */
void tls_stream_memzero(void *p, size_t n);
/** memcpy: n bytes from src to dst, which must not overlap; with n == 0 either may be NULL. */
void tls_stream_memcopy(void *dst, const void *src, size_t n);
/** memcmp equality: 1 when equal. */
int tls_stream_memeq(const void *a, const void *b, size_t n);
/** strlen, bounded by max (returns max when no NUL is found before it). */
size_t tls_stream_strnlen(const char *s, size_t max);

/* ---- configuration internals ---- */

/** One server PSK table entry (identity stored after the struct). */
typedef struct tls_stream_psk_entry {
    struct tls_stream_psk_entry *next;
    size_t identity_len;
    size_t key_len;
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    unsigned char identity[1]; /* identity_len bytes follow */
} tls_stream_psk_entry;

/** A copied NULL-terminated list of names: one allocation, pointers then strings. */
typedef struct tls_stream_name_list {
    char **names;
    size_t size;
} tls_stream_name_list;

/** The longest server name accepted (DNS limit). */
#define TLS_STREAM_SERVER_NAME_MAX 253

struct tls_stream_config {
    tls_stream_allocator alloc;
    const tls_stream_backend *backend;
    void *backend_cfg;
    unsigned long refs;
    int frozen;        /* a tls_stream_new() succeeded: read-only from then on */
    int has_key;
    char *server_name;
    tls_stream_psk_entry *psk_table;
    tls_stream_name_list alpn;
    tls_stream_name_list ciphersuites;
    tls_stream_name_list groups;
    tls_stream_name_list sigalgs;
    int timeout_ms;
    int allow_truncation;
    /*
     * What the setters set, in the form the backend takes it: role, verify,
     * has_ca/has_cert, the client PSK (pointing at psk_identity/psk_key
     * below), the server PSK lookup, entropy, debug, resumption, fragment and
     * versions. tls_stream_config_freeze() copies it and fills in the rest
     * (the name lists, the PSK table's lookup, verify none with a client PSK).
     * (The small fields first: short instructions reach them.)
     */
    tls_stream_settings set;
    unsigned char psk_identity[TLS_STREAM_PSK_MAX_IDENTITY];
    unsigned char psk_key[TLS_STREAM_PSK_MAX_KEY];
    tls_stream_detail detail;
};

/** Guard of the PSK setters: writable, role matches, no certificate. Returns TLS_STREAM_OK or the error.
 */
int tls_stream_config_psk_allowed(tls_stream_config *cfg, tls_stream_role role);

/** Freeze cfg on first use: validate it and finish the backend config. */
int tls_stream_config_freeze(tls_stream_config *cfg);

/** The server-side table lookup (a tls_stream_psk_lookup_fn over cfg->psk_table). */
int tls_stream_psk_table_lookup(void *cfg, const unsigned char *identity, size_t identity_len,
                         unsigned char *key, size_t key_size);

/** Free every entry of a PSK table list. */
void tls_stream_psk_table_free(const tls_stream_allocator *a, tls_stream_psk_entry *list);

#endif /* TLS_STREAM_CORE_INTERNAL_H */
