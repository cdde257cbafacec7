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
    size_t n;

    s->psk_status = tls_stream_bk_psk_lookup(cfg->psk_lookup, cfg->psk_lookup_arg, identity, identity_len,
                                             key, key_size, &n);
    return n; /* 0 unless found */
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

/*
 * TLS 1.3: the identities of the ClientHello's pre_shared_key extension are
 * looked up here, before OpenSSL processes the extension, so that an
 * unknown identity is refused with unknown_psk_identity (as on TLS 1.2 and
 * on mbedtls), not with the handshake_failure of a server that has no
 * certificate to fall back on. The key found is kept for find_session.
 */
static int server_client_hello_cb(SSL *ssl, int *alert, void *arg)
{
    tls_stream_osl_session *s = session_of(ssl);
    const unsigned char *ext, *p, *end;
    size_t len;

    (void)arg;
    s->psk_id_len = s->psk_found_len = 0;
    if (!SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &ext, &len) || len < 2)
        return SSL_CLIENT_HELLO_SUCCESS; /* no TLS 1.3 PSK: TLS 1.2 asks server_cb */
    p = ext + 2;
    end = p + (((size_t)ext[0] << 8 | ext[1]) < len - 2 ? ((size_t)ext[0] << 8 | ext[1]) : len - 2);
    while (end - p >= 2) {
        size_t id_len = (size_t)p[0] << 8 | p[1];
        if ((size_t)(end - p) < 2 + id_len + 4)
            break; /* malformed: OpenSSL refuses it next */
        s->psk_found_len = lookup(s, p + 2, id_len, s->psk_found, sizeof s->psk_found);
        if (s->psk_found_len > 0) {
            memcpy(s->psk_id, p + 2, id_len); /* lookup() checked id_len */
            s->psk_id_len = id_len;
            return SSL_CLIENT_HELLO_SUCCESS;
        }
        if (s->psk_status != TLS_STREAM_ERR_PSK_IDENTITY)
            break; /* the lookup broke its contract */
        p += 2 + id_len + 4;
    }
    *alert = s->psk_status == TLS_STREAM_ERR_PSK_IDENTITY ? SSL_AD_UNKNOWN_PSK_IDENTITY
                                                          : SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
}

/* The key the ClientHello callback found (the lookup is asked once). */
static int server_find_session_cb(SSL *ssl, const unsigned char *identity, size_t identity_len,
                                  SSL_SESSION **sess)
{
    tls_stream_osl_session *s = session_of(ssl);
    const SSL_CIPHER *cipher = SSL_get_pending_cipher(ssl);

    *sess = NULL;
    if (s->psk_found_len == 0 || identity_len != s->psk_id_len ||
        memcmp(identity, s->psk_id, identity_len) != 0)
        return 1; /* another identity (a ticket): not ours */
    if (cipher == NULL || EVP_MD_get_type(SSL_CIPHER_get_handshake_digest(cipher)) != NID_sha256)
        cipher = SSL_CIPHER_find(ssl, tls13_aes128gcm_sha256);
    *sess = psk_session(s, cipher, s->psk_found, s->psk_found_len);
    return *sess != NULL;
}

void tls_stream_osl_psk_setup(tls_stream_osl_config *cfg)
{
    /* TLS 1.3 key exchange modes as on mbedtls: a PSK configuration takes
     * psk_ke as well as psk_dhe_ke (OpenSSL picks psk_dhe_ke when the peer
     * offers both); a certificate one resumes with psk_dhe_ke only */
    if (cfg->is_psk)
        SSL_CTX_set_options(cfg->ctx, SSL_OP_ALLOW_NO_DHE_KEX);
    else
        SSL_CTX_clear_options(cfg->ctx, SSL_OP_ALLOW_NO_DHE_KEX);
    if (cfg->role == TLS_STREAM_CLIENT && cfg->psk_key != NULL) {
        SSL_CTX_set_psk_client_callback(cfg->ctx, client_cb);
        SSL_CTX_set_psk_use_session_callback(cfg->ctx, client_use_session_cb);
    } else if (cfg->role == TLS_STREAM_SERVER && cfg->psk_lookup != NULL) {
        SSL_CTX_set_psk_server_callback(cfg->ctx, server_cb);
        SSL_CTX_set_psk_find_session_callback(cfg->ctx, server_find_session_cb);
        SSL_CTX_set_client_hello_cb(cfg->ctx, server_client_hello_cb, NULL);
    }
}
