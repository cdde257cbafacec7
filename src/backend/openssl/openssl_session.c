/*
 * OpenSSL backend: one connection. Handshake, read, write, flush,
 * close_notify and connection facts. Every call into OpenSSL starts with an
 * empty error queue and leaves it empty (tls_stream_osl_error() drains it).
 */
#include <limits.h>
#include <string.h>

#include "openssl_internal.h"

static size_t cap_int(size_t len)
{
    return len > (size_t)INT_MAX ? (size_t)INT_MAX : len;
}

/* A name to check against the certificate, but never SNI: IP literals. */
static int is_ip_literal(const char *name)
{
    size_t i;
    int digits_and_dots = 1;

    for (i = 0; name[i] != '\0'; i++) {
        if (name[i] == ':')
            return 1;
        if (!(name[i] == '.' || (name[i] >= '0' && name[i] <= '9')))
            digits_and_dots = 0;
    }
    return digits_and_dots;
}

/* A name OpenSSL would not take (SNI is at most 255 bytes) is a bad
 * argument; otherwise it could not copy it (it queues an internal error, or
 * nothing, for that). */
static int server_name_error(tls_stream_osl_session *s)
{
    int nomem;
    unsigned long e = tls_stream_osl_drain(&nomem);

    return tls_stream_osl_describe(s->detail,
                                   ERR_GET_REASON(e) == SSL_R_SSL3_EXT_INVALID_SERVERNAME
                                       ? TLS_STREAM_ERR_ARG
                                       : TLS_STREAM_ERR_NOMEM,
                                   e, TLS_STREAM_MSG("server name"));
}

static int set_server_name(tls_stream_osl_session *s, const char *name)
{
    if (!is_ip_literal(name) && !SSL_set_tlsext_host_name(s->ssl, name))
        return server_name_error(s);
    if (s->cfg->verify != TLS_STREAM_VERIFY_NONE && !s->cfg->is_psk) {
        SSL_set_hostflags(s->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (!SSL_set1_host(s->ssl, name)) /* fails only to copy it */
            return server_name_error(s);
    }
    return TLS_STREAM_OK;
}

static int setup(tls_stream_osl_session *s, const tls_stream_session_env *env)
{
    tls_stream_osl_config *cfg = s->cfg;
    BIO *bio;
    int status;

    s->ssl = SSL_new(cfg->ctx);
    if (s->ssl == NULL)
        return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("session setup"));
    /* ex_data may allocate: unchecked, the callbacks would find no session */
    if (!SSL_set_app_data(s->ssl, s))
        return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("session setup"));
    bio = tls_stream_osl_bio_new(s);
    if (bio == NULL)
        return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("session setup"));
    SSL_set_bio(s->ssl, bio, bio); /* the SSL owns the BIO now */
    if (cfg->role == TLS_STREAM_CLIENT) {
        SSL_set_connect_state(s->ssl);
        if (env->server_name != NULL && (status = set_server_name(s, env->server_name)) != TLS_STREAM_OK)
            return status;
        if (env->resume != NULL &&
            (status = tls_stream_osl_resume_offer(s, env->resume, env->resume_len)) != TLS_STREAM_OK)
            return status;
    } else {
        SSL_set_accept_state(s->ssl);
    }
    return TLS_STREAM_OK;
}

int tls_stream_osl_session_new(void *vcfg, const tls_stream_session_env *env, void **out)
{
    tls_stream_osl_config *cfg = vcfg;
    tls_stream_osl_session *s;
    int status;

    *out = NULL;
    status = tls_stream_bk_check_session(env, cfg->finished, cfg->role, cfg->verify, cfg->is_psk);
    if (status != TLS_STREAM_OK)
        return status;
    if ((s = tls_stream_bk_zalloc(cfg->alloc, sizeof *s, env->detail)) == NULL)
        return TLS_STREAM_ERR_NOMEM;
    s->cfg = cfg;
    s->io = env->io;
    s->detail = env->detail;
    tls_stream_osl_clear();
    status = setup(s, env);
    tls_stream_osl_clear();
    if (status != TLS_STREAM_OK) {
        tls_stream_osl_session_free(s);
        return status;
    }
    *out = s;
    return TLS_STREAM_OK;
}

void tls_stream_osl_session_free(void *vs)
{
    tls_stream_osl_session *s = vs;
    const tls_stream_allocator *alloc;

    if (s == NULL)
        return;
    alloc = s->cfg->alloc;
    /* OpenSSL drops the cached session of a connection freed without
     * close_notify; mbedtls keeps it, and so do we unless it failed
     * (a fatal alert has removed it already) */
    if (!s->failed && s->ssl != NULL)
        SSL_set_shutdown(s->ssl, SSL_get_shutdown(s->ssl) | SSL_SENT_SHUTDOWN);
    SSL_free(s->ssl); /* and the BIO; sends nothing */
    OPENSSL_free(s->peer_der);
    tls_stream_osl_out_free(s);
    tls_stream_osl_clear();
    tls_stream_bk_free(alloc, s, sizeof *s);
}

