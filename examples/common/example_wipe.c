/* See example_wipe.h. */
#include "example_wipe.h"

void example_wipe(void *p, size_t n)
{
    volatile unsigned char *v = (volatile unsigned char *)p;
    while (n--)
        *v++ = 0;
}
