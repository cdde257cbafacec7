/*
 * ussl_wrap_socket(): check the keywords as MicroPython does, build one
 * tls_stream_config for this socket (as the old ussl module did), create the
 * stream and run the handshake unless do_handshake is off.
 */
#include "ussl_internal.h"

void ussl_opts_init(ussl_opts *opts)
{
    if (opts == NULL)
        return;
    /* all bits zero is NULL and 0, as tls_stream_zalloc() assumes too (a
     * static zero struct to copy from would cost its size in flash) */
    tls_stream_memzero(opts, sizeof *opts);
    opts->init = USSL_OPTS_MAGIC;
    opts->cert_reqs = USSL_CERT_NONE;
    opts->do_handshake = 1;
    opts->timeout_ms = -1;
}

static const char keyless_msg[] =
    TLS_STREAM_MSG("server_side requires keyfile and certfile (or psk_table)");

static int blob_given(const ussl_blob *b)
{
    return b->data != NULL || b->path != NULL;
}

/* What a blob is for: the setter to call and the error for bad data. */
typedef enum blob_use { USE_CA, USE_CERT, USE_KEY, USE_PSK_TABLE } blob_use;

typedef struct blob_job {
    tls_stream_config *cfg;
    blob_use use;
    ussl_error *err;
} blob_job;

static const char *blob_name(blob_use use)
{
    switch (use) {
    case USE_CA: return "ca_certs";
    case USE_CERT: return "certfile";
    case USE_KEY: return "keyfile";
    default: return "psk_table";
    }
}

/* Hand loaded bytes to the configuration; the ussl_blob_fn of load_file. */
static int apply_blob(void *ctx, const unsigned char *data, size_t len)
{
    blob_job *job = (blob_job *)ctx;
    const char *msg = NULL;
    int rc;
    if (data == NULL || len == 0)
        return ussl_value_error(job->err, job->use == USE_KEY ? TLS_STREAM_MSG("invalid key")
                                          : job->use == USE_PSK_TABLE ? TLS_STREAM_MSG("invalid psk_table")
                                                                      : TLS_STREAM_MSG("invalid cert"));
    switch (job->use) {
    case USE_CA:
        rc = tls_stream_config_add_ca(job->cfg, data, len);
        break;
    case USE_CERT:
        rc = tls_stream_config_set_cert(job->cfg, data, len);
        break;
    case USE_KEY:
        rc = tls_stream_config_set_key(job->cfg, data, len, NULL);
        break;
    default:
        rc = tls_stream_config_load_psk_table(job->cfg, (const char *)data, len);
        if (rc == TLS_STREAM_ERR_BAD_KEY) { /* name the bad line, not just "invalid key" */
            tls_stream_config_error_detail(job->cfg, &msg);
            return ussl_value_error(
                job->err, msg != NULL && *msg != '\0' ? msg : TLS_STREAM_MSG("invalid psk_table"));
        }
        break;
    }
    if (rc == TLS_STREAM_OK)
        return 0;
    {
        int code = tls_stream_config_error_detail(job->cfg, &msg);
        return ussl_from_status(job->err, rc, code, msg);
    }
}

/* Load one keyword's data or file into cfg. */
static int load_blob(tls_stream_config *cfg, const ussl_opts *o, const ussl_blob *b, blob_use use,
                     ussl_error *err)
{
    blob_job job;
    int rc;
    job.cfg = cfg;
    job.use = use;
    job.err = err;
    if (b->data != NULL)
        return apply_blob(&job, (const unsigned char *)b->data, b->len);
    rc = o->load_file(o->load_file_arg, b->path, apply_blob, &job);
    if (USSL_IS_ERRNO(rc) && (err == NULL || err->kind == USSL_NO_ERROR)) {
        /* the loader's own failure (the file), not one reported by apply_blob */
        char text[sizeof err->msg];
        const char *name = ussl_errno_name(-rc);
        size_t n;
        ussl_os_error(err, -rc, 0);
        if (err != NULL && *name != '\0' && !TLS_STREAM_NO_MESSAGES) {
            /* "ENOENT: keyfile" — which keyword's file failed */
            ussl_strlcpy(text, sizeof text, name, sizeof text);
            n = tls_stream_strnlen(text, sizeof text);
            ussl_strlcpy(text + n, sizeof text - n, ": ", 2);
            n += tls_stream_strnlen(text + n, sizeof text - n);
            ussl_strlcpy(text + n, sizeof text - n, blob_name(use), sizeof text);
            ussl_strlcpy(err->msg, sizeof err->msg, text, sizeof text);
        }
    }
    return rc;
}

