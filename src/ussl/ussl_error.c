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

/* MicroPython's errno names: errno_nums[i] is called the i-th string of
 * errno_names (one packed string, not a switch: a switch over numbers up to
 * 115 compiles into a 460-byte table of pointers). */
static const unsigned char errno_nums[] = {
    USSL_EPERM, USSL_ENOENT, USSL_EINTR, USSL_EIO, USSL_EBADF, USSL_EAGAIN, USSL_ENOMEM,
    USSL_EACCES, USSL_EINVAL, USSL_EPIPE, USSL_EOPNOTSUPP, USSL_ECONNABORTED, USSL_ECONNRESET,
    USSL_ENOTCONN, USSL_ETIMEDOUT, USSL_ECONNREFUSED, USSL_EHOSTUNREACH, USSL_EALREADY,
    USSL_EINPROGRESS};
static const char errno_names[] =
    "EPERM\0ENOENT\0EINTR\0EIO\0EBADF\0EAGAIN\0ENOMEM\0"
    "EACCES\0EINVAL\0EPIPE\0EOPNOTSUPP\0ECONNABORTED\0ECONNRESET\0"
    "ENOTCONN\0ETIMEDOUT\0ECONNREFUSED\0EHOSTUNREACH\0EALREADY\0"
    "EINPROGRESS";

const char *ussl_errno_name(int err)
{
    const char *name = errno_names;
    size_t i;

    for (i = 0; i < sizeof errno_nums; i++) {
        if (errno_nums[i] == err)
            return name;
        name += tls_stream_strnlen(name, sizeof errno_names) + 1;
    }
    return "";
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

int ussl_transport_error(ussl_error *e, int n, int status)
{
    return ussl_os_error(e, USSL_IS_ERRNO(n) ? -n : USSL_EIO, status);
}

int ussl_value_error(ussl_error *e, const char *msg)
{
    return ussl_set_error(e, USSL_E_VALUE, USSL_VALUEERROR, 0, 0, msg);
}

static const char *text_or(const char *detail, int status)
{
    return detail != NULL && *detail != '\0' ? detail : tls_stream_strerror(status);
}

/* The statuses MicroPython raises as OSError(errno). Our statuses are
 * -0x70xx: 16 bits each. */
static const struct {
    short status;
    unsigned char err;
} os_errors[] = {
    {TLS_STREAM_WANT_READ, USSL_EAGAIN},
    {TLS_STREAM_WANT_WRITE, USSL_EAGAIN},
    {TLS_STREAM_INTERRUPTED, USSL_EINTR},
    {TLS_STREAM_ERR_NOMEM, USSL_ENOMEM},
    {TLS_STREAM_ERR_TIMEOUT, USSL_ETIMEDOUT},
    {TLS_STREAM_ERR_CLOSED, USSL_EPIPE}, /* we check our own close first: this is the peer's */
    {TLS_STREAM_ERR_UNSUPPORTED, USSL_EOPNOTSUPP},
};

int ussl_from_status(ussl_error *e, int status, int detail_code, const char *detail_msg)
{
    size_t i;

    for (i = 0; i < sizeof os_errors / sizeof os_errors[0]; i++) {
        if (os_errors[i].status == status)
            return ussl_os_error(e, os_errors[i].err, status);
    }
    switch (status) {
    case TLS_STREAM_ERR_IO:
        /* the adapter's negated errno passes through */
        return ussl_transport_error(e, detail_code, status);
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
