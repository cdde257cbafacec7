/*
 * Detail texts the backends word alike. snprintf, as the backends had it:
 * a backend's build links it anyway unless TLS_STREAM_NO_MESSAGES is set,
 * and then these texts are not built.
 */
#include <stdio.h>

#include "backend_common.h"

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
int tls_stream_bk_name_error(tls_stream_detail *d, int status, const char *what, const char *name)
{
    char msg[sizeof d->msg];

    snprintf(msg, sizeof msg, "%s: %.60s", what, name);
    return tls_stream_detail_set(d, status, 0, msg);
}

int tls_stream_bk_peer_alert(tls_stream_detail *d, int code, int alert, const char *name)
{
    char msg[sizeof d->msg];

    snprintf(msg, sizeof msg, "peer alert %d (%s)", alert, name);
    return tls_stream_detail_set(d, TLS_STREAM_ERR_PEER_ALERT, code, msg);
}

void tls_stream_bk_depth_text(char *msg, size_t size, int depth)
{
    snprintf(msg, size, "certificate chain longer than the verify depth (%d)", depth);
}
#endif