static int check_blob(const ussl_opts *o, const ussl_blob *b, blob_use use, ussl_error *err)
{
    static const char *const both[] = { TLS_STREAM_MSG("ca_certs: give data or a path, not both"),
                                        TLS_STREAM_MSG("certfile: give data or a path, not both"),
                                        TLS_STREAM_MSG("keyfile: give data or a path, not both"),
                                        TLS_STREAM_MSG("psk_table: give data or a path, not both") };
    static const char *const nofile[] = { TLS_STREAM_MSG("ca_certs: file paths need opts.load_file"),
                                          TLS_STREAM_MSG("certfile: file paths need opts.load_file"),
                                          TLS_STREAM_MSG("keyfile: file paths need opts.load_file"),
                                          TLS_STREAM_MSG("psk_table: file paths need opts.load_file") };
    if (b->data != NULL && b->path != NULL)
        return ussl_value_error(err, both[use]);
    if (b->data == NULL && b->path != NULL && o->load_file == NULL)
        return ussl_value_error(err, nofile[use]);
    return 0;
}

/*
 * The keyword rules of MicroPython and the ussl documentation, plus ours: a
 * client that asks for verification (CERT_OPTIONAL or CERT_REQUIRED) gets it
 * or fails, never an unverified connection.
 * Not here: a key without certificate (key_without_cert(): the key is
 * parsed first) and a server without key (*keyless: refused now when the
 * handshake runs now, else when it runs).
 */
