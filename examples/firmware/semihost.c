/*
 * ARM semihosting (bkpt 0xab): exit status, command line and host files.
 * QEMU serves it with -semihosting-config enable=on,target=native.
 */
#include <string.h>

#include "board.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_READ 0x06
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int semihost_call(int op, void *arg)
{
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;

    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_exit(int status)
{
    /* SYS_EXIT_EXTENDED: QEMU then exits with status as its own exit code
     * (plain AArch32 SYS_EXIT only tells success from failure). */
    static uint32_t block[2];

    block[0] = ADP_STOPPED_APPLICATION_EXIT;
    block[1] = (uint32_t)status;
    (void)semihost_call(SYS_EXIT_EXTENDED, block);
    for (;;)
        ;
}

int semihost_cmdline(char *buf, size_t size)
{
    uint32_t block[2];

    block[0] = (uint32_t)buf;
    block[1] = (uint32_t)size;
    if (semihost_call(SYS_GET_CMDLINE, block) != 0)
        return -1;
    return 0;
}

int semihost_read_file(const char *path, unsigned char *buf, size_t len)
{
    uint32_t block[3];
    int fd, left;

    block[0] = (uint32_t)path;
    block[1] = 1; /* "rb" */
    block[2] = (uint32_t)strlen(path);
    fd = semihost_call(SYS_OPEN, block);
    if (fd < 0)
        return -1;
    block[0] = (uint32_t)fd;
    block[1] = (uint32_t)buf;
    block[2] = (uint32_t)len;
    left = semihost_call(SYS_READ, block); /* bytes NOT read */
    block[0] = (uint32_t)fd;
    (void)semihost_call(SYS_CLOSE, block);
    return left == 0 ? 0 : -1;
}
