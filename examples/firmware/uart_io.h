/*
 * A tls_stream_io over a polled UART: the byte stream TLS runs over. Read
 * and write never block (TLS_STREAM_WANT_READ when no byte is waiting); wait
 * polls until the UART is ready or the timeout runs out, so a silent peer
 * ends in TLS_STREAM_ERR_TIMEOUT rather than a hang. An lwIP or cellular
 * modem transport has the same shape (see docs/porting.md).
 */
#ifndef FW_UART_IO_H
#define FW_UART_IO_H

#include <stdint.h>

#include "tls_stream/io.h"

typedef struct uart_io {
    uint32_t base;
} uart_io;

/** Fill io with the UART stream over u (u must outlive the stream). */
void uart_io_init(tls_stream_io *io, uart_io *u, uint32_t base);

#endif /* FW_UART_IO_H */
