/*
 * mbedtls backend: one connection. Handshake, read, write, flush,
 * close_notify and connection facts (the transport is in mbedtls_io.c).
 */
#include <limits.h>
#include <string.h>

#include "mbedtls_internal.h"

static size_t cap_int(size_t len)
{
    return len > (size_t)INT_MAX ? (size_t)INT_MAX : len;
}

int tls_stream_mbt_session_new(void *vcfg, const tls_stream_session_env *env, void **out)
{
    tls_stream_mbt_config *cfg = vcfg;
    tls_stream_mbt_session *s;
    int ret, status;

    *out = NULL;
    /* without a server name mbedtls 2.28 would not check the certificate's
     * name at all (CVE-2025-27809) */
    status = tls_stream_bk_check_session(env, cfg->finished, cfg->role, cfg->verify, cfg->is_psk);
    if (status != TLS_STREAM_OK)
        return status;
    if ((s = tls_stream_bk_zalloc(cfg->alloc, sizeof *s, env->detail)) == NULL)
        return TLS_STREAM_ERR_NOMEM;
    mbedtls_ssl_init(&s->ssl);
    s->cfg = cfg;
    s->io = env->io;
    s->detail = env->detail;
    if ((status = tls_stream_mbt_wire_init(&s->wire, cfg->alloc)) != TLS_STREAM_OK) {
        status = tls_stream_detail_set(s->detail, status, 0, TLS_STREAM_MSG("out of memory"));
        goto fail;
    }
    if ((ret = mbedtls_ssl_setup(&s->ssl, &cfg->conf)) != 0) {
        status = tls_stream_mbt_config_error(s->detail, TLS_STREAM_ERR_INTERNAL, ret, TLS_STREAM_MSG("session setup"));
        goto fail;
    }
    if ((status = tls_stream_mbt_certs_session(s, env->server_name)) != TLS_STREAM_OK)
        goto fail;
    if (cfg->role == TLS_STREAM_CLIENT && env->resume != NULL &&
        (status = tls_stream_mbt_resume_offer(s, env->resume, env->resume_len)) != TLS_STREAM_OK)
        goto fail;
    tls_stream_mbt_io_attach(s);
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
    tls_stream_mbt_resume_session_free(s);
    tls_stream_mbt_io_free(s);
    tls_stream_mbt_wire_free(&s->wire, alloc);
    tls_stream_bk_free(alloc, s, sizeof *s);
}

/* After a fatal error, try once to send the alert mbedtls may have queued. */
static int fail(tls_stream_mbt_session *s, int status)
{
    if (status < 0 && !tls_stream_bk_is_soft(status)) {
        tls_stream_detail kept = *s->detail; /* the failure, not the flush, is the news */
        int ignored = tls_stream_mbt_drain(s);

        (void)ignored;
        *s->detail = kept;
        s->failed = status;
    }
    return status;
}

static void send_fatal_alert(tls_stream_mbt_session *s, unsigned char alert)
{
    (void)mbedtls_ssl_send_alert_message(&s->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL, alert);
}

/* ret is a TLS 1.3 NewSessionTicket, not data or an error: note it and call
 * again, up to TLS_STREAM_MBT_MAX_TICKETS in a row (then ret stands: a
 * protocol error, not an endless loop on a flooding peer). */
static int take_ticket(tls_stream_mbt_session *s, int ret, int *count)
{
    if (!tls_stream_mbc_is_new_ticket(ret) || ++*count > TLS_STREAM_MBT_MAX_TICKETS)
        return 0;
    tls_stream_mbt_resume_new_ticket(s);
    return 1;
}

/* mbedtls failed with ret in a call that began when s->sent was sent. When
 * it rejected the peer's data without telling the peer (2.28 often closes
 * silently), send the fatal alert the RFCs ask for ourselves. */
static int fail_mbedtls(tls_stream_mbt_session *s, int ret, tls_stream_mbt_phase phase,
                        unsigned long long sent)
{
    int status = tls_stream_mbt_error(s, ret, phase), alert;

    if (!tls_stream_bk_is_soft(status) && s->sent == sent && (alert = tls_stream_mbt_alert_for(s, ret)) >= 0)
        send_fatal_alert(s, (unsigned char)alert);
    return fail(s, status);
}

