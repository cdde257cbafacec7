/*
 * OpenSSL backend: session resumption. Servers issue tickets (OpenSSL's
 * random per-configuration ticket keys) and keep a session-ID cache in the
 * SSL_CTX; clients save and offer sessions.
 *
 * A saved session is "TSO1" followed by OpenSSL's DER encoding of it, so a
 * blob saved by another backend is recognised and never handed to
 * OpenSSL's parser.
 */
#include <string.h>

#include "openssl_internal.h"

static const unsigned char blob_magic[4] = {'T', 'S', 'O', '1'};

/* One context for every session of this server (a session bound to a
 * client certificate must not resume elsewhere). */
static const unsigned char sid_context[] = "tls_stream";

int tls_stream_osl_resume_setup(tls_stream_osl_config *cfg, const tls_stream_settings *st)
{
    SSL_CTX *ctx = cfg->ctx;

    if (cfg->role == TLS_STREAM_CLIENT)
        return TLS_STREAM_OK; /* tickets are on; sessions are saved explicitly */
    if (!SSL_CTX_set_session_id_context(ctx, sid_context, sizeof sid_context - 1))
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_INTERNAL, TLS_STREAM_MSG("session context"));
    if (st->ticket_lifetime > 0) {
        SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(ctx, 1);
        SSL_CTX_set_timeout(ctx, st->ticket_lifetime);
    } else {
        /* TLS 1.3 with only a cache: OpenSSL's stateful tickets (the ID) */
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(ctx, st->cache_entries > 0 ? 1 : 0);
    }
    if (st->cache_entries > 0) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
        SSL_CTX_sess_set_cache_size(ctx, st->cache_entries);
        if (st->ticket_lifetime == 0)
            SSL_CTX_set_timeout(ctx, st->cache_timeout);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    }
    return TLS_STREAM_OK;
}

int tls_stream_osl_resume_offer(tls_stream_osl_session *s, const unsigned char *blob, size_t len)
{
    const unsigned char *p = blob + sizeof blob_magic;
    SSL_SESSION *sess;
    int nomem;

    /* A foreign or damaged blob costs only the resumption (a full, verified
     * handshake follows, as tls_stream_session_load() promises); the detail
     * says why, tls_stream_resumed() says 0. */
    if (len <= sizeof blob_magic || memcmp(blob, blob_magic, sizeof blob_magic) != 0) {
        tls_stream_detail_set(s->detail, TLS_STREAM_OK, 0,
                              TLS_STREAM_MSG("saved session is not from the OpenSSL backend: not offered"));
        return TLS_STREAM_OK;
    }
    if (len - sizeof blob_magic > (size_t)0x7fffffff)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("saved session too long"));
    sess = d2i_SSL_SESSION(NULL, &p, (long)(len - sizeof blob_magic));
    if (sess == NULL) {
        /* unreadable: only the resumption is lost (full, verified handshake) */
        unsigned long e = tls_stream_osl_drain(&nomem);
        return nomem ? tls_stream_osl_describe(s->detail, TLS_STREAM_ERR_NOMEM, e, TLS_STREAM_MSG("session"))
                     : TLS_STREAM_OK;
    }
    if (!SSL_set_session(s->ssl, sess)) {
        SSL_SESSION_free(sess);
        return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_INTERNAL, TLS_STREAM_MSG("session"));
    }
    SSL_SESSION_free(sess);
    return TLS_STREAM_OK;
}

int tls_stream_osl_session_save(void *vs, unsigned char *buf, size_t size, size_t *len)
{
    tls_stream_osl_session *s = vs;
    SSL_SESSION *sess;
    unsigned char *p;
    int n;

    *len = 0;
    if (!s->hs_done || s->cfg->role != TLS_STREAM_CLIENT)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("no client session to save"));
    ERR_clear_error();
    sess = SSL_get1_session(s->ssl);
    /* TLS 1.3: resumable once the server's ticket came (with the first
     * data read); saved before, or from a server without resumption, the
     * session only costs a full handshake when offered, as with mbedtls */
    if (sess == NULL)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("no session"));
    n = i2d_SSL_SESSION(sess, NULL);
    if (n <= 0) {
        SSL_SESSION_free(sess);
        return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_INTERNAL, TLS_STREAM_MSG("session save"));
    }
    *len = sizeof blob_magic + (size_t)n;
    if (size < *len) {
        SSL_SESSION_free(sess);
        return TLS_STREAM_ERR_ARG; /* *len says how much is needed */
    }
    memcpy(buf, blob_magic, sizeof blob_magic);
    p = buf + sizeof blob_magic;
    n = i2d_SSL_SESSION(sess, &p);
    SSL_SESSION_free(sess);
    if (n <= 0) {
        *len = 0;
        return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_INTERNAL, TLS_STREAM_MSG("session save"));
    }
    return TLS_STREAM_OK;
}
