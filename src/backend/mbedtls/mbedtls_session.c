/*
 * mbedtls backend: one connection. The transport callbacks, handshake,
 * read, write, flush, close_notify and connection facts.
 */
#include <limits.h>
#include <string.h>

#include "mbedtls_internal.h"

static size_t cap_int(size_t len)
{
    return len > (size_t)INT_MAX ? (size_t)INT_MAX : len;
}

/* Remember why the transport failed: mbedtls only passes on its own code,
 * and callers want the transport's (a negated errno). Sticky. */
static int transport_failed(tls_stream_mbt_session *s, int n, int mbedtls_code)
{
    if (s->io_status == 0) {
        /* 0 or a count larger than asked break the tls_stream_io contract; mbedtls
         * 2.28 would even take a 0 from send for "all sent". */
        s->io_status = n < 0 ? TLS_STREAM_ERR_IO : TLS_STREAM_ERR_INTERNAL;
        s->io_code = n;
    }
    return mbedtls_code;
}

/*
 * A send failed (typically: the peer sent a fatal alert and closed). So
 * that the peer's alert is reported rather than our broken pipe, mbedtls is
 * told the bytes went out; it then reads what the peer already sent (see
 * bio_recv) and the slot reports its alert, or else the send error
 * (send_lost below). No slot reports success once a send was lost.
 */
/* The transport answers a backend call hands back as they are (see io.h). */
static int soft_status(int n)
{
    return n == TLS_STREAM_INTERRUPTED || n == TLS_STREAM_ERR_TIMEOUT ? n : 0;
}

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = p;
    int n;

    len = cap_int(len);
    if (s->send_lost)
        return (int)len;
    if (s->io_status != 0)
        return MBEDTLS_ERR_NET_SEND_FAILED;
    n = s->io->write(s->io->ctx, buf, len);
    s->soft = soft_status(n);
    if (n > 0 && (size_t)n <= len)
        return n;
    /* interrupted or timed out: mbedtls resumes a "want" exactly where it stopped */
    if (n == TLS_STREAM_WANT_WRITE || s->soft != 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (n == TLS_STREAM_WANT_READ)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n < 0) {
        s->send_lost = 1;
        s->send_code = n;
        return (int)len;
    }
    return transport_failed(s, n, MBEDTLS_ERR_NET_SEND_FAILED);
}

/* After a lost send: input the peer already sent is there now (no waiting). */
static int input_now(const tls_stream_mbt_session *s)
{
    return s->io->wait == NULL || s->io->wait(s->io->ctx, TLS_STREAM_WANT_READ, 0) == TLS_STREAM_OK;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = p;
    int n;

    if (s->io_status != 0)
        return MBEDTLS_ERR_NET_RECV_FAILED;
    if (s->send_lost && !input_now(s))
        return transport_failed(s, s->send_code, MBEDTLS_ERR_NET_SEND_FAILED);
    len = cap_int(len);
    n = s->io->read(s->io->ctx, buf, len);
    if (s->send_lost && (n <= 0 || (size_t)n > len))
        return transport_failed(s, s->send_code, MBEDTLS_ERR_NET_SEND_FAILED);
    s->soft = soft_status(n);
    if (n == 0)
        s->transport_eof = 1; /* mbedtls_ssl_read() says 0 for this and for an empty record */
    if (n >= 0 && (size_t)n <= len)
        return n;
    if (n == TLS_STREAM_WANT_READ || s->soft != 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n == TLS_STREAM_WANT_WRITE)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return transport_failed(s, n, MBEDTLS_ERR_NET_RECV_FAILED);
}

/* A verify depth set: flag every certificate deeper than allowed. Depth 0 is
 * the peer's own certificate; the trust anchor is the deepest. */
static int verify_depth_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    tls_stream_mbt_session *s = p;

    (void)crt;
    if (depth > s->cfg->verify_depth) {
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        s->depth_exceeded = 1;
    }
    return 0;
}