static int handshake_slot(void *vs)
{
    tls_stream_mbt_session *s = vs;
    int ret = 0, status, check_optional;
    unsigned long long sent = s->sent;

    if (s->failed != 0)
        return s->failed;
    if (s->hs_done)
        return TLS_STREAM_OK;
    check_optional = TLS_STREAM_MBT_SERVER(s->cfg) && s->cfg->verify == TLS_STREAM_VERIFY_OPTIONAL &&
                     !s->cfg->is_psk;
    /* mbedtls_ssl_handshake()'s loop, one message at a time: what a step
     * queued is sent before the next step, so the queue holds one record. */
    for (;;) {
        if ((status = tls_stream_mbt_drain(s)) != TLS_STREAM_OK)
            return fail(s, status);
        if (tls_stream_mbc_handshake_over(&s->ssl))
            break;
        sent = s->sent;
        if ((ret = mbedtls_ssl_handshake_step(&s->ssl)) != 0)
            break;
        if ((status = tls_stream_mbt_soft(s)) != 0)
            return status; /* the step's record is queued: sent on the next call */
        if (check_optional && !s->optional_checked &&
            (status = tls_stream_mbt_certs_check_optional(s)) != TLS_STREAM_OK)
            return fail(s, status);
    }
    /* A TLS 1.3 server's NewSessionTickets come after "handshake over"
     * (mbedtls 3.6 counts them in its handshake, not in its predicate):
     * mbedtls_ssl_handshake() writes them, into our queue (a few hundred
     * bytes); it returns at once when nothing is left to do. */
    if (ret == 0) {
        sent = s->sent;
        ret = mbedtls_ssl_handshake(&s->ssl);
        if (ret == 0 && (status = tls_stream_mbt_soft(s)) != 0)
            return status;
    }
    if (ret != 0) {
        /* mbedtls 2.28 does not tell the client why: say handshake_failure. */
        if (ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE && s->sent == sent)
            send_fatal_alert(s, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
        return fail_mbedtls(s, ret, TLS_STREAM_MBT_HANDSHAKE, sent);
    }
    if ((status = tls_stream_mbt_drain(s)) != TLS_STREAM_OK)
        return fail(s, status);
    s->resumed = tls_stream_mbt_wire_resumed(&s->wire, s->cfg->role, s->offered,
                                             s->cfg->client_psk, s->ext_psk_used);
    tls_stream_mbt_wire_free(&s->wire, s->cfg->alloc); /* the hellos are read */
    s->hs_done = 1;
    return TLS_STREAM_OK;
}

static int read_slot(void *vs, unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = vs;
    int ret, empty = 0, tickets = 0;
    unsigned long long sent;

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
    sent = s->sent;
    for (;;) {
        ret = mbedtls_ssl_read(&s->ssl, buf, cap_int(len));
        if (take_ticket(s, ret, &tickets))
            continue;
        /* mbedtls 3.6 answers "want read" on a NewSessionTicket it kept to
         * handle on the next call: take it now, the data may follow */
        if (ret == MBEDTLS_ERR_SSL_WANT_READ && s->soft == 0 && mbedtls_ssl_check_pending(&s->ssl) &&
            ++tickets <= TLS_STREAM_MBT_MAX_TICKETS)
            continue;
        if (ret != 0 || s->transport_eof || ++empty > TLS_STREAM_MBT_MAX_EMPTY_RECORDS)
            break;
    }
    if (ret > 0)
        return ret;
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) {
        s->peer_closed = 1;
        return 0;
    }
    if (ret == 0 && s->transport_eof)
        return fail(s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_TRUNCATED, MBEDTLS_ERR_SSL_CONN_EOF,
                                      TLS_STREAM_MSG("end of stream without close_notify")));
    if (ret == 0) {
        send_fatal_alert(s, MBEDTLS_SSL_ALERT_MSG_UNEXPECTED_MESSAGE);
        return fail(s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_PROTOCOL, 0,
                                      TLS_STREAM_MSG("too many empty records")));
    }
    return fail_mbedtls(s, ret, TLS_STREAM_MBT_DATA, sent);
}

/* A 0-byte mbedtls_ssl_read() handles the records that have arrived up to
 * the first application data, which it leaves buffered (see pending). The
 * transport never blocks (tls_stream_io's contract). An end of stream is
 * left for the next read to report: the session is still worth saving. */
int tls_stream_mbt_take_tickets(tls_stream_mbt_session *s)
{
    unsigned char none[1];
    int ret, tickets = 0;

    if (!tls_stream_mbc_is_tls13(&s->ssl) || s->peer_closed || s->transport_eof || s->failed != 0)
        return s->failed;
    while (take_ticket(s, ret = mbedtls_ssl_read(&s->ssl, none, 0), &tickets) ||
           (ret == MBEDTLS_ERR_SSL_WANT_READ && s->soft == 0 && mbedtls_ssl_check_pending(&s->ssl) &&
            ++tickets <= TLS_STREAM_MBT_MAX_TICKETS))
        ;
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
        s->peer_closed = 1;
    else if (ret < 0 && ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE &&
             ret != MBEDTLS_ERR_SSL_CONN_EOF && !s->transport_eof)
        return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
    return TLS_STREAM_OK;
}

