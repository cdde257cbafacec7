/* Error texts and the backend detail record. */
#include "core_internal.h"

#if TLS_STREAM_NO_MESSAGES
const char *tls_stream_strerror(int code)
{
    (void)code;
    return "";
}
#else
const char *tls_stream_strerror(int code)
{
    switch (code) {
    case TLS_STREAM_OK: return "success";
    case TLS_STREAM_WANT_READ: return "operation would block (waiting to read)";
    case TLS_STREAM_WANT_WRITE: return "operation would block (waiting to write)";
    case TLS_STREAM_INTERRUPTED: return "interrupted (call again to continue)";
    case TLS_STREAM_ERR_ARG: return "invalid argument";
    case TLS_STREAM_ERR_STATE: return "invalid call in the current state";
    case TLS_STREAM_ERR_CONFIG: return "invalid configuration";
    case TLS_STREAM_ERR_UNSUPPORTED: return "not supported by the backend";
    case TLS_STREAM_ERR_NOMEM: return "out of memory";
    case TLS_STREAM_ERR_BAD_KEY: return "invalid key";
    case TLS_STREAM_ERR_BAD_CERT: return "invalid certificate";
    case TLS_STREAM_ERR_CLOSED: return "connection closed";
    case TLS_STREAM_ERR_TRUNCATED: return "connection closed without close_notify (truncated)";
    case TLS_STREAM_ERR_IO: return "transport error";
    case TLS_STREAM_ERR_TIMEOUT: return "timed out";
    case TLS_STREAM_ERR_VERIFY: return "certificate verification failed: untrusted chain";
    case TLS_STREAM_ERR_HOSTNAME: return "certificate verification failed: host name mismatch";
    case TLS_STREAM_ERR_CERT_EXPIRED: return "certificate verification failed: expired or not yet valid";
    case TLS_STREAM_ERR_NO_PEER_CERT: return "peer sent no certificate";
    case TLS_STREAM_ERR_PSK_IDENTITY: return "unknown PSK identity";
    case TLS_STREAM_ERR_PEER_ALERT: return "peer sent a fatal alert";
    case TLS_STREAM_ERR_HANDSHAKE: return "handshake failed";
    case TLS_STREAM_ERR_PROTOCOL: return "TLS protocol error";
    case TLS_STREAM_ERR_INTERNAL: return "internal error";
    default: break;
    }
    if (code < 0 && code > -4096)
        return "transport error (negated errno)";
    return "unknown error";
}
#endif

int tls_stream_detail_set(tls_stream_detail *d, int status, int code, const char *msg)
{
    size_t n;
    if (d == NULL)
        return status;
    d->code = code;
    n = msg != NULL ? tls_stream_strnlen(msg, sizeof d->msg - 1) : 0;
    if (n > 0)
        tls_stream_memcopy(d->msg, msg, n);
    d->msg[n] = '\0';
    return status;
}
