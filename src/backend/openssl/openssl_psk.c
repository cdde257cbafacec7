/*
 * OpenSSL backend: PSK. TLS 1.2 goes through OpenSSL's PSK callbacks (whose
 * identities are C strings), TLS 1.3 through external PSK sessions (binary
 * identities; the key is used with SHA-256 and always with (EC)DHE, since
 * OpenSSL offers psk_dhe_ke only).
 */
#include <string.h>

#include "openssl_internal.h"

/* TLS_AES_128_GCM_SHA256: our external PSK's hash is SHA-256. */
static const unsigned char tls13_aes128gcm_sha256[] = {0x13, 0x01};

static tls_stream_osl_session *session_of(SSL *ssl)
{
    return SSL_get_app_data(ssl);
}

/* Server: the application's key for identity into key. Returns its length,
 * or 0 with s->psk_status saying why not (as the mbedtls backend). */
static size_t lookup(tls_stream_osl_session *s, const unsigned char *identity, size_t identity_len,
                     unsigned char *key, size_t key_size)
{
    const tls_stream_osl_config *cfg = s->cfg;
    int n;

    if (identity_len == 0 || identity_len > TLS_STREAM_PSK_MAX_IDENTITY) {
        s->psk_status = TLS_STREAM_ERR_PSK_IDENTITY;
        return 0;
    }
    n = cfg->psk_lookup(cfg->psk_lookup_arg, identity, identity_len, key, key_size);
    if (n <= 0) {
        s->psk_status = TLS_STREAM_ERR_PSK_IDENTITY;
        return 0;
    }
    if ((size_t)n > key_size) {
        s->psk_status = TLS_STREAM_ERR_INTERNAL; /* the lookup broke its contract */
        return 0;
    }
    s->psk_status = 0;
    return (size_t)n;
}

/* An external TLS 1.3 PSK session for key, or NULL (out of memory). */
static SSL_SESSION *psk_session(tls_stream_osl_session *s, const SSL_CIPHER *cipher,
                                const unsigned char *key, size_t key_len)
{
    SSL_SESSION *sess = SSL_SESSION_new();

    if (sess == NULL || cipher == NULL || !SSL_SESSION_set1_master_key(sess, key, key_len) ||
        !SSL_SESSION_set_cipher(sess, cipher) ||
        !SSL_SESSION_set_protocol_version(sess, TLS1_3_VERSION)) {
        SSL_SESSION_free(sess);
        s->nomem = 1;
        return NULL;
    }
    return sess;
}

static unsigned int client_cb(SSL *ssl, const char *hint, char *identity,
                              unsigned int max_identity_len, unsigned char *psk,
                              unsigned int max_psk_len)
{
    const tls_stream_osl_config *cfg = session_of(ssl)->cfg;

    (void)hint;
    if (cfg->psk_identity_len + 1 > max_identity_len || cfg->psk_key_len > max_psk_len)
        return 0;
    memcpy(identity, cfg->psk_identity, cfg->psk_identity_len);
    identity[cfg->psk_identity_len] = '\0';
    memcpy(psk, cfg->psk_key, cfg->psk_key_len);
    return (unsigned int)cfg->psk_key_len;
}

static int client_use_session_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id,
                                 size_t *idlen, SSL_SESSION **sess)
{
    tls_stream_osl_session *s = session_of(ssl);
    const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, tls13_aes128gcm_sha256);

    *sess = NULL;
    *id = NULL;
    *idlen = 0;
    /* after a HelloRetryRequest for a suite of another hash: offer nothing */
    if (md != NULL && EVP_MD_get_type(md) != NID_sha256)
        return 1;
    *sess = psk_session(s, cipher, s->cfg->psk_key, s->cfg->psk_key_len);
    if (*sess == NULL)
        return 0;
    *id = s->cfg->psk_identity;
    *idlen = s->cfg->psk_identity_len;
    return 1;
}

static unsigned int server_cb(SSL *ssl, const char *identity, unsigned char *psk,
                              unsigned int max_psk_len)
{
    tls_stream_osl_session *s = session_of(ssl);
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    size_t n, len;

    if (identity == NULL) {
        s->psk_status = TLS_STREAM_ERR_PSK_IDENTITY;
        return 0;
    }
    for (len = 0; len <= TLS_STREAM_PSK_MAX_IDENTITY && identity[len] != '\0'; len++)
        ;
    n = lookup(s, (const unsigned char *)identity, len, key, sizeof key);
    if (n > max_psk_len)
        n = 0;
    if (n > 0)
        memcpy(psk, key, n);
    OPENSSL_cleanse(key, sizeof key);
    return (unsigned int)n;
}

/* An unknown identity: no session, so OpenSSL goes on without a PSK and,
 * having no certificate, fails the handshake; psk_status says why. */
static int server_find_session_cb(SSL *ssl, const unsigned char *identity, size_t identity_len,
                                  SSL_SESSION **sess)
{
    tls_stream_osl_session *s = session_of(ssl);
    const SSL_CIPHER *cipher = SSL_get_pending_cipher(ssl);
    unsigned char key[TLS_STREAM_PSK_MAX_KEY];
    size_t n;

    *sess = NULL;
    n = lookup(s, identity, identity_len, key, sizeof key);
    if (n == 0)
        return 1;
    if (cipher == NULL || EVP_MD_get_type(SSL_CIPHER_get_handshake_digest(cipher)) != NID_sha256)
        cipher = SSL_CIPHER_find(ssl, tls13_aes128gcm_sha256);
    *sess = psk_session(s, cipher, key, n);
    OPENSSL_cleanse(key, sizeof key);
    return *sess != NULL;
}

void tls_stream_osl_psk_setup(tls_stream_osl_config *cfg)
{
    if (cfg->role == TLS_STREAM_CLIENT && cfg->psk_key != NULL) {
        SSL_CTX_set_psk_client_callback(cfg->ctx, client_cb);
        SSL_CTX_set_psk_use_session_callback(cfg->ctx, client_use_session_cb);
    } else if (cfg->role == TLS_STREAM_SERVER && cfg->psk_lookup != NULL) {
        SSL_CTX_set_psk_server_callback(cfg->ctx, server_cb);
        SSL_CTX_set_psk_find_session_callback(cfg->ctx, server_find_session_cb);
    }
}
