/* Detail texts the backends word alike. */
#include "backend_common.h"

#include "../../core/core_internal.h"

int tls_stream_bk_transport_error(tls_stream_detail *d, int status, int code)
{
    return tls_stream_detail_set(d, status, code,
                                 status == TLS_STREAM_ERR_IO
                                     ? TLS_STREAM_MSG("transport error")
                                     : TLS_STREAM_MSG("transport broke the tls_stream_io contract"));
}

#if TLS_STREAM_NO_MESSAGES
int tls_stream_bk_name_error(tls_stream_detail *d, int status, const char *what, const char *name)
{
    (void)what;
    (void)name;
    return tls_stream_detail_set(d, status, 0, "");
}
#else
/* Append at most max bytes of s to buf (size bytes, n used); returns the new n. */
static size_t append(char *buf, size_t size, size_t n, const char *s, size_t max)
{
    size_t k = tls_stream_strnlen(s, max);

    if (k > size - 1 - n)
        k = size - 1 - n;
    tls_stream_memcopy(buf + n, s, k);
    return n + k;
}

int tls_stream_bk_name_error(tls_stream_detail *d, int status, const char *what, const char *name)
{
    char msg[sizeof d->msg];
    size_t n = append(msg, sizeof msg, 0, what, sizeof msg);

    n = append(msg, sizeof msg, n, ": ", 2);
    n = append(msg, sizeof msg, n, name, 60);
    msg[n] = '\0';
    return tls_stream_detail_set(d, status, 0, msg);
}

int tls_stream_bk_peer_alert(tls_stream_detail *d, int code, int alert, const char *name)
{
    char msg[sizeof d->msg];
    size_t n = append(msg, sizeof msg, 0, "peer alert ", sizeof msg);

    n += tls_stream_utoa((unsigned long)alert, msg + n, sizeof msg - n);
    n = append(msg, sizeof msg, n, " (", 2);
    n = append(msg, sizeof msg, n, name, sizeof msg);
    n = append(msg, sizeof msg, n, ")", 1);
    msg[n] = '\0';
    return tls_stream_detail_set(d, TLS_STREAM_ERR_PEER_ALERT, code, msg);
}

void tls_stream_bk_depth_text(char *msg, size_t size, int depth)
{
    size_t n = append(msg, size, 0, "certificate chain longer than the verify depth (", size);

    n += tls_stream_utoa((unsigned long)depth, msg + n, size - n);
    n = append(msg, size, n, ")", 1);
    msg[n] = '\0';
}
#endif
