/*
 * MicroPython's exceptions as C return codes: OSError(errno) is -errno,
 * OSError(code, text) is USSL_E_TLS, ValueError(text) is USSL_E_VALUE.
 */
#include "ussl_internal.h"

void ussl_strlcpy(char *dst, size_t dst_size, const char *src, size_t n)
{
    size_t len;
    if (dst_size == 0)
        return;
    len = src != NULL ? tls_stream_strnlen(src, n < dst_size - 1 ? n : dst_size - 1) : 0;
    if (len > 0)
        tls_stream_memcopy(dst, src, len);
    dst[len] = '\0';
}

int ussl_set_error(ussl_error *e, int rc, ussl_error_kind kind, int code, int status,
                   const char *msg)
{
    if (e == NULL)
        return rc;
    e->kind = kind;
    e->code = code;
    e->status = status;
    ussl_strlcpy(e->msg, sizeof e->msg, msg, sizeof e->msg);
    return rc;
}

const char *ussl_errno_name(int err)
{
    switch (err) {
    case USSL_EPERM: return "EPERM";
    case USSL_ENOENT: return "ENOENT";
    case USSL_EINTR: return "EINTR";
    case USSL_EIO: return "EIO";
    case USSL_EBADF: return "EBADF";
    case USSL_EAGAIN: return "EAGAIN";
    case USSL_ENOMEM: return "ENOMEM";
    case USSL_EACCES: return "EACCES";
    case USSL_EINVAL: return "EINVAL";
    case USSL_EPIPE: return "EPIPE";
    case USSL_EOPNOTSUPP: return "EOPNOTSUPP";
    case USSL_ECONNABORTED: return "ECONNABORTED";
    case USSL_ECONNRESET: return "ECONNRESET";
    case USSL_ENOTCONN: return "ENOTCONN";
    case USSL_ETIMEDOUT: return "ETIMEDOUT";
    case USSL_ECONNREFUSED: return "ECONNREFUSED";
    case USSL_EHOSTUNREACH: return "EHOSTUNREACH";
    case USSL_EALREADY: return "EALREADY";
    case USSL_EINPROGRESS: return "EINPROGRESS";
    default: return "";
    }
}

/* "[Errno n]" for errnos without a name, as MicroPython prints them. */
static void errno_text(char *buf, size_t size, int err)
{
    size_t i;
    ussl_strlcpy(buf, size, "[Errno ", 7);
    i = tls_stream_strnlen(buf, size);
    i += tls_stream_utoa(err < 0 ? 0ul : (unsigned long)err, buf + i, size - i);
    ussl_strlcpy(buf + i, size - i, "]", 1);
}

int ussl_os_error(ussl_error *e, int err, int status)
{
    const char *name = ussl_errno_name(err);
    char text[24];
    if (*name == '\0') {
        errno_text(text, sizeof text, err);
        name = text;
    }
    return ussl_set_error(e, -err, USSL_OSERROR, err, status, name);
}

int ussl_value_error(ussl_error *e, const char *msg)
{
    return ussl_set_error(e, USSL_E_VALUE, USSL_VALUEERROR, 0, 0, msg);
}

static const char *text_or(const char *detail, int status)
{
    return detail != NULL && *detail != '\0' ? detail : tls_stream_strerror(status);
}

int ussl_from_status(ussl_error *e, int status, int detail_code, const char *detail_msg)
{
    switch (status) {
    case TLS_STREAM_WANT_READ:
    case TLS_STREAM_WANT_WRITE:
        return ussl_os_error(e, USSL_EAGAIN, status);
    case TLS_STREAM_INTERRUPTED:
        return ussl_os_error(e, USSL_EINTR, status);
    case TLS_STREAM_ERR_NOMEM:
        return ussl_os_error(e, USSL_ENOMEM, status);
    case TLS_STREAM_ERR_TIMEOUT:
        return ussl_os_error(e, USSL_ETIMEDOUT, status);
    case TLS_STREAM_ERR_CLOSED: /* we check our own close first: this is the peer's */
        return ussl_os_error(e, USSL_EPIPE, status);
    case TLS_STREAM_ERR_UNSUPPORTED:
        return ussl_os_error(e, USSL_EOPNOTSUPP, status);
    case TLS_STREAM_ERR_IO:
        /* the adapter's negated errno passes through */
        return ussl_os_error(e, detail_code < 0 && detail_code > -4096 ? -detail_code : USSL_EIO,
                             status);
    case TLS_STREAM_ERR_BAD_KEY:
        ussl_value_error(e, TLS_STREAM_MSG("invalid key"));
        break;
    case TLS_STREAM_ERR_BAD_CERT:
        ussl_value_error(e, TLS_STREAM_MSG("invalid cert"));
        break;
    case TLS_STREAM_ERR_ARG:
    case TLS_STREAM_ERR_STATE:
    case TLS_STREAM_ERR_CONFIG:
    case TLS_STREAM_ERR_VERIFY:
    case TLS_STREAM_ERR_HOSTNAME:
    case TLS_STREAM_ERR_CERT_EXPIRED:
        /* verification failures: ValueError with the verification reason */
        ussl_value_error(e, text_or(detail_msg, status));
        break;
    default:
        /* a TLS failure: OSError(backend code, backend text) */
        return ussl_set_error(e, USSL_E_TLS, USSL_OSERROR, detail_code != 0 ? detail_code : status,
                              status, text_or(detail_msg, status));
    }
    if (e != NULL)
        e->status = status;
    return USSL_E_VALUE;
}

int ussl_from_stream(ussl_error *e, const tls_stream *s, int status)
{
    const char *msg = NULL;
    int code = tls_stream_error_detail(s, &msg);
    return ussl_from_status(e, status, code, msg);
}