int tls_stream_mbt_session_new(void *vcfg, const tls_stream_session_env *env, void **out)
{
    tls_stream_mbt_config *cfg = vcfg;
    tls_stream_mbt_session *s;
    int ret, status;

    *out = NULL;
    if (env->io == NULL || env->io->read == NULL || env->io->write == NULL ||
        env->detail == NULL)
        return TLS_STREAM_ERR_ARG;
    if (!cfg->finished)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("configuration not finished"));
    /* The core refuses this already; without a name mbedtls 2.28 would not
     * check the certificate's name at all (CVE-2025-27809). */
    if (cfg->role == TLS_STREAM_CLIENT && cfg->verify != TLS_STREAM_VERIFY_NONE && !cfg->is_psk &&
        env->server_name == NULL)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_CONFIG, 0,
                              TLS_STREAM_MSG("verifying client without server name"));

    s = cfg->alloc->alloc(cfg->alloc->ctx, sizeof *s);
    if (s == NULL)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("out of memory"));
    memset(s, 0, sizeof *s);
    mbedtls_ssl_init(&s->ssl);
    s->cfg = cfg;
    s->io = env->io;
    s->detail = env->detail;

    if ((ret = mbedtls_ssl_setup(&s->ssl, &cfg->conf)) != 0) {
        status = tls_stream_mbt_config_error(s->detail, TLS_STREAM_ERR_INTERNAL, ret, TLS_STREAM_MSG("session setup"));
        goto fail;
    }
    if (cfg->role == TLS_STREAM_CLIENT && env->server_name != NULL &&
        (ret = mbedtls_ssl_set_hostname(&s->ssl, env->server_name)) != 0) {
        status = tls_stream_mbt_config_error(s->detail, TLS_STREAM_ERR_ARG, ret, TLS_STREAM_MSG("server name"));
        goto fail;
    }
    if (cfg->verify_depth > 0)
        mbedtls_ssl_set_verify(&s->ssl, verify_depth_cb, s);
    if (cfg->role == TLS_STREAM_CLIENT && env->resume != NULL &&
        (status = tls_stream_mbt_resume_offer(s, env->resume, env->resume_len)) != TLS_STREAM_OK)
        goto fail;
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
    *out = s;
    return TLS_STREAM_OK;
fail:
    tls_stream_mbt_session_free(s);
    return status;
}

void tls_stream_mbt_session_free(void *vs)
{
    tls_stream_mbt_session *s = vs;
    const tls_stream_allocator *alloc;

    if (s == NULL)
        return;
    alloc = s->cfg->alloc;
    mbedtls_ssl_free(&s->ssl); /* zeroizes keys and record buffers */
    mbedtls_platform_zeroize(s, sizeof *s);
    alloc->free(alloc->ctx, s, sizeof *s);
}

/* After a fatal error, try once to send the alert mbedtls may have queued. */
static int fail(tls_stream_mbt_session *s, int status)
{
    if (status != TLS_STREAM_WANT_READ && status != TLS_STREAM_WANT_WRITE &&
        status != TLS_STREAM_INTERRUPTED && status != TLS_STREAM_ERR_TIMEOUT) {
        int ignored = tls_stream_mbc_flush(&s->ssl);

        (void)ignored;
        s->failed = status;
    }
    return status;
}

static void send_fatal_alert(tls_stream_mbt_session *s, unsigned char alert)
{
    (void)mbedtls_ssl_send_alert_message(&s->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert);
}

/* Server with TLS_STREAM_VERIFY_OPTIONAL: mbedtls finished the handshake whatever
 * the client certificate's fate; refuse a certificate that was sent and
 * failed (none sent is fine). */
