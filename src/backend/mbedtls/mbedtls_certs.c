/*
 * mbedtls backend: certificates and keys (parsing, the configuration's
 * chains, verification details). A build without X.509 (a PSK-only
 * firmware configuration, see mbedtls_features.h) gets the stubs at the end:
 * loading a certificate or key answers TLS_STREAM_ERR_UNSUPPORTED.
 */
#include <stdio.h>
#include <string.h>

#include "mbedtls_internal.h"

#if TLS_STREAM_MBC_CAP_CERTS

#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

struct tls_stream_mbt_certs {
    mbedtls_x509_crt ca;
    mbedtls_x509_crt own_cert;
    mbedtls_pk_context own_key;
};

/* The configuration's certificate slots, made on first use. */
static int certs_get(tls_stream_mbt_config *cfg, struct tls_stream_mbt_certs **out)
{
    struct tls_stream_mbt_certs *c = cfg->certs;

    if (c == NULL) {
        c = cfg->alloc->alloc(cfg->alloc->ctx, sizeof *c);
        if (c == NULL)
            return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("out of memory"));
        mbedtls_x509_crt_init(&c->ca);
        mbedtls_x509_crt_init(&c->own_cert);
        mbedtls_pk_init(&c->own_key);
        cfg->certs = c;
    }
    *out = c;
    return TLS_STREAM_OK;
}

static int has_pem_marker(const unsigned char *data, size_t len)
{
    static const char marker[] = "-----BEGIN";
    const size_t mlen = sizeof marker - 1;
    size_t i;

    for (i = 0; i + mlen <= len; i++) {
        if (data[i] == '-' && memcmp(data + i, marker, mlen) == 0)
            return 1;
    }
    return 0;
}

/*
 * mbedtls parses PEM only when the terminating NUL is part of the length.
 * Returns in *out data itself when it is DER or already NUL-terminated PEM,
 * else a NUL-terminated copy (*copy_len bytes, to free with free_pem_copy).
 */
static int pem_terminated(tls_stream_mbt_config *cfg, const unsigned char *data, size_t len,
                          const unsigned char **out, size_t *out_len,
                          unsigned char **copy, size_t *copy_len)
{
    *out = data;
    *out_len = len;
    *copy = NULL;
    *copy_len = 0;
    if (data[len - 1] == '\0' || !has_pem_marker(data, len))
        return TLS_STREAM_OK;
    if (len == (size_t)-1)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("data too large"));
    *copy = cfg->alloc->alloc(cfg->alloc->ctx, len + 1);
    if (*copy == NULL)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("out of memory"));
    memcpy(*copy, data, len);
    (*copy)[len] = '\0';
    *copy_len = len + 1;
    *out = *copy;
    *out_len = len + 1;
    return TLS_STREAM_OK;
}

static void free_pem_copy(tls_stream_mbt_config *cfg, unsigned char *copy, size_t copy_len)
{
    if (copy == NULL)
        return;
    mbedtls_platform_zeroize(copy, copy_len); /* may hold a private key */
    cfg->alloc->free(cfg->alloc->ctx, copy, copy_len);
}

/* PEM (one or many) or one DER certificate, appended to chain. For a CA
 * bundle, certificates this mbedtls cannot parse are skipped as long as one
 * was parsed (system bundles hold algorithms older builds lack); our own
 * chain must parse completely. */
static int parse_certs(mbedtls_x509_crt *chain, const unsigned char *data, size_t len,
                       int allow_partial)
{
    int parsed = 0, first_error = 0;

    if (data[len - 1] != '\0')
        return mbedtls_x509_crt_parse_der(chain, data, len);
    /* mbedtls_x509_crt_parse()'s loop, block by block, so that an allocation
     * failure is never mistaken for an unparsable certificate and skipped */
    for (;;) {
        mbedtls_pem_context pem;
        size_t used = 0;
        int ret;

        mbedtls_pem_init(&pem);
        ret = mbedtls_pem_read_buffer(&pem, "-----BEGIN CERTIFICATE-----",
                                      "-----END CERTIFICATE-----", data, NULL, 0, &used);
        if (ret == 0) {
            size_t der_len;
            const unsigned char *der = tls_stream_mbc_pem_buffer(&pem, &der_len);
            ret = mbedtls_x509_crt_parse_der(chain, der, der_len);
        }
        mbedtls_pem_free(&pem);
        if (ret == MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT || used == 0)
            break;
        if (tls_stream_mbt_is_alloc_failure(ret) || (ret != 0 && !allow_partial))
            return ret;
        if (ret == 0)
            parsed++;
        else if (first_error == 0)
            first_error = ret;
        data += used;
    }
    if (parsed > 0)
        return 0;
    return first_error != 0 ? first_error : MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;
}

