/*
 * OpenSSL backend: OpenSSL's errors translated into tls_stream_status, with
 * the detail (code + text) kept.
 *
 * Order of the checks in tls_stream_osl_error():
 *   1. SSL_ERROR_WANT_READ / _WANT_WRITE       -> TLS_STREAM_WANT_READ / _WANT_WRITE, or
 *      TLS_STREAM_INTERRUPTED / _ERR_TIMEOUT when the transport said so
 *   2. an end of stream without close_notify  -> TLS_STREAM_ERR_TRUNCATED (even if
 *      the alert OpenSSL answers it with could not be sent)
 *   3. the transport failed (our BIO)         -> TLS_STREAM_ERR_IO, detail code = the
 *      transport's own code (a negated errno)
 *   4. an allocation failed (ours, or ERR_R_MALLOC_FAILURE queued)
 *                                             -> TLS_STREAM_ERR_NOMEM
 *   5. our PSK lookup refused the identity    -> TLS_STREAM_ERR_PSK_IDENTITY
 *   6. our chain judge refused the peer       -> by kind (openssl_verify.c)
 *   7. a fatal alert from the peer            -> TLS_STREAM_ERR_PEER_ALERT
 *   8. the table below
 *   9. anything else: TLS_STREAM_ERR_HANDSHAKE during the handshake, else
 *      TLS_STREAM_ERR_PROTOCOL.
 * The queue is cleared afterwards: nothing is left for the next stream.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "openssl_internal.h"

struct reason_map {
    int reason;
    int status;
};

static const struct reason_map reason_table[] = {
    {SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_WRONG_VERSION_NUMBER, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_PACKET_LENGTH_TOO_LONG, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_ENCRYPTED_LENGTH_TOO_LONG, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_DATA_LENGTH_TOO_LONG, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_RECORD_TOO_SMALL, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_UNEXPECTED_RECORD, TLS_STREAM_ERR_PROTOCOL},
    {SSL_R_BAD_RECORD_TYPE, TLS_STREAM_ERR_PROTOCOL},
    /* a wrong PSK key in TLS 1.3: the peer's binder, a handshake failure as
     * on mbedtls 3.6 (in TLS 1.2 its Finished fails to decrypt: PROTOCOL) */
    {SSL_R_BINDER_DOES_NOT_VERIFY, TLS_STREAM_ERR_HANDSHAKE},
    {SSL_R_PSK_IDENTITY_NOT_FOUND, TLS_STREAM_ERR_PSK_IDENTITY},
    {SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, TLS_STREAM_ERR_NO_PEER_CERT},
    {SSL_R_CERTIFICATE_VERIFY_FAILED, TLS_STREAM_ERR_VERIFY},
    {SSL_R_NO_SHARED_CIPHER, TLS_STREAM_ERR_HANDSHAKE},
};

/* The first code in the queue (the root cause) and whether any queued code
 * is an allocation failure; clears the queue. */
unsigned long tls_stream_osl_drain(int *nomem)
{
    unsigned long e, first = 0;

    *nomem = 0;
    while ((e = ERR_get_error()) != 0) {
        if (first == 0)
            first = e;
        if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
            *nomem = 1;
    }
    return first;
}

#if TLS_STREAM_NO_MESSAGES

int tls_stream_osl_describe(tls_stream_detail *d, int status, unsigned long e, const char *what)
{
    (void)what;
    return tls_stream_detail_set(d, status, (int)e, "");
}

static int peer_alert(tls_stream_osl_session *s, unsigned long e, int alert)
{
    (void)alert;
    return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_PEER_ALERT, (int)e, "");
}

int tls_stream_osl_verify_detail(tls_stream_osl_session *s)
{
    return tls_stream_detail_set(s->detail, s->verify_status, s->verify_code, "");
}

#else /* !TLS_STREAM_NO_MESSAGES */

/* "what: reason" (or the reason alone), code e. */
int tls_stream_osl_describe(tls_stream_detail *d, int status, unsigned long e, const char *what)
{
    char msg[sizeof d->msg];
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;

    if (reason == NULL)
        reason = e != 0 ? "OpenSSL error" : "failed";
    if (what != NULL)
        snprintf(msg, sizeof msg, "%s: %s", what, reason);
    else
        snprintf(msg, sizeof msg, "%s", reason);
    return tls_stream_detail_set(d, status, (int)e, msg);
}

