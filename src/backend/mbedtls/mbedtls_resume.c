/*
 * mbedtls backend: session resumption. Servers issue tickets (RFC 5077,
 * AES-256-GCM keys from the configuration's DRBG, rotated by mbedtls every
 * lifetime) and keep a session-ID cache; clients save and offer sessions.
 */
#include <string.h>

#include "mbedtls_internal.h"

#if TLS_STREAM_MBC_CAP_RESUME

#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>

struct tls_stream_mbt_resume {
    int tickets, cache;
    mbedtls_ssl_ticket_context ticket;
    mbedtls_ssl_cache_context session_cache;
};

int tls_stream_mbt_resume_setup(tls_stream_mbt_config *cfg, const tls_stream_settings *st)
{
    struct tls_stream_mbt_resume *r;
    int ret;

    if (cfg->role == TLS_STREAM_CLIENT) {
        mbedtls_ssl_conf_session_tickets(&cfg->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
        return TLS_STREAM_OK;
    }
    if (st->ticket_lifetime == 0 && st->cache_entries == 0)
        return TLS_STREAM_OK;
    r = cfg->alloc->alloc(cfg->alloc->ctx, sizeof *r);
    if (r == NULL)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("out of memory"));
    memset(r, 0, sizeof *r);
    mbedtls_ssl_ticket_init(&r->ticket);
    mbedtls_ssl_cache_init(&r->session_cache);
    cfg->resume = r;
    if (st->ticket_lifetime > 0) {
        ret = mbedtls_ssl_ticket_setup(&r->ticket, TLS_STREAM_MBT_RNG, &cfg->drbg,
                                       MBEDTLS_CIPHER_AES_256_GCM,
                                       (uint32_t)st->ticket_lifetime);
        if (ret != 0)
            return tls_stream_mbt_config_error(cfg->detail, TLS_STREAM_ERR_INTERNAL, ret,
                                        TLS_STREAM_MSG("session tickets"));
        r->tickets = 1;
        mbedtls_ssl_conf_session_tickets_cb(&cfg->conf, mbedtls_ssl_ticket_write,
                                            mbedtls_ssl_ticket_parse, &r->ticket);
    }
    if (st->cache_entries > 0) {
        mbedtls_ssl_cache_set_max_entries(&r->session_cache, st->cache_entries);
        mbedtls_ssl_cache_set_timeout(&r->session_cache, st->cache_timeout);
        r->cache = 1;
        mbedtls_ssl_conf_session_cache(&cfg->conf, &r->session_cache, mbedtls_ssl_cache_get,
                                       mbedtls_ssl_cache_set);
    }
    return TLS_STREAM_OK;
}

void tls_stream_mbt_resume_free(tls_stream_mbt_config *cfg)
{
    struct tls_stream_mbt_resume *r = cfg->resume;

    if (r == NULL)
        return;
    mbedtls_ssl_ticket_free(&r->ticket); /* zeroizes the ticket keys */
    mbedtls_ssl_cache_free(&r->session_cache);
    mbedtls_platform_zeroize(r, sizeof *r);
    cfg->alloc->free(cfg->alloc->ctx, r, sizeof *r);
    cfg->resume = NULL;
}

int tls_stream_mbt_resume_offer(tls_stream_mbt_session *s, const unsigned char *blob, size_t len)
{
    mbedtls_ssl_session session;
    int ret;

    mbedtls_ssl_session_init(&session);
    ret = mbedtls_ssl_session_load(&session, blob, len);
    /* An unreadable or foreign blob only costs the resumption: the server
     * gets no session to resume and a full, verified handshake follows. */
    if (ret == 0)
        ret = mbedtls_ssl_set_session(&s->ssl, &session);
    s->offered = ret == 0;
    mbedtls_ssl_session_free(&session); /* zeroizes the master secret */
    if (tls_stream_mbt_is_alloc_failure(ret))
        return tls_stream_mbt_config_error(s->detail, TLS_STREAM_ERR_NOMEM, ret, TLS_STREAM_MSG("session"));
    return TLS_STREAM_OK;
}

/* mbedtls 3.x exports a session once (and once per TLS 1.3 ticket): the
 * export is kept, so that saving twice gives the same session. */
static int export_session(tls_stream_mbt_session *s)
{
    const tls_stream_allocator *a = s->cfg->alloc;
    int ret;

    if (s->saved != NULL)
        return 0;
    s->saved = a->alloc(a->ctx, sizeof *s->saved);
    if (s->saved == NULL)
        return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    mbedtls_ssl_session_init(s->saved);
    if ((ret = mbedtls_ssl_get_session(&s->ssl, s->saved)) != 0)
        tls_stream_mbt_resume_session_free(s);
    return ret;
}

void tls_stream_mbt_resume_session_free(tls_stream_mbt_session *s)
{
    if (s->saved == NULL)
        return;
    mbedtls_ssl_session_free(s->saved); /* zeroizes the master secret */
    s->cfg->alloc->free(s->cfg->alloc->ctx, s->saved, sizeof *s->saved);
    s->saved = NULL;
}

void tls_stream_mbt_resume_new_ticket(tls_stream_mbt_session *s)
{
    tls_stream_mbt_resume_session_free(s);
}

int tls_stream_mbt_session_save(void *vs, unsigned char *buf, size_t size, size_t *len)
{
    tls_stream_mbt_session *s = vs;
    int ret;

    *len = 0;
    if (!s->hs_done || s->cfg->role != TLS_STREAM_CLIENT)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("no client session to save"));
    if ((ret = tls_stream_mbt_take_tickets(s)) != TLS_STREAM_OK)
        return ret;
    ret = export_session(s);
    if (ret == 0)
        ret = mbedtls_ssl_session_save(s->saved, buf, size, len);
    if (ret == MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL)
        return TLS_STREAM_ERR_ARG; /* *len says how much is needed */
    if (ret != 0)
        return tls_stream_mbt_config_error(s->detail, TLS_STREAM_ERR_INTERNAL, ret, TLS_STREAM_MSG("session save"));
    return TLS_STREAM_OK;
}

#else /* this mbedtls build cannot resume: the core sees no TLS_STREAM_CAP_RESUME */

int tls_stream_mbt_resume_setup(tls_stream_mbt_config *cfg, const tls_stream_settings *st)
{
    (void)cfg;
    (void)st;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_resume_free(tls_stream_mbt_config *cfg)
{
    (void)cfg;
}

int tls_stream_mbt_resume_offer(tls_stream_mbt_session *s, const unsigned char *blob, size_t len)
{
    (void)s;
    (void)blob;
    (void)len;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_resume_new_ticket(tls_stream_mbt_session *s)
{
    (void)s;
}

void tls_stream_mbt_resume_session_free(tls_stream_mbt_session *s)
{
    (void)s;
}

int tls_stream_mbt_session_save(void *vs, unsigned char *buf, size_t size, size_t *len)
{
    tls_stream_mbt_session *s = vs;
    (void)buf;
    (void)size;
    *len = 0;
    return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_UNSUPPORTED, 0, TLS_STREAM_MSG("no session resumption"));
}

#endif
