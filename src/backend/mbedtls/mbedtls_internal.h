/*
 * What the files of the mbedtls backend share (not a public header).
 *
 *   mbedtls_config.c   the configuration slots (certificates, keys, RNG,
 *                      suites, verification, PSK)
 *   mbedtls_session.c  the session slots (handshake, read, write, flush,
 *                      close_notify, info)
 *   mbedtls_io.c       the transport callbacks and the send queue we own
 *   mbedtls_wire.c     what the hello messages and plaintext alerts say
 *                      (resumption, the peer's alert), read off the records
 *   mbedtls_resume.c   tickets, session cache, session save and offer
 *   mbedtls_backend.c  the tls_stream_backend table
 *   mbedtls_errors.c   mbedtls codes and verify flags -> tls_stream_status + detail
 *   mbedtls_sigalgs.c  signature algorithms by name
 *   mbedtls_certs.c    certificates and keys (stubs without X.509)
 *   mbedtls_compat.h   everything that differs between mbedtls versions
 *   mbedtls_features.h everything that differs between mbedtls configurations
 */
#ifndef TLS_STREAM_MBEDTLS_INTERNAL_H
#define TLS_STREAM_MBEDTLS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tls_stream/backend.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/options.h"

#include "mbedtls_compat.h"

#include "../common/backend_common.h"

/** The RNG the backend hands mbedtls (TLS, tickets, key parsing): the
 *  configuration's CTR-DRBG. The libFuzzer build swaps in a seeded PRNG
 *  (tests/fuzz), which a static mbedtls cannot have interposed. */
#ifndef TLS_STREAM_MBT_RNG
#define TLS_STREAM_MBT_RNG mbedtls_ctr_drbg_random
#else
int TLS_STREAM_MBT_RNG(void *p_rng, unsigned char *out, size_t len);
#endif

/** Empty application-data records read in one call before giving up
 *  (mbedtls 2.28 itself fails the connection after four in a row). */
#define TLS_STREAM_MBT_MAX_EMPTY_RECORDS 8

/** TLS 1.3 NewSessionTickets taken in one call before giving up (servers
 *  send one or two after the handshake). */
#define TLS_STREAM_MBT_MAX_TICKETS 16

/** Room for the PSK suites we offer (see mbedtls_config.c) plus the 0. */
#define TLS_STREAM_MBT_MAX_SUITES 16

/** Bytes of a hello message kept to read its session ID and extensions. */
#define TLS_STREAM_MBT_HELLO_CAP 320

/** The send queue's bound: one record of the largest size mbedtls builds
 *  (header, MBEDTLS_SSL_OUT_CONTENT_LEN of content, RFC 5246's expansion
 *  limit) plus room for an alert queued behind it. */
#define TLS_STREAM_MBT_QUEUE_MAX (5 + MBEDTLS_SSL_OUT_CONTENT_LEN + 2048 + 256)

/** One direction of the record stream, followed record by record. */
typedef struct tls_stream_mbt_records {
    unsigned char hdr[5];
    unsigned hdr_len;   /* header bytes seen of the current record */
    size_t body_left;   /* body bytes still to come */
    size_t cap_len;     /* body bytes kept (of a hello or an alert) */
} tls_stream_mbt_records;

/** What the hellos said (the fields that decide resumption). */
typedef struct tls_stream_mbt_hello {
    int seen;
    unsigned char sid[32];
    size_t sid_len;
    int tls13;        /* ServerHello: supported_versions selects TLS 1.3 */
    int psk_selected; /* ServerHello: the pre_shared_key index, or -1 */
} tls_stream_mbt_hello;

/** What only the handshake needs: allocated by tls_stream_mbt_wire_init(),
 *  freed by tls_stream_mbt_wire_free() once the handshake is over. */
typedef struct tls_stream_mbt_hellos {
    tls_stream_mbt_records out;                  /* what we send */
    unsigned char cap[2][TLS_STREAM_MBT_HELLO_CAP]; /* [incoming]: the hello */
    tls_stream_mbt_hello client_hello, server_hello;
} tls_stream_mbt_hellos;