/* A fatal error: sticky. OpenSSL already queued its alert in our buffer;
 * try once to send it. */
static int fail(tls_stream_osl_session *s, int status)
{
    if (!tls_stream_bk_is_soft(status)) {
        int ignored = tls_stream_osl_out_flush(s);

        (void)ignored;
        s->failed = status;
    }
    return status;
}

/* Everything OpenSSL produced is handed to the transport, or a want. */
static int drain_out(tls_stream_osl_session *s)
{
    int rc;

    if (s->soft != 0) { /* this call met an interruption already */
        rc = s->soft;
        s->soft = 0;
        return rc;
    }
    rc = tls_stream_osl_out_flush(s);

    if (rc == TLS_STREAM_OK || tls_stream_bk_is_soft(rc)) {
        s->soft = 0;
        return rc;
    }
    return fail(s, tls_stream_detail_set(s->detail, s->io_status, s->io_code,
                                         s->io_status == TLS_STREAM_ERR_IO
                                             ? TLS_STREAM_MSG("transport error")
                                             : TLS_STREAM_MSG("transport broke the tls_stream_io contract")));
}

int tls_stream_osl_handshake(void *vs)
{
    tls_stream_osl_session *s = vs;
    int ret;

    if (s->failed != 0)
        return s->failed;
    s->soft = 0; /* a status is reported by the call that meets it */
    if (!s->hs_done) {
        tls_stream_osl_clear();
        ret = SSL_do_handshake(s->ssl);
        if (ret != 1) {
            int status = tls_stream_osl_error(s, ret, TLS_STREAM_OSL_HANDSHAKE);
            /* our flight is still queued: the answer waits for it */
            if (status == TLS_STREAM_WANT_READ && s->out_len > s->out_off) {
                int rc = drain_out(s);
                return rc == TLS_STREAM_OK ? TLS_STREAM_WANT_READ : rc;
            }
            return fail(s, status);
        }
        tls_stream_osl_clear();
        s->hs_done = 1;
    }
    return drain_out(s);
}

/* What read and write check first: the sticky failure, then that the
 * handshake is done (else TLS_STREAM_ERR_STATE with early as the detail). */
static int data_ready(tls_stream_osl_session *s, const char *early)
{
    if (s->failed != 0)
        return s->failed;
    s->soft = 0; /* a status is reported by the call that meets it */
    if (!s->hs_done)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, early);
    return TLS_STREAM_OK;
}

int tls_stream_osl_read(void *vs, unsigned char *buf, size_t len)
{
    tls_stream_osl_session *s = vs;
    int ret, status;

    if ((status = data_ready(s, TLS_STREAM_MSG("read before the handshake"))) != TLS_STREAM_OK)
        return status;
    if (s->peer_closed || len == 0)
        return 0;
    tls_stream_osl_clear();
    ret = SSL_read(s->ssl, buf, (int)cap_int(len));
    if (ret > 0) {
        tls_stream_osl_clear();
        return ret;
    }
    if (SSL_get_error(s->ssl, ret) == SSL_ERROR_ZERO_RETURN) {
        tls_stream_osl_clear();
        s->peer_closed = 1;
        return 0;
    }
    status = tls_stream_osl_error(s, ret, TLS_STREAM_OSL_DATA);
    /* a record OpenSSL answered with (a key update, an alert) is queued */
    if (status == TLS_STREAM_WANT_READ && s->out_len > s->out_off) {
        int rc = drain_out(s);
        if (rc != TLS_STREAM_OK && rc != TLS_STREAM_WANT_WRITE && rc != TLS_STREAM_WANT_READ)
            return rc;
    }
    return fail(s, status);
}

/*
 * Nothing is committed while earlier records wait: flush them first. Then
 * SSL_write() takes one record's worth; our BIO never refuses bytes, so the
 * record is built and the chunk committed whatever the transport does.
 */
