/*
 * Key, certificate and CA loading, and the ussl argument paths.
 * Input: byte 0 selects the path, the rest is the data:
 *   0 tls_stream_config_add_ca      1 tls_stream_config_set_cert
 *   2 tls_stream_config_set_key     3 tls_stream_config_set_key with password "test"
 *   4 ussl_wrap_socket (no handshake) with the data as keyfile + certfile
 *     of a server, split at byte 1's share; byte 2 sets cert_reqs,
 *     server_side and whether a PSK is given too
 *   5 ussl_wrap_socket client with the data as ca_certs and hostname
 * Every call must return TLS_STREAM_OK or a documented error, and free all.
 * Built once per backend: FUZZ_OPENSSL=1 loads through the OpenSSL backend.
 */
#include <string.h>

#include "fuzz_common.h"
#include "tls_stream/ussl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int only(int rc, int a, int b, int c, int d)
{
    return rc == TLS_STREAM_OK || rc == a || rc == b || rc == c || rc == d;
}

static void tls_path(int which, const uint8_t *d, size_t n)
{
    tls_stream_config *cfg;
    int rc;
    if (tls_stream_config_new(&cfg, FUZZ_BACKEND(), which == 0 ? TLS_STREAM_CLIENT : TLS_STREAM_SERVER,
                       NULL) != TLS_STREAM_OK)
        abort();
    switch (which) {
    case 0:
        rc = tls_stream_config_add_ca(cfg, d, n);
        if (!only(rc, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_BAD_CERT, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_ARG))
            abort();
        break;
    case 1:
        rc = tls_stream_config_set_cert(cfg, d, n);
        if (!only(rc, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_BAD_CERT, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_ARG))
            abort();
        break;
    default:
        rc = tls_stream_config_set_key(cfg, d, n, which == 3 ? "test" : NULL);
        if (!only(rc, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_BAD_KEY, TLS_STREAM_ERR_ARG, TLS_STREAM_ERR_ARG))
            abort();
        break;
    }
    {
        const char *msg;
        (void)tls_stream_config_error_detail(cfg, &msg);
        if (msg == NULL || strlen(msg) >= 96)
            abort();
    }
    tls_stream_config_free(cfg);
}

static void ussl_path(int client, const uint8_t *d, size_t n)
{
    static const unsigned char key[32] = {1, 2, 3};
    ussl_opts o;
    ussl_socket *sock = NULL;
    ussl_error err;
    fuzz_feed feed;
    size_t split;
    unsigned flags;
    char host[64];
    int rc;

    if (n < 2)
        return;
    split = (size_t)d[0] * (n - 2) / 255;
    flags = d[1];
    d += 2;
    n -= 2;
    fuzz_feed_init(&feed, NULL, 0);
    ussl_opts_init(&o);
    o.backend = FUZZ_BACKEND();
    o.do_handshake = 0;
    o.cert_reqs = (int)(flags & 3); /* 3: out of range, must be refused */
    if (client) {
        size_t h = split < sizeof host - 1 ? split : sizeof host - 1;
        memcpy(host, d, h);
        host[h] = '\0';
        o.server_hostname = (flags & 4) ? host : NULL;
        o.ca_certs.data = d + split;
        o.ca_certs.len = n - split;
        if (flags & 8) {
            o.psk_ident = host;
            o.psk_ident_len = strlen(host);
            o.psk_key = key;
            o.psk_key_len = (flags >> 4) * 3; /* 0..45: beyond 32 must be refused */
        }
    } else {
        o.server_side = 1;
        o.keyfile.data = d;
        o.keyfile.len = split;
        o.certfile.data = d + split;
        o.certfile.len = n - split;
        if (flags & 8) {
            o.psk_table.data = d;
            o.psk_table.len = n;
        }
    }
    rc = ussl_wrap_socket(&feed.io, &o, &sock, &err);
    if (rc == 0) {
        if (sock == NULL)
            abort();
        ussl_free(sock);
    } else if (sock != NULL || !(rc == USSL_E_VALUE || rc == USSL_E_TLS || USSL_IS_ERRNO(rc))) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_reset();
    switch (data[0] % 6) {
    case 4:
        ussl_path(0, data + 1, size - 1);
        break;
    case 5:
        ussl_path(1, data + 1, size - 1);
        break;
    default:
        tls_path(data[0] % 6, data + 1, size - 1);
        break;
    }
    return 0;
}
