/* tlscat: the -v handshake summary and the one-line error messages. */
#include <stdio.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "tlscat.h"

int tlscat_exit_code(int rc)
{
    switch (rc) {
    case TLS_STREAM_ERR_IO:
    case TLS_STREAM_ERR_TIMEOUT:
        return TLSCAT_EXIT_TRANSPORT;
    case TLS_STREAM_ERR_ARG:
    case TLS_STREAM_ERR_CONFIG:
    case TLS_STREAM_ERR_UNSUPPORTED:
    case TLS_STREAM_ERR_BAD_KEY:
    case TLS_STREAM_ERR_BAD_CERT:
        return TLSCAT_EXIT_USAGE;
    default:
        break;
    }
    if (rc < 0 && rc > -4096) /* a negated errno from the transport */
        return TLSCAT_EXIT_TRANSPORT;
    return TLSCAT_EXIT_TLS;
}

int tlscat_fail(const tls_stream *s, const char *what, int rc)
{
    const char *msg = NULL;
    int code = 0;

    if (rc < 0 && rc > -4096) {
        fprintf(stderr, "tlscat: %s: transport error: %s\n", what, strerror(-rc));
        return TLSCAT_EXIT_TRANSPORT;
    }
    if (s != NULL)
        code = tls_stream_error_detail(s, &msg);
    if (code < 0 && code > -4096 && (msg == NULL || msg[0] == '\0'))
        msg = strerror(-code);
    /* the status in hex as in tls_stream/error.h: a build without messages
     * (TLS_STREAM_NO_MESSAGES) has empty texts but the same codes */
    if (msg != NULL && msg[0] != '\0')
        fprintf(stderr, "tlscat: %s: %s (%s, code %d) [status -0x%x]\n", what,
                tls_stream_strerror(rc), msg, code, (unsigned)-rc);
    else
        fprintf(stderr, "tlscat: %s: %s (code %d) [status -0x%x]\n", what,
                tls_stream_strerror(rc), code, (unsigned)-rc);
    return tlscat_exit_code(rc);
}

static void print_dn(const char *label, const mbedtls_x509_name *dn)
{
    char buf[512];
    if (mbedtls_x509_dn_gets(buf, sizeof buf, dn) < 0)
        snprintf(buf, sizeof buf, "(unprintable)");
    fprintf(stderr, "tlscat: %s: %s\n", label, buf);
}

void tlscat_print_summary(const tls_stream *s)
{
    const unsigned char *der;
    size_t len;
    const char *alpn = tls_stream_alpn(s);
    mbedtls_x509_crt crt;

    fprintf(stderr, "tlscat: handshake done: %s, %s%s\n",
            tls_stream_version(s) ? tls_stream_version(s) : "?",
            tls_stream_cipher(s) ? tls_stream_cipher(s) : "?",
            tls_stream_resumed(s) == 1 ? ", resumed" : "");
    if (alpn != NULL)
        fprintf(stderr, "tlscat: alpn: %s\n", alpn);
    if (tls_stream_peer_cert(s, &der, &len) != TLS_STREAM_OK) {
        fprintf(stderr, "tlscat: peer certificate: none\n");
        return;
    }
    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse_der(&crt, der, len) == 0) {
        print_dn("peer subject", &crt.subject);
        print_dn("peer issuer", &crt.issuer);
    } else {
        fprintf(stderr, "tlscat: peer certificate: %zu bytes (not parsed)\n", len);
    }
    mbedtls_x509_crt_free(&crt);
}
