/*
 * mbedtls backend: mbedtls error codes and certificate verification flags
 * translated into tls_stream_status, with the detail (code + text) kept.
 *
 * Order of the checks in tls_stream_mbt_error():
 *   1. WANT_READ / WANT_WRITE               -> TLS_STREAM_WANT_READ / TLS_STREAM_WANT_WRITE,
 *      or TLS_STREAM_INTERRUPTED / TLS_STREAM_ERR_TIMEOUT when the transport's
 *      last answer was that
 *   2. the transport failed (bio callbacks)  -> TLS_STREAM_ERR_IO, detail code = the
 *      transport's own code (a negated errno), whatever mbedtls made of it
 *   3. our PSK callback refused the identity -> TLS_STREAM_ERR_PSK_IDENTITY
 *   4. any *_ALLOC_FAILED, also in the low-level part of a combined code
 *                                            -> TLS_STREAM_ERR_NOMEM
 *   5. X509_CERT_VERIFY_FAILED               -> by verify flags (see
 *      tls_stream_mbt_verify_error for the priority)
 *   6. FATAL_ALERT_MESSAGE                   -> TLS_STREAM_ERR_PEER_ALERT, alert number
 *      in the text
 *   7. INVALID_RECORD during the handshake -> TLS_STREAM_ERR_HANDSHAKE
 *   8. the table below
 *   9. anything else: TLS_STREAM_ERR_HANDSHAKE during the handshake, else
 *      TLS_STREAM_ERR_PROTOCOL.
 */
#include <stdio.h>
#include <string.h>

#include "mbedtls_internal.h"

/* mbedtls codes (-0x7FFF..-1) and our statuses (-0x70xx) fit in 16 bits:
 * half the table of two ints. */
struct code_map {
    int16_t code;
    int16_t status;
};

static const struct code_map code_table[] = {
    {MBEDTLS_ERR_SSL_INVALID_MAC, TLS_STREAM_ERR_PROTOCOL},
    {MBEDTLS_ERR_SSL_INVALID_RECORD, TLS_STREAM_ERR_PROTOCOL},
    {MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE, TLS_STREAM_ERR_PROTOCOL},
    {MBEDTLS_ERR_SSL_UNEXPECTED_RECORD, TLS_STREAM_ERR_PROTOCOL},
    {MBEDTLS_ERR_SSL_COUNTER_WRAPPING, TLS_STREAM_ERR_PROTOCOL},
    {MBEDTLS_ERR_SSL_CONN_EOF, TLS_STREAM_ERR_TRUNCATED},
    {MBEDTLS_ERR_SSL_UNKNOWN_IDENTITY, TLS_STREAM_ERR_PSK_IDENTITY},
    {MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE, TLS_STREAM_ERR_NO_PEER_CERT},
    {MBEDTLS_ERR_SSL_PK_TYPE_MISMATCH, TLS_STREAM_ERR_HANDSHAKE},
    {MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE, TLS_STREAM_ERR_HANDSHAKE},
    /* Returned for misuse of the API (ours), not for peer data, in 2.28. */
    /* 2.28 says BAD_INPUT_DATA for a peer's record longer than the maximum */
    {MBEDTLS_ERR_SSL_BAD_INPUT_DATA, TLS_STREAM_ERR_PROTOCOL},
    {MBEDTLS_ERR_SSL_INTERNAL_ERROR, TLS_STREAM_ERR_INTERNAL},
    {MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL, TLS_STREAM_ERR_INTERNAL},
    {MBEDTLS_ERR_SSL_NO_RNG, TLS_STREAM_ERR_CONFIG},
    {MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED, TLS_STREAM_ERR_CONFIG},
    {MBEDTLS_ERR_SSL_PRIVATE_KEY_REQUIRED, TLS_STREAM_ERR_CONFIG},
    {MBEDTLS_ERR_SSL_BAD_CONFIG, TLS_STREAM_ERR_CONFIG},
    TLS_STREAM_MBC_VERSION_ERRORS
};

static const int16_t alloc_codes[] = {
    MBEDTLS_ERR_SSL_ALLOC_FAILED, MBEDTLS_ERR_X509_ALLOC_FAILED,
    MBEDTLS_ERR_PK_ALLOC_FAILED,  MBEDTLS_ERR_ECP_ALLOC_FAILED,
    MBEDTLS_ERR_CIPHER_ALLOC_FAILED, MBEDTLS_ERR_MD_ALLOC_FAILED,
    MBEDTLS_ERR_PEM_ALLOC_FAILED, MBEDTLS_ERR_DHM_ALLOC_FAILED,
    MBEDTLS_ERR_ASN1_ALLOC_FAILED, MBEDTLS_ERR_MPI_ALLOC_FAILED,
};

