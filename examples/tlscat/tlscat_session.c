/* tlscat: --session-in / --session-out, a saved client session in a file. */
#include <stdio.h>

#include "example_wipe.h"
#include "tlscat.h"

/* A saved session: a few hundred bytes, a few KB with the peer's chain. */
#define SESSION_MAX 8192

int tlscat_session_load(tls_stream *s, const char *path)
{
    unsigned char buf[SESSION_MAX];
    FILE *f = fopen(path, "rb");
    size_t n;
    int rc;

    if (f == NULL) {
        perror("tlscat: --session-in");
        return TLSCAT_EXIT_USAGE;
    }
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    rc = tls_stream_session_load(s, buf, n);
    example_wipe(buf, sizeof buf); /* holds the session's secret */
    if (rc != TLS_STREAM_OK)
        return tlscat_fail(s, "--session-in", rc);
    return 0;
}

int tlscat_session_save(const tls_stream *s, const char *path)
{
    unsigned char buf[SESSION_MAX];
    size_t len = 0;
    FILE *f;
    int rc = tls_stream_session_save(s, buf, sizeof buf, &len), ok;

    if (rc != TLS_STREAM_OK)
        return tlscat_fail(s, "--session-out", rc);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror("tlscat: --session-out");
        example_wipe(buf, sizeof buf);
        return TLSCAT_EXIT_USAGE;
    }
    ok = fwrite(buf, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    example_wipe(buf, sizeof buf);
    if (!ok) {
        perror("tlscat: --session-out");
        return TLSCAT_EXIT_TRANSPORT;
    }
    return 0;
}
