// Every public header, compiled as C++ (-Wall -Wextra -Werror -pedantic),
// and a few calls through them: proves the headers parse as C++ and that
// their extern "C" blocks make the library's C symbols link from C++.
// all_headers.h is generated from include/tls_stream/*.h (CMakeLists.txt).
#include "all_headers.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

static int failures = 0;

static void check(bool ok, const char *what)
{
    if (!ok) {
        std::printf("FAIL: %s\n", what);
        failures++;
    }
}

// ussl_opts_init() is the initialiser; blobs are plain field assignments.
static void check_ussl_opts()
{
    ussl_opts o;
    std::memset(&o, 0x5a, sizeof o);
    ussl_opts_init(&o);
    check(o.init == USSL_OPTS_MAGIC, "ussl_opts_init sets init");
    check(o.do_handshake == 1 && o.timeout_ms == -1, "ussl_opts_init sets MicroPython's defaults");
    check(o.keyfile.data == NULL && o.keyfile.path == NULL, "ussl_opts_init clears the blobs");
    o.ca_certs.path = "ca.pem";
    o.keyfile.data = "key";
    o.keyfile.len = 3;
    check(o.ca_certs.len == 0 && o.keyfile.path == NULL, "blob fields are independent");
}

// An allocator written in C++ (the build may have no default allocator:
// TLS_STREAM_STDLIB_ALLOC=OFF); counts live blocks.
static void *count_alloc(void *ctx, size_t size)
{
    void *p = std::calloc(1, size);
    if (p != NULL)
        ++*static_cast<int *>(ctx);
    return p;
}

static void count_free(void *ctx, void *ptr, size_t size)
{
    (void)size;
    if (ptr != NULL)
        --*static_cast<int *>(ctx);
    std::free(ptr);
}

// The core through a memory pipe: a C++ program uses the C API as is.
static void check_core()
{
    int live = 0;
    tls_stream_allocator alloc;
    alloc.alloc = count_alloc;
    alloc.free = count_free;
    alloc.ctx = &live;
    tls_stream_mem_pipe *pipe = NULL;
    check(tls_stream_mem_pipe_new(&pipe, 0, &alloc) == TLS_STREAM_OK, "tls_stream_mem_pipe_new");
    check(live > 0, "the pipe allocates through the C++ allocator");
    if (pipe == NULL)
        return;
    tls_stream_io a = tls_stream_mem_pipe_io(pipe, 0);
    tls_stream_io b = tls_stream_mem_pipe_io(pipe, 1);
    unsigned char buf[4] = { 0, 0, 0, 0 };
    check(a.write(a.ctx, reinterpret_cast<const unsigned char *>("ping"), 4) == 4, "pipe write");
    check(tls_stream_mem_pipe_buffered(pipe, 1) == 4, "pipe buffered");
    check(b.read(b.ctx, buf, sizeof buf) == 4 && std::memcmp(buf, "ping", 4) == 0, "pipe read");
    tls_stream_mem_pipe_free(pipe);
    check(live == 0, "the pipe frees what it allocated");
    check(tls_stream_strerror(TLS_STREAM_ERR_ARG) != NULL, "tls_stream_strerror");
    check(std::strcmp(TLS_STREAM_MSG("x"), TLS_STREAM_NO_MESSAGES ? "" : "x") == 0, "TLS_STREAM_MSG");
}

int main()
{
    check_ussl_opts();
    check_core();
    if (failures == 0)
        std::printf("all public headers compile and link as C++ (%ld)\n", __cplusplus);
    return failures == 0 ? 0 : 1;
}