static int check_optional_client_cert(tls_stream_mbt_session *s)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&s->ssl);
    int status;

    flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_MISSING | MBEDTLS_X509_BADCERT_SKIP_VERIFY);
    if (flags == 0)
        return TLS_STREAM_OK;
    status = tls_stream_mbt_verify_error(s, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, flags);
    send_fatal_alert(s, status == TLS_STREAM_ERR_CERT_EXPIRED ? MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED
                        : (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
                            ? MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA
                            : MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
    return fail(s, status);
}

static int handshake_slot(void *vs)
{
    tls_stream_mbt_session *s = vs;
    int ret, status, check_optional;

    if (s->failed != 0)
        return s->failed;
    if (s->hs_done)
        return TLS_STREAM_OK;
    check_optional = s->cfg->role == TLS_STREAM_SERVER && s->cfg->verify == TLS_STREAM_VERIFY_OPTIONAL &&
                     !s->cfg->is_psk;
    /* mbedtls_ssl_handshake()'s loop, stepped here to see whether the
     * handshake resumes (mbedtls forgets it when the handshake ends). */
    ret = 0;
    while (ret == 0 && !tls_stream_mbc_handshake_over(&s->ssl)) {
        int resumes;
        ret = mbedtls_ssl_handshake_step(&s->ssl);
        if ((resumes = tls_stream_mbc_handshake_resumes(&s->ssl)) >= 0)
            s->resumed = resumes; /* the last word before the data is freed */
        /* Server, OPTIONAL: refuse a bad client certificate before our
         * Finished, so the client's handshake fails too (not its first read). */
        if (ret == 0 && check_optional && !s->optional_checked &&
            tls_stream_mbc_handshake_state(&s->ssl) == MBEDTLS_SSL_SERVER_CHANGE_CIPHER_SPEC) {
            s->optional_checked = 1;
            if ((status = check_optional_client_cert(s)) != TLS_STREAM_OK)
                return status;
        }
    }
    if (ret != 0) {
        status = tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_HANDSHAKE);
        /* mbedtls 2.28 does not tell the client why: say handshake_failure. */
        if (ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
            send_fatal_alert(s, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
        return fail(s, status);
    }
    s->hs_done = 1;
    return TLS_STREAM_OK;
}

static int read_slot(void *vs, unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = vs;
    int ret, empty = 0;

    if (s->failed != 0)
        return s->failed;
    if (!s->hs_done)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("read before the handshake"));
    if (s->peer_closed)
        return 0;
    if (len == 0)
        return 0;
    /* 0 is an empty application-data record (legal; mbedtls fails the
     * connection after four in a row) unless the transport ended */
    do
        ret = mbedtls_ssl_read(&s->ssl, buf, cap_int(len));
    while (ret == 0 && !s->transport_eof && ++empty <= TLS_STREAM_MBT_MAX_EMPTY_RECORDS);
    if (ret > 0)
        return ret;
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        s->peer_closed = 1;
        return 0;
    }
    if (ret == 0 && s->transport_eof)
        return fail(s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_TRUNCATED, MBEDTLS_ERR_SSL_CONN_EOF,
                                      TLS_STREAM_MSG("end of stream without close_notify")));
    if (ret == 0)
        return fail(s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_PROTOCOL, 0,
                                      TLS_STREAM_MSG("too many empty records")));
    return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
}

/*
 * mbedtls_ssl_write() copies data into a record only when no record is
 * pending; after WANT_WRITE it expects the same data again and then reports
 * it written without looking at it. So: flush a pending record first and
 * commit nothing while it is pending; once mbedtls has built a record for
 * our chunk, the chunk is committed even if sending it would block.
 */
static int write_slot(void *vs, const unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = vs;
    size_t chunk;
    int ret, max;

    if (s->failed != 0)
        return s->failed;
    if (!s->hs_done)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("write before the handshake"));
    if (len == 0)
        return 0;
    if (tls_stream_mbc_out_left(&s->ssl) > 0) {
        ret = tls_stream_mbc_flush(&s->ssl);
        if (ret != 0)
            return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
        if (tls_stream_mbc_out_left(&s->ssl) > 0)
            return TLS_STREAM_WANT_WRITE;
    }
    max = mbedtls_ssl_get_max_out_record_payload(&s->ssl);
    if (max <= 0)
        return fail(s, tls_stream_mbt_error(s, max < 0 ? max : MBEDTLS_ERR_SSL_INTERNAL_ERROR,
                                     TLS_STREAM_MBT_DATA));
    chunk = cap_int(len);
    if (chunk > (size_t)max)
        chunk = (size_t)max;
    ret = mbedtls_ssl_write(&s->ssl, buf, chunk);
    if (ret > 0)
        return ret;
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE && tls_stream_mbc_out_left(&s->ssl) > 0)
        return (int)chunk; /* the record holding chunk is built: committed */
    if (ret == 0)
        return fail(
            s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_INTERNAL, 0, TLS_STREAM_MSG("mbedtls wrote nothing")));
    return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
}

