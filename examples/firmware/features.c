/*
 * The feature check (image tls_fw_features): what a PSK-only mbedtls build
 * cannot do must fail cleanly with TLS_STREAM_ERR_UNSUPPORTED. A separate
 * image, so that the client's flash figures count only what a PSK client
 * links. Command line: - IDENTITY KEYHEX. Prints
 *
 *   FW features add_ca=N set_cert=N set_key=N alpn=N server=N debug=N sigalgs=N groups=N
 */
#include <string.h>

#include "app.h"
#include "board.h"
#include "entropy.h"
#include "heap_meter.h"
#include "report.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/tls_stream.h"
#include "uart_io.h"

static void debug_sink(void *arg, int level, const char *line)
{
    (void)arg;
    report("FW debug %d %s\n", level, line);
}

enum extra { EXTRA_DEBUG, EXTRA_GROUPS, EXTRA_SIGALGS };

/* A PSK client configuration with one more setting (debug output, groups or
 * signature algorithms, which the backend judges when the configuration
 * freezes): what tls_stream_new() answers. */
static int frozen_status(const char *identity, const unsigned char *key, size_t key_len,
                         enum extra extra)
{
    static const char *const group[] = {"secp256r1", NULL};
    static const char *const sigalg[] = {"ecdsa_secp256r1_sha256", NULL};
    tls_stream_config *cfg;
    tls_stream *s = NULL;
    tls_stream_io io;
    uart_io uart;
    int rc;

    rc = tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT,
                               &heap_meter_allocator);
    if (rc != TLS_STREAM_OK)
        return rc;
    (void)tls_stream_config_set_psk(cfg, identity, strlen(identity), key, key_len);
    (void)tls_stream_config_set_entropy(cfg, fw_entropy, NULL);
    if (extra == EXTRA_GROUPS)
        (void)tls_stream_config_set_groups(cfg, group);
    else if (extra == EXTRA_SIGALGS)
        (void)tls_stream_config_set_sigalgs(cfg, sigalg);
    else
        (void)tls_stream_config_set_debug(cfg, debug_sink, NULL, 1);
    uart_io_init(&io, &uart, FW_UART0);
    rc = tls_stream_new(&s, cfg, &io);
    tls_stream_free(s);
    tls_stream_config_free(cfg);
    return rc;
}

/*
 * What this PSK-only mbedtls build cannot do must fail cleanly with
 * TLS_STREAM_ERR_UNSUPPORTED: certificates and keys, ALPN, the server role,
 * debug output, signature algorithms (nothing is signed without
 * certificates), and (EC)DHE groups when it has no elliptic curves.
 */
static int check_features(int argc, char **argv, const unsigned char *key, size_t key_len)
{
    const char *identity = argv[2];
    static const char *const alpn[] = {"h2", NULL};
    static const char pem[] = "-----BEGIN CERTIFICATE-----\n";
    tls_stream_config *cfg, *srv = NULL;
    int ca, cert, keyf, alp, server;

    (void)argc;

    if (tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT,
                              &heap_meter_allocator) != TLS_STREAM_OK)
        return app_error("config", NULL, TLS_STREAM_ERR_NOMEM);
    ca = tls_stream_config_add_ca(cfg, pem, sizeof pem - 1);
    cert = tls_stream_config_set_cert(cfg, pem, sizeof pem - 1);
    keyf = tls_stream_config_set_key(cfg, pem, sizeof pem - 1, NULL);
    alp = tls_stream_config_set_alpn(cfg, alpn);
    tls_stream_config_free(cfg);
    server = tls_stream_config_new(&srv, tls_stream_backend_mbedtls(), TLS_STREAM_SERVER,
                                   &heap_meter_allocator);
    tls_stream_config_free(srv);
    report("FW features add_ca=%d set_cert=%d set_key=%d alpn=%d server=%d debug=%d sigalgs=%d "
           "groups=%d\n",
           ca, cert, keyf, alp, server, frozen_status(identity, key, key_len, EXTRA_DEBUG),
           frozen_status(identity, key, key_len, EXTRA_SIGALGS),
           frozen_status(identity, key, key_len, EXTRA_GROUPS));
    return 0;
}

int main(void)
{
    return app_run(check_features);
}
