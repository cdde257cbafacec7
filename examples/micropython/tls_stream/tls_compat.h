/*
 * The library's io contract (issue 10) as this module uses it, in one place:
 * the interrupt status of a transport, and abort without I/O.
 */
#ifndef MOD_TLS_COMPAT_H
#define MOD_TLS_COMPAT_H

#include "tls_stream/tls_stream.h"

/*
 * What our transport returns when the wrapped stream raised (Ctrl-C, an
 * exception in a Python stream): the library hands it back at once without
 * failing the stream, and the next call continues where it stopped.
 */
#define MP_TLS_IO_INTERRUPTED(want) ((void)(want), TLS_STREAM_INTERRUPTED)

/* A call's result that is no failure: would block, or interrupted. */
static inline int mp_tls_status_retry(int rc)
{
    return rc == TLS_STREAM_INTERRUPTED || rc == TLS_STREAM_WANT_READ ||
           rc == TLS_STREAM_WANT_WRITE;
}

#endif /* MOD_TLS_COMPAT_H */