/** Facts read off the records: the hellos during the handshake, the
 *  incoming record headers and plaintext alerts for the whole connection. */
typedef struct tls_stream_mbt_wire {
    tls_stream_mbt_records in;
    tls_stream_mbt_hellos *hs; /* during the handshake, else NULL */
    unsigned char alert[2];    /* the body of an incoming alert record */
    int in_headers; /* record headers received (in.hdr: the last one) */
    int last_alert; /* description of the last plaintext alert received, or -1 */
    int alert_last; /* the last record received was a plaintext fatal alert */
} tls_stream_mbt_wire;

/** A server configuration; one holding its own certificate. Constant 0 in
 *  an mbedtls build without the server role or without certificates (where
 *  config_new refuses the role and loading refuses certificates), so the
 *  compiler leaves out what only they need. */
#define TLS_STREAM_MBT_SERVER(cfg) (TLS_STREAM_MBC_CAP_SERVER && (cfg)->role == TLS_STREAM_SERVER)
#define TLS_STREAM_MBT_HAS_CERT(cfg) (TLS_STREAM_MBC_CAP_CERTS && (cfg)->has_cert)

/** A backend configuration. Shared read-only by its sessions once finished. */
typedef struct tls_stream_mbt_config {
    const tls_stream_allocator *alloc;
    tls_stream_detail *detail; /* where config errors go (the core's) */
    tls_stream_role role;
    int finished;
    int has_ca, has_cert, has_key;
    int is_psk;       /* a client PSK or a server lookup is configured */
    int rng_seeded;
    int entropy_error; /* the entropy pool's last error (see seed_rng) */
    int entropy_added; /* the entropy hook is a source of entropy_ctx */
    tls_stream_verify verify;
    int verify_depth; /* 0: mbedtls's own limit */
    int client_psk;   /* a client with an external PSK */
    int has_tls12_suite, has_tls13_suite; /* in the named suite list */
    tls_stream_psk_lookup_fn psk_lookup;
    void *psk_lookup_arg;
    tls_stream_entropy_fn entropy;
    void *entropy_arg;
    tls_stream_debug_fn debug;
    void *debug_arg;
    int debug_level;
    int suites[TLS_STREAM_MBT_MAX_SUITES]; /* 0-terminated; mbedtls keeps the pointer */
    tls_stream_mbc_groups groups;          /* likewise */
    tls_stream_mbc_sigalgs sigalgs;        /* likewise */
    mbedtls_ssl_config conf;
    mbedtls_entropy_context entropy_ctx;
    mbedtls_ctr_drbg_context drbg;
    struct tls_stream_mbt_certs *certs;   /* CA, own chain and key, or NULL */
    struct tls_stream_mbt_resume *resume; /* server tickets and cache, or NULL */
} tls_stream_mbt_config;

/** One connection. */
typedef struct tls_stream_mbt_session {
    /* First member: mbedtls hands callbacks the mbedtls_ssl_context *, and
     * the PSK callback finds its session by converting that pointer back. */
    mbedtls_ssl_context ssl;
    tls_stream_mbt_config *cfg;
    const tls_stream_io *io;
    tls_stream_detail *detail;
    int io_status;      /* once the transport failed: TLS_STREAM_ERR_IO or TLS_STREAM_ERR_INTERNAL */
    int io_code;        /* the transport's own (negative) code */
    int psk_status;     /* server: why the PSK callback refused the identity */
    int depth_exceeded; /* the verify callback flagged a too deep chain */
    int failed;         /* sticky status of a failure found by us, not mbedtls */
    int hs_done;
    int close_sent;     /* close_notify is built (maybe still buffered) */
    int resumed;        /* the handshake resumed a session */
    int optional_checked; /* server OPTIONAL: the client certificate was judged */
    int peer_closed;    /* close_notify received */
    int transport_eof;  /* the transport's read returned 0 */
    int offered;        /* client: a saved session was offered */
    int ext_psk_used;   /* server: our PSK callback accepted an identity */
    unsigned long long sent; /* bytes mbedtls handed our send callback */
    unsigned char *queue; /* ciphertext the transport has not taken yet */
    size_t queue_len, queue_off, queue_cap;
    mbedtls_ssl_session *saved; /* client: the session as exported, or NULL */
    tls_stream_mbt_wire wire;
    int soft;           /* the last transport call said TLS_STREAM_INTERRUPTED or _ERR_TIMEOUT (else 0) */
    int send_lost;      /* 1: a send failed and mbedtls was told it went out; 2: reported */
    int send_code;      /* that send's transport code (a negated errno) */
} tls_stream_mbt_session;