int tls_stream_osl_write(void *vs, const unsigned char *buf, size_t len)
{
    tls_stream_osl_session *s = vs;
    size_t chunk;
    int ret, rc;

    if ((rc = data_ready(s, TLS_STREAM_MSG("write before the handshake"))) != TLS_STREAM_OK)
        return rc;
    if (len == 0)
        return 0;
    if ((rc = drain_out(s)) != TLS_STREAM_OK)
        return rc;
    chunk = len > TLS_STREAM_OSL_MAX_CHUNK ? TLS_STREAM_OSL_MAX_CHUNK : len;
    tls_stream_osl_clear();
    ret = SSL_write(s->ssl, buf, (int)chunk);
    if (ret > 0) {
        tls_stream_osl_clear();
        return ret;
    }
    ret = tls_stream_osl_error(s, ret, TLS_STREAM_OSL_DATA);
    if (ret == TLS_STREAM_WANT_READ || ret == TLS_STREAM_WANT_WRITE)
        return fail(s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_INTERNAL, 0,
                                             TLS_STREAM_MSG("SSL_write wants to retry")));
    return fail(s, ret);
}

int tls_stream_osl_flush(void *vs)
{
    tls_stream_osl_session *s = vs;

    if (s->failed != 0)
        return s->failed;
    s->soft = 0; /* a status is reported by the call that meets it */
    return drain_out(s);
}

int tls_stream_osl_close_notify(void *vs)
{
    tls_stream_osl_session *s = vs;
    int ret, rc;

    if (s->failed != 0)
        return s->failed;
    s->soft = 0; /* a status is reported by the call that meets it */
    if ((rc = drain_out(s)) != TLS_STREAM_OK)
        return rc;
    if (!s->close_sent) {
        tls_stream_osl_clear();
        ret = SSL_shutdown(s->ssl); /* builds close_notify once; never waits for the peer's */
        if (ret < 0)
            return fail(s, tls_stream_osl_error(s, ret, TLS_STREAM_OSL_DATA));
        tls_stream_osl_clear();
        s->close_sent = 1;
    }
    return drain_out(s);
}

size_t tls_stream_osl_pending(const void *vs)
{
    const tls_stream_osl_session *s = vs;
    int n = SSL_pending(s->ssl);

    return n > 0 ? (size_t)n : 0;
}

int tls_stream_osl_wants_flush(const void *vs)
{
    const tls_stream_osl_session *s = vs;

    return s->out_len > s->out_off;
}

/* The suite in the mbedtls backend's spelling, so one name means one suite
 * on every backend: IANA's with '-' ("TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256"),
 * and "TLS1-3-AES-128-GCM-SHA256" for TLS 1.3 (as mbedtls 3.x). */
static const char *suite_name(tls_stream_osl_session *s)
{
    const char *std = SSL_CIPHER_standard_name(SSL_get_current_cipher(s->ssl));
    size_t i = 0, j = 0;

    if (std == NULL)
        return NULL;
    if (SSL_version(s->ssl) == TLS1_3_VERSION && strncmp(std, "TLS_", 4) == 0) {
        memcpy(s->suite, "TLS1-3-", 7);
        i = 4;
        j = 7;
    }
    for (; std[i] != '\0' && j + 1 < sizeof s->suite; i++, j++)
        s->suite[j] = std[i] == '_' ? '-' : std[i];
    s->suite[j] = '\0';
    return s->suite;
}

int tls_stream_osl_info(void *vs, tls_stream_conn_info *info)
{
    tls_stream_osl_session *s = vs;
    const unsigned char *alpn = NULL;
    unsigned int alpn_len = 0;
    X509 *peer;

    memset(info, 0, sizeof *info);
    if (!s->hs_done)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("handshake not complete"));
    info->version = SSL_get_version(s->ssl);
    info->cipher = suite_name(s);
    SSL_get0_alpn_selected(s->ssl, &alpn, &alpn_len);
    if (alpn != NULL && alpn_len > 0 && alpn_len < sizeof s->alpn) {
        memcpy(s->alpn, alpn, alpn_len);
        s->alpn[alpn_len] = '\0';
        info->alpn = s->alpn;
    }
    peer = SSL_get0_peer_certificate(s->ssl);
    if (peer != NULL && s->peer_der == NULL) {
        tls_stream_osl_clear();
        s->peer_der_len = i2d_X509(peer, &s->peer_der);
        if (s->peer_der_len <= 0) {
            s->peer_der = NULL;
            return tls_stream_osl_config_error(s->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("peer certificate"));
        }
    }
    if (s->peer_der != NULL) {
        info->peer_cert = s->peer_der;
        info->peer_cert_len = (size_t)s->peer_der_len;
    }
    /* an external PSK on TLS 1.3 also shows as reused: only a PSK-less
     * configuration's reuse is a resumption */
    info->resumed = SSL_session_reused(s->ssl) && !(s->cfg->is_psk && SSL_version(s->ssl) == TLS1_3_VERSION);
    return TLS_STREAM_OK;
}
