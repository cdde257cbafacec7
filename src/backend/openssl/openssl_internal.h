/*
 * What the files of the OpenSSL backend share (not a public header).
 *
 *   openssl_backend.c  the tls_stream_backend table
 *   openssl_bio.c      the BIO that carries records over the tls_stream_io,
 *                      with our own buffer for records the transport did not
 *                      take yet
 *   openssl_config.c   the configuration slots (certificates, keys,
 *                      verification, options)
 *   openssl_load.c     parsing certificates and keys (PEM or DER)
 *   openssl_names.c    cipher suites and groups by name
 *   openssl_psk.c      PSK callbacks (TLS 1.2 and TLS 1.3 external PSK)
 *   openssl_verify.c   certificate verification, judged like mbedtls does
 *   openssl_session.c  the session slots (handshake, read, write, ...)
 *   openssl_resume.c   tickets, session cache, session save/load
 *   openssl_errors.c   OpenSSL errors -> tls_stream_status + detail
 */
#ifndef TLS_STREAM_OPENSSL_INTERNAL_H
#define TLS_STREAM_OPENSSL_INTERNAL_H

#include <stddef.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_stream/backend.h"
#include "tls_stream/openssl.h"
#include "tls_stream/options.h"

#include "../common/backend_common.h"

/** The largest plaintext chunk given to one SSL_write() (one record). */
#define TLS_STREAM_OSL_MAX_CHUNK 16384

/** A backend configuration. Shared read-only by its sessions once finished. */
typedef struct tls_stream_osl_config {
    const tls_stream_allocator *alloc;
    tls_stream_detail *detail; /* where config errors go (the core's) */
    tls_stream_role role;
    int finished;
    int has_ca, has_cert, has_key;
    int is_psk;       /* a client PSK or a server lookup is configured */
    tls_stream_verify verify;
    int verify_depth; /* 0: OpenSSL's own limit */
    /* client PSK and server lookup: the settings' pointers, valid until
     * config_free (see tls_stream_settings) */
    const unsigned char *psk_identity;
    size_t psk_identity_len;
    const unsigned char *psk_key;
    size_t psk_key_len;
    tls_stream_psk_lookup_fn psk_lookup;
    void *psk_lookup_arg;
    const char *const *alpn; /* server: the protocols we accept, in order */
    tls_stream_debug_fn debug;
    void *debug_arg;
    int debug_level;
    SSL_CTX *ctx;
    BIO_METHOD *bio_method; /* per configuration: no global state */
    X509 *leaf;             /* own certificate, applied in config_finish */
    STACK_OF(X509) *chain;  /* its intermediates */
    EVP_PKEY *key;
} tls_stream_osl_config;

/** Verification problems found in the peer's chain (tls_stream_osl_session.vflags). */
#define TLS_STREAM_OSL_V_OTHER 0x1u /* not trusted, bad signature, ... */
#define TLS_STREAM_OSL_V_DATES 0x2u /* expired or not yet valid */
#define TLS_STREAM_OSL_V_NAME 0x4u  /* host name mismatch */
#define TLS_STREAM_OSL_V_DEPTH 0x8u /* chain longer than the verify depth */

/** One connection. */
typedef struct tls_stream_osl_session {
    tls_stream_osl_config *cfg;
    SSL *ssl;
    const tls_stream_io *io;
    tls_stream_detail *detail;
    unsigned char *out;  /* records accepted from OpenSSL, not yet sent */
    size_t out_off, out_len, out_cap;
    int io_status;       /* once the transport failed: TLS_STREAM_ERR_IO or _INTERNAL */
    int io_code;         /* the transport's own (negative) code */
    int nomem;           /* our allocator failed inside a callback */
    int soft;            /* TLS_STREAM_INTERRUPTED or _ERR_TIMEOUT from the transport */
    int psk_status;      /* server: why the PSK lookup refused the identity */
    /* server, TLS 1.3: the identity the ClientHello callback found, and its key */
    unsigned char psk_id[TLS_STREAM_PSK_MAX_IDENTITY];
    size_t psk_id_len;
    unsigned char psk_found[TLS_STREAM_PSK_MAX_KEY];
    size_t psk_found_len;
    int verify_status;   /* why our verification refused the peer's chain */
    int verify_code;     /* the X509_V_ERR_* behind it */
    unsigned vflags;     /* TLS_STREAM_OSL_V_* */
    int vfirst_other;    /* the first X509_V_ERR_* of kind OTHER */
    int failed;          /* sticky status */
    int hs_done;
    int close_sent;
    int peer_closed;
    int transport_eof;
    unsigned char *peer_der; /* the peer's certificate, DER (OpenSSL's allocation) */
    int peer_der_len;
    char alpn[256];
    char suite[64];      /* the negotiated suite, mbedtls's spelling */
} tls_stream_osl_session;

