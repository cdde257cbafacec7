/*
 * What both images share: start-up, the command line, the report of the
 * heap and stack figures at the end, and the error line.
 */
#ifndef FW_APP_H
#define FW_APP_H

#include <stddef.h>

#include "tls_stream/tls_stream.h"

/**
 * The image's body: argv[0] is the image's name, argv[1..] the command
 * line's other words (argc of them in all, at least 4: the argument after
 * the name, IDENTITY and KEYHEX, whose bytes are in key). Returns the exit
 * status: 0 success, 1 a TLS failure.
 */
typedef int (*app_body)(int argc, char **argv, const unsigned char *key, size_t key_len);

/**
 * Set up the board and the heap meters, read the command line, run body,
 * print the heap, stack and static RAM figures and the result. Returns the
 * exit status (2 for a bad command line).
 */
int app_run(app_body body);

/** Print the heap meters' levels (peak: their high-water marks) for phase. */
void app_heap_line(const char *phase, int peak);

/** Print "FW result error ..." for status met in where (s: its detail, or NULL). Returns 1. */
int app_error(const char *where, tls_stream *s, int status);

#endif /* FW_APP_H */