static int check_opts(const ussl_opts *o, size_t ident_len, int *keyless, ussl_error *err)
{
    int psk_client = o->psk_ident != NULL || o->psk_key != NULL;
    int psk_server = blob_given(&o->psk_table) || o->psk_lookup != NULL;
    int key = blob_given(&o->keyfile), cert = blob_given(&o->certfile);
    int rc;

    if (o->backend == NULL)
        return ussl_value_error(err,
                                TLS_STREAM_MSG("opts.backend is required (e.g. tls_stream_backend_mbedtls())"));
    if (o->cert_reqs != USSL_CERT_NONE && o->cert_reqs != USSL_CERT_OPTIONAL &&
        o->cert_reqs != USSL_CERT_REQUIRED)
        return ussl_value_error(err, TLS_STREAM_MSG("invalid cert_reqs"));
    if ((rc = check_blob(o, &o->ca_certs, USE_CA, err)) != 0 ||
        (rc = check_blob(o, &o->certfile, USE_CERT, err)) != 0 ||
        (rc = check_blob(o, &o->keyfile, USE_KEY, err)) != 0 ||
        (rc = check_blob(o, &o->psk_table, USE_PSK_TABLE, err)) != 0)
        return rc;
    if (o->psk_ident != NULL && o->psk_key == NULL)
        return ussl_value_error(err, TLS_STREAM_MSG("psk_ident requires psk_key"));
    if (o->psk_key != NULL && o->psk_ident == NULL)
        return ussl_value_error(err, TLS_STREAM_MSG("psk_key requires psk_ident"));
    if (cert && !key)
        return ussl_value_error(err, TLS_STREAM_MSG("certfile requires keyfile"));

    if (o->server_side) {
        if (psk_client)
            return ussl_value_error(err,
                                    TLS_STREAM_MSG("PSK ciphers only supported for client connections "
                                            "(a PSK server uses psk_table or psk_lookup)"));
        if (blob_given(&o->psk_table) && o->psk_lookup != NULL)
            return ussl_value_error(err, TLS_STREAM_MSG("give psk_table or psk_lookup, not both"));
        if (psk_server && key)
            return ussl_value_error(err, TLS_STREAM_MSG("cannot have cert&key and a PSK table"));
        if (!psk_server && !key) {
            if (o->do_handshake)
                return ussl_value_error(err, keyless_msg);
            *keyless = 1;
        }
        if (psk_server && o->cert_reqs != USSL_CERT_NONE)
            return ussl_value_error(err, TLS_STREAM_MSG("a PSK server cannot use cert_reqs"));
        if (o->cert_reqs != USSL_CERT_NONE && !blob_given(&o->ca_certs))
            return ussl_value_error(err, o->cert_reqs == USSL_CERT_REQUIRED
                                             ? TLS_STREAM_MSG("CERT_REQUIRED requires ca_certs")
                                             : TLS_STREAM_MSG("CERT_OPTIONAL requires ca_certs"));
        return 0;
    }
    if (psk_server)
        return ussl_value_error(err, TLS_STREAM_MSG("psk_table and psk_lookup are for server_side"));
    if (psk_client) {
        if (key)
            return ussl_value_error(err, TLS_STREAM_MSG("cannot have cert&key and psk_ident&psk_key"));
        if (ident_len > USSL_PSK_MAX_IDENT)
            return ussl_value_error(err, TLS_STREAM_MSG("psk_ident must be 0..128 bytes"));
        if (o->psk_key_len == 0 || o->psk_key_len > USSL_PSK_MAX_KEY)
            return ussl_value_error(err, TLS_STREAM_MSG("psk_key must be 1..32 bytes"));
        return 0; /* the key authenticates the server: cert_reqs does not apply */
    }
    if (o->cert_reqs != USSL_CERT_NONE) {
        /* CERT_OPTIONAL verifies like CERT_REQUIRED on a client (CPython does the same) */
        if (o->server_hostname == NULL)
            return ussl_value_error(err, o->cert_reqs == USSL_CERT_REQUIRED
                                             ? TLS_STREAM_MSG("CERT_REQUIRED requires server_hostname")
                                             : TLS_STREAM_MSG("CERT_OPTIONAL requires server_hostname"));
        if (!blob_given(&o->ca_certs))
            return ussl_value_error(err, o->cert_reqs == USSL_CERT_REQUIRED
                                             ? TLS_STREAM_MSG("CERT_REQUIRED requires ca_certs")
                                             : TLS_STREAM_MSG("CERT_OPTIONAL requires ca_certs"));
    }
    return 0;
}

/* keyfile without certfile: the key is checked first, as MicroPython
 * parses it first (key=b"!" is "invalid key" whatever else is missing). */
static int key_without_cert(const ussl_opts *o, ussl_error *err)
{
    tls_stream_config *cfg = NULL;
    int rc = tls_stream_config_new(&cfg, o->backend, o->server_side ? TLS_STREAM_SERVER : TLS_STREAM_CLIENT,
                                   o->alloc);
    if (rc != TLS_STREAM_OK)
        return ussl_from_status(err, rc, 0, TLS_STREAM_MSG("tls_stream_config_new failed"));
    rc = load_blob(cfg, o, &o->keyfile, USE_KEY, err);
    tls_stream_config_free(cfg);
    return rc != 0 ? rc : ussl_value_error(err, TLS_STREAM_MSG("keyfile requires certfile"));
}

static int config_status(ussl_error *err, tls_stream_config *cfg, int rc)
{
    const char *msg = NULL;
    int code = tls_stream_config_error_detail(cfg, &msg);
    return ussl_from_status(err, rc, code, msg);
}