/** Where an OpenSSL error was met: decides what "anything else" means. */
typedef enum tls_stream_osl_phase { TLS_STREAM_OSL_HANDSHAKE = 0, TLS_STREAM_OSL_DATA } tls_stream_osl_phase;

/** Empty this thread's OpenSSL error queue (before and after every call into
 *  OpenSSL: no error passes from one stream, or caller, to another). Cheap
 *  when it is empty already, as it almost always is. */
static inline void tls_stream_osl_clear(void)
{
    if (ERR_peek_error() != 0)
        ERR_clear_error();
}

/* openssl_errors.c */
/**
 * Translate the failure of an SSL_* call that returned ret on s (reads
 * SSL_get_error() and the error queue, then clears the queue), describe it
 * in s->detail. Returns the tls_stream_status (a want for retryable ones).
 */
int tls_stream_osl_error(tls_stream_osl_session *s, int ret, tls_stream_osl_phase phase);
/**
 * Describe a configuration-time OpenSSL failure: "what: <reason>" with the
 * first queued code in d; an allocation failure in the queue makes it
 * TLS_STREAM_ERR_NOMEM. Clears the queue. Returns the status used.
 */
int tls_stream_osl_config_error(tls_stream_detail *d, int status, const char *what);
/** Empty the error queue: returns its first code (the root cause), *nomem
 *  is set when any queued code is an allocation failure. */
unsigned long tls_stream_osl_drain(int *nomem);
/** "what: <reason of e>" (what may be NULL) with code e in d. Returns status. */
int tls_stream_osl_describe(tls_stream_detail *d, int status, unsigned long e, const char *what);
/** Describe a verification failure (s->verify_status, s->verify_code) in s->detail. */
int tls_stream_osl_verify_detail(tls_stream_osl_session *s);

/* openssl_bio.c */
/** Make the BIO method of a configuration. Returns NULL when out of memory. */
BIO_METHOD *tls_stream_osl_bio_method(void);
/** A BIO over s->io for s (OpenSSL's allocation), or NULL. */
BIO *tls_stream_osl_bio_new(tls_stream_osl_session *s);
/** Send buffered records: TLS_STREAM_OK when none is left, a want, or TLS_STREAM_ERR_IO/_INTERNAL. */
int tls_stream_osl_out_flush(tls_stream_osl_session *s);
/** Free the record buffer. */
void tls_stream_osl_out_free(tls_stream_osl_session *s);

/* openssl_load.c */
/** Parse data as item into cfg (see tls_stream_backend.config_load). */
int tls_stream_osl_load(tls_stream_osl_config *cfg, tls_stream_item item, const unsigned char *data,
                        size_t len, const char *password);

/* openssl_names.c */
/** Apply the application's suite list (NULL: defaults for the mode) and
 *  narrow the version range [*min, *max] (OpenSSL's constants) to the
 *  versions the list has suites for. */
int tls_stream_osl_set_suites(tls_stream_osl_config *cfg, const char *const *names, int *min, int *max);
/** Apply the application's group list. */
int tls_stream_osl_set_groups(tls_stream_osl_config *cfg, const char *const *names);
/** Apply the application's signature algorithms (RFC 8446 names). */
int tls_stream_osl_set_sigalgs(tls_stream_osl_config *cfg, const char *const *names);

/* openssl_psk.c */
/** Install the PSK callbacks of cfg's role. */
void tls_stream_osl_psk_setup(tls_stream_osl_config *cfg);

/* openssl_verify.c */
/** Install verification (mode, depth, our chain judge) from cfg->verify. */
void tls_stream_osl_verify_setup(tls_stream_osl_config *cfg);

/* openssl_resume.c */
/** Server: tickets and the session cache from st. Client: nothing to do. */
int tls_stream_osl_resume_setup(tls_stream_osl_config *cfg, const tls_stream_settings *st);
/** Client: offer a saved session (a blob from another backend is an error). */
int tls_stream_osl_resume_offer(tls_stream_osl_session *s, const unsigned char *blob, size_t len);

/* The slots, for the table in openssl_backend.c (see tls_stream/backend.h). */
TLS_STREAM_BK_DECLARE_SLOTS(osl);

#endif /* TLS_STREAM_OPENSSL_INTERNAL_H */
