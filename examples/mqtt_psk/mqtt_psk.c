/*
 * mqtt_psk — publish one MQTT message over TLS-PSK, with ussl_wrap_socket().
 *
 * The C counterpart of MicroPython's examples/network/mqtt_psk.py:
 *
 *     s = socket.socket(); s.connect(addr)
 *     s = ssl.wrap_socket(s, psk_ident="itsme",
 *                         psk_key=binascii.unhexlify(b"bb50...DD0"))
 *     s.write(CONNECT); s.read(4) == b"\x20\x02\x00\x00"; s.write(PUBLISH)
 *
 * Usage: mqtt_psk HOST PORT TOPIC MESSAGE --psk-ident ID --psk-key HEX
 *                 [--client-id ID]
 * Exit codes: 0 published; 1 usage; 2 cannot connect (DNS/TCP);
 *             3 TLS failed (wrap_socket, read or write); 4 the broker refused
 *             the connection or answered something else than CONNACK.
 * Errors are one line on stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls_stream/mbedtls.h"
#include "tls_stream/posix.h"
#include "tls_stream/ussl.h"

#include "example_alloc.h"
#include "example_wipe.h"

enum { EXIT_USAGE = 1, EXIT_CONNECT = 2, EXIT_TLS = 3, EXIT_BROKER = 4 };

static void usage(void)
{
    fprintf(stderr, "usage: mqtt_psk HOST PORT TOPIC MESSAGE --psk-ident ID --psk-key HEX "
                    "[--client-id ID]\n");
}

/* Connect a TCP socket to host:port; returns the fd or -1 with a message. */
static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1, rc;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "mqtt_psk: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "mqtt_psk: cannot connect to %s port %s\n", host, port);
    return fd;
}

/* MQTT's variable length "remaining length" field; returns its size. */
static size_t put_length(unsigned char *p, size_t len)
{
    size_t n = 0;
    do {
        unsigned char b = (unsigned char)(len % 128);
        len /= 128;
        p[n++] = (unsigned char)(b | (len > 0 ? 0x80 : 0));
    } while (len > 0);
    return n;
}

/* A length-prefixed MQTT string; returns its size. */
static size_t put_string(unsigned char *p, const char *s, size_t len)
{
    p[0] = (unsigned char)(len >> 8);
    p[1] = (unsigned char)len;
    memcpy(p + 2, s, len);
    return len + 2;
}

/* Prefix body (already at buf + 5) with type and length; returns the packet start. */
static unsigned char *frame(unsigned char *buf, unsigned char type, size_t body_len,
                            size_t *packet_len)
{
    unsigned char len[4];
    size_t n = put_length(len, body_len);
    unsigned char *start = buf + 5 - 1 - n;
    start[0] = type;
    memcpy(start + 1, len, n);
    *packet_len = 1 + n + body_len;
    return start;
}

/* One line for a failed ussl call, MicroPython-style. */
static int tls_failed(const char *what, int rc, const ussl_error *e)
{
    if (e->kind == USSL_VALUEERROR)
        fprintf(stderr, "mqtt_psk: %s: ValueError: %s\n", what, e->msg);
    else if (rc == USSL_E_TLS)
        fprintf(stderr, "mqtt_psk: %s: OSError: (%d, '%s')\n", what, e->code, e->msg);
    else
        fprintf(stderr, "mqtt_psk: %s: OSError: [Errno %d] %s\n", what, -rc, e->msg);
    return EXIT_TLS;
}

static int write_all(ussl_socket *s, const unsigned char *p, size_t n, const char *what)
{
    int rc = ussl_write(s, p, n);
    return rc == (int)n ? 0 : tls_failed(what, rc, ussl_last_error(s));
}

