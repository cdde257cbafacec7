/*
 * Reset and vector table for the Cortex-M4 of mps2-an386: copy .data, zero
 * .bss, paint the unused stack, start SysTick, run main, report its status
 * through semihosting.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _sstack, _estack;

int main(void);
void Reset_Handler(void);
void SysTick_Handler(void);
void Fault_Handler(void);

#define STACK_PAINT 0xA5A5A5A5u

static volatile uint32_t millis;

void SysTick_Handler(void)
{
    millis++;
}

/* Any fault: report it and stop, instead of spinning until the test times out. */
void Fault_Handler(void)
{
    static const char msg[] = "\nFAULT\n";
    const char *p;

    for (p = msg; *p != '\0'; p++)
        uart_putc(FW_UART1, (unsigned char)*p);
    semihost_exit(70);
}

/* Paint from the bottom of the stack to a little below the current frame. */
static void __attribute__((noinline)) paint_stack(void)
{
    uint32_t *p = &_sstack;
    uint32_t *sp = (uint32_t *)__builtin_frame_address(0) - 32;

    while (p < sp)
        *p++ = STACK_PAINT;
}

size_t board_stack_used(void)
{
    const uint32_t *p = &_sstack;

    while (p < &_estack && *p == STACK_PAINT)
        p++;
    return (size_t)((const char *)&_estack - (const char *)p);
}

size_t board_stack_size(void)
{
    return (size_t)((const char *)&_estack - (const char *)&_sstack);
}

size_t board_static_ram(void)
{
    return (size_t)((const char *)&_edata - (const char *)&_sdata) +
           (size_t)((const char *)&_ebss - (const char *)&_sbss);
}

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

void board_clock_init(void)
{
    SYST_RVR = 25000u - 1u; /* 25 MHz core clock: 1 ms */
    SYST_CVR = 0;
    SYST_CSR = 7u;          /* core clock, interrupt, enable */
}

uint32_t board_millis(void)
{
    return millis;
}

void Reset_Handler(void)
{
    memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
    memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
    paint_stack();
    semihost_exit(main());
}

/* Cortex-M vector table: initial stack pointer, then the handlers. */
typedef void (*vector)(void);
__attribute__((section(".isr_vector"), used)) static const vector vectors[16] = {
    (vector)(uintptr_t)&_estack,
    Reset_Handler,
    Fault_Handler, /* NMI */
    Fault_Handler, /* HardFault */
    Fault_Handler, /* MemManage */
    Fault_Handler, /* BusFault */
    Fault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Fault_Handler, /* SVC */
    Fault_Handler, /* DebugMon */
    0,
    Fault_Handler, /* PendSV */
    SysTick_Handler,
};
