/*
 * The server's PSK table: identity → key entries owned by the
 * configuration, loaded one by one or from "identity:hexkey" text (the
 * format of mosquitto's psk_file).
 */
#include "core_internal.h"

static size_t entry_size(size_t identity_len)
{
    return sizeof(tls_stream_psk_entry) + identity_len;
}

void tls_stream_psk_table_free(const tls_stream_allocator *a, tls_stream_psk_entry *list)
{
    while (list != NULL) {
        tls_stream_psk_entry *next = list->next;
        size_t size = entry_size(list->identity_len);
        tls_stream_memzero(list, size);
        tls_stream_dealloc(a, list, size);
        list = next;
    }
}

static const tls_stream_psk_entry *find(const tls_stream_psk_entry *list, const unsigned char *identity,
                                 size_t identity_len)
{
    for (; list != NULL; list = list->next)
        if (list->identity_len == identity_len &&
            tls_stream_memeq(list->identity, identity, identity_len))
            return list;
    return NULL;
}

int tls_stream_psk_table_lookup(void *arg, const unsigned char *identity, size_t identity_len,
                         unsigned char *key, size_t key_size)
{
    const tls_stream_config *cfg = (const tls_stream_config *)arg;
    const tls_stream_psk_entry *e = find(cfg->psk_table, identity, identity_len);
    if (e == NULL || e->key_len > key_size)
        return TLS_STREAM_ERR_PSK_IDENTITY;
    tls_stream_memcopy(key, e->key, e->key_len);
    return (int)e->key_len;
}

static tls_stream_psk_entry *new_entry(const tls_stream_allocator *a, const void *identity,
                                size_t identity_len, const void *key, size_t key_len)
{
    tls_stream_psk_entry *e = (tls_stream_psk_entry *)tls_stream_zalloc(a, entry_size(identity_len));
    if (e == NULL)
        return NULL;
    e->identity_len = identity_len;
    tls_stream_memcopy(e->identity, identity, identity_len);
    e->key_len = key_len;
    tls_stream_memcopy(e->key, key, key_len);
    return e;
}

/* Append list to the end of cfg's table (order = priority of duplicates: none allowed). */
static void append(tls_stream_config *cfg, tls_stream_psk_entry *list)
{
    tls_stream_psk_entry **tail = &cfg->psk_table;
    while (*tail != NULL)
        tail = &(*tail)->next;
    *tail = list;
}

/* Shared checks of one entry, whether added directly or from text. */
static int check_entry(tls_stream_config *cfg, const tls_stream_psk_entry *pending, const void *identity,
                       size_t identity_len, size_t key_len)
{
    if (identity_len == 0 || identity_len > TLS_STREAM_PSK_MAX_IDENTITY)
        return TLS_STREAM_ERR_ARG;
    if (key_len == 0 || key_len > TLS_STREAM_PSK_MAX_KEY)
        return TLS_STREAM_ERR_BAD_KEY;
    if (find(cfg->psk_table, (const unsigned char *)identity, identity_len) != NULL ||
        find(pending, (const unsigned char *)identity, identity_len) != NULL)
        return TLS_STREAM_ERR_CONFIG;
    return TLS_STREAM_OK;
}

int tls_stream_config_add_psk(tls_stream_config *cfg, const void *identity, size_t identity_len,
                       const void *key, size_t key_len)
{
    tls_stream_psk_entry *e;
    int rc = tls_stream_config_psk_allowed(cfg, TLS_STREAM_SERVER);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (identity == NULL || key == NULL || key_len == 0)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("no PSK"));
    rc = check_entry(cfg, NULL, identity, identity_len, key_len);
    if (rc != TLS_STREAM_OK)
        return tls_stream_config_fail(cfg, rc, 0,
                               rc == TLS_STREAM_ERR_ARG ? TLS_STREAM_MSG("PSK identity must be 1..128 bytes")
                               : rc == TLS_STREAM_ERR_BAD_KEY ? TLS_STREAM_MSG("PSK key must be 1..32 bytes")
                                                       : TLS_STREAM_MSG("duplicate PSK identity"));
    e = new_entry(&cfg->alloc, identity, identity_len, key, key_len);
    if (e == NULL)
        return TLS_STREAM_ERR_NOMEM;
    append(cfg, e);
    return TLS_STREAM_OK;
}

