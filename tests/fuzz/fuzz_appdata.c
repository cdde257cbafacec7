/*
 * The application-data phase. A real client and server (plain PSK,
 * AES-128-GCM: no ECDHE, so a handshake per input stays cheap) complete a
 * handshake over a memory pipe; the RNG and clock are fixed (fuzz_common.h),
 * so the keys are the same every time and recorded records decrypt. Then one
 * side's transport switches to the fuzzer's bytes: the records it reads are
 * the recorded ones, mutated in flight.
 * Input: byte 0 picks the reader (even: the server reads what "the client"
 * sent; odd: the client reads what "the server" sent); the rest is that
 * byte stream, then the end of the stream.
 */
#include <string.h>

#include "fuzz_common.h"

/* The pipe end until switched, then the feed. */
typedef struct switch_io {
    tls_stream_io pipe_end;
    fuzz_feed feed;
    int switched;
} switch_io;

static int sw_read(void *ctx, unsigned char *buf, size_t len)
{
    switch_io *w = ctx;
    return w->switched ? w->feed.io.read(&w->feed, buf, len)
                       : w->pipe_end.read(w->pipe_end.ctx, buf, len);
}

static int sw_write(void *ctx, const unsigned char *buf, size_t len)
{
    switch_io *w = ctx;
    return w->switched ? w->feed.io.write(&w->feed, buf, len)
                       : w->pipe_end.write(w->pipe_end.ctx, buf, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tls_stream_config *ccfg, *scfg;
    tls_stream_mem_pipe *pipe;
    switch_io w[2];
    tls_stream_io io[2];
    tls_stream *s[2];
    int i, reader, rc;

    if (ccfg == NULL) {
        ccfg = fuzz_psk_client(tls_stream_backend_mbedtls());
        scfg = fuzz_psk_server(tls_stream_backend_mbedtls());
    }
    if (size < 1)
        return 0;
    fuzz_reset();
    reader = (data[0] & 1) ? 0 : 1;
    if (tls_stream_mem_pipe_new(&pipe, 0, NULL) != TLS_STREAM_OK)
        abort();
    for (i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].pipe_end = tls_stream_mem_pipe_io(pipe, i);
        io[i].ctx = &w[i];
        io[i].read = sw_read;
        io[i].write = sw_write;
        io[i].close = NULL;
        io[i].wait = NULL;
        if (tls_stream_new(&s[i], i == 0 ? ccfg : scfg, &io[i]) != TLS_STREAM_OK)
            abort();
        tls_stream_set_blocking(s[i], 0);
    }
    fuzz_plain_psk(ccfg); /* frozen now; idempotent */
    fuzz_plain_psk(scfg);
    if (fuzz_pair_handshake(s[0], s[1]) != TLS_STREAM_OK)
        abort(); /* deterministic set-up: must always work */
    fuzz_feed_init(&w[reader].feed, data + 1, size - 1);
    w[reader].switched = 1;
    rc = fuzz_drain(s[reader]);
    if (fuzz_verbose())
        fprintf(stderr, "appdata: %s read: %d (%s) detail %d\n", reader ? "server" : "client",
                rc, tls_stream_strerror(rc), tls_stream_error_detail(s[reader], NULL));
    if ((rc == TLS_STREAM_ERR_INTERNAL || rc == TLS_STREAM_ERR_NOMEM || rc == TLS_STREAM_WANT_READ ||
         rc == TLS_STREAM_WANT_WRITE) &&
        !fuzz_known_bug(rc, tls_stream_error_detail(s[reader], NULL))) {
        fprintf(stderr, "appdata: unexpected %d (%s)\n", rc, tls_stream_strerror(rc));
        abort();
    }
    /* sticky errors, and writing/closing after whatever happened */
    if (rc < 0 && fuzz_drain(s[reader]) != rc)
        abort();
    fuzz_check_rc(tls_stream_write(s[reader], "after", 5));
    fuzz_check_rc(tls_stream_close(s[reader]));
    for (i = 0; i < 2; i++)
        tls_stream_free(s[i]);
    tls_stream_mem_pipe_free(pipe);
    return 0;
}