/* Build the configuration these keywords describe. */
static int build_config(const ussl_opts *o, size_t ident_len, tls_stream_config **out, ussl_error *err)
{
    tls_stream_config *cfg = NULL;
    int rc;

    rc = tls_stream_config_new(&cfg, o->backend, o->server_side ? TLS_STREAM_SERVER : TLS_STREAM_CLIENT, o->alloc);
    if (rc != TLS_STREAM_OK)
        return ussl_from_status(err, rc, 0, TLS_STREAM_MSG("tls_stream_config_new failed"));
    rc = tls_stream_config_set_verify(cfg, (tls_stream_verify)o->cert_reqs);
    if (rc != TLS_STREAM_OK) {
        rc = config_status(err, cfg, rc);
        goto out;
    }
    if (blob_given(&o->ca_certs) && (rc = load_blob(cfg, o, &o->ca_certs, USE_CA, err)) != 0)
        goto out;
    if (blob_given(&o->certfile) && (rc = load_blob(cfg, o, &o->certfile, USE_CERT, err)) != 0)
        goto out;
    if (blob_given(&o->keyfile) && (rc = load_blob(cfg, o, &o->keyfile, USE_KEY, err)) != 0)
        goto out;
    if (blob_given(&o->psk_table) &&
        (rc = load_blob(cfg, o, &o->psk_table, USE_PSK_TABLE, err)) != 0)
        goto out;
    if (o->psk_lookup != NULL &&
        (rc = tls_stream_config_set_psk_lookup(cfg, o->psk_lookup, o->psk_lookup_arg)) != TLS_STREAM_OK) {
        rc = config_status(err, cfg, rc);
        goto out;
    }
    if (o->psk_ident != NULL &&
        (rc = tls_stream_config_set_psk(cfg, o->psk_ident, ident_len, o->psk_key, o->psk_key_len)) !=
            TLS_STREAM_OK) {
        rc = config_status(err, cfg, rc);
        goto out;
    }
    /* on a server the name has no use: MicroPython accepts and ignores it */
    if (!o->server_side && o->server_hostname != NULL &&
        (rc = tls_stream_config_set_server_name(cfg, o->server_hostname)) != TLS_STREAM_OK) {
        rc = config_status(err, cfg, rc);
        goto out;
    }
    if (o->timeout_ms >= 0)
        tls_stream_config_set_timeout(cfg, o->timeout_ms);
    rc = 0;
out:
    if (rc != 0) {
        tls_stream_config_free(cfg);
        cfg = NULL;
    }
    *out = cfg;
    return rc;
}

/*
 * The core talks to the transport through this proxy, so that the
 * transport is closed only once the socket owns it: a failed wrap leaves
 * it open for the caller, as MicroPython does.
 */
static int proxy_read(void *ctx, unsigned char *buf, size_t len)
{
    ussl_socket *s = (ussl_socket *)ctx;
    return s->io.read(s->io.ctx, buf, len);
}

static int proxy_write(void *ctx, const unsigned char *buf, size_t len)
{
    ussl_socket *s = (ussl_socket *)ctx;
    return s->io.write(s->io.ctx, buf, len);
}

static int proxy_wait(void *ctx, int want, int timeout_ms)
{
    ussl_socket *s = (ussl_socket *)ctx;
    return s->io.wait(s->io.ctx, want, timeout_ms);
}

static int proxy_set_timeout(void *ctx, int timeout_ms)
{
    ussl_socket *s = (ussl_socket *)ctx;
    return s->io.set_timeout(s->io.ctx, timeout_ms);
}

static int proxy_close(void *ctx)
{
    ussl_socket *s = (ussl_socket *)ctx;
    if (s->owns_io && s->io.close != NULL)
        s->close_rc = s->io.close(s->io.ctx);
    return s->close_rc;
}

/* do_handshake=True: loop like MicroPython, with the poll hook between tries. */
static int run_handshake(ussl_socket *s, const ussl_opts *o, ussl_error *err)
{
    for (;;) {
        int rc = tls_stream_handshake(s->stream);
        if (rc == TLS_STREAM_OK)
            return 0;
        if (rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE)
            return ussl_from_stream(err, s->stream, rc);
        if (o->poll_hook == NULL) {
            ussl_os_error(err, USSL_EAGAIN, rc);
            if (err != NULL && !TLS_STREAM_NO_MESSAGES) /* else the name "EAGAIN" stays */
                ussl_strlcpy(err->msg, sizeof err->msg,
                             "EAGAIN: handshake would block and the transport cannot wait "
                             "(use do_handshake=False or opts.poll_hook)",
                             sizeof err->msg);
            return -USSL_EAGAIN;
        }
        rc = o->poll_hook(o->poll_hook_arg);
        if (rc != 0)
            return ussl_transport_error(err, rc, 0);
    }
}

