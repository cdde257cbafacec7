/*
 * ARM CMSDK APB UART, polled: DATA +0x0, STATE +0x4 (bit 0 TX full, bit 1
 * RX full), CTRL +0x8 (bit 0 TX enable, bit 1 RX enable). Under QEMU no
 * baud rate is needed; a real board sets BAUDDIV (+0x10) too.
 */
#include "board.h"

#define REG(base, off) (*(volatile uint32_t *)((base) + (off)))
#define DATA 0x0u
#define STATE 0x4u
#define CTRL 0x8u
#define TX_FULL 0x1u
#define RX_FULL 0x2u

void uart_init(uint32_t base)
{
    REG(base, CTRL) = 0x3u;
}

void uart_putc(uint32_t base, unsigned char c)
{
    while (REG(base, STATE) & TX_FULL)
        ;
    REG(base, DATA) = c;
}

int uart_rx_ready(uint32_t base)
{
    return (REG(base, STATE) & RX_FULL) != 0;
}

int uart_getc(uint32_t base)
{
    if (!uart_rx_ready(base))
        return -1;
    return (int)(REG(base, DATA) & 0xFFu);
}
