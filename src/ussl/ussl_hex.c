/* binascii.unhexlify() for psk_key, with its error texts. */
#include "ussl_internal.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ussl_unhexlify(const char *hex, unsigned char *out, size_t out_size, ussl_error *err)
{
    size_t len, i;
    if (hex == NULL || (out == NULL && out_size > 0))
        return ussl_value_error(err, "unhexlify: no data");
    len = tls_strnlen(hex, (size_t)INT_MAX);
    if (len % 2 != 0)
        return ussl_value_error(err, "odd-length string");
    for (i = 0; i < len; i++)
        if (hex_value(hex[i]) < 0)
            return ussl_value_error(err, "non-hex digit found");
    if (len / 2 > out_size)
        return ussl_value_error(err, "key too long");
    for (i = 0; i < len / 2; i++)
        out[i] = (unsigned char)(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
    return (int)(len / 2);
}