int tls_stream_mbt_is_alloc_failure(int ret)
{
    int high, low;
    size_t i;

    if (ret >= 0)
        return 0;
    /* Codes are high-level (0x1000-0x7F80) + low-level (0x0001-0x007F). */
    high = -((-ret) & 0xFF80);
    low = -((-ret) & 0x007F);
    for (i = 0; i < sizeof alloc_codes / sizeof alloc_codes[0]; i++) {
        if (alloc_codes[i] == ret || alloc_codes[i] == high || alloc_codes[i] == low)
            return 1;
    }
    return 0;
}

/*
 * The detail texts. With TLS_STREAM_NO_MESSAGES the detail keeps the code
 * (mbedtls's own) and an empty text, and none of the text code is built.
 */
#if TLS_STREAM_NO_MESSAGES

static int describe(tls_stream_detail *d, int status, int ret, const char *what)
{
    (void)what;
    return tls_stream_detail_set(d, status, ret, "");
}

static int verify_detail(tls_stream_mbt_session *s, int status, int ret, uint32_t flags)
{
    (void)flags;
    return tls_stream_detail_set(s->detail, status, ret, "");
}

static int peer_alert(tls_stream_mbt_session *s, int ret)
{
    (void)ret;
    return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_PEER_ALERT,
                                 MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, "");
}

#else /* !TLS_STREAM_NO_MESSAGES */

/* Fatal alerts by number (RFC 5246 / 8446), for the detail text. */
static const char *alert_name(int alert)
{
    switch (alert) {
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return "unknown alert";
    }
}

static int describe(tls_stream_detail *d, int status, int ret, const char *what)
{
    char text[80], msg[sizeof d->msg];

    tls_stream_mbc_strerror(ret, text, sizeof text);
    if (what != NULL) {
        /* a long mbedtls text is cut: the code in the detail stays exact */
        if (snprintf(msg, sizeof msg, "%s: %s", what, text) < 0)
            msg[0] = '\0';
        return tls_stream_detail_set(d, status, ret, msg);
    }
    return tls_stream_detail_set(d, status, ret, text);
}

/* The text of a verification failure (status is already decided). */
static int verify_detail(tls_stream_mbt_session *s, int status, int ret, uint32_t flags)
{
    char msg[sizeof s->detail->msg];

    if (flags == (uint32_t)-1)
        snprintf(msg, sizeof msg, "certificate verification failed");
    else if (flags & MBEDTLS_X509_BADCERT_MISSING)
        snprintf(msg, sizeof msg, "the peer sent no certificate");
    else if (s->depth_exceeded)
        tls_stream_bk_depth_text(msg, sizeof msg, s->cfg->verify_depth);
    else
        tls_stream_mbt_verify_text(msg, sizeof msg, flags);
    return tls_stream_detail_set(s->detail, status, ret, msg);
}

static int peer_alert(tls_stream_mbt_session *s, int ret)
{
    int alert = s->wire.last_alert; /* plaintext alerts only: TLS 1.3 encrypts them */

    (void)ret; /* the detail code says "fatal alert" however mbedtls noticed it */
    if (alert < 0)
        return tls_stream_detail_set(s->detail, TLS_STREAM_ERR_PEER_ALERT,
                                     MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, "peer alert");
    return tls_stream_bk_peer_alert(s->detail, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, alert, alert_name(alert));
}

#endif /* TLS_STREAM_NO_MESSAGES */

int tls_stream_mbt_config_error(tls_stream_detail *d, int status, int ret, const char *what)
{
    if (tls_stream_mbt_is_alloc_failure(ret))
        status = TLS_STREAM_ERR_NOMEM;
    return describe(d, status, ret, what);
}

/*
 * Priority when several flags are set (the most fundamental problem wins):
 *   MISSING                                  -> TLS_STREAM_ERR_NO_PEER_CERT
 *   any flag other than EXPIRED, FUTURE and CN_MISMATCH (NOT_TRUSTED,
 *   a too deep chain, bad key usage, weak signature...)
 *                                            -> TLS_STREAM_ERR_VERIFY
 *   EXPIRED or FUTURE                        -> TLS_STREAM_ERR_CERT_EXPIRED
 *   CN_MISMATCH                              -> TLS_STREAM_ERR_HOSTNAME
 */
int tls_stream_mbt_verify_error(tls_stream_mbt_session *s, int ret, uint32_t flags)
{
    const uint32_t dates = MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE;
    const uint32_t name = MBEDTLS_X509_BADCERT_CN_MISMATCH;
    int status = TLS_STREAM_ERR_VERIFY;

    if (flags != (uint32_t)-1 && (flags & MBEDTLS_X509_BADCERT_MISSING))
        status = TLS_STREAM_ERR_NO_PEER_CERT;
    else if (flags == (uint32_t)-1 || s->depth_exceeded || (flags & ~(dates | name)))
        status = TLS_STREAM_ERR_VERIFY;
    else if (flags & dates)
        status = TLS_STREAM_ERR_CERT_EXPIRED;
    else if (flags & name)
        status = TLS_STREAM_ERR_HOSTNAME;
    return verify_detail(s, status, ret, flags);
}

