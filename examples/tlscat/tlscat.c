/*
 * tlscat — netcat with TLS: one flag per ussl.wrap_socket keyword.
 * Options and configuration; see usage() for the interface.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls_stream/mbedtls.h>
#if TLSCAT_WITH_OPENSSL
#include <tls_stream/openssl.h>
#endif
#include <tls_stream/posix.h>
#include <tls_stream/tls_stream.h>
#include <tls_stream/ussl.h>

#include "example_alloc.h"
#include "example_wipe.h"
#include "tlscat.h"

static const char usage_text[] =
    "usage: tlscat [OPTIONS] HOST PORT       connect, copy stdin -> TLS and TLS -> stdout\n"
    "       tlscat --listen [OPTIONS] PORT   serve one connection (default 127.0.0.1)\n"
    "\n"
    "wrap_socket keywords:\n"
    "  --keyfile PATH           own private key (PEM or DER)\n"
    "  --certfile PATH          own certificate chain (PEM, leaf first, or DER)\n"
    "  --cert-reqs none|optional|required\n"
    "                           verification of the peer (meanings as wrap_socket's):\n"
    "                           client: none = accept any server certificate;\n"
    "                                   optional, required = verify chain and name;\n"
    "                           server: none = ask no client certificate;\n"
    "                                   optional = verify one if sent;\n"
    "                                   required = demand one (mutual TLS).\n"
    "                           Default: required when --ca-certs is given, else none\n"
    "                           (wrap_socket's CERT_NONE; a certificate client then\n"
    "                           warns on stderr that the server is not verified).\n"
    "  --ca-certs PATH          trusted CA certificates (PEM, one or many, or DER)\n"
    "  --server-hostname NAME   client: SNI and the name verified (default: HOST when\n"
    "                           it is a name, none when it is an IP address)\n"
    "  --no-handshake           do_handshake=False: handshake at the first data\n"
    "  --psk-ident ID           client PSK identity\n"
    "  --psk-key HEX            client PSK key (hex, up to 32 bytes)\n"
    "  --psk-file PATH          server PSK table, lines \"identity:hexkey\"\n"
    "other:\n"
    "  --tls-min 1.2|1.3        oldest protocol version allowed (default 1.2)\n"
    "  --tls-max 1.2|1.3        newest protocol version allowed (default: the\n"
    "                           newest the backend speaks; 1.3 needs mbedtls 3.6)\n"
    "  --session-in PATH        client: offer the session saved in PATH (resumption)\n"
    "  --session-out PATH       client: save the session to PATH at the end\n"
    "  --backend mbedtls|openssl  the TLS library (default mbedtls; openssl when built)\n"
    "  --listen                 server mode\n"
    "  --bind ADDR              listening address (default 127.0.0.1; ::1 for IPv6)\n"
    "  --port-file PATH         write the bound port there (use with PORT 0)\n"
    "  -v                       connection and handshake summary on stderr\n"
    "                           (version, suite, peer subject)\n"
    "  -h, --help               this text\n"
    "\n"
    "At end of stdin, tlscat sends close_notify and reads until the peer closes\n"
    "(with its close_notify, or, after ours, by closing the connection: some\n"
    "peers, e.g. gnutls-cli, do not answer close_notify). An end of the\n"
    "connection without close_notify before that is an error (truncation).\n"
    "When the peer's close_notify comes first, tlscat answers it and ends:\n"
    "TLS 1.2 closes both directions at once; unsent stdin is discarded.\n"
    "Exit: 0 clean close; 1 handshake, verification or TLS failure; 2 usage or\n"
    "unusable key/certificate/PSK files; 3 transport failure (socket, stdin, stdout).\n";

typedef struct options {
    int listen, verbose, no_handshake;
    int cert_reqs; /* -1: default */
    const char *keyfile, *certfile, *ca_certs, *server_hostname;
    const char *psk_ident, *psk_key_hex, *psk_file;
    const char *bind_addr, *port_file;
    const char *session_in, *session_out;
    int tls_min, tls_max; /* TLS_STREAM_TLS1_*, 0: default */
    const char *host, *port;
    const tls_stream_backend *backend;
} options;