#if TLS_STREAM_NO_MESSAGES
static int line_error(tls_stream_config *cfg, int status, size_t line, const char *why)
{
    (void)line;
    (void)why;
    return tls_stream_config_fail(cfg, status, 0, "");
}
#else
/* Write "line N: why" into cfg's detail. */
static int line_error(tls_stream_config *cfg, int status, size_t line, const char *why)
{
    char msg[sizeof cfg->detail.msg];
    size_t n, w;
    tls_stream_memcopy(msg, "PSK table line ", 15);
    n = 15 + tls_stream_utoa((unsigned long)line, msg + 15, 24);
    msg[n++] = ':';
    msg[n++] = ' ';
    w = tls_stream_strnlen(why, sizeof msg - 1 - n);
    tls_stream_memcopy(msg + n, why, w);
    msg[n + w] = '\0';
    return tls_stream_config_fail(cfg, status, 0, msg);
}
#endif

/* Parse one non-empty line into a new entry appended to *pending. */
static int parse_line(tls_stream_config *cfg, tls_stream_psk_entry **pending, const char *line, size_t len,
                      size_t number)
{
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    size_t colon = len;
    int key_len, rc;
    tls_stream_psk_entry *e;

    while (colon > 0 && line[colon - 1] != ':')
        colon--;
    if (colon == 0)
        return line_error(cfg, TLS_STREAM_ERR_BAD_KEY, number, TLS_STREAM_MSG("expected identity:hexkey"));
    key_len = tls_stream_hex_decode(line + colon, len - colon, key, sizeof key);
    if (key_len < 0)
        return line_error(cfg, TLS_STREAM_ERR_BAD_KEY, number, TLS_STREAM_MSG("key is not 1..32 bytes of hex"));
    rc = check_entry(cfg, *pending, line, colon - 1, (size_t)key_len);
    if (rc != TLS_STREAM_OK) {
        tls_stream_memzero(key, sizeof key);
        return line_error(cfg, rc, number,
                          rc == TLS_STREAM_ERR_ARG ? TLS_STREAM_MSG("identity must be 1..128 bytes")
                                            : TLS_STREAM_MSG("duplicate identity"));
    }
    e = new_entry(&cfg->alloc, line, colon - 1, key, (size_t)key_len);
    tls_stream_memzero(key, sizeof key);
    if (e == NULL)
        return TLS_STREAM_ERR_NOMEM;
    e->next = *pending;
    *pending = e;
    return TLS_STREAM_OK;
}

int tls_stream_config_load_psk_table(tls_stream_config *cfg, const char *text, size_t len)
{
    tls_stream_psk_entry *pending = NULL;
    size_t pos = 0, number = 0;
    int rc = tls_stream_config_psk_allowed(cfg, TLS_STREAM_SERVER);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (text == NULL)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("no PSK table"));
    while (pos < len && rc == TLS_STREAM_OK) {
        size_t end = pos, stop;
        while (end < len && text[end] != '\n')
            end++;
        stop = end;
        if (stop > pos && text[stop - 1] == '\r')
            stop--;
        number++;
        if (stop > pos && text[pos] != '#')
            rc = parse_line(cfg, &pending, text + pos, stop - pos, number);
        pos = end + 1;
    }
    if (rc != TLS_STREAM_OK) {
        tls_stream_psk_table_free(&cfg->alloc, pending);
        return rc;
    }
    if (pending == NULL)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_BAD_KEY, 0, TLS_STREAM_MSG("PSK table has no entry"));
    append(cfg, pending);
    return TLS_STREAM_OK;
}
