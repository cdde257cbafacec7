/*
 * The report on UART1: a printf for %s, %d and %u only, so that the image
 * does not carry newlib's stdio (about 4 KiB of flash) just to print figures.
 */
#ifndef FW_REPORT_H
#define FW_REPORT_H

/** printf-like output on UART1; knows %s, %d, %u and %%. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* FW_REPORT_H */
