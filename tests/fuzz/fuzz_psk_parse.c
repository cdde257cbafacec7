/*
 * The PSK table and hex parsers.
 * Input: byte 0 selects: 0 tls_stream_config_load_psk_table() on a fresh server
 * configuration (then every identity it accepted must be found with its
 * key), 1 the core's hex decoder, 2 ussl_unhexlify(); the rest is the text.
 */
#include <string.h>

#include "core/core_internal.h"
#include "fuzz_common.h"
#include "tls_stream/ussl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void table(const uint8_t *d, size_t n)
{
    tls_stream_config *cfg;
    const tls_stream_psk_entry *e;
    int rc;
    if (tls_stream_config_new(&cfg, tls_stream_backend_mbedtls(), TLS_STREAM_SERVER, NULL) != TLS_STREAM_OK)
        abort();
    rc = tls_stream_config_load_psk_table(cfg, (const char *)d, n);
    if (rc != TLS_STREAM_OK && rc != TLS_STREAM_ERR_BAD_KEY && rc != TLS_STREAM_ERR_ARG && rc != TLS_STREAM_ERR_CONFIG)
        abort();
    if (rc != TLS_STREAM_OK && cfg->psk_table != NULL)
        abort(); /* all or nothing */
    for (e = cfg->psk_table; e != NULL; e = e->next) {
        unsigned char key[TLS_STREAM_PSK_MAX_KEY];
        int k;
        if (e->identity_len == 0 || e->identity_len > TLS_STREAM_PSK_MAX_IDENTITY ||
            e->key_len == 0 || e->key_len > TLS_STREAM_PSK_MAX_KEY)
            abort();
        k = tls_stream_psk_table_lookup(cfg, e->identity, e->identity_len, key, sizeof key);
        if (k != (int)e->key_len || memcmp(key, e->key, e->key_len) != 0)
            abort();
    }
    tls_stream_config_free(cfg);
}

static void hex(const uint8_t *d, size_t n)
{
    unsigned char out[TLS_STREAM_PSK_MAX_KEY];
    int rc = tls_stream_hex_decode((const char *)d, n, out, sizeof out);
    if (rc != TLS_STREAM_ERR_BAD_KEY && (rc <= 0 || (size_t)rc * 2 != n || rc > (int)sizeof out))
        abort();
}

static void unhexlify(const uint8_t *d, size_t n)
{
    unsigned char out[USSL_PSK_MAX_KEY];
    char *text = malloc(n + 1);
    ussl_error err;
    int rc;
    if (text == NULL)
        return;
    memcpy(text, d, n);
    text[n] = '\0';
    rc = ussl_unhexlify(text, out, sizeof out, &err);
    if (rc != USSL_E_VALUE && (rc < 0 || (size_t)rc > sizeof out))
        abort();
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 3) {
    case 0:
        table(data + 1, size - 1);
        break;
    case 1:
        hex(data + 1, size - 1);
        break;
    default:
        unhexlify(data + 1, size - 1);
        break;
    }
    return 0;
}
