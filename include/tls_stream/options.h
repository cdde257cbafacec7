/*
 * tls_stream compile-time options, with their defaults.
 *
 * Every option is a macro that is 0 (off) or 1 (on). Set one with -D on the
 * compiler command line for every library source (CMake: the option of the
 * same name), e.g. -DTLS_STREAM_NO_MESSAGES=1. Options change how much text
 * the library carries, never what a call does or which code it returns; the
 * library must be compiled with the same options as the code that tests it.
 *
 * The library's own sources include this header; the public API headers do
 * not, and nothing here changes a type or a function signature.
 */
#ifndef TLS_STREAM_TLS_OPTIONS_H
#define TLS_STREAM_TLS_OPTIONS_H

/**
 * TLS_STREAM_NO_MESSAGES (default 0): drop the human-readable texts, for
 * firmware where every byte of flash counts (about 7.5 KiB on a Cortex-M4
 * over core, ussl and the mbedtls backend).
 *
 * With 1:
 *  - every detail message (tls_stream_config_error_detail(),
 *    tls_stream_error_detail(), ussl_error.msg for ValueError and TLS
 *    OSError) is the empty string "";
 *  - tls_stream_strerror() returns "" for every code;
 *  - status codes, detail codes (the backend's own), ussl error kinds and
 *    errno values are exactly those of the default build, and
 *    ussl_errno_name() keeps its names ("EAGAIN"...): they are part of the
 *    MicroPython behaviour, not diagnostics.
 */
#ifndef TLS_STREAM_NO_MESSAGES
#define TLS_STREAM_NO_MESSAGES 0
#endif

/**
 * TLS_STREAM_MSG(text): a diagnostic text of the library. Every detail and error
 * message in the sources is written through it, so that
 * TLS_STREAM_NO_MESSAGES turns them all into "" (one shared byte). Tests
 * wrap the texts they expect in it too (partial texts: the test suite's
 * expect_text.h), so that the whole suite passes in both configurations.
 */
#if TLS_STREAM_NO_MESSAGES
#define TLS_STREAM_MSG(text) ""
#else
#define TLS_STREAM_MSG(text) text
#endif

#endif /* TLS_STREAM_TLS_OPTIONS_H */
