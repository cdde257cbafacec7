/*
 * Byte helpers. The core uses no <string.h>: it must build freestanding,
 * where the C library may be absent.
 */
#include "core_copy.h"
#include "core_internal.h"

void tls_stream_memzero(void *p, size_t n)
{
    /* volatile: a plain loop on memory about to be freed may be optimised away */
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--)
        *v++ = 0;
}

void tls_stream_memcopy(void *dst, const void *src, size_t n)
{
    /* n == 0 may come with NULL pointers, which memcpy does not allow */
    if (n != 0)
        TLS_STREAM_COPY_BYTES(dst, src, n);
}

int tls_stream_memeq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;
    unsigned char diff = 0;
    /* no early exit: identities and keys are compared in constant time */
    while (n--)
        diff |= (unsigned char)(*x++ ^ *y++);
    return diff == 0;
}

size_t tls_stream_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int tls_stream_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int tls_stream_hex_decode(const char *hex, size_t hex_len, unsigned char *out, size_t out_size)
{
    size_t i;
    if (hex == NULL || hex_len == 0 || hex_len % 2 != 0 || hex_len / 2 > out_size)
        return TLS_STREAM_ERR_BAD_KEY;
    for (i = 0; i < hex_len; i += 2) {
        int hi = tls_stream_hex_value(hex[i]);
        int lo = tls_stream_hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return TLS_STREAM_ERR_BAD_KEY;
        out[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return (int)(hex_len / 2);
}

size_t tls_stream_utoa(unsigned long v, char *out, size_t size)
{
    char digits[3 * sizeof v]; /* > the digits of any unsigned long */
    size_t d = 0, n = 0;
    do {
        digits[d++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (d > 0 && n + 1 < size)
        out[n++] = digits[--d];
    out[n] = '\0';
    return n;
}
