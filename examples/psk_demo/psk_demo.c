/*
 * psk_demo — a TLS-PSK client and server in one process.
 *
 * Both ends run non-blocking in one thread, over an in-memory pipe (the
 * default) or a loopback TCP connection (--tcp). The client sends a line,
 * the server echoes it, both close cleanly.
 *
 *   psk_demo [--tcp] [--message TEXT]
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tls_stream/mbedtls.h>
#include <tls_stream/mem_pipe.h>
#include <tls_stream/posix.h>
#include <tls_stream/tls_stream.h>

#include "example_alloc.h"

#define IDENTITY "demo-client"
#define KEY_HEX "0123456789abcdef0123456789abcdef"
#define MAX_STEPS 100000

static int check(const char *what, int rc)
{
    if (rc < 0 && rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE)
        fprintf(stderr, "psk_demo: %s: %s [status -0x%x]\n", what, tls_stream_strerror(rc),
                (unsigned)-rc);
    return rc;
}

static int make_configs(tls_stream_config **client, tls_stream_config **server)
{
    static const unsigned char key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                          0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    const char *table = IDENTITY ":" KEY_HEX "\n";
    if (check("client config", tls_stream_config_new(client, tls_stream_backend_mbedtls(), TLS_STREAM_CLIENT, example_allocator())) ||
        check("client PSK", tls_stream_config_set_psk(*client, IDENTITY, strlen(IDENTITY), key, sizeof key)) ||
        check("server config", tls_stream_config_new(server, tls_stream_backend_mbedtls(), TLS_STREAM_SERVER, example_allocator())) ||
        check("server PSK table", tls_stream_config_load_psk_table(*server, table, strlen(table))))
        return -1;
    return 0;
}

/* A connected, non-blocking loopback TCP pair. */
static int tcp_pair(int fds[2])
{
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int one = 1;
    int lsock = socket(AF_INET, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lsock < 0 || bind(lsock, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(lsock, 1) != 0 || getsockname(lsock, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)&addr, sizeof addr) != 0)
        return -1;
    fds[1] = accept(lsock, NULL, NULL);
    close(lsock);
    if (fds[1] < 0)
        return -1;
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    /* TLS sends a flight as several small records: without TCP_NODELAY the
     * last one may wait for a delayed ACK (tens of ms), longer than the
     * bounded stepping below gives it (TLS 1.3's client Finished does) */
    setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    printf("transport: loopback TCP 127.0.0.1:%u\n", (unsigned)ntohs(addr.sin_port));
    return 0;
}

static int is_want(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE;
}

/* Step both handshakes until both are done (neither can block the other). */
static int handshake_both(tls_stream *client, tls_stream *server)
{
    int rc_c = TLS_STREAM_WANT_READ, rc_s = TLS_STREAM_WANT_READ, steps;
    for (steps = 0; steps < MAX_STEPS && (rc_c != TLS_STREAM_OK || rc_s != TLS_STREAM_OK); steps++) {
        if (rc_c != TLS_STREAM_OK && (rc_c = check("client handshake", tls_stream_handshake(client))) < 0 &&
            !is_want(rc_c))
            return rc_c;
        if (rc_s != TLS_STREAM_OK && (rc_s = check("server handshake", tls_stream_handshake(server))) < 0 &&
            !is_want(rc_s))
            return rc_s;
    }
    return rc_c == TLS_STREAM_OK && rc_s == TLS_STREAM_OK ? TLS_STREAM_OK : TLS_STREAM_ERR_TIMEOUT;
}

/* Read exactly len bytes from s, stepping peer's flush meanwhile. */
static int read_all(tls_stream *s, tls_stream *peer, char *buf, size_t len)
{
    size_t got = 0;
    int steps;
    for (steps = 0; got < len && steps < MAX_STEPS; steps++) {
        int rc = tls_stream_read(s, buf + got, len - got);
        if (rc > 0)
            got += (size_t)rc;
        else if (!is_want(check("read", rc)))
            return rc == 0 ? TLS_STREAM_ERR_CLOSED : rc;
        tls_stream_flush(peer);
    }
    return got == len ? TLS_STREAM_OK : TLS_STREAM_ERR_TIMEOUT;
}

