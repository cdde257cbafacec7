/*
 * tls_bench: the baseline. mbedtls 2.28 called directly, configured the way
 * src/backend/mbedtls configures it (same RNG and personalization, TLS 1.2
 * only, no renegotiation, PSK lookup by callback on the server) with the
 * same forced suite and curve, over the same tls_stream_io transports.
 */
#include <string.h>

#include <mbedtls/net_sockets.h>

#include "bench.h"

static const unsigned char personalization[] = "tls_stream";

/* The transport: the same tls_stream_io adapters that tls_stream uses. */
static int raw_send(void *p, const unsigned char *buf, size_t len)
{
    const tls_stream_io *io = p;
    int n = io->write(io->ctx, buf, len);
    if (n > 0)
        return n;
    if (n == TLS_STREAM_WANT_WRITE)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (n == TLS_STREAM_WANT_READ)
        return MBEDTLS_ERR_SSL_WANT_READ;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int raw_recv(void *p, unsigned char *buf, size_t len)
{
    const tls_stream_io *io = p;
    int n = io->read(io->ctx, buf, len);
    if (n >= 0)
        return n;
    if (n == TLS_STREAM_WANT_READ)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (n == TLS_STREAM_WANT_WRITE)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

static int raw_psk_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *id, size_t id_len)
{
    raw_config *rc = p;
    rc->psk_calls++;
    if (id_len != strlen(g_psk_identity) || memcmp(id, g_psk_identity, id_len) != 0)
        return -1;
    return mbedtls_ssl_set_hs_psk(ssl, g_psk_key, sizeof g_psk_key);
}

static int raw_verify_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    raw_config *rc = p;
    (void)crt;
    (void)flags;
    if (depth == 0)
        rc->verify_calls++;
    return 0;
}

