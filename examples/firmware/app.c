/*
 * Start-up and the report shared by the client and the feature check (see app.h).
 */
#include "app.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "example_wipe.h"
#include "heap_meter.h"
#include "report.h"
#include "tls_stream/mbedtls.h"

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

void app_heap_line(const char *phase, int peak)
{
    report("FW heap %s ours=%u mbedtls=%u total=%u\n", phase,
           (unsigned)(peak ? heap_ours.peak : heap_ours.now),
           (unsigned)(peak ? heap_mbedtls.peak : heap_mbedtls.now),
           (unsigned)(peak ? heap_total.peak : heap_total.now));
}

int app_error(const char *where, tls_stream *s, int status)
{
    const char *msg = "";
    int code = s != NULL ? tls_stream_error_detail(s, &msg) : 0;

    report("FW result error where=%s status=%d code=%d text=\"%s\" \"%s\"\n", where, status,
           code, tls_stream_strerror(status), msg);
    return 1;
}

int app_run(app_body body)
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
        report("FW usage: IMAGE ARG IDENTITY KEYHEX [MORE...] (got \"%s\")\n", cmdline);
        return 2;
    }
    rc = body(argc, argv, key, key_len);
    example_wipe(key, sizeof key); /* a memset the optimiser may drop */
    app_heap_line("peak", 1);
    app_heap_line("end", 0);
    report("FW stack used=%u of %u\n", (unsigned)board_stack_used(), (unsigned)board_stack_size());
    report("FW static-ram %u\n", (unsigned)board_static_ram());
    report("FW malloc-arena %u\n", (unsigned)board_heap_arena());
    if (rc == 0)
        report("FW result ok\n");
    return rc;
}
