/*
 * tls_stream_io over a polled UART (see uart_io.h).
 */
#include "uart_io.h"

#include <string.h>

#include "board.h"
#include "tls_stream/error.h"

static int uart_io_read(void *ctx, unsigned char *buf, size_t len)
{
    const uart_io *u = ctx;
    size_t n = 0;
    int c;

    while (n < len && (c = uart_getc(u->base)) >= 0)
        buf[n++] = (unsigned char)c;
    return n > 0 ? (int)n : TLS_STREAM_WANT_READ;
}

static int uart_io_write(void *ctx, const unsigned char *buf, size_t len)
{
    const uart_io *u = ctx;
    size_t i;

    for (i = 0; i < len; i++)
        uart_putc(u->base, buf[i]);
    return (int)len;
}

/* The UART has a one-byte receive register: poll it, sleeping (WFI) until
 * the next interrupt between polls; SysTick wakes the core every
 * millisecond. (Spinning on the register instead also starves QEMU's own
 * timers: the clock then runs up to 3 times slow.) A board with an
 * interrupt-driven receive buffer wakes on the byte itself. */
static int uart_io_wait(void *ctx, int want, int timeout_ms)
{
    const uart_io *u = ctx;
    uint32_t start = board_millis();

    if (want == TLS_STREAM_WANT_WRITE)
        return 0; /* writes never ask to wait */
    for (;;) {
        if (uart_rx_ready(u->base))
            return 0;
        if (timeout_ms >= 0 && board_millis() - start >= (uint32_t)timeout_ms)
            return TLS_STREAM_ERR_TIMEOUT;
        __asm__ volatile("wfi"); /* until the next interrupt */
    }
}

void uart_io_init(tls_stream_io *io, uart_io *u, uint32_t base)
{
    u->base = base;
    uart_init(base);
    memset(io, 0, sizeof *io); /* no close: a UART has nothing to close */
    io->ctx = u;
    io->read = uart_io_read;
    io->write = uart_io_write;
    io->wait = uart_io_wait;
}
