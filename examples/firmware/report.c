/*
 * A minimal printf on UART1 (see report.h).
 */
#include "report.h"

#include <stdarg.h>

#include "board.h"

static void put_str(const char *s)
{
    while (*s != '\0')
        uart_putc(FW_UART1, (unsigned char)*s++);
}

static void put_unsigned(unsigned long v)
{
    char digits[12];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n > 0)
        uart_putc(FW_UART1, (unsigned char)digits[--n]);
}

void report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt != '\0'; fmt++) {
        if (*fmt != '%' || fmt[1] == '\0') {
            uart_putc(FW_UART1, (unsigned char)*fmt);
            continue;
        }
        switch (*++fmt) {
        case 's':
            put_str(va_arg(ap, const char *));
            break;
        case 'd': {
            int v = va_arg(ap, int);
            if (v < 0) {
                uart_putc(FW_UART1, '-');
                put_unsigned(0ul - (unsigned long)v);
            } else {
                put_unsigned((unsigned long)v);
            }
            break;
        }
        case 'u':
            put_unsigned(va_arg(ap, unsigned));
            break;
        default:
            uart_putc(FW_UART1, (unsigned char)*fmt);
            break;
        }
    }
    va_end(ap);
}