/* "1.2" or "1.3" -> TLS_STREAM_TLS1_2 / _3, else 0. */
static int parse_version(const char *v)
{
    if (strcmp(v, "1.2") == 0)
        return TLS_STREAM_TLS1_2;
    if (strcmp(v, "1.3") == 0)
        return TLS_STREAM_TLS1_3;
    return 0;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "tlscat: %s\n(tlscat --help for usage)\n", msg);
    return TLSCAT_EXIT_USAGE;
}

static int parse_options(int argc, char **argv, options *o)
{
    enum { O_KEY = 256, O_CERT, O_REQS, O_CA, O_NAME, O_NOHS, O_PIDENT, O_PKEY, O_PFILE,
           O_LISTEN, O_BIND, O_PORTFILE, O_TLSMIN, O_TLSMAX, O_SESSIN, O_SESSOUT, O_BACKEND };
    static const struct option longopts[] = {
        {"keyfile", required_argument, NULL, O_KEY},
        {"certfile", required_argument, NULL, O_CERT},
        {"cert-reqs", required_argument, NULL, O_REQS},
        {"ca-certs", required_argument, NULL, O_CA},
        {"server-hostname", required_argument, NULL, O_NAME},
        {"no-handshake", no_argument, NULL, O_NOHS},
        {"psk-ident", required_argument, NULL, O_PIDENT},
        {"psk-key", required_argument, NULL, O_PKEY},
        {"psk-file", required_argument, NULL, O_PFILE},
        {"listen", no_argument, NULL, O_LISTEN},
        {"bind", required_argument, NULL, O_BIND},
        {"port-file", required_argument, NULL, O_PORTFILE},
        {"tls-min", required_argument, NULL, O_TLSMIN},
        {"tls-max", required_argument, NULL, O_TLSMAX},
        {"session-in", required_argument, NULL, O_SESSIN},
        {"session-out", required_argument, NULL, O_SESSOUT},
        {"backend", required_argument, NULL, O_BACKEND},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    memset(o, 0, sizeof *o);
    o->cert_reqs = -1;
    o->bind_addr = "127.0.0.1";
    o->backend = tls_stream_backend_mbedtls();
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case O_KEY: o->keyfile = optarg; break;
        case O_CERT: o->certfile = optarg; break;
        case O_REQS:
            if (strcmp(optarg, "none") == 0)
                o->cert_reqs = TLS_STREAM_VERIFY_NONE;
            else if (strcmp(optarg, "optional") == 0)
                o->cert_reqs = TLS_STREAM_VERIFY_OPTIONAL;
            else if (strcmp(optarg, "required") == 0)
                o->cert_reqs = TLS_STREAM_VERIFY_REQUIRED;
            else
                return usage_error("--cert-reqs takes none, optional or required");
            break;
        case O_CA: o->ca_certs = optarg; break;
        case O_NAME: o->server_hostname = optarg; break;
        case O_NOHS: o->no_handshake = 1; break;
        case O_PIDENT: o->psk_ident = optarg; break;
        case O_PKEY: o->psk_key_hex = optarg; break;
        case O_PFILE: o->psk_file = optarg; break;
        case O_LISTEN: o->listen = 1; break;
        case O_BIND: o->bind_addr = optarg; break;
        case O_PORTFILE: o->port_file = optarg; break;
        case O_TLSMIN:
        case O_TLSMAX:
            if (parse_version(optarg) == 0)
                return usage_error("--tls-min and --tls-max take 1.2 or 1.3");
            *(c == O_TLSMIN ? &o->tls_min : &o->tls_max) = parse_version(optarg);
            break;
        case O_SESSIN: o->session_in = optarg; break;
        case O_SESSOUT: o->session_out = optarg; break;
        case O_BACKEND:
            if (strcmp(optarg, "mbedtls") == 0)
                o->backend = tls_stream_backend_mbedtls();
#if TLSCAT_WITH_OPENSSL
            else if (strcmp(optarg, "openssl") == 0)
                o->backend = tls_stream_backend_openssl();
#endif
            else
                return usage_error("--backend takes mbedtls or openssl (openssl when built with it)");
            break;
        case 'v': o->verbose = 1; break;
        case 'h':
            fputs(usage_text, stdout);
            exit(TLSCAT_EXIT_OK);
        default:
            return usage_error("unknown option");
        }
    }
    if (o->listen) {
        if (argc - optind != 1)
            return usage_error("--listen takes one argument: PORT");
        o->port = argv[optind];
        if (o->psk_ident || o->psk_key_hex || o->server_hostname || o->session_in || o->session_out)
            return usage_error("--psk-ident, --psk-key, --server-hostname and --session-* are "
                               "client options");
        if (!o->psk_file && !(o->keyfile && o->certfile))
            return usage_error("a server needs --keyfile and --certfile, or --psk-file");
    } else {
        if (argc - optind != 2)
            return usage_error("expected HOST PORT");
        o->host = argv[optind];
        o->port = argv[optind + 1];
        if (o->psk_file || o->port_file)
            return usage_error("--psk-file and --port-file are --listen options");
        if (!o->psk_ident != !o->psk_key_hex)
            return usage_error("--psk-ident and --psk-key go together");
        if (!o->keyfile != !o->certfile)
            return usage_error("--keyfile and --certfile go together");
    }
    if ((o->psk_ident || o->psk_file) && (o->keyfile || o->certfile))
        return usage_error("PSK and a certificate on the same side are exclusive");
    return 0;
}

