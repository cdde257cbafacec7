/*
 * The server handshake, fed by the fuzzer as the client's bytes. Built
 * twice: fuzz_server_psk (FUZZ_SERVER_CERT 0: a PSK table with one
 * identity) and fuzz_server_cert (1: ECDSA certificate, asking for an
 * optional client certificate checked against ca.pem).
 * Input: everything the client sends, then the end of the stream.
 */
#include "fuzz_common.h"

#ifndef FUZZ_SERVER_CERT
#error "FUZZ_SERVER_CERT must be 0 or 1"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tls_stream_config *cfg;
    tls_stream *s;
    fuzz_feed feed;
    int rc;

    if (cfg == NULL)
        cfg = FUZZ_SERVER_CERT ? fuzz_cert_server(FUZZ_BACKEND()) : fuzz_psk_server(FUZZ_BACKEND());
    fuzz_reset();
    fuzz_feed_init(&feed, data, size);
    if (tls_stream_new(&s, cfg, &feed.io) != TLS_STREAM_OK)
        abort();
    tls_stream_set_blocking(s, 0);
    rc = fuzz_handshake(s);
    if (fuzz_verbose())
        fprintf(stderr, "%s handshake: %d (%s) detail %d\n", "server", rc, tls_stream_strerror(rc),
                tls_stream_error_detail(s, NULL));
    if (rc == TLS_STREAM_OK) {
        const unsigned char *der;
        size_t der_len;
        (void)tls_stream_cipher(s);
        (void)tls_stream_peer_cert(s, &der, &der_len);
        fuzz_check_rc(tls_stream_write(s, "pong", 4));
        rc = fuzz_drain(s);
        if (fuzz_verbose())
            fprintf(stderr, "then read: %d\n", rc);
    } else if ((rc == TLS_STREAM_ERR_INTERNAL || rc == TLS_STREAM_ERR_NOMEM || rc == TLS_STREAM_ERR_ARG ||
                rc == TLS_STREAM_ERR_STATE) &&
               !fuzz_known_bug(rc, tls_stream_error_detail(s, NULL))) {
        fprintf(stderr, "server handshake: unexpected %d (%s)\n", rc, tls_stream_strerror(rc));
        abort();
    }
    fuzz_check_rc(tls_stream_close(s));
    tls_stream_free(s);
    return 0;
}
