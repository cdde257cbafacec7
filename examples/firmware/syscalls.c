/*
 * The newlib-nano system calls this image needs: stdout and stderr on UART1,
 * malloc's heap between _sheap and _eheap (see mps2_an386.ld), no files.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "board.h"

extern char _sheap, _eheap;

int _write(int fd, const char *buf, int len);
int _read(int fd, char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int off, int whence);
void *_sbrk(ptrdiff_t incr);
void _exit(int status);
int _kill(int pid, int sig);
int _getpid(void);

static char *heap_top = &_sheap;

void *_sbrk(ptrdiff_t incr)
{
    char *old = heap_top;

    if (incr > &_eheap - heap_top || incr < &_sheap - heap_top) {
        errno = ENOMEM;
        return (void *)-1;
    }
    heap_top += incr;
    return old;
}

size_t board_heap_arena(void)
{
    return (size_t)(heap_top - &_sheap);
}

int _write(int fd, const char *buf, int len)
{
    int i;

    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    for (i = 0; i < len; i++)
        uart_putc(FW_UART1, (unsigned char)buf[i]);
    return len;
}

int _read(int fd, char *buf, int len)
{
    (void)fd;
    (void)buf;
    (void)len;
    return 0;
}

int _close(int fd)
{
    (void)fd;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}

int _isatty(int fd)
{
    return fd <= 2;
}

int _lseek(int fd, int off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    return 0;
}

void _exit(int status)
{
    semihost_exit(status);
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}
