/*
 * OpenSSL backend: certificates and keys, PEM or DER, from memory.
 * Own certificate and key are kept in the configuration and handed to the
 * SSL_CTX together in config_finish (OpenSSL drops a key that does not
 * match the certificate set before it, whichever order the calls come in).
 */
#include <limits.h>
#include <string.h>

#include <openssl/pem.h>

#include "openssl_internal.h"

/* DER certificates and keys are an ASN.1 SEQUENCE: their first byte; PEM
 * is text. */
#define DER_SEQUENCE 0x30

/* The password callback: never prompts (OpenSSL's default would read the
 * terminal); without a password an encrypted key fails to load. */
static int password_cb(char *buf, int size, int rwflag, void *u)
{
    const char *pw = u;
    size_t n;

    (void)rwflag;
    if (pw == NULL || size <= 0)
        return -1;
    n = strlen(pw);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, pw, n);
    return (int)n;
}

/* Whether the last PEM read found no (more) PEM block; clears that error. */
static int pem_at_end(void)
{
    unsigned long e = ERR_peek_last_error();

    if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
        ERR_clear_error();
        return 1;
    }
    return 0;
}

/*
 * OpenSSL keeps a certificate whose public key it could not decode (a key
 * type it does not know, or an allocation that failed inside the decoder:
 * it drops that error) with no key, and marks one whose extensions it could
 * not decode (on first use, also when an allocation failed) invalid for
 * good, or not self-signed. A CA or our own certificate would then fail later with a
 * misleading "unable to get local issuer" or "no shared cipher". So both
 * are decoded here, at load time, and a certificate that lacks either is
 * decoded once more from its DER: a failed allocation is then reported (or
 * gone); a really unusable certificate stays as it was.
 */
static int complete(X509 *x)
{
    EVP_PKEY *pk;
    uint32_t flags;
    int ok;

    ERR_set_mark(); /* the checks queue errors of their own */
    pk = X509_get0_pubkey(x);
    flags = X509_get_extension_flags(x);
    /* the key's size is cached when it is decoded: 0 fails it as too weak.
     * A self-issued certificate not found self-signed: OpenSSL's key type
     * check says "no" when it cannot allocate, and a root CA would then
     * never end a chain ("certificate chain too long") */
    ok = pk != NULL && EVP_PKEY_get_security_bits(pk) > 0 && !(flags & EXFLAG_INVALID) &&
         !((flags & EXFLAG_SI) && !(flags & EXFLAG_SS));
    ERR_pop_to_mark();
    return ok;
}

static X509 *decoded(X509 *x)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    X509 *again;
    int n;

    if (x == NULL || complete(x))
        return x;
    n = i2d_X509(x, &der);
    p = der;
    again = n > 0 ? d2i_X509(NULL, &p, n) : NULL;
    OPENSSL_free(der);
    X509_free(x);
    if (again != NULL)
        (void)complete(again); /* fills its caches now */
    return again;
}

/* One pass of parse_certs(); *silent is set when a block failed with
 * nothing in OpenSSL's error queue. */
static int parse_pass(tls_stream_osl_config *cfg, const unsigned char *data, size_t len,
                      int allow_partial, STACK_OF(X509) *out, const char *what, int *silent)
{
    BIO *bio;
    int parsed = 0, bad = 0;

    if (len > (size_t)INT_MAX)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("data too large"));
    bio = BIO_new_mem_buf(data, (int)len);
    if (bio == NULL)
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, what);
    for (;;) {
        X509 *x = decoded(PEM_read_bio_X509(bio, NULL, password_cb, NULL));
        unsigned long e;
        int nomem;

        if (x != NULL && sk_X509_push(out, x)) {
            parsed++;
            continue;
        }
        if (x != NULL) {
            X509_free(x);
            BIO_free(bio);
            return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, what);
        }
        if (pem_at_end())
            break;
        if (ERR_peek_error() == 0)
            *silent = 1;
        e = tls_stream_osl_drain(&nomem);
        if (nomem || !allow_partial) {
            BIO_free(bio);
            return tls_stream_osl_describe(cfg->detail, nomem ? TLS_STREAM_ERR_NOMEM : TLS_STREAM_ERR_BAD_CERT,
                                           e, what);
        }
        if (++bad > 10000)
            break; /* a block that keeps failing without moving on */
    }
    BIO_free(bio);
    if (parsed == 0 && bad == 0 && data[0] == DER_SEQUENCE) { /* one DER certificate */
        const unsigned char *p = data;
        X509 *x = decoded(d2i_X509(NULL, &p, (long)len));
        if (x == NULL || !sk_X509_push(out, x)) {
            X509_free(x);
            return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_BAD_CERT, what);
        }
        return TLS_STREAM_OK;
    }
    if (parsed == 0)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_BAD_CERT, 0, TLS_STREAM_MSG("invalid certificate"));
    return TLS_STREAM_OK;
}

