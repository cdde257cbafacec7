/*
 * How the core copies bytes (tls_stream_memcopy): the one porting choice
 * behind it, kept out of bytes.c.
 *
 * GCC and clang require every environment, freestanding included, to
 * provide memcpy (and memmove, memset, memcmp): they emit calls to it for
 * struct copies themselves. __builtin_memcpy therefore adds no dependency
 * and no header, and gets the C library's tuned copy (inline for small
 * constant sizes). Other compilers, or a build that defines
 * TLS_STREAM_PORTABLE_COPY, get a plain byte loop in strictly conforming
 * C99 (a word-at-a-time copy would need a may_alias type, itself GNU C).
 */
#ifndef TLS_STREAM_CORE_COPY_H
#define TLS_STREAM_CORE_COPY_H

#include <stddef.h>

#if (defined(__GNUC__) || defined(__clang__)) && !defined(TLS_STREAM_PORTABLE_COPY)
#define TLS_STREAM_COPY_BYTES(dst, src, n) ((void)__builtin_memcpy((dst), (src), (n)))
#else
static inline void tls_stream_copy_loop(unsigned char *d, const unsigned char *s, size_t n)
{
    while (n--)
        *d++ = *s++;
}
#define TLS_STREAM_COPY_BYTES(dst, src, n) \
    tls_stream_copy_loop((unsigned char *)(dst), (const unsigned char *)(src), (n))
#endif

#endif /* TLS_STREAM_CORE_COPY_H */
