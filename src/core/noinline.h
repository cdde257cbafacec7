/*
 * TLS_STREAM_NOINLINE keeps a small static function out of line. For code
 * size only: gcc -Os copies such a function into every return path of its
 * callers (note() in stream.c: 132 bytes on a Cortex-M4). Nothing depends
 * on it; empty where the compiler has no such attribute.
 */
#ifndef TLS_STREAM_NOINLINE_H
#define TLS_STREAM_NOINLINE_H

#if defined(__GNUC__) || defined(__clang__)
#define TLS_STREAM_NOINLINE __attribute__((noinline))
#else
#define TLS_STREAM_NOINLINE
#endif

#endif /* TLS_STREAM_NOINLINE_H */