/* "peer alert 20 (bad_record_mac)": the RFC's name, as the mbedtls backend
 * says it (OpenSSL's text in lower case, '_' for ' '). */
static int peer_alert(tls_stream_osl_session *s, unsigned long e, int alert)
{
    char name[48];
    const char *text = SSL_alert_desc_string_long(alert);
    size_t i;

    /* TLS 1.3's own alerts, which OpenSSL 3.0 does not name */
    if (alert == 109)
        text = "missing extension";
    else if (alert == 116)
        text = "certificate required";

    for (i = 0; text[i] != '\0' && i + 1 < sizeof name; i++)
        name[i] = text[i] == ' ' ? '_' : (char)tolower((unsigned char)text[i]);
    name[i] = '\0';
    return tls_stream_bk_peer_alert(s->detail, (int)e, alert, name);
}

int tls_stream_osl_verify_detail(tls_stream_osl_session *s)
{
    char msg[sizeof s->detail->msg];

    if (s->vflags & TLS_STREAM_OSL_V_DEPTH)
        tls_stream_bk_depth_text(msg, sizeof msg, s->cfg->verify_depth);
    else if (s->verify_code != 0)
        snprintf(msg, sizeof msg, "%s", X509_verify_cert_error_string(s->verify_code));
    else
        snprintf(msg, sizeof msg, "server answered with a certificate, not the PSK");
    return tls_stream_detail_set(s->detail, s->verify_status, s->verify_code, msg);
}

#endif /* TLS_STREAM_NO_MESSAGES */

int tls_stream_osl_config_error(tls_stream_detail *d, int status, const char *what)
{
    int nomem;
    unsigned long e = tls_stream_osl_drain(&nomem);

    return tls_stream_osl_describe(d, nomem ? TLS_STREAM_ERR_NOMEM : status, e, what);
}

int tls_stream_osl_error(tls_stream_osl_session *s, int ret, tls_stream_osl_phase phase)
{
    int err = SSL_get_error(s->ssl, ret), nomem, reason;
    unsigned long e = tls_stream_osl_drain(&nomem);
    size_t i;

    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        int soft = s->soft; /* the transport was interrupted or timed out */

        s->soft = 0;
        if (soft != 0)
            return soft;
        return err == SSL_ERROR_WANT_READ ? TLS_STREAM_WANT_READ : TLS_STREAM_WANT_WRITE;
    }
    reason = ERR_GET_LIB(e) == ERR_LIB_SSL ? ERR_GET_REASON(e) : 0;
    /* before the transport's error: OpenSSL's alert after an end of stream
     * may well fail to go out */
    if (s->transport_eof && (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING ||
                             (e == 0 && err == SSL_ERROR_SYSCALL)))
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_TRUNCATED, (int)e,
                                     TLS_STREAM_MSG("end of stream without close_notify"));
    if (s->io_status != 0)
        return tls_stream_bk_transport_error(s->detail, s->io_status, s->io_code);
    if (s->nomem || nomem)
        return tls_stream_osl_describe(s->detail, TLS_STREAM_ERR_NOMEM, e, TLS_STREAM_MSG("out of memory"));
    if (s->psk_status != 0)
        return tls_stream_osl_describe(s->detail, s->psk_status, e,
                        s->psk_status == TLS_STREAM_ERR_PSK_IDENTITY
                            ? TLS_STREAM_MSG("unknown PSK identity")
                            : TLS_STREAM_MSG("PSK lookup"));
    if (s->verify_status != 0)
        return tls_stream_osl_verify_detail(s);
    if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_TRUNCATED, (int)e,
                                     TLS_STREAM_MSG("end of stream without close_notify"));
    if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256)
        return peer_alert(s, e, reason - SSL_AD_REASON_OFFSET);
    for (i = 0; i < sizeof reason_table / sizeof reason_table[0]; i++) {
        if (reason_table[i].reason == reason)
            return tls_stream_osl_describe(s->detail, reason_table[i].status, e, NULL);
    }
    return tls_stream_osl_describe(s->detail,
                    phase == TLS_STREAM_OSL_HANDSHAKE ? TLS_STREAM_ERR_HANDSHAKE : TLS_STREAM_ERR_PROTOCOL,
                    e, NULL);
}