int tls_stream_mbt_error(tls_stream_mbt_session *s, int ret, tls_stream_mbt_phase phase)
{
    size_t i;

    /* the bio callbacks turn an interruption into a want for mbedtls */
    if ((ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) && s->soft != 0) {
        int soft = s->soft;
        s->soft = 0;
        return soft;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_READ)
        return TLS_STREAM_WANT_READ;
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return TLS_STREAM_WANT_WRITE;
    if (s->io_status != 0)
        return tls_stream_bk_transport_error(s->detail, s->io_status, s->io_code);
    if (s->psk_status != 0)
        return describe(s->detail, s->psk_status, ret,
                        s->psk_status == TLS_STREAM_ERR_PSK_IDENTITY ? TLS_STREAM_MSG("unknown PSK identity")
                                                              : TLS_STREAM_MSG("PSK lookup"));
    if (tls_stream_mbt_is_alloc_failure(ret))
        return describe(s->detail, TLS_STREAM_ERR_NOMEM, ret, NULL);
    /* (without certificates nothing is verified: the constant drops this) */
    if (TLS_STREAM_MBC_CAP_CERTS && ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
        return tls_stream_mbt_verify_error(s, ret, mbedtls_ssl_get_verify_result(&s->ssl));
    /* A TLS 1.3 peer that fails before its keys are in place (an mbedtls
     * client refusing our certificate) sends its alert in plaintext, which
     * mbedtls, expecting encrypted records, fails to decrypt: still the
     * peer's alert. */
    if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE || s->wire.alert_last)
        return peer_alert(s, ret);
    /* A record or message that does not parse: mbedtls 2.28 names the
     * handshake message (BAD_HS_*), 3.x says INVALID_RECORD or DECODE_ERROR
     * for the same bytes. During the handshake all are a failed handshake. */
    if (phase == TLS_STREAM_MBT_HANDSHAKE && ret == MBEDTLS_ERR_SSL_INVALID_RECORD)
        return describe(s->detail, TLS_STREAM_ERR_HANDSHAKE, ret, NULL);
    for (i = 0; i < sizeof code_table / sizeof code_table[0]; i++) {
        if (code_table[i].code == ret)
            return describe(s->detail, code_table[i].status, ret, NULL);
    }
    return describe(s->detail, phase == TLS_STREAM_MBT_HANDSHAKE ? TLS_STREAM_ERR_HANDSHAKE : TLS_STREAM_ERR_PROTOCOL,
                    ret, NULL);
}

/* RFC 5246 / 8446 alert descriptions we send ourselves. */
enum {
    ALERT_UNEXPECTED_MESSAGE = 10, ALERT_BAD_RECORD_MAC = 20, ALERT_RECORD_OVERFLOW = 22,
    ALERT_HANDSHAKE_FAILURE = 40, ALERT_DECODE_ERROR = 50, ALERT_PROTOCOL_VERSION = 70,
    ALERT_INTERNAL_ERROR = 80
};

/* Largest record body a peer may send (RFC 5246 6.2.3: 2^14 + 2048). */
#define MAX_RECORD_BODY (16384 + 2048)

int tls_stream_mbt_alert_for(const tls_stream_mbt_session *s, int ret)
{
    const unsigned char *hdr = s->wire.in.hdr;

    if (ret >= 0 || ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
        s->io_status != 0 || s->transport_eof || s->peer_closed ||
        ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
        ret == MBEDTLS_ERR_SSL_CONN_EOF || s->wire.alert_last)
        return -1;
    if (ret == MBEDTLS_ERR_SSL_INVALID_MAC)
        return ALERT_BAD_RECORD_MAC;
    /* the record header at fault, as it came in */
    if (s->wire.in_headers > 0 && (hdr[0] < 20 || hdr[0] > 23))
        return ALERT_UNEXPECTED_MESSAGE;
    if (s->wire.in_headers > 0 && ((unsigned)hdr[3] << 8 | hdr[4]) > MAX_RECORD_BODY)
        return ALERT_RECORD_OVERFLOW;
    if (ret == MBEDTLS_ERR_SSL_UNEXPECTED_MESSAGE || ret == MBEDTLS_ERR_SSL_UNEXPECTED_RECORD)
        return ALERT_UNEXPECTED_MESSAGE;
    if (tls_stream_mbt_is_alloc_failure(ret) || ret == MBEDTLS_ERR_SSL_INTERNAL_ERROR)
        return ALERT_INTERNAL_ERROR;
    if (tls_stream_mbc_is_version_error(ret))
        return ALERT_PROTOCOL_VERSION;
    if (tls_stream_mbc_is_negotiation_error(ret))
        return ALERT_HANDSHAKE_FAILURE;
    return ALERT_DECODE_ERROR; /* a message or record that does not parse */
}