static int flush_slot(void *vs)
{
    tls_stream_mbt_session *s = vs;
    int ret;

    if (s->failed != 0)
        return s->failed;
    ret = tls_stream_mbc_flush(&s->ssl);
    if (ret != 0)
        return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
    return tls_stream_mbc_out_left(&s->ssl) > 0 ? TLS_STREAM_WANT_WRITE : TLS_STREAM_OK;
}

/*
 * mbedtls_ssl_close_notify() called while a record is pending only flushes
 * it and returns 0 without sending the alert; and after WANT_WRITE the
 * alert is already built. Hence: flush, build the alert once, flush.
 */
static int close_notify_slot(void *vs)
{
    tls_stream_mbt_session *s = vs;
    int ret;

    if (s->failed != 0)
        return s->failed;
    if ((ret = flush_slot(s)) != TLS_STREAM_OK)
        return ret;
    if (!s->close_sent) {
        ret = mbedtls_ssl_close_notify(&s->ssl);
        if (ret != 0 && !(ret == MBEDTLS_ERR_SSL_WANT_WRITE && tls_stream_mbc_out_left(&s->ssl) > 0))
            return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
        s->close_sent = 1;
        if (ret != 0 && s->soft != 0) {
            int soft = s->soft; /* built, but its sending was interrupted or timed out */
            s->soft = 0;
            return soft;
        }
    }
    return flush_slot(s);
}

/*
 * After a lost send (see bio_send): read on through what the peer already
 * sent; its fatal alert is the error, else the send's own transport error.
 * Runs once; the result is sticky.
 */
static int send_lost(tls_stream_mbt_session *s, int rc, tls_stream_mbt_phase phase)
{
    unsigned char sink[256];
    int ret = MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, i;

    if (s->send_lost != 1)
        return rc;
    s->send_lost = 2;
    if (rc != TLS_STREAM_ERR_PEER_ALERT) {
        for (i = 0; i < 64; i++) {
            ret = mbedtls_ssl_read(&s->ssl, sink, sizeof sink);
            if (ret < 0)
                break;
        }
    }
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE && s->io_status == 0)
        rc = rc == TLS_STREAM_ERR_PEER_ALERT ? rc : tls_stream_mbt_error(s, ret, phase);
    else
        rc = tls_stream_mbt_error(s, transport_failed(s, s->send_code, MBEDTLS_ERR_NET_SEND_FAILED), phase);
    s->failed = rc;
    return rc;
}

int tls_stream_mbt_handshake(void *vs)
{
    return send_lost(vs, handshake_slot(vs), TLS_STREAM_MBT_HANDSHAKE);
}

int tls_stream_mbt_read(void *vs, unsigned char *buf, size_t len)
{
    return send_lost(vs, read_slot(vs, buf, len), TLS_STREAM_MBT_DATA);
}

int tls_stream_mbt_write(void *vs, const unsigned char *buf, size_t len)
{
    return send_lost(vs, write_slot(vs, buf, len), TLS_STREAM_MBT_DATA);
}

int tls_stream_mbt_flush(void *vs)
{
    return send_lost(vs, flush_slot(vs), TLS_STREAM_MBT_DATA);
}

int tls_stream_mbt_close_notify(void *vs)
{
    return send_lost(vs, close_notify_slot(vs), TLS_STREAM_MBT_DATA);
}

size_t tls_stream_mbt_pending(const void *vs)
{
    const tls_stream_mbt_session *s = vs;

    return mbedtls_ssl_get_bytes_avail(&s->ssl);
}

int tls_stream_mbt_wants_flush(const void *vs)
{
    const tls_stream_mbt_session *s = vs;

    return tls_stream_mbc_out_left(&s->ssl) > 0;
}

int tls_stream_mbt_info(void *vs, tls_stream_conn_info *info)
{
    tls_stream_mbt_session *s = vs;

    memset(info, 0, sizeof *info);
    if (!s->hs_done)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("handshake not complete"));
    info->version = mbedtls_ssl_get_version(&s->ssl);
    info->cipher = mbedtls_ssl_get_ciphersuite(&s->ssl);
    info->alpn = tls_stream_mbc_get_alpn(&s->ssl);
    info->peer_cert = tls_stream_mbc_peer_cert(&s->ssl, &info->peer_cert_len);
    info->resumed = s->resumed;
    return TLS_STREAM_OK;
}
