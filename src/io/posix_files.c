/*
 * File loaders: read a file whole, then hand it to the in-memory setter.
 * Buffers that may hold secrets (keys, PSK tables) are wiped before free.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tls_stream/posix.h"
#include "../core/core_internal.h"

#define READ_CHUNK ((size_t)4096)

/*
 * Grow by allocating anew rather than realloc(): realloc may leave a copy
 * of a private key in freed memory; here the old block is wiped first.
 */
static unsigned char *grow(unsigned char *old, size_t used, size_t new_size)
{
    unsigned char *p = (unsigned char *)malloc(new_size);
    if (p != NULL && old != NULL)
        memcpy(p, old, used);
    if (old != NULL) {
        tls_stream_memzero(old, used);
        free(old);
    }
    return p;
}

int tls_stream_read_file(const char *path, unsigned char **data, size_t *len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t size, used = 0;
    ssize_t n;
    int fd, ret, err = 0;

    if (data != NULL)
        *data = NULL;
    if (len != NULL)
        *len = 0;
    if (path == NULL || data == NULL || len == NULL)
        return TLS_STREAM_ERR_ARG;

    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return TLS_STREAM_ERR_IO; /* errno says why */

    /* st_size is only a hint (0 for /proc files and pipes): read until EOF. */
    size = READ_CHUNK;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (unsigned long long)st.st_size < (unsigned long long)(SIZE_MAX - 1))
        size = (size_t)st.st_size + 1;
    buf = grow(NULL, 0, size);
    if (buf == NULL) {
        ret = TLS_STREAM_ERR_NOMEM;
        goto out;
    }

    for (;;) {
        if (used == size - 1) { /* keep one byte for the NUL */
            if (size > SIZE_MAX / 2) {
                ret = TLS_STREAM_ERR_NOMEM;
                goto out;
            }
            size *= 2;
            buf = grow(buf, used, size);
            if (buf == NULL) {
                ret = TLS_STREAM_ERR_NOMEM;
                goto out;
            }
        }
        n = read(fd, buf + used, size - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            ret = TLS_STREAM_ERR_IO;
            goto out;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    buf = NULL;
    ret = TLS_STREAM_OK;

out:
    if (buf != NULL) {
        tls_stream_memzero(buf, used);
        free(buf);
    }
    (void)close(fd);
    if (ret == TLS_STREAM_ERR_IO)
        errno = err; /* the read's, not what free() or close() may have left */
    return ret;
}

#if TLS_STREAM_NO_MESSAGES
static int read_failed(tls_stream_config *cfg, const char *path, int ret, int err)
{
    (void)path;
    if (ret == TLS_STREAM_ERR_NOMEM)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_NOMEM, 0, "");
    return tls_stream_config_fail(cfg, TLS_STREAM_ERR_IO, -err, "");
}
#else
/* Append n bytes of s at msg[*pos], never past size - 1; keeps msg NUL-terminated. */
static void append(char *msg, size_t size, size_t *pos, const char *s, size_t n)
{
    if (n > size - 1 - *pos)
        n = size - 1 - *pos;
    memcpy(msg + *pos, s, n);
    *pos += n;
    msg[*pos] = '\0';
}

/*
 * Record "cannot read <path>: <reason>" on cfg, with the status ret
 * (TLS_STREAM_ERR_IO: detail code -err). The message must fit the detail
 * buffer; when it does not, the start of the path goes ("...tail"), as the
 * file name and the reason are what the reader needs.
 */
static int read_failed(tls_stream_config *cfg, const char *path, int ret, int err)
{
    static const char prefix[] = "cannot read ";
    char reason[48];
    char msg[sizeof(((tls_stream_detail *)0)->msg)];
    size_t room, path_len, pos = 0;

    if (ret == TLS_STREAM_ERR_NOMEM)
        snprintf(reason, sizeof reason, "out of memory");
    else if (strerror_r(err, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", err);

    /* room for the path: the whole message minus prefix, ": ", reason, NUL */
    room = sizeof msg - (sizeof prefix - 1) - 2 - strlen(reason) - 1;
    path_len = strlen(path);
    append(msg, sizeof msg, &pos, prefix, sizeof prefix - 1);
    if (path_len > room) {
        append(msg, sizeof msg, &pos, "...", 3);
        append(msg, sizeof msg, &pos, path + path_len - (room - 3), room - 3);
    } else {
        append(msg, sizeof msg, &pos, path, path_len);
    }
    append(msg, sizeof msg, &pos, ": ", 2);
    append(msg, sizeof msg, &pos, reason, strlen(reason));
    if (ret == TLS_STREAM_ERR_NOMEM)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_NOMEM, 0, msg);
    return tls_stream_config_fail(cfg, TLS_STREAM_ERR_IO, -err, msg);
}
#endif

/* Which setter a file feeds. */
typedef enum file_kind { FILE_CA, FILE_CERT, FILE_KEY, FILE_PSK } file_kind;

static int load_file(tls_stream_config *cfg, const char *path, file_kind kind, const char *password)
{
    unsigned char *data;
    size_t len;
    int ret;

    if (cfg == NULL || path == NULL)
        return TLS_STREAM_ERR_ARG;
    ret = tls_stream_read_file(path, &data, &len);
    if (ret != TLS_STREAM_OK)
        return read_failed(cfg, path, ret, errno);

    switch (kind) {
    case FILE_CA:
        ret = tls_stream_config_add_ca(cfg, data, len);
        break;
    case FILE_CERT:
        ret = tls_stream_config_set_cert(cfg, data, len);
        break;
    case FILE_KEY:
        ret = tls_stream_config_set_key(cfg, data, len, password);
        break;
    case FILE_PSK:
    default:
        ret = tls_stream_config_load_psk_table(cfg, (const char *)data, len);
        break;
    }
    if (kind == FILE_KEY || kind == FILE_PSK)
        tls_stream_memzero(data, len);
    free(data);
    return ret;
}

int tls_stream_config_add_ca_file(tls_stream_config *cfg, const char *path)
{
    return load_file(cfg, path, FILE_CA, NULL);
}

int tls_stream_config_set_cert_file(tls_stream_config *cfg, const char *path)
{
    return load_file(cfg, path, FILE_CERT, NULL);
}

int tls_stream_config_set_key_file(tls_stream_config *cfg, const char *path, const char *password)
{
    return load_file(cfg, path, FILE_KEY, password);
}

int tls_stream_config_load_psk_file(tls_stream_config *cfg, const char *path)
{
    return load_file(cfg, path, FILE_PSK, NULL);
}
