/* binascii.unhexlify() for psk_key: its checks and error texts over the core's decoder. */
#include "ussl_internal.h"

int ussl_unhexlify(const char *hex, unsigned char *out, size_t out_size, ussl_error *err)
{
    size_t len, i;
    if (hex == NULL || (out == NULL && out_size > 0))
        return ussl_value_error(err, TLS_STREAM_MSG("unhexlify: no data"));
    len = tls_stream_strnlen(hex, (size_t)INT_MAX);
    if (len % 2 != 0)
        return ussl_value_error(err, TLS_STREAM_MSG("odd-length string"));
    for (i = 0; i < len; i++)
        if (tls_stream_hex_value(hex[i]) < 0)
            return ussl_value_error(err, TLS_STREAM_MSG("non-hex digit found"));
    if (len / 2 > out_size)
        return ussl_value_error(err, TLS_STREAM_MSG("key too long"));
    /* the texts above are unhexlify's; the decoding is the core's */
    return len == 0 ? 0 : tls_stream_hex_decode(hex, len, out, out_size);
}