/*
 * mbedtls_ssl_write() builds one record of our chunk and hands it to our
 * send callback, which always takes it (sending or queueing it): once it
 * returns, the chunk is committed. While the queue holds an earlier record,
 * nothing new is committed: the caller hears WANT_WRITE.
 */
static int write_slot(void *vs, const unsigned char *buf, size_t len)
{
    tls_stream_mbt_session *s = vs;
    size_t chunk;
    int ret, max, tickets = 0;

    if (s->failed != 0)
        return s->failed;
    if (!s->hs_done)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("write before the handshake"));
    if (len == 0)
        return 0;
    if ((ret = tls_stream_mbt_drain(s)) != TLS_STREAM_OK)
        return fail(s, ret);
    max = mbedtls_ssl_get_max_out_record_payload(&s->ssl);
    if (max <= 0)
        return fail(s, tls_stream_mbt_error(s, max < 0 ? max : MBEDTLS_ERR_SSL_INTERNAL_ERROR,
                                     TLS_STREAM_MBT_DATA));
    chunk = cap_int(len);
    if (chunk > (size_t)max)
        chunk = (size_t)max;
    /* a TLS 1.3 client's write may meet a NewSessionTicket on its way */
    while (take_ticket(s, ret = mbedtls_ssl_write(&s->ssl, buf, chunk), &tickets))
        ;
    if (ret > 0) {
        (void)tls_stream_mbt_soft(s); /* committed: queued, flushed later */
        return ret;
    }
    if (ret == 0)
        return fail(
            s, tls_stream_detail_set(s->detail, TLS_STREAM_ERR_INTERNAL, 0, TLS_STREAM_MSG("mbedtls wrote nothing")));
    return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
}

static int flush_slot(void *vs)
{
    tls_stream_mbt_session *s = vs;

    if (s->failed != 0)
        return s->failed;
    return fail(s, tls_stream_mbt_drain(s));
}

/* Our send callback takes the alert at once: build it once, then flush. */
static int close_notify_slot(void *vs)
{
    tls_stream_mbt_session *s = vs;
    int ret, tickets = 0;

    if (s->failed != 0)
        return s->failed;
    if ((ret = flush_slot(s)) != TLS_STREAM_OK)
        return ret;
    if (!s->close_sent) {
        while (take_ticket(s, ret = mbedtls_ssl_close_notify(&s->ssl), &tickets))
            ;
        if (ret != 0)
            return fail(s, tls_stream_mbt_error(s, ret, TLS_STREAM_MBT_DATA));
        s->close_sent = 1;
        if ((ret = tls_stream_mbt_soft(s)) != 0)
            return ret; /* built and queued, its sending interrupted */
    }
    return flush_slot(s);
}

/* A slot call starts with no interruption noted (see tls_stream_mbt_soft). */
static void fresh(void *vs)
{
    tls_stream_mbt_session *s = vs;

    s->soft = 0;
}

/*
 * After a lost send (see mbedtls_io.c): read on through what the peer
 * already sent; its fatal alert is the error, else the send's own transport
 * error. Runs once; the result is sticky. No slot reports success once a
 * send was lost.
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
        rc = tls_stream_mbt_error(s, tls_stream_mbt_transport_failed(s, s->send_code,
                                                                     MBEDTLS_ERR_NET_SEND_FAILED),
                                  phase);
    s->failed = rc;
    return rc;
}

int tls_stream_mbt_handshake(void *vs)
{
    int rc;

    fresh(vs);
    rc = handshake_slot(vs);
    return send_lost(vs, rc, TLS_STREAM_MBT_HANDSHAKE);
}

int tls_stream_mbt_read(void *vs, unsigned char *buf, size_t len)
{
    int rc;

    fresh(vs);
    rc = read_slot(vs, buf, len);
    return send_lost(vs, rc, TLS_STREAM_MBT_DATA);
}

int tls_stream_mbt_write(void *vs, const unsigned char *buf, size_t len)
{
    int rc;

    fresh(vs);
    rc = write_slot(vs, buf, len);
    return send_lost(vs, rc, TLS_STREAM_MBT_DATA);
}

int tls_stream_mbt_flush(void *vs)
{
    int rc;

    fresh(vs);
    rc = flush_slot(vs);
    return send_lost(vs, rc, TLS_STREAM_MBT_DATA);
}

int tls_stream_mbt_close_notify(void *vs)
{
    int rc;

    fresh(vs);
    rc = close_notify_slot(vs);
    return send_lost(vs, rc, TLS_STREAM_MBT_DATA);
}

size_t tls_stream_mbt_pending(const void *vs)
{
    const tls_stream_mbt_session *s = vs;

    return mbedtls_ssl_get_bytes_avail(&s->ssl);
}

int tls_stream_mbt_wants_flush(const void *vs)
{
    const tls_stream_mbt_session *s = vs;

    return s->queue_off < s->queue_len;
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