/** Where an mbedtls error was met: decides what "anything else" means. */
typedef enum tls_stream_mbt_phase { TLS_STREAM_MBT_HANDSHAKE = 0, TLS_STREAM_MBT_DATA } tls_stream_mbt_phase;

/**
 * Translate ret (an mbedtls return value < 0) met by session s in phase, and
 * describe it in s->detail. Returns the tls_stream_status.
 */
int tls_stream_mbt_error(tls_stream_mbt_session *s, int ret, tls_stream_mbt_phase phase);

/**
 * Translate verification flags (from mbedtls_ssl_get_verify_result) into
 * TLS_STREAM_ERR_VERIFY / _CERT_EXPIRED / _HOSTNAME / _NO_PEER_CERT, described in
 * s->detail with code ret. Returns the tls_stream_status.
 */
int tls_stream_mbt_verify_error(tls_stream_mbt_session *s, int ret, uint32_t flags);

/**
 * The fatal alert (RFC 5246 / 8446 description) that rejecting the peer's
 * data with ret calls for, or -1 when none is ours to send (the peer's own
 * alert, a transport failure, an end of stream, a "want").
 */
int tls_stream_mbt_alert_for(const tls_stream_mbt_session *s, int ret);
/** Describe a refused name ("what: name") in cfg's detail; returns status. */
int tls_stream_mbt_name_error(tls_stream_mbt_config *cfg, int status, const char *what, const char *name);

/**
 * Signature algorithms (mbedtls_sigalgs.c): names (NULL: our default, SHA-256
 * first) into cfg->sigalgs and the mbedtls configuration.
 */
int tls_stream_mbt_set_sigalgs(tls_stream_mbt_config *cfg, const char *const *names);

/** Non-zero when ret (possibly a high+low combined code) is an allocation failure. */
int tls_stream_mbt_is_alloc_failure(int ret);

/**
 * Describe a configuration error: "what: <mbedtls text>" with code ret in d.
 * Allocation failures become TLS_STREAM_ERR_NOMEM whatever status says.
 * Returns the status used.
 */
int tls_stream_mbt_config_error(tls_stream_detail *d, int status, int ret, const char *what);

/* The transport (mbedtls_io.c). */
/** Hand mbedtls our transport callbacks. */
void tls_stream_mbt_io_attach(tls_stream_mbt_session *s);
/** Send what the queue holds: TLS_STREAM_OK when empty, TLS_STREAM_WANT_*,
 *  or the transport's error (described in s->detail). */
int tls_stream_mbt_drain(tls_stream_mbt_session *s);
/** Free the queue. */
void tls_stream_mbt_io_free(tls_stream_mbt_session *s);
/** The interruption (TLS_STREAM_INTERRUPTED / _ERR_TIMEOUT) the transport
 *  answered while our send callback queued a record, or 0; clears it. The
 *  record is queued: the slot returns the interruption, the next call sends. */
int tls_stream_mbt_soft(tls_stream_mbt_session *s);
/** Record (once, sticky) that the transport failed with n; returns mbedtls_code. */
int tls_stream_mbt_transport_failed(tls_stream_mbt_session *s, int n, int mbedtls_code);