int ussl_wrap_socket(const tls_stream_io *sock, const ussl_opts *opts, ussl_socket **out,
                     ussl_error *err)
{
    const tls_stream_allocator *a;
    tls_stream_config *cfg = NULL;
    ussl_socket *s;
    tls_stream_io proxy;
    size_t ident_len = 0;
    int keyless = 0;
    int rc;

    ussl_set_error(err, 0, USSL_NO_ERROR, 0, 0, "");
    if (out == NULL)
        return ussl_value_error(err, TLS_STREAM_MSG("out is NULL"));
    *out = NULL;
    if (opts == NULL || opts->init != USSL_OPTS_MAGIC)
        return ussl_value_error(
            err, TLS_STREAM_MSG("opts not initialised (use ussl_opts_init())"));
    if (sock == NULL || sock->read == NULL || sock->write == NULL)
        return ussl_value_error(err, TLS_STREAM_MSG("sock is not a stream (tls_stream_io needs read and write)"));
    if (opts->psk_ident != NULL)
        ident_len = opts->psk_ident_len; /* explicit: 0 is the empty identity */
    rc = check_opts(opts, ident_len, &keyless, err);
    if (rc != 0)
        return rc;
    a = tls_stream_allocator_or_default(opts->alloc);
    if (a == NULL)
        return ussl_value_error(err, TLS_STREAM_MSG("no allocator (set opts.alloc)"));
    if (blob_given(&opts->keyfile) && !blob_given(&opts->certfile))
        return key_without_cert(opts, err);
    if (!keyless && (rc = build_config(opts, ident_len, &cfg, err)) != 0)
        return rc;

    s = (ussl_socket *)tls_stream_zalloc(a, sizeof *s);
    if (s == NULL) {
        tls_stream_config_free(cfg);
        return ussl_os_error(err, USSL_ENOMEM, TLS_STREAM_ERR_NOMEM);
    }
    s->alloc = *a;
    s->io = *sock;
    s->sock_ops = opts->sock_ops;
    if (keyless) {
        /* no stream: the handshake's first step (any read or write) fails */
        s->deferred = 1;
        ussl_value_error(&s->deferred_err, keyless_msg);
        s->owns_io = 1;
        *out = s;
        return 0;
    }
    proxy.ctx = s;
    proxy.read = proxy_read;
    proxy.write = proxy_write;
    proxy.close = proxy_close;
    proxy.wait = sock->wait != NULL ? proxy_wait : NULL;
    proxy.set_timeout = sock->set_timeout != NULL ? proxy_set_timeout : NULL;
    rc = tls_stream_new(&s->stream, cfg, &proxy);
    if (rc != TLS_STREAM_OK) {
        rc = config_status(err, cfg, rc);
        goto fail;
    }
    tls_stream_config_free(cfg); /* the stream holds its own reference */
    cfg = NULL;
    if (!opts->server_side && opts->session != NULL &&
        (rc = tls_stream_session_load(s->stream, opts->session, opts->session_len)) != TLS_STREAM_OK) {
        rc = ussl_from_stream(err, s->stream, rc);
        goto fail;
    }
    if (opts->do_handshake && (rc = run_handshake(s, opts, err)) != 0)
        goto fail;
    s->owns_io = 1;
    *out = s;
    return 0;
fail:
    tls_stream_free(s->stream); /* owns_io is 0: the transport stays open */
    tls_stream_config_free(cfg);
    tls_stream_memzero(s, sizeof *s);
    tls_stream_dealloc(a, s, sizeof *s);
    return rc;
}
