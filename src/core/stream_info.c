/* tls_stream: what a caller may ask about a connection. */
#include "stream_internal.h"

static int has_info(const tls_stream *s)
{
    return s != NULL && s->info.cipher != NULL;
}

int tls_stream_wants(const tls_stream *s)
{
    unsigned set;
    size_t i;
    if (s == NULL || s->state == TLS_STREAM_STATE_FAILED || s->state == TLS_STREAM_STATE_CLOSED)
        return 0;
    set = 0;
    for (i = 0; i < sizeof s->pending / sizeof s->pending[0]; i++) {
        if (s->pending[i] == TLS_STREAM_WANT_READ)
            set |= TLS_STREAM_POLL_READ;
        else if (s->pending[i] == TLS_STREAM_WANT_WRITE)
            set |= TLS_STREAM_POLL_WRITE;
    }
    if (s->session != NULL && s->cfg->backend->wants_flush(s->session))
        set |= TLS_STREAM_POLL_WRITE;
    return (int)set;
}

size_t tls_stream_pending(const tls_stream *s)
{
    if (s == NULL || s->session == NULL || s->state == TLS_STREAM_STATE_CLOSED)
        return 0;
    return s->cfg->backend->pending(s->session);
}

tls_stream_conn_state tls_stream_state(const tls_stream *s)
{
    return s == NULL ? TLS_STREAM_STATE_FAILED : s->state;
}

int tls_stream_error(const tls_stream *s)
{
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    return s->state == TLS_STREAM_STATE_FAILED ? s->error : TLS_STREAM_OK;
}

int tls_stream_error_detail(const tls_stream *s, const char **msg)
{
    if (s == NULL) {
        if (msg != NULL)
            *msg = "";
        return 0;
    }
    if (msg != NULL)
        *msg = s->detail.msg;
    return s->detail.code;
}

const char *tls_stream_cipher(const tls_stream *s)
{
    return has_info(s) ? s->info.cipher : NULL;
}

const char *tls_stream_version(const tls_stream *s)
{
    return has_info(s) ? s->info.version : NULL;
}

const char *tls_stream_alpn(const tls_stream *s)
{
    return has_info(s) ? s->info.alpn : NULL;
}

int tls_stream_peer_cert(const tls_stream *s, const unsigned char **der, size_t *len)
{
    if (s == NULL || der == NULL || len == NULL)
        return TLS_STREAM_ERR_ARG;
    *der = NULL;
    *len = 0;
    if (!has_info(s))
        return TLS_STREAM_ERR_STATE;
    if (s->info.peer_cert == NULL)
        return TLS_STREAM_ERR_NO_PEER_CERT;
    *der = s->info.peer_cert;
    *len = s->info.peer_cert_len;
    return TLS_STREAM_OK;
}

int tls_stream_resumed(const tls_stream *s)
{
    return has_info(s) && s->info.resumed ? 1 : 0;
}

int tls_stream_session_save(const tls_stream *s, unsigned char *buf, size_t size, size_t *len)
{
    if (s == NULL || len == NULL)
        return TLS_STREAM_ERR_ARG;
    *len = 0;
    if (!(s->cfg->backend->caps & TLS_STREAM_CAP_RESUME) || s->cfg->backend->session_save == NULL)
        return TLS_STREAM_ERR_UNSUPPORTED;
    if (!has_info(s) || s->cfg->set.role != TLS_STREAM_CLIENT || s->state == TLS_STREAM_STATE_FAILED)
        return TLS_STREAM_ERR_STATE;
    return s->cfg->backend->session_save(s->session, buf, buf == NULL ? 0 : size, len);
}