static int config_error(tls_stream_config *cfg, const char *what, const char *path, int rc)
{
    const char *msg = NULL;
    int code = tls_stream_config_error_detail(cfg, &msg);
    const char *sep = path != NULL ? " " : "";
    if (path == NULL)
        path = "";
    if (rc == TLS_STREAM_ERR_IO && code < 0 && code > -4096)
        fprintf(stderr, "tlscat: %s%s%s: %s\n", what, sep, path, strerror(-code));
    else if (msg != NULL && msg[0] != '\0')
        fprintf(stderr, "tlscat: %s%s%s: %s (%s) [status -0x%x]\n", what, sep, path,
                tls_stream_strerror(rc), msg, (unsigned)-rc);
    else
        fprintf(stderr, "tlscat: %s%s%s: %s [status -0x%x]\n", what, sep, path,
                tls_stream_strerror(rc), (unsigned)-rc);
    return TLSCAT_EXIT_USAGE;
}

static int is_ip_literal(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static int make_config(const options *o, tls_stream_config **out)
{
    tls_stream_config *cfg = NULL;
    const char *what = "configuration", *path = NULL;
    int rc, ec, verify = o->cert_reqs;

    *out = NULL;
    rc = tls_stream_config_new(&cfg, o->backend, o->listen ? TLS_STREAM_SERVER : TLS_STREAM_CLIENT,
                               example_allocator());
    if (rc != TLS_STREAM_OK) {
        fprintf(stderr, "tlscat: configuration: %s [status -0x%x]\n", tls_stream_strerror(rc),
                (unsigned)-rc);
        return TLSCAT_EXIT_USAGE;
    }
    if (verify < 0)
        verify = o->ca_certs ? TLS_STREAM_VERIFY_REQUIRED : TLS_STREAM_VERIFY_NONE;
    if ((rc = tls_stream_config_set_verify(cfg, (tls_stream_verify)verify)) != TLS_STREAM_OK)
        goto fail;
    what = "--tls-min/--tls-max";
    if ((rc = tls_stream_config_set_version(cfg, o->tls_min, o->tls_max)) != TLS_STREAM_OK)
        goto fail;
    what = "CA file";
    path = o->ca_certs;
    if (o->ca_certs && (rc = tls_stream_config_add_ca_file(cfg, o->ca_certs)) != TLS_STREAM_OK)
        goto fail;
    what = "certificate file";
    path = o->certfile;
    if (o->certfile && (rc = tls_stream_config_set_cert_file(cfg, o->certfile)) != TLS_STREAM_OK)
        goto fail;
    what = "key file";
    path = o->keyfile;
    if (o->keyfile && (rc = tls_stream_config_set_key_file(cfg, o->keyfile, NULL)) != TLS_STREAM_OK)
        goto fail;
    what = "PSK file";
    path = o->psk_file;
    if (o->psk_file && (rc = tls_stream_config_load_psk_file(cfg, o->psk_file)) != TLS_STREAM_OK)
        goto fail;
    what = "client PSK";
    path = NULL;
    if (o->psk_ident) {
        unsigned char key[TLS_STREAM_PSK_MAX_KEY];
        /* the library's hex decoder, as MicroPython's binascii.unhexlify() */
        int key_len = ussl_unhexlify(o->psk_key_hex, key, sizeof key, NULL);
        if (key_len <= 0) {
            tls_stream_config_free(cfg);
            return usage_error("--psk-key must be hex, 1 to 32 bytes");
        }
        rc = tls_stream_config_set_psk(cfg, o->psk_ident, strlen(o->psk_ident), key, (size_t)key_len);
        example_wipe(key, sizeof key);
        if (rc != TLS_STREAM_OK)
            goto fail;
    }
    if (!o->listen) {
        const char *name = o->server_hostname;
        if (name == NULL && !is_ip_literal(o->host))
            name = o->host;
        what = "server name";
        path = name;
        if (name != NULL && (rc = tls_stream_config_set_server_name(cfg, name)) != TLS_STREAM_OK)
            goto fail;
        if (verify != TLS_STREAM_VERIFY_NONE && !o->psk_ident && name == NULL) {
            tls_stream_config_free(cfg);
            return usage_error("verifying a server given by IP address needs --server-hostname");
        }
        if (verify == TLS_STREAM_VERIFY_NONE && !o->psk_ident)
            fprintf(stderr, "tlscat: warning: the server certificate is not verified "
                            "(--cert-reqs none)\n");
    }
    *out = cfg;
    return 0;

fail:
    ec = config_error(cfg, what, path, rc);
    tls_stream_config_free(cfg);
    return ec;
}

int main(int argc, char **argv)
{
    options o;
    tls_stream_config *cfg = NULL;
    tls_stream *s = NULL;
    tlscat_conn conn;
    tls_stream_io io;
    int rc, fd;

    signal(SIGPIPE, SIG_IGN);
    if ((rc = parse_options(argc, argv, &o)) != 0)
        return rc;
    if ((rc = make_config(&o, &cfg)) != 0)
        return rc;

    fd = o.listen ? tlscat_accept_one(o.bind_addr, o.port, o.port_file, o.verbose)
                  : tlscat_connect(o.host, o.port, o.verbose);
    if (fd < 0) {
        tls_stream_config_free(cfg);
        return TLSCAT_EXIT_TRANSPORT;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        perror("tlscat: fcntl");
        close(fd);
        tls_stream_config_free(cfg);
        return TLSCAT_EXIT_TRANSPORT;
    }
    memset(&conn, 0, sizeof conn);
    conn.fd = fd;
    io = tlscat_conn_io(&conn);
    rc = tls_stream_new(&s, cfg, &io);
    tls_stream_config_free(cfg); /* the stream keeps its reference */
    if (rc != TLS_STREAM_OK) {
        fprintf(stderr, "tlscat: %s [status -0x%x]\n", tls_stream_strerror(rc), (unsigned)-rc);
        tlscat_conn_free(&conn);
        return tlscat_exit_code(rc);
    }
    if (o.session_in != NULL && (rc = tlscat_session_load(s, o.session_in)) != 0) {
        tls_stream_free(s);
        tlscat_conn_free(&conn);
        return rc;
    }
    rc = tlscat_pump(s, &conn, o.no_handshake, o.verbose);
    if (rc == TLSCAT_EXIT_OK && o.session_out != NULL)
        rc = tlscat_session_save(s, o.session_out);
    tls_stream_free(s); /* the transport's close is a no-op: conn owns the fd */
    tlscat_conn_free(&conn);
    return rc;
}
