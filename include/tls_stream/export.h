/*
 * tls_stream — the export macro.
 *
 * TLS_STREAM_API marks every function of the public API. The library is built
 * with hidden visibility (-fvisibility=hidden), so only what carries this mark
 * is exported from the shared library; everything else stays internal.
 * Static builds and toolchains without visibility support see an empty macro.
 */
#ifndef TLS_STREAM_EXPORT_H
#define TLS_STREAM_EXPORT_H

#if defined(_WIN32) && defined(TLS_STREAM_SHARED)
#  ifdef TLS_STREAM_BUILDING
#    define TLS_STREAM_API __declspec(dllexport)
#  else
#    define TLS_STREAM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define TLS_STREAM_API __attribute__((visibility("default")))
#else
#  define TLS_STREAM_API
#endif

#endif /* TLS_STREAM_EXPORT_H */