int main(int argc, char **argv)
{
    const char *host, *port, *topic, *message;
    const char *ident = NULL, *hexkey = NULL, *client_id = "mqtt_psk";
    unsigned char key[USSL_PSK_MAX_KEY], buf[512], connack[4], *pkt;
    size_t n, pkt_len;
    ussl_error err;
    ussl_socket *s = NULL;
    ussl_opts o;
    tls_stream_io io;
    int i, fd, rc, klen, status = 0;

    if (argc < 5) {
        usage();
        return EXIT_USAGE;
    }
    host = argv[1];
    port = argv[2];
    topic = argv[3];
    message = argv[4];
    for (i = 5; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--psk-ident") == 0)
            ident = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--psk-key") == 0)
            hexkey = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--client-id") == 0)
            client_id = argv[++i];
        else {
            usage();
            return EXIT_USAGE;
        }
    }
    if (ident == NULL || hexkey == NULL) {
        usage();
        return EXIT_USAGE;
    }
    /* psk_key=binascii.unhexlify(b"...") */
    klen = ussl_unhexlify(hexkey, key, sizeof key, &err);
    if (klen <= 0) {
        fprintf(stderr, "mqtt_psk: --psk-key: %s\n", klen == 0 ? "empty key" : err.msg);
        return EXIT_USAGE;
    }
    if (strlen(topic) > 200 || strlen(message) > 200 || strlen(client_id) > 23) {
        fprintf(stderr, "mqtt_psk: topic and message are limited to 200 bytes, "
                        "client id to 23\n");
        return EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);

    fd = tcp_connect(host, port);
    if (fd < 0)
        return EXIT_CONNECT;

    /* s = ssl.wrap_socket(s, psk_ident=..., psk_key=...) */
    ussl_opts_init(&o);
    o.backend = tls_stream_backend_mbedtls();
    o.alloc = example_allocator();
    o.psk_ident = ident;
    o.psk_ident_len = strlen(ident);
    o.psk_key = key;
    o.psk_key_len = (size_t)klen;
    o.timeout_ms = 10000;
    io = tls_stream_io_fd(fd);
    rc = ussl_wrap_socket(&io, &o, &s, &err);
    example_wipe(key, sizeof key);
    if (rc != 0) {
        close(fd); /* a failed wrap leaves the socket to us */
        return tls_failed("wrap_socket", rc, &err);
    }

    /* CONNECT: protocol "MQTT" level 4, clean session, keepalive 60 s */
    n = 5;
    n += put_string(buf + n, "MQTT", 4);
    buf[n++] = 4;
    buf[n++] = 0x02;
    buf[n++] = 0;
    buf[n++] = 60;
    n += put_string(buf + n, client_id, strlen(client_id));
    pkt = frame(buf, 0x10, n - 5, &pkt_len);
    status = write_all(s, pkt, pkt_len, "write CONNECT");
    if (status != 0)
        goto out;

    /* CONNACK: 0x20 0x02 flags return-code */
    rc = ussl_read(s, connack, sizeof connack);
    if (rc != (int)sizeof connack) {
        if (rc >= 0) {
            fprintf(stderr, "mqtt_psk: the broker closed the connection before CONNACK\n");
            status = EXIT_BROKER;
        } else {
            status = tls_failed("read CONNACK", rc, ussl_last_error(s));
        }
        goto out;
    }
    if (connack[0] != 0x20 || connack[1] != 0x02) {
        fprintf(stderr, "mqtt_psk: expected CONNACK, got %02x %02x\n", connack[0], connack[1]);
        status = EXIT_BROKER;
        goto out;
    }
    if (connack[3] != 0) {
        static const char *const reasons[] = { "accepted", "unacceptable protocol version",
                                               "identifier rejected", "server unavailable",
                                               "bad user name or password", "not authorized" };
        fprintf(stderr, "mqtt_psk: broker refused the connection: %s (%d)\n",
                connack[3] < 6 ? reasons[connack[3]] : "unknown reason", connack[3]);
        status = EXIT_BROKER;
        goto out;
    }

    /* PUBLISH QoS 0: topic, then the payload */
    n = 5;
    n += put_string(buf + n, topic, strlen(topic));
    memcpy(buf + n, message, strlen(message));
    n += strlen(message);
    pkt = frame(buf, 0x30, n - 5, &pkt_len);
    status = write_all(s, pkt, pkt_len, "write PUBLISH");
    if (status != 0)
        goto out;

    /* DISCONNECT */
    buf[0] = 0xe0;
    buf[1] = 0x00;
    status = write_all(s, buf, 2, "write DISCONNECT");
    if (status == 0) {
        const char *suite = NULL;
        ussl_cipher(s, &suite, NULL);
        printf("published %zu bytes to '%s' on %s:%s (%s)\n", strlen(message), topic, host,
               port, suite != NULL ? suite : "?");
    }
out:
    ussl_close(s); /* close_notify, then closes fd */
    ussl_free(s);
    return status;
}