/* The records (mbedtls_wire.c). */
/** Reset before a handshake and allocate the hello capture through alloc.
 *  Returns TLS_STREAM_OK or TLS_STREAM_ERR_NOMEM. */
int tls_stream_mbt_wire_init(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc);
/** Release the hello capture (once the handshake is over, or with the
 *  session): from then on only incoming headers and alerts are followed. */
void tls_stream_mbt_wire_free(tls_stream_mbt_wire *w, const tls_stream_allocator *alloc);
/** Follow n bytes received (incoming 1) or sent (0); hellos only while
 *  the capture is there. */
void tls_stream_mbt_wire_feed(tls_stream_mbt_wire *w, int incoming, const unsigned char *buf,
                              size_t n);
/** After the handshake, before tls_stream_mbt_wire_free(): did it resume?
 *  role, whether a client offered a session and has an external PSK,
 *  whether a server's PSK callback accepted an identity decide what a
 *  selected PSK was. */
int tls_stream_mbt_wire_resumed(const tls_stream_mbt_wire *w, tls_stream_role role, int offered,
                                int client_psk, int ext_psk_used);

/** The configuration's DRBG, seeded on first use (for key parsing). */
int tls_stream_mbt_lazy_rng(void *cfg, unsigned char *out, size_t len);

/* Certificates and keys (mbedtls_certs.c). Without X.509 in mbedtls,
 * loading answers TLS_STREAM_ERR_UNSUPPORTED and the rest does nothing. */
/** Parse data (PEM or DER) as item into the configuration. */
int tls_stream_mbt_certs_load(tls_stream_mbt_config *cfg, tls_stream_item item,
                              const unsigned char *data, size_t len, const char *password);
/** Check that the own key matches the own certificate (before the RNG is configured). */
int tls_stream_mbt_certs_check(tls_stream_mbt_config *cfg);
/** Give the CA chain and the own certificate to the mbedtls configuration. */
int tls_stream_mbt_certs_apply(tls_stream_mbt_config *cfg);
/** Free the certificates and the key. */
void tls_stream_mbt_certs_free(tls_stream_mbt_config *cfg);
/** Session: the name to verify (and send as SNI), the verify depth. */
int tls_stream_mbt_certs_session(tls_stream_mbt_session *s, const char *server_name);
/** Server, VERIFY_OPTIONAL, after each handshake step: refuse (alert sent)
 *  a client certificate that was sent and failed; TLS_STREAM_OK otherwise. */
int tls_stream_mbt_certs_check_optional(tls_stream_mbt_session *s);
/** The verification flags as one line of text. */
void tls_stream_mbt_verify_text(char *out, size_t size, uint32_t flags);

/* Session resumption (mbedtls_resume.c). */
/** Server: set up tickets and the session cache from st. Client: enable tickets. */
int tls_stream_mbt_resume_setup(tls_stream_mbt_config *cfg, const tls_stream_settings *st);
/** Free what tls_stream_mbt_resume_setup() made. */
void tls_stream_mbt_resume_free(tls_stream_mbt_config *cfg);
/** Client: offer a saved session; an unreadable one is ignored (full handshake). */
int tls_stream_mbt_resume_offer(tls_stream_mbt_session *s, const unsigned char *blob, size_t len);
/** Client: a TLS 1.3 NewSessionTicket arrived; the next save exports anew. */
void tls_stream_mbt_resume_new_ticket(tls_stream_mbt_session *s);
/** Free the exported session. */
void tls_stream_mbt_resume_session_free(tls_stream_mbt_session *s);

/** TLS 1.3 client: process the NewSessionTickets already received (they
 *  follow the handshake), leaving application data unread. Returns
 *  TLS_STREAM_OK or the connection's failure. */
int tls_stream_mbt_take_tickets(tls_stream_mbt_session *s);

/* The slots, for the table in mbedtls_backend.c (see tls_stream/backend.h). */
TLS_STREAM_BK_DECLARE_SLOTS(mbt);

#endif /* TLS_STREAM_MBEDTLS_INTERNAL_H */
