/*
 * Reference counts of shared configurations. Atomic where the compiler
 * offers it, so streams on different threads may share one tls_stream_config.
 */
#ifndef TLS_STREAM_REFCOUNT_H
#define TLS_STREAM_REFCOUNT_H

#if defined(__GNUC__) || defined(__clang__)
#define TLS_REF_INC(p) ((void)__atomic_add_fetch((p), 1, __ATOMIC_RELAXED))
#define TLS_REF_DEC(p) __atomic_sub_fetch((p), 1, __ATOMIC_ACQ_REL)
#else
/* Without atomics: create and free streams that share a config on one thread. */
#define TLS_REF_INC(p) ((void)++*(p))
#define TLS_REF_DEC(p) (--*(p))
#endif

#endif /* TLS_STREAM_REFCOUNT_H */
