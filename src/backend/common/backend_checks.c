/*
 * The rules every backend checks on its settings and sessions. The core
 * refuses most of these before a backend sees them (not the library's own
 * limits on a PSK identity); a backend checks them again to stay safe on
 * its own, and every backend says so in the same words.
 */
#include "backend_common.h"

static int client_psk(const tls_stream_settings *st)
{
    return st->psk_identity != NULL || st->psk_key != NULL;
}

/* Whether the library can send the client's PSK identity (len > 0). */
static int identity_sendable(const tls_stream_bk_held *h, const unsigned char *id, size_t len)
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

int tls_stream_bk_check_settings(const tls_stream_bk_held *h, const tls_stream_settings *st,
                                 tls_stream_detail *d)
{
    int psk = client_psk(st);

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
    if (psk && !identity_sendable(h, st->psk_identity, st->psk_identity_len))
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

int tls_stream_bk_check_session(const tls_stream_session_env *env, int finished, tls_stream_role role,
                                tls_stream_verify verify, int is_psk)
{
    if (env->io == NULL || env->io->read == NULL || env->io->write == NULL || env->detail == NULL)
        return TLS_STREAM_ERR_ARG;
    if (!finished)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_STATE, 0,
                                     TLS_STREAM_MSG("configuration not finished"));
    if (role == TLS_STREAM_CLIENT && verify != TLS_STREAM_VERIFY_NONE && !is_psk && env->server_name == NULL)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_CONFIG, 0,
                                     TLS_STREAM_MSG("verifying client without server name"));
    return TLS_STREAM_OK;
}