static int write_all(tls_stream *s, const char *buf, size_t len)
{
    size_t sent = 0;
    int steps;
    for (steps = 0; sent < len && steps < MAX_STEPS; steps++) {
        int rc = tls_stream_write(s, buf + sent, len - sent);
        if (rc > 0)
            sent += (size_t)rc;
        else if (!is_want(check("write", rc)))
            return rc;
    }
    return sent == len ? TLS_STREAM_OK : TLS_STREAM_ERR_TIMEOUT;
}

static int converse(tls_stream *client, tls_stream *server, const char *message)
{
    char buf[1024];
    size_t len = strlen(message);
    int rc;
    if (len > sizeof buf)
        len = sizeof buf;
    if ((rc = handshake_both(client, server)) != TLS_STREAM_OK)
        return rc;
    printf("handshake: %s, %s\n", tls_stream_version(client), tls_stream_cipher(client));
    if ((rc = write_all(client, message, len)) != TLS_STREAM_OK ||
        (rc = read_all(server, client, buf, len)) != TLS_STREAM_OK)
        return rc;
    printf("server got: %.*s\n", (int)len, buf);
    if ((rc = write_all(server, buf, len)) != TLS_STREAM_OK ||
        (rc = read_all(client, server, buf, len)) != TLS_STREAM_OK)
        return rc;
    printf("client got echo: %.*s\n", (int)len, buf);
    if ((rc = check("client close", tls_stream_close(client))) != TLS_STREAM_OK)
        return rc;
    rc = tls_stream_read(server, buf, sizeof buf);
    if (rc != 0)
        return check("server read after close", rc < 0 ? rc : TLS_STREAM_ERR_PROTOCOL);
    printf("server: clean close (close_notify received)\n");
    return check("server close", tls_stream_close(server));
}

int main(int argc, char **argv)
{
    tls_stream_config *ccfg = NULL, *scfg = NULL;
    tls_stream *client = NULL, *server = NULL;
    tls_stream_mem_pipe *pipe = NULL;
    const char *message = "hello over TLS-PSK";
    tls_stream_io cio, sio;
    int use_tcp = 0, rc = -1, i, fds[2];

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tcp") == 0)
            use_tcp = 1;
        else if (strcmp(argv[i], "--message") == 0 && i + 1 < argc)
            message = argv[++i];
        else {
            fprintf(stderr, "usage: psk_demo [--tcp] [--message TEXT]\n");
            return 2;
        }
    }
    if (make_configs(&ccfg, &scfg) != 0)
        goto out;
    if (use_tcp) {
        if (tcp_pair(fds) != 0) {
            perror("psk_demo: loopback socket");
            goto out;
        }
        cio = tls_stream_io_fd(fds[0]);
        sio = tls_stream_io_fd(fds[1]);
    } else {
        if (check("memory pipe", tls_stream_mem_pipe_new(&pipe, 0, example_allocator())) != TLS_STREAM_OK)
            goto out;
        cio = tls_stream_mem_pipe_io(pipe, 0);
        sio = tls_stream_mem_pipe_io(pipe, 1);
        printf("transport: in-memory pipe\n");
    }
    if (check("client stream", tls_stream_new(&client, ccfg, &cio)) != TLS_STREAM_OK ||
        check("server stream", tls_stream_new(&server, scfg, &sio)) != TLS_STREAM_OK)
        goto out;
    tls_stream_set_blocking(client, 0);
    tls_stream_set_blocking(server, 0);
    rc = converse(client, server, message);
out:
    tls_stream_free(client);
    tls_stream_free(server);
    tls_stream_mem_pipe_free(pipe);
    tls_stream_config_free(ccfg);
    tls_stream_config_free(scfg);
    printf("%s\n", rc == TLS_STREAM_OK ? "psk_demo: OK" : "psk_demo: FAILED");
    return rc == TLS_STREAM_OK ? 0 : 1;
}