/* Parse data as item into the configuration (see tls_stream_mbt_certs_load). */
int tls_stream_mbt_certs_load(tls_stream_mbt_config *cfg, tls_stream_item item,
                              const unsigned char *data, size_t len, const char *password)
{
    struct tls_stream_mbt_certs *c = NULL;
    const unsigned char *in;
    unsigned char *copy;
    size_t in_len, copy_len;
    int status, ret;

    if ((status = certs_get(cfg, &c)) != TLS_STREAM_OK)
        return status;
    status = pem_terminated(cfg, data, len, &in, &in_len, &copy, &copy_len);
    if (status != TLS_STREAM_OK)
        return status;

    switch (item) {
    case TLS_STREAM_ITEM_CA:
        ret = parse_certs(&c->ca, in, in_len, 1);
        if (ret != 0) {
            status =
                tls_stream_mbt_config_error(cfg->detail, TLS_STREAM_ERR_BAD_CERT, ret, TLS_STREAM_MSG("invalid CA"));
            goto out;
        }
        cfg->has_ca = 1;
        break;
    case TLS_STREAM_ITEM_CERT:
        /* A new chain replaces the previous one. */
        mbedtls_x509_crt_free(&c->own_cert);
        mbedtls_x509_crt_init(&c->own_cert);
        cfg->has_cert = 0;
        ret = parse_certs(&c->own_cert, in, in_len, 0);
        if (ret != 0) {
            mbedtls_x509_crt_free(&c->own_cert);
            mbedtls_x509_crt_init(&c->own_cert);
            status =
                tls_stream_mbt_config_error(cfg->detail, TLS_STREAM_ERR_BAD_CERT, ret, TLS_STREAM_MSG("invalid cert"));
            goto out;
        }
        cfg->has_cert = 1;
        break;
    case TLS_STREAM_ITEM_KEY:
        mbedtls_pk_free(&c->own_key);
        mbedtls_pk_init(&c->own_key);
        cfg->has_key = 0;
        ret = tls_stream_mbc_pk_parse_key(&c->own_key, in, in_len,
                                   (const unsigned char *)password,
                                   password != NULL ? strlen(password) : 0, tls_stream_mbt_lazy_rng, cfg);
        if (ret != 0) {
            mbedtls_pk_free(&c->own_key);
            mbedtls_pk_init(&c->own_key);
            status =
                tls_stream_mbt_config_error(cfg->detail, TLS_STREAM_ERR_BAD_KEY, ret, TLS_STREAM_MSG("invalid key"));
            goto out;
        }
        cfg->has_key = 1;
        break;
    default: /* the core passes only these three */
        status = tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("unknown item"));
        goto out;
    }
    status = TLS_STREAM_OK;
out:
    free_pem_copy(cfg, copy, copy_len);
    return status;
}

int tls_stream_mbt_certs_check(tls_stream_mbt_config *cfg)
{
    struct tls_stream_mbt_certs *c = cfg->certs;
    int ret;

    if (!cfg->has_cert)
        return TLS_STREAM_OK;
    ret = tls_stream_mbc_pk_check_pair(&c->own_cert.pk, &c->own_key, tls_stream_mbt_lazy_rng, cfg);
    if (ret == 0)
        return TLS_STREAM_OK;
    return tls_stream_mbt_is_alloc_failure(ret)
               ? tls_stream_mbt_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, ret, TLS_STREAM_MSG("key check"))
               : tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_BAD_KEY, ret,
                                       TLS_STREAM_MSG("key does not match certificate"));
}

int tls_stream_mbt_certs_apply(tls_stream_mbt_config *cfg)
{
    struct tls_stream_mbt_certs *c = cfg->certs;
    int ret;

    if (cfg->has_ca)
        mbedtls_ssl_conf_ca_chain(&cfg->conf, &c->ca, NULL);
    if (cfg->has_cert && (ret = mbedtls_ssl_conf_own_cert(&cfg->conf, &c->own_cert, &c->own_key)) != 0)
        return tls_stream_mbt_config_error(cfg->detail, TLS_STREAM_ERR_INTERNAL, ret,
                                           TLS_STREAM_MSG("own certificate"));
    return TLS_STREAM_OK;
}

void tls_stream_mbt_certs_free(tls_stream_mbt_config *cfg)
{
    struct tls_stream_mbt_certs *c = cfg->certs;

    if (c == NULL)
        return;
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_x509_crt_free(&c->own_cert);
    mbedtls_pk_free(&c->own_key); /* zeroizes the key */
    mbedtls_platform_zeroize(c, sizeof *c);
    cfg->alloc->free(cfg->alloc->ctx, c, sizeof *c);
    cfg->certs = NULL;
}

