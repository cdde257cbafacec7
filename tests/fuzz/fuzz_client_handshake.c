/*
 * The client handshake, fed by the fuzzer as the server's bytes.
 * Input: byte 0 selects the configuration (even: PSK, odd: certificate,
 * verifying ca.pem and "localhost"); the rest is everything the server
 * sends, then the end of the stream. A completed handshake goes on to read
 * application data and close.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tls_stream_config *psk, *cert;
    tls_stream *s;
    fuzz_feed feed;
    int rc;

    if (psk == NULL) {
        psk = fuzz_psk_client(FUZZ_BACKEND());
        cert = fuzz_cert_client(FUZZ_BACKEND());
    }
    if (size < 1)
        return 0;
    fuzz_reset();
    fuzz_feed_init(&feed, data + 1, size - 1);
    if (tls_stream_new(&s, (data[0] & 1) ? cert : psk, &feed.io) != TLS_STREAM_OK)
        abort();
    tls_stream_set_blocking(s, 0);
    rc = fuzz_handshake(s);
    if (fuzz_verbose())
        fprintf(stderr, "%s handshake: %d (%s) detail %d\n", "client", rc, tls_stream_strerror(rc),
                tls_stream_error_detail(s, NULL));
    if (rc == TLS_STREAM_OK) {
        const unsigned char *der;
        size_t der_len;
        /* what an application looks at after the handshake */
        (void)tls_stream_cipher(s);
        (void)tls_stream_version(s);
        (void)tls_stream_peer_cert(s, &der, &der_len);
        fuzz_check_rc(tls_stream_write(s, "ping", 4));
        rc = fuzz_drain(s);
        if (fuzz_verbose())
            fprintf(stderr, "then read: %d\n", rc);
        /* the feed ended: a clean close_notify (0) or truncation, nothing else */
        if (rc != 0 && rc != TLS_STREAM_ERR_TRUNCATED && rc > -0x7040)
            fuzz_check_rc(rc);
    } else if ((rc == TLS_STREAM_ERR_INTERNAL || rc == TLS_STREAM_ERR_NOMEM || rc == TLS_STREAM_ERR_ARG ||
                rc == TLS_STREAM_ERR_STATE) &&
               !fuzz_known_bug(rc, tls_stream_error_detail(s, NULL))) {
        /* peer bytes must never make us report our own bug */
        fprintf(stderr, "client handshake: unexpected %d (%s)\n", rc, tls_stream_strerror(rc));
        abort();
    }
    fuzz_check_rc(tls_stream_close(s));
    tls_stream_free(s);
    return 0;
}
