/*
 * Adapters for tls_stream API changes under way (issue 10, the io contract):
 * an interrupt status for transports, and abort without I/O. Each is one
 * small function so that switching to the new API touches only this file.
 */
#ifndef MOD_TLS_COMPAT_H
#define MOD_TLS_COMPAT_H

#include "tls_stream/tls_stream.h"

/*
 * What our transport returns when the wrapped stream raised (Ctrl-C, an
 * exception in a Python stream): the session must survive and the call be
 * retried later. TLS_STREAM_INTERRUPTED when the library has it; until then
 * "would block", which every backend treats as retryable.
 */
#ifdef TLS_STREAM_INTERRUPTED
#define MP_TLS_IO_INTERRUPTED(want) ((void)(want), TLS_STREAM_INTERRUPTED)
#else
#define MP_TLS_IO_INTERRUPTED(want) (want)
#endif

/* A call's result that is no failure: would block, or interrupted. */
static inline int mp_tls_status_retry(int rc)
{
#ifdef TLS_STREAM_INTERRUPTED
    if (rc == TLS_STREAM_INTERRUPTED)
        return 1;
#endif
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

#endif /* MOD_TLS_COMPAT_H */
