/* Uses one function of each layer it links: core, mbedtls backend, memory pipe, POSIX. */
#include <stdio.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/mem_pipe.h"
#include "tls_stream/posix.h"
#include "tls_stream/tls_stream.h"

#include "app_alloc.h"

int main(void)
{
    tls_stream_config *cfg = NULL;
    tls_stream_mem_pipe *pipe = NULL;
    tls_stream_io io;

    if (tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT, &app_allocator) != 0)
        return 1;
    if (tls_stream_mem_pipe_new(&pipe, 4096, &app_allocator) != 0)
        return 1;
    io = tls_stream_io_fd(0);
    if (tls_stream_io_fd_get(&io) != 0)
        return 1;
    tls_stream_mem_pipe_free(pipe);
    tls_stream_config_free(cfg);
    printf("consumer: ok\n");
    return 0;
}
