/*
 * tls_stream on a Cortex-M4 (QEMU mps2-an386): a TLS-PSK client over UART0.
 *
 * The emulator's command line (semihosting) gives: SUITE IDENTITY KEYHEX
 * [GROUP [TIMEOUT_MS]] (GROUP "-": mbedtls's default groups).
 * The client handshakes, sends one line, reads the peer's one-line reply,
 * sends close_notify, waits for the peer's, and reports on UART1 with its
 * heap and stack figures:
 *
 *   FW handshake ok TLSv1.2 TLS-PSK-WITH-AES-128-GCM-SHA256
 *   FW reply <the line>
 *   FW heap <phase> ours=N mbedtls=N total=N
 *   FW result ok           (or: FW result error where=PHASE status=N code=N text=...)
 *
 * The exit status (semihosting) is 0 on success, 1 on a TLS failure, 2 on
 * bad arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "board.h"
#include "entropy.h"
#include "heap_meter.h"
#include "report.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/tls_stream.h"
#include "uart_io.h"

#define MESSAGE "hello from a cortex-m4\n"
#define TIMEOUT_MS 15000 /* default: no progress for this long ends the connection */

/* Read until a newline (or the peer closes): the peer's reply. */
static int read_line(tls_stream *s, char *buf, size_t size)
{
    size_t n = 0;

    while (n + 1 < size) {
        int r = tls_stream_read(s, buf + n, size - 1 - n);
        if (r < 0)
            return r;
        if (r == 0)
            break;
        n += (size_t)r;
        if (buf[n - 1] == '\n')
            break;
    }
    buf[n] = '\0';
    if (n > 0 && buf[n - 1] == '\n')
        buf[n - 1] = '\0';
    return (int)n;
}

static int run(const char *suite, const char *identity, const unsigned char *key, size_t key_len,
               const char *group, int timeout_ms)
{
    const char *suites[2], *groups[2];
    tls_stream_config *cfg;
    tls_stream *s = NULL;
    tls_stream_io io;
    uart_io uart;
    char reply[128];
    int rc;

    suites[0] = suite;
    suites[1] = NULL;
    groups[0] = group;
    groups[1] = NULL;
    rc = tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT,
                               &heap_meter_allocator);
    if (rc != TLS_STREAM_OK)
        return app_error("config", NULL, rc);
    if ((rc = tls_stream_config_set_psk(cfg, identity, strlen(identity), key, key_len)) != 0 ||
        (rc = tls_stream_config_set_ciphersuites(cfg, suites)) != 0 ||
        (rc = tls_stream_config_set_max_fragment(cfg, 1024)) != 0 ||
        (rc = tls_stream_config_set_entropy(cfg, fw_entropy, NULL)) != 0 ||
        (rc = tls_stream_config_set_timeout(cfg, timeout_ms)) != 0 ||
        (group != NULL && (rc = tls_stream_config_set_groups(cfg, groups)) != 0)) {
        tls_stream_config_free(cfg);
        return app_error("config", NULL, rc);
    }
    uart_io_init(&io, &uart, FW_UART0);
    rc = tls_stream_new(&s, cfg, &io);
    tls_stream_config_free(cfg); /* the stream keeps its reference */
    if (rc != TLS_STREAM_OK)
        return app_error("new", NULL, rc);
    app_heap_line("ready", 0);

    rc = tls_stream_handshake(s);
    app_heap_line("handshake-peak", 1);
    if (rc != TLS_STREAM_OK) {
        rc = app_error("handshake", s, rc);
        tls_stream_free(s);
        return rc;
    }
    report("FW handshake ok %s %s\n", tls_stream_version(s), tls_stream_cipher(s));
    app_heap_line("idle", 0);

    rc = tls_stream_write(s, MESSAGE, sizeof MESSAGE - 1);
    if (rc == (int)(sizeof MESSAGE - 1))
        rc = read_line(s, reply, sizeof reply);
    if (rc < 0) {
        rc = app_error("data", s, rc);
        tls_stream_free(s);
        return rc;
    }
    report("FW reply %s\n", reply);
    /* Our close_notify, then the peer's: both ends know nothing was cut
     * (and nothing is left unread when the link goes down). */
    rc = tls_stream_shutdown(s);
    while (rc == TLS_STREAM_OK && (rc = tls_stream_read(s, reply, sizeof reply)) > 0)
        rc = TLS_STREAM_OK; /* data after the reply: not expected, skipped */
    if (rc != TLS_STREAM_OK) {
        rc = app_error("close", s, rc);
        tls_stream_free(s);
        return rc;
    }
    rc = tls_stream_close(s);
    tls_stream_free(s);
    if (rc != TLS_STREAM_OK)
        return app_error("close", NULL, rc);
    report("FW close ok\n");
    return 0;
}

static int client(int argc, char **argv, const unsigned char *key, size_t key_len)
{
    return run(argv[1], argv[2], key, key_len,
               argc >= 5 && strcmp(argv[4], "-") != 0 ? argv[4] : NULL,
               argc >= 6 ? (int)strtoul(argv[5], NULL, 10) : TIMEOUT_MS);
}

int main(void)
{
    return app_run(client);
}
