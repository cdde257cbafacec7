/*
 * OpenSSL backend: certificate verification with the mbedtls backend's
 * outcome. OpenSSL stops at the first problem it meets; mbedtls collects
 * them all and the most fundamental wins. So the whole chain check is ours
 * (SSL_CTX_set_cert_verify_callback): X509_verify_cert() runs with a
 * callback that notes every problem and goes on, then we judge:
 *   anything but dates and name (not trusted, bad signature, a chain deeper
 *   than the verify depth...)              -> TLS_STREAM_ERR_VERIFY
 *   expired or not yet valid                -> TLS_STREAM_ERR_CERT_EXPIRED
 *   host name mismatch                      -> TLS_STREAM_ERR_HOSTNAME
 * and OpenSSL sends the alert that matches the X509_V_ERR_* we report.
 * A PSK client refuses any certificate: the server did not take the PSK
 * (TLS 1.3 would otherwise fall back to certificate authentication).
 */
#include "openssl_internal.h"

static tls_stream_osl_session *session_of(X509_STORE_CTX *x)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());

    return ssl != NULL ? SSL_get_app_data(ssl) : NULL;
}

static int note_problem(int ok, X509_STORE_CTX *x)
{
    tls_stream_osl_session *s = session_of(x);
    int err = X509_STORE_CTX_get_error(x);

    if (ok || s == NULL)
        return ok;
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        s->vflags |= TLS_STREAM_OSL_V_DATES;
        break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        s->vflags |= TLS_STREAM_OSL_V_NAME;
        break;
    default:
        if (!(s->vflags & TLS_STREAM_OSL_V_OTHER))
            s->vfirst_other = err;
        s->vflags |= TLS_STREAM_OSL_V_OTHER;
        break;
    }
    return 1; /* go on: every problem is noted */
}

/* The status and X509_V_ERR_* code of the problems noted, or 0. */
static int judge(tls_stream_osl_session *s, int *code)
{
    if (s->vflags & (TLS_STREAM_OSL_V_OTHER | TLS_STREAM_OSL_V_DEPTH)) {
        *code = (s->vflags & TLS_STREAM_OSL_V_OTHER) ? s->vfirst_other : X509_V_ERR_CERT_CHAIN_TOO_LONG;
        return TLS_STREAM_ERR_VERIFY;
    }
    if (s->vflags & TLS_STREAM_OSL_V_DATES) {
        *code = X509_V_ERR_CERT_HAS_EXPIRED;
        return TLS_STREAM_ERR_CERT_EXPIRED;
    }
    if (s->vflags & TLS_STREAM_OSL_V_NAME) {
        *code = X509_V_ERR_HOSTNAME_MISMATCH;
        return TLS_STREAM_ERR_HOSTNAME;
    }
    return 0;
}

static int verify_chain(X509_STORE_CTX *x, void *arg)
{
    tls_stream_osl_session *s = session_of(x);
    STACK_OF(X509) *chain;
    int ret, code = 0, status;

    (void)arg;
    if (s == NULL)
        return 0;
    if (s->cfg->is_psk) {
        s->verify_status = TLS_STREAM_ERR_HANDSHAKE;
        s->verify_code = 0;
        X509_STORE_CTX_set_error(x, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    s->vflags = 0;
    s->vfirst_other = 0;
    X509_STORE_CTX_set_verify_cb(x, note_problem);
    ret = X509_verify_cert(x);
    if (ret <= 0) { /* not a verdict: OpenSSL could not run the check */
        s->verify_status = TLS_STREAM_ERR_VERIFY;
        s->verify_code = X509_STORE_CTX_get_error(x);
        return 0;
    }
    /* depth 0 is the peer's certificate, the trust anchor the deepest */
    chain = X509_STORE_CTX_get0_chain(x);
    if (s->cfg->verify_depth > 0 && chain != NULL && sk_X509_num(chain) - 1 > s->cfg->verify_depth)
        s->vflags |= TLS_STREAM_OSL_V_DEPTH;
    status = judge(s, &code);
    if (status == 0) {
        X509_STORE_CTX_set_error(x, X509_V_OK);
        return 1;
    }
    s->verify_status = status;
    s->verify_code = code;
    X509_STORE_CTX_set_error(x, code);
    return 0;
}

void tls_stream_osl_verify_setup(tls_stream_osl_config *cfg)
{
    int mode = SSL_VERIFY_NONE;

    if (cfg->role == TLS_STREAM_CLIENT && (cfg->verify != TLS_STREAM_VERIFY_NONE || cfg->is_psk))
        mode = SSL_VERIFY_PEER;
    else if (cfg->role == TLS_STREAM_SERVER && !cfg->is_psk && cfg->verify == TLS_STREAM_VERIFY_OPTIONAL)
        mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE;
    else if (cfg->role == TLS_STREAM_SERVER && !cfg->is_psk && cfg->verify == TLS_STREAM_VERIFY_REQUIRED)
        mode = SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(cfg->ctx, mode, NULL);
    if (mode != SSL_VERIFY_NONE)
        SSL_CTX_set_cert_verify_callback(cfg->ctx, verify_chain, NULL);
}
