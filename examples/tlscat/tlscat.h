/*
 * tlscat — netcat with TLS, on the tls_stream core API.
 * Shared between tlscat.c (options, configuration), tlscat_net.c (sockets
 * and the transport), tlscat_pump.c (the copy loop), tlscat_info.c (the -v
 * summary and error lines).
 */
#ifndef TLSCAT_H
#define TLSCAT_H

#include <stddef.h>

#include <tls_stream/posix.h>
#include <tls_stream/tls_stream.h>

/* Exit codes (documented in tlscat --help). */
#define TLSCAT_EXIT_OK 0        /* clean close both ways */
#define TLSCAT_EXIT_TLS 1       /* handshake, verification or TLS failure */
#define TLSCAT_EXIT_USAGE 2     /* bad options or unusable key/cert/CA/PSK files */
#define TLSCAT_EXIT_TRANSPORT 3 /* socket or stdin/stdout failure */

/*
 * The transport under the TLS stream: the non-blocking socket itself
 * (tls_stream_io_fd_borrow). The copy loop polls exactly the set of
 * directions tls_stream_wants() gives (plus input, which tlscat always
 * wants), so no queue of its own is needed against a peer that writes
 * while we write.
 */
typedef struct tlscat_conn {
    int fd;
} tlscat_conn;

/* Connect to host:port (IPv4 or IPv6). Returns the fd or -1 (message printed). */
int tlscat_connect(const char *host, const char *port, int verbose);
/* Listen on bind_addr:port, write the bound port to port_file (if not NULL),
 * accept one connection. Returns its fd or -1 (message printed). */
int tlscat_accept_one(const char *bind_addr, const char *port, const char *port_file,
                      int verbose);
/* A tls_stream_io over conn (conn->fd must be non-blocking). */
tls_stream_io tlscat_conn_io(tlscat_conn *conn);
void tlscat_conn_free(tlscat_conn *conn);

/* The copy loop. Returns an exit code (TLSCAT_EXIT_*). */
int tlscat_pump(tls_stream *s, tlscat_conn *conn, int deferred, int verbose);

/* Print "tlscat: <what>: <reason> (<detail>, code <n>) [status -0x<rc>]" and
 * return the exit code for rc. */
int tlscat_fail(const tls_stream *s, const char *what, int rc);
/* Exit code for a tls_stream_status (or negated errno). */
int tlscat_exit_code(int rc);
/* The -v handshake summary on stderr. */
void tlscat_print_summary(const tls_stream *s);

/* Offer the session saved in path (client). Returns 0 or an exit code. */
int tlscat_session_load(tls_stream *s, const char *path);
/* Save the session to path (client, after the connection). Returns 0 or an exit code. */
int tlscat_session_save(const tls_stream *s, const char *path);

#endif /* TLSCAT_H */
