/* The tls_stream object, shared by the files of the core that use it. */
#ifndef TLS_STREAM_STREAM_INTERNAL_H
#define TLS_STREAM_STREAM_INTERNAL_H

#include <limits.h>

#include "core_internal.h"

#define TLS_INT_MAX INT_MAX

/* Kinds of public calls, for tls_stream_wants(). */
#define TLS_STREAM_CALL_READ 0
#define TLS_STREAM_CALL_WRITE 1      /* write, flush, shutdown, close */
#define TLS_STREAM_CALL_HANDSHAKE 2

struct tls_stream {
    tls_stream_config *cfg;     /* one reference held */
    tls_stream_io io;
    void *session;       /* backend session, created when the handshake starts */
    tls_stream_conn_state state;
    int error;           /* the sticky error of TLS_STREAM_STATE_FAILED */
    int pending[3];      /* per TLS_STREAM_CALL_*: the want its last call answered, or 0 */
    int short_want;      /* the want that cut the current write short, or 0 */
    int blocking;
    int io_closed;
    int shut_wr;         /* tls_stream_shutdown() sent (or is sending) close_notify */
    char *server_name;   /* per-stream override of cfg->server_name */
    unsigned char *resume; /* client: saved session to offer, until the handshake starts */
    size_t resume_len;
    tls_stream_conn_info info;  /* valid from OPEN on */
    tls_stream_detail detail;
};

#endif /* TLS_STREAM_STREAM_INTERNAL_H */