/*
 * Every certificate in data (PEM) or, when it holds no PEM block, the one
 * DER certificate, pushed onto
 * out. allow_partial: skip certificates OpenSSL cannot parse as long as one
 * parses (system CA bundles); an allocation failure is never skipped.
 * OpenSSL's PEM reader fails without a word both on an empty block and
 * when it cannot allocate its line buffer: after such a failure the data is
 * parsed once more, so only the first kind is reported (or skipped).
 */
static int parse_certs(tls_stream_osl_config *cfg, const unsigned char *data, size_t len,
                       int allow_partial, STACK_OF(X509) *out, const char *what)
{
    int silent = 0, before = sk_X509_num(out);
    int status = parse_pass(cfg, data, len, allow_partial, out, what, &silent);

    if (silent) {
        while (sk_X509_num(out) > before)
            X509_free(sk_X509_pop(out));
        ERR_clear_error();
        status = parse_pass(cfg, data, len, allow_partial, out, what, &silent);
    }
    return status;
}

static int load_ca(tls_stream_osl_config *cfg, const unsigned char *data, size_t len)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    X509_STORE *store = SSL_CTX_get_cert_store(cfg->ctx);
    int status, i;

    if (certs == NULL)
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("invalid CA"));
    status = parse_certs(cfg, data, len, 1, certs, TLS_STREAM_MSG("invalid CA"));
    for (i = 0; status == TLS_STREAM_OK && i < sk_X509_num(certs); i++) {
        /* a duplicate is not an error: the certificate is trusted either way */
        int nomem;
        unsigned long e;
        if (X509_STORE_add_cert(store, sk_X509_value(certs, i)))
            continue;
        e = tls_stream_osl_drain(&nomem);
        if (nomem)
            status = tls_stream_osl_describe(cfg->detail, TLS_STREAM_ERR_NOMEM, e, TLS_STREAM_MSG("CA"));
    }
    sk_X509_pop_free(certs, X509_free);
    if (status == TLS_STREAM_OK)
        cfg->has_ca = 1;
    return status;
}

static int load_cert(tls_stream_osl_config *cfg, const unsigned char *data, size_t len)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    int status;

    if (certs == NULL)
        return tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_NOMEM, TLS_STREAM_MSG("invalid cert"));
    /* a new chain replaces the previous one */
    X509_free(cfg->leaf);
    sk_X509_pop_free(cfg->chain, X509_free);
    cfg->leaf = NULL;
    cfg->chain = NULL;
    cfg->has_cert = 0;
    status = parse_certs(cfg, data, len, 0, certs, TLS_STREAM_MSG("invalid cert"));
    if (status != TLS_STREAM_OK) {
        sk_X509_pop_free(certs, X509_free);
        return status;
    }
    cfg->leaf = sk_X509_shift(certs);
    cfg->chain = certs;
    cfg->has_cert = 1;
    return TLS_STREAM_OK;
}

static EVP_PKEY *parse_key(const unsigned char *data, size_t len, const char *password, int *nomem)
{
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    EVP_PKEY *key = NULL;

    *nomem = bio == NULL;
    if (bio == NULL)
        return NULL;
    if (data[0] != DER_SEQUENCE) {
        key = PEM_read_bio_PrivateKey(bio, NULL, password_cb, (void *)password);
    } else {
        const unsigned char *p = data;
        key = d2i_AutoPrivateKey(NULL, &p, (long)len); /* plain PKCS#8 or traditional */
        if (key == NULL && (tls_stream_osl_drain(nomem), !*nomem)) {
            /* encrypted PKCS#8 */
            key = d2i_PKCS8PrivateKey_bio(bio, NULL, password_cb, (void *)password);
        }
    }
    BIO_free(bio);
    return key;
}

static int load_key(tls_stream_osl_config *cfg, const unsigned char *data, size_t len,
                    const char *password)
{
    int nomem;

    EVP_PKEY_free(cfg->key);
    cfg->key = NULL;
    cfg->has_key = 0;
    if (len > (size_t)INT_MAX)
        return tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("data too large"));
    cfg->key = parse_key(data, len, password, &nomem);
    if (cfg->key == NULL && !nomem && ERR_peek_error() == 0) /* silent: see parse_certs() */
        cfg->key = parse_key(data, len, password, &nomem);
    if (cfg->key == NULL)
        return nomem ? tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_NOMEM, 0, TLS_STREAM_MSG("out of memory"))
                     : tls_stream_osl_config_error(cfg->detail, TLS_STREAM_ERR_BAD_KEY,
                                                   TLS_STREAM_MSG("invalid key"));
    cfg->has_key = 1;
    return TLS_STREAM_OK;
}

int tls_stream_osl_load(tls_stream_osl_config *cfg, tls_stream_item item, const unsigned char *data,
                        size_t len, const char *password)
{
    int status;

    ERR_clear_error();
    switch (item) {
    case TLS_STREAM_ITEM_CA:
        status = load_ca(cfg, data, len);
        break;
    case TLS_STREAM_ITEM_CERT:
        status = load_cert(cfg, data, len);
        break;
    case TLS_STREAM_ITEM_KEY:
        status = load_key(cfg, data, len, password);
        break;
    default:
        status = tls_stream_detail_set(cfg->detail, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("unknown item"));
        break;
    }
    ERR_clear_error();
    return status;
}
