/*
 * The rules every backend checks on the settings config_finish is given
 * (not a public header). The core refuses most of these before a backend
 * sees them (not the library's own limits on a PSK identity); a backend
 * checks them again to stay safe on its own, and every backend says so in
 * the same words.
 *
 * Inline, and included by one file of each backend: each compiles its own
 * copy, so what a backend's build cannot have (an mbedtls build without
 * certificates or the server role: constant fields of tls_stream_bk_held)
 * drops the rules about it.
 */
#ifndef TLS_STREAM_BACKEND_SETTINGS_H
#define TLS_STREAM_BACKEND_SETTINGS_H

#include "backend_common.h"

/** What a backend configuration holds when config_finish checks its
 *  settings, and what its library cannot take. */
typedef struct tls_stream_bk_held {
    tls_stream_role role;       /**< as given to config_new */
    int has_ca, has_cert, has_key;
    int is_psk;                 /**< the settings carry a client PSK or a server lookup */
    size_t max_psk_key;         /**< the longest client PSK key the library takes */
    int psk_identity_no_zero;   /**< the library cannot send a zero byte in an identity */
    const char *psk_identity_refused; /**< the detail when it cannot send the identity
                                           (no library sends an empty one) */
} tls_stream_bk_held;

static inline int tls_stream_bk_client_psk(const tls_stream_settings *st)
{
    return st->psk_identity != NULL || st->psk_key != NULL;
}

/* Whether the library can send the client's PSK identity (len > 0). */
static inline int tls_stream_bk_identity_sendable(const tls_stream_bk_held *h, const unsigned char *id,
                                                  size_t len)
{
    size_t i;

    if (len == 0)
        return 0;
    for (i = 0; h->psk_identity_no_zero && i < len; i++) {
        if (id[i] == 0)
            return 0;
    }
    return 1;
}

/**
 * The rules on st, in this order: the role config_new was given, a
 * certificate with its key, PSK settings of the configuration's role only,
 * a client PSK identity present and not too long (TLS_STREAM_ERR_CONFIG),
 * one the library can send (TLS_STREAM_ERR_UNSUPPORTED), a client PSK key of
 * 1..h->max_psk_key bytes (TLS_STREAM_ERR_BAD_KEY), no PSK beside a
 * certificate, a server with a certificate or a PSK, a CA wherever
 * certificates are verified, a verify depth >= 0. Returns TLS_STREAM_OK,
 * or the status described in d.
 */
static inline int tls_stream_bk_check_settings(const tls_stream_bk_held *h, const tls_stream_settings *st,
                                               tls_stream_detail *d)
{
    int psk = tls_stream_bk_client_psk(st);

    if (st->role != h->role)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_INTERNAL, 0, TLS_STREAM_MSG("role differs from config_new"));
    if (h->has_cert != h->has_key)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0,
                                     h->has_cert ? TLS_STREAM_MSG("certificate without key")
                                                 : TLS_STREAM_MSG("key without certificate"));
    if (h->role == TLS_STREAM_CLIENT && st->psk_lookup != NULL)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0, TLS_STREAM_MSG("PSK lookup on a client"));
    if (h->role == TLS_STREAM_SERVER && psk)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0, TLS_STREAM_MSG("client PSK on a server"));
    if (psk && (st->psk_identity == NULL || st->psk_identity_len > TLS_STREAM_PSK_MAX_IDENTITY))
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0, TLS_STREAM_MSG("bad PSK identity"));
    if (psk && !tls_stream_bk_identity_sendable(h, st->psk_identity, st->psk_identity_len))
        return tls_stream_detail_set(d, TLS_STREAM_ERR_UNSUPPORTED, 0, h->psk_identity_refused);
    if (psk && (st->psk_key == NULL || st->psk_key_len == 0 || st->psk_key_len > h->max_psk_key))
        return tls_stream_detail_set(d, TLS_STREAM_ERR_BAD_KEY, 0, TLS_STREAM_MSG("bad PSK key length"));
    if (h->is_psk && h->has_cert)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0, TLS_STREAM_MSG("PSK and certificate on one side"));
    if (h->role == TLS_STREAM_SERVER && !h->is_psk && !h->has_cert)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0,
                                     TLS_STREAM_MSG("server needs a cert and key, or a PSK"));
    if (st->verify != TLS_STREAM_VERIFY_NONE && !h->is_psk && !h->has_ca)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0,
                                     h->role == TLS_STREAM_CLIENT
                                         ? TLS_STREAM_MSG("verifying client needs a CA or a PSK")
                                         : TLS_STREAM_MSG("verifying clients needs a CA"));
    if (st->verify_depth < 0)
        return tls_stream_detail_set(d, TLS_STREAM_ERR_CONFIG, 0, TLS_STREAM_MSG("bad verify depth"));
    return TLS_STREAM_OK;
}

#endif /* TLS_STREAM_BACKEND_SETTINGS_H */