/* A verify depth set: flag every certificate deeper than allowed. Depth 0 is
 * the peer's own certificate; the trust anchor is the deepest. */
static int verify_depth_cb(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    tls_stream_mbt_session *s = p;

    (void)crt;
    if (depth > s->cfg->verify_depth) {
        *flags |= MBEDTLS_X509_BADCERT_OTHER;
        s->depth_exceeded = 1;
    }
    return 0;
}

int tls_stream_mbt_certs_session(tls_stream_mbt_session *s, const char *server_name)
{
    int ret;

    if (s->cfg->role == TLS_STREAM_CLIENT && server_name != NULL &&
        (ret = mbedtls_ssl_set_hostname(&s->ssl, server_name)) != 0)
        return tls_stream_mbt_config_error(s->detail, TLS_STREAM_ERR_ARG, ret, TLS_STREAM_MSG("server name"));
    if (s->cfg->verify_depth > 0)
        mbedtls_ssl_set_verify(&s->ssl, verify_depth_cb, s);
    return TLS_STREAM_OK;
}

/* Server, OPTIONAL: mbedtls judges the client certificate as it arrives
 * and goes on whatever the verdict; the handshake looks after each step, so
 * that a bad one is refused (with its alert) before our Finished (TLS 1.2)
 * and the client's handshake fails too. No certificate at all is fine. */
int tls_stream_mbt_certs_check_optional(tls_stream_mbt_session *s)
{
    uint32_t flags = mbedtls_ssl_get_verify_result(&s->ssl);
    int status;

    if (flags == (uint32_t)-1) /* 3.x: not judged yet (2.28 says 0) */
        return TLS_STREAM_OK;
    flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_MISSING | MBEDTLS_X509_BADCERT_SKIP_VERIFY);
    if (flags == 0)
        return TLS_STREAM_OK; /* not judged yet, or judged good */
    s->optional_checked = 1;
    status = tls_stream_mbt_verify_error(s, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED, flags);
    (void)mbedtls_ssl_send_alert_message(&s->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                         status == TLS_STREAM_ERR_CERT_EXPIRED
                                             ? MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED
                                         : (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
                                             ? MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA
                                             : MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
    return status;
}

#if !TLS_STREAM_NO_MESSAGES
/* mbedtls_x509_crt_verify_info writes one line per flag; join them. */
void tls_stream_mbt_verify_text(char *out, size_t size, uint32_t flags)
{
    char info[256];
    size_t i, n = 0;
    int len = mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);

    if (len <= 0) {
        snprintf(out, size, "certificate verification failed (flags 0x%lx)",
                 (unsigned long)flags);
        return;
    }
    for (i = 0; info[i] != '\0' && n + 3 < size; i++) {
        if (info[i] == '\n') {
            if (info[i + 1] == '\0')
                break;
            out[n++] = ';';
            out[n++] = ' ';
        } else {
            out[n++] = info[i];
        }
    }
    out[n] = '\0';
}
#endif

#else /* no X.509 in this mbedtls build: PSK only */

int tls_stream_mbt_certs_load(tls_stream_mbt_config *cfg, tls_stream_item item,
                              const unsigned char *data, size_t len, const char *password)
{
    (void)item;
    (void)data;
    (void)len;
    (void)password;
    return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_UNSUPPORTED, 0,
                                 TLS_STREAM_MSG("this mbedtls build has no X.509 support"));
}

int tls_stream_mbt_certs_check(tls_stream_mbt_config *cfg)
{
    (void)cfg;
    return TLS_STREAM_OK;
}

int tls_stream_mbt_certs_apply(tls_stream_mbt_config *cfg)
{
    (void)cfg;
    return TLS_STREAM_OK;
}

void tls_stream_mbt_certs_free(tls_stream_mbt_config *cfg)
{
    (void)cfg;
}

/* Only PSK configurations exist here: the server name is not verified, and
 * mbedtls sends SNI only with X.509 support, so it is not sent. */
int tls_stream_mbt_certs_session(tls_stream_mbt_session *s, const char *server_name)
{
    (void)s;
    (void)server_name;
    return TLS_STREAM_OK;
}

int tls_stream_mbt_certs_check_optional(tls_stream_mbt_session *s)
{
    (void)s;
    return TLS_STREAM_OK;
}

#if !TLS_STREAM_NO_MESSAGES
void tls_stream_mbt_verify_text(char *out, size_t size, uint32_t flags)
{
    snprintf(out, size, "certificate verification failed (flags 0x%lx)", (unsigned long)flags);
}
#endif

#endif /* TLS_STREAM_MBC_CAP_CERTS */
