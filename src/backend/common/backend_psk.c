/* The server's PSK lookup, as every backend asks it. */
#include "backend_common.h"

int tls_stream_bk_psk_lookup(tls_stream_psk_lookup_fn lookup, void *arg, const unsigned char *identity,
                             size_t identity_len, unsigned char *key, size_t key_size, size_t *key_len)
{
    int n;

    *key_len = 0;
    if (identity_len == 0 || identity_len > TLS_STREAM_PSK_MAX_IDENTITY)
        return TLS_STREAM_ERR_PSK_IDENTITY;
    n = lookup(arg, identity, identity_len, key, key_size);
    if (n <= 0)
        return TLS_STREAM_ERR_PSK_IDENTITY;
    if ((size_t)n > key_size)
        return TLS_STREAM_ERR_INTERNAL; /* the lookup broke its contract */
    *key_len = (size_t)n;
    return TLS_STREAM_OK;
}
