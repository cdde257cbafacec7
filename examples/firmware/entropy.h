/*
 * The board's entropy source (see entropy.c: where a real TRNG goes).
 */
#ifndef FW_ENTROPY_H
#define FW_ENTROPY_H

#include <stddef.h>

/** tls_stream_entropy_fn: fill buf with len random bytes; 0, or -1 on failure. */
int fw_entropy(void *arg, unsigned char *buf, size_t len);

#endif /* FW_ENTROPY_H */
