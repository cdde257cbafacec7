/*
 * The emulated board: CMSDK UARTs, SysTick milliseconds, semihosting, the
 * linker's symbols. Everything here is what a real board replaces with its
 * own drivers (see docs/porting.md).
 */
#ifndef FW_BOARD_H
#define FW_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* ---- CMSDK APB UART (UART0 0x40004000: the TLS link; UART1 0x40005000: the report) */
#define FW_UART0 0x40004000u
#define FW_UART1 0x40005000u

/** Enable transmitter and receiver. */
void uart_init(uint32_t base);
/** Send one byte (waits while the transmitter is full). */
void uart_putc(uint32_t base, unsigned char c);
/** One received byte, or -1 when none is waiting. */
int uart_getc(uint32_t base);
/** Non-zero when a received byte is waiting. */
int uart_rx_ready(uint32_t base);

/* ---- time */
/** Start SysTick at 1 kHz (the board's 25 MHz core clock). */
void board_clock_init(void);
/** Milliseconds since board_clock_init(). */
uint32_t board_millis(void);

/* ---- semihosting (the emulator's host services; a real board has none) */
/** End the program with status (0: success). Does not return. */
void semihost_exit(int status) __attribute__((noreturn));
/** The command line given to the emulator (-semihosting-config arg=...), or -1. */
int semihost_cmdline(char *buf, size_t size);
/** Fill buf with len bytes read from the host file path: 0, or -1. */
int semihost_read_file(const char *path, unsigned char *buf, size_t len);

/* ---- stack high-water mark (the stack is painted before main) */
/** Bytes of stack used so far at most. */
size_t board_stack_used(void);
/** Bytes of stack reserved by the linker script. */
size_t board_stack_size(void);
/** Static RAM: .data + .bss bytes. */
size_t board_static_ram(void);
/** Bytes malloc took from the heap region so far (_sbrk's high-water mark:
 *  what was asked for plus the allocator's overhead and fragmentation). */
size_t board_heap_arena(void);

#endif /* FW_BOARD_H */