int raw_config_init(raw_config *rc, bench_mode mode, tls_stream_role role)
{
    int ret;
    memset(rc, 0, sizeof *rc);
    mbedtls_ssl_config_init(&rc->conf);
    mbedtls_entropy_init(&rc->entropy);
    mbedtls_ctr_drbg_init(&rc->drbg);
    mbedtls_x509_crt_init(&rc->ca);
    mbedtls_x509_crt_init(&rc->cert);
    mbedtls_pk_init(&rc->key);
    rc->is_server = role == TLS_STREAM_SERVER;
    rc->is_psk = bench_mode_is_psk(mode);
    rc->suites[0] = bench_mode_suites(mode)[0];
    rc->suites[1] = 0;

    if (bench_crypto_init() != 0) /* mbedtls 3.x: PSA before any TLS */
        return -1;
    if ((ret = mbedtls_ctr_drbg_seed(&rc->drbg, mbedtls_entropy_func, &rc->entropy,
                                     personalization, sizeof personalization - 1)) != 0)
        return ret;
    if ((ret = mbedtls_ssl_config_defaults(&rc->conf,
                                           rc->is_server ? MBEDTLS_SSL_IS_SERVER
                                                         : MBEDTLS_SSL_IS_CLIENT,
                                           MBEDTLS_SSL_TRANSPORT_STREAM,
                                           MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
        return ret;
    bench_conf_tls12(&rc->conf);
    mbedtls_ssl_conf_renegotiation(&rc->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    mbedtls_ssl_conf_legacy_renegotiation(&rc->conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
    mbedtls_ssl_conf_rng(&rc->conf, mbedtls_ctr_drbg_random, &rc->drbg);

    if (rc->is_psk) {
        mbedtls_ssl_conf_authmode(&rc->conf, MBEDTLS_SSL_VERIFY_NONE);
        if (rc->is_server)
            mbedtls_ssl_conf_psk_cb(&rc->conf, raw_psk_cb, rc);
        else if ((ret = mbedtls_ssl_conf_psk(&rc->conf, g_psk_key, sizeof g_psk_key,
                                             (const unsigned char *)g_psk_identity,
                                             strlen(g_psk_identity))) != 0)
            return ret;
    } else if (rc->is_server) {
        mbedtls_ssl_conf_authmode(&rc->conf, MBEDTLS_SSL_VERIFY_NONE);
        if ((ret = mbedtls_x509_crt_parse(&rc->cert, g_creds.cert, g_creds.cert_len + 1)) != 0)
            return ret;
        if ((ret = bench_pk_parse_key(&rc->key, g_creds.key, g_creds.key_len + 1, &rc->drbg)) !=
            0)
            return ret;
        if ((ret = mbedtls_ssl_conf_own_cert(&rc->conf, &rc->cert, &rc->key)) != 0)
            return ret;
    } else {
        mbedtls_ssl_conf_authmode(&rc->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        if ((ret = mbedtls_x509_crt_parse(&rc->ca, g_creds.ca, g_creds.ca_len + 1)) != 0)
            return ret;
        mbedtls_ssl_conf_ca_chain(&rc->conf, &rc->ca, NULL);
    }
    mbedtls_ssl_conf_ciphersuites(&rc->conf, rc->suites);
    bench_conf_p256(&rc->conf);
    return 0;
}

void raw_config_free(raw_config *rc)
{
    mbedtls_ssl_config_free(&rc->conf);
    mbedtls_ctr_drbg_free(&rc->drbg);
    mbedtls_entropy_free(&rc->entropy);
    mbedtls_x509_crt_free(&rc->ca);
    mbedtls_x509_crt_free(&rc->cert);
    mbedtls_pk_free(&rc->key);
}

int raw_config_resume(raw_config *rc, raw_resume_state *st, raw_resume kind)
{
    int ret;
    if (!rc->is_server) {
        /* count full verifications: a resumed handshake verifies nothing */
        mbedtls_ssl_conf_verify(&rc->conf, raw_verify_cb, rc);
        /* as the backend: clients always offer tickets; the server decides */
        mbedtls_ssl_conf_session_tickets(&rc->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
        return 0;
    }
    memset(st, 0, sizeof *st);
    st->kind = kind;
    if (kind == RAW_RESUME_TICKETS) {
        mbedtls_ssl_ticket_init(&st->ticket);
        if ((ret = mbedtls_ssl_ticket_setup(&st->ticket, mbedtls_ctr_drbg_random, &rc->drbg,
                                            MBEDTLS_CIPHER_AES_256_GCM, 86400)) != 0)
            return ret;
        mbedtls_ssl_conf_session_tickets_cb(&rc->conf, mbedtls_ssl_ticket_write,
                                            mbedtls_ssl_ticket_parse, &st->ticket);
    } else if (kind == RAW_RESUME_CACHE) {
        mbedtls_ssl_cache_init(&st->cache);
        mbedtls_ssl_cache_set_max_entries(&st->cache, 50);
        mbedtls_ssl_cache_set_timeout(&st->cache, 86400);
        mbedtls_ssl_conf_session_cache(&rc->conf, &st->cache, mbedtls_ssl_cache_get,
                                       mbedtls_ssl_cache_set);
    }
    return 0;
}

void raw_resume_free(raw_resume_state *st)
{
    if (st->kind == RAW_RESUME_TICKETS)
        mbedtls_ssl_ticket_free(&st->ticket);
    else if (st->kind == RAW_RESUME_CACHE)
        mbedtls_ssl_cache_free(&st->cache);
    st->kind = RAW_RESUME_NONE;
}

int raw_conn_init(raw_conn *c, raw_config *rc, const tls_stream_io *io)
{
    int ret;
    mbedtls_ssl_init(&c->ssl);
    c->io = io;
    if ((ret = mbedtls_ssl_setup(&c->ssl, &rc->conf)) != 0)
        return ret;
    if (!rc->is_server && !rc->is_psk &&
        (ret = mbedtls_ssl_set_hostname(&c->ssl, BENCH_SERVER_NAME)) != 0)
        return ret;
    mbedtls_ssl_set_bio(&c->ssl, (void *)io, raw_send, raw_recv, NULL);
    return 0;
}

void raw_conn_free(raw_conn *c)
{
    mbedtls_ssl_free(&c->ssl);
}

static int map(int ret)
{
    if (ret == MBEDTLS_ERR_SSL_WANT_READ)
        return TLS_STREAM_WANT_READ;
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
        return TLS_STREAM_WANT_WRITE;
    return ret;
}

int raw_handshake(raw_conn *c)
{
    return map(mbedtls_ssl_handshake(&c->ssl));
}

int raw_write(raw_conn *c, const unsigned char *buf, size_t len)
{
    return map(mbedtls_ssl_write(&c->ssl, buf, len));
}

int raw_read(raw_conn *c, unsigned char *buf, size_t len)
{
    int ret = mbedtls_ssl_read(&c->ssl, buf, len);
    if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
        return 0;
    return map(ret);
}

int raw_close_notify(raw_conn *c)
{
    return map(mbedtls_ssl_close_notify(&c->ssl));
}
