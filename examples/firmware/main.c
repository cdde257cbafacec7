/*
 * tls_stream on a Cortex-M4 (QEMU mps2-an386): a TLS-PSK client over UART0.
 *
 * The emulator's command line (semihosting) gives: SUITE IDENTITY KEYHEX
 * [GROUP [TIMEOUT_MS]] (GROUP "-": mbedtls's default groups)
 * (SUITE "features": check what this mbedtls build refuses, no connection).
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
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "entropy.h"
#include "heap_meter.h"
#include "report.h"
#include "tls_stream/mbedtls.h"
#include "tls_stream/tls_stream.h"
#include "uart_io.h"

#define MESSAGE "hello from a cortex-m4\n"
#define TIMEOUT_MS 15000 /* default: no progress for this long ends the connection */
#define MAX_ARGS 6

/* "hex" -> key; returns its length, or 0 when it is not 1..size bytes of hex. */
static size_t parse_key(const char *hex, unsigned char *key, size_t size)
{
    size_t n;

    for (n = 0; hex[2 * n] != '\0'; n++) {
        char pair[3];

        pair[0] = hex[2 * n];
        pair[1] = hex[2 * n + 1];
        pair[2] = '\0';
        if (n == size || !isxdigit((unsigned char)pair[0]) || !isxdigit((unsigned char)pair[1]))
            return 0;
        key[n] = (unsigned char)strtoul(pair, NULL, 16);
    }
    return n;
}

/* Split the command line in place; the first word is the image's name. */
static int split(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line;

    while (*p != '\0' && argc < max) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        argv[argc++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
    return argc;
}

static void heap_line(const char *phase, int peak)
{
    report("FW heap %s ours=%u mbedtls=%u total=%u\n", phase,
           (unsigned)(peak ? heap_ours.peak : heap_ours.now),
           (unsigned)(peak ? heap_mbedtls.peak : heap_mbedtls.now),
           (unsigned)(peak ? heap_total.peak : heap_total.now));
}

static int report_error(const char *where, tls_stream *s, int status)
{
    const char *msg = "";
    int code = s != NULL ? tls_stream_error_detail(s, &msg) : 0;

    report("FW result error where=%s status=%d code=%d text=\"%s\" \"%s\"\n", where, status,
           code, tls_stream_strerror(status), msg);
    return 1;
}

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
        return report_error("config", NULL, rc);
    if ((rc = tls_stream_config_set_psk(cfg, identity, strlen(identity), key, key_len)) != 0 ||
        (rc = tls_stream_config_set_ciphersuites(cfg, suites)) != 0 ||
        (rc = tls_stream_config_set_max_fragment(cfg, 1024)) != 0 ||
        (rc = tls_stream_config_set_entropy(cfg, fw_entropy, NULL)) != 0 ||
        (rc = tls_stream_config_set_timeout(cfg, timeout_ms)) != 0 ||
        (group != NULL && (rc = tls_stream_config_set_groups(cfg, groups)) != 0)) {
        tls_stream_config_free(cfg);
        return report_error("config", NULL, rc);
    }
    uart_io_init(&io, &uart, FW_UART0);
    rc = tls_stream_new(&s, cfg, &io);
    tls_stream_config_free(cfg); /* the stream keeps its reference */
    if (rc != TLS_STREAM_OK)
        return report_error("new", NULL, rc);
    heap_line("ready", 0);

    rc = tls_stream_handshake(s);
    heap_line("handshake-peak", 1);
    if (rc != TLS_STREAM_OK) {
        rc = report_error("handshake", s, rc);
        tls_stream_free(s);
        return rc;
    }
    report("FW handshake ok %s %s\n", tls_stream_version(s), tls_stream_cipher(s));
    heap_line("idle", 0);

    rc = tls_stream_write(s, MESSAGE, sizeof MESSAGE - 1);
    if (rc == (int)(sizeof MESSAGE - 1))
        rc = read_line(s, reply, sizeof reply);
    if (rc < 0) {
        rc = report_error("data", s, rc);
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
        rc = report_error("close", s, rc);
        tls_stream_free(s);
        return rc;
    }
    rc = tls_stream_close(s);
    tls_stream_free(s);
    if (rc != TLS_STREAM_OK)
        return report_error("close", NULL, rc);
    report("FW close ok\n");
    return 0;
}

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
static int check_features(const char *identity, const unsigned char *key, size_t key_len)
{
    static const char *const alpn[] = {"h2", NULL};
    static const char pem[] = "-----BEGIN CERTIFICATE-----\n";
    tls_stream_config *cfg, *srv = NULL;
    int ca, cert, keyf, alp, server;

    if (tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT,
                              &heap_meter_allocator) != TLS_STREAM_OK)
        return report_error("config", NULL, TLS_STREAM_ERR_NOMEM);
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
    static char cmdline[256];
    char *argv[MAX_ARGS];
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    size_t key_len;
    int argc, rc;

    uart_init(FW_UART1);
    board_clock_init();
    heap_meter_install_mbedtls();
    report("FW start %s messages=%d\n", tls_stream_backend_mbedtls()->name,
           tls_stream_strerror(TLS_STREAM_ERR_ARG)[0] != '\0');
    if (semihost_cmdline(cmdline, sizeof cmdline) != 0 ||
        (argc = split(cmdline, argv, MAX_ARGS)) < 4 ||
        (key_len = parse_key(argv[3], key, sizeof key)) == 0) {
        report("FW usage: IMAGE SUITE IDENTITY KEYHEX [GROUP [TIMEOUT_MS]] (got \"%s\")\n",
               cmdline);
        return 2;
    }
    if (strcmp(argv[1], "features") == 0)
        rc = check_features(argv[2], key, key_len);
    else
        rc = run(argv[1], argv[2], key, key_len,
                 argc >= 5 && strcmp(argv[4], "-") != 0 ? argv[4] : NULL,
                 argc >= 6 ? (int)strtoul(argv[5], NULL, 10) : TIMEOUT_MS);
    memset(key, 0, sizeof key);
    heap_line("peak", 1);
    heap_line("end", 0);
    report("FW stack used=%u of %u\n", (unsigned)board_stack_used(), (unsigned)board_stack_size());
    report("FW static-ram %u\n", (unsigned)board_static_ram());
    report("FW malloc-arena %u\n", (unsigned)board_heap_arena());
    if (rc == 0)
        report("FW result ok\n");
    return rc;
}
