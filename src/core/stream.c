/*
 * tls_stream: the connection state machine.
 *
 *   NEW ──handshake──▶ HANDSHAKE ──▶ OPEN ──peer close_notify──▶ PEER_CLOSED
 *    │                    │            │                              │
 *    └────────────────────┴────────────┴──── tls_stream_close() ──────┴─▶ CLOSED
 *   any fatal error ─▶ FAILED (sticky: every later call returns the error)
 *
 * Blocking mode turns "want" answers into io->wait() calls; non-blocking mode
 * returns them. tls_stream_wants() reports the want of each kind of call
 * still pending (the last read, the last write/flush/shutdown/close, the
 * last handshake call: set by its want, cleared when a call of that kind
 * completes), so a read waiting for input and a write waiting for output
 * are both reported; internal steps (a flush inside a read) never clear
 * another call's want.
 * TLS_STREAM_INTERRUPTED ("soft", like a want) is returned as is in both
 * modes: the stream keeps its state and the next call continues.
 */
#include "core_internal.h"
#include "noinline.h"
#include "stream_internal.h"

/* A result that ends the call without failing the stream. */
static int is_soft(int rc)
{
    return rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE || rc == TLS_STREAM_INTERRUPTED;
}

static int fail(tls_stream *s, int err)
{
    s->state = TLS_STREAM_STATE_FAILED;
    s->error = err;
    return err;
}

/*
 * The end of a public call of one kind (TLS_STREAM_CALL_*): its want stays
 * pending for tls_stream_wants() until a call of that kind ends otherwise
 * (an interruption changes nothing). Returns rc.
 */
TLS_STREAM_NOINLINE static int note(tls_stream *s, int kind, int rc)
{
    if (rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE)
        s->pending[kind] = rc;
    else if (rc != TLS_STREAM_INTERRUPTED)
        s->pending[kind] = 0;
    return rc;
}

/*
 * A backend call answered TLS_STREAM_WANT_READ/WRITE. Blocking: wait for the
 * transport and return TLS_STREAM_OK to retry. Otherwise return what the caller
 * returns: the want itself, TLS_STREAM_ERR_TIMEOUT, or a transport error.
 */
static int await(tls_stream *s, int want)
{
    int rc;
    if (!s->blocking || s->io.wait == NULL)
        return want;
    rc = s->io.wait(s->io.ctx, want, s->cfg->timeout_ms);
    if (rc == TLS_STREAM_OK || rc == TLS_STREAM_ERR_TIMEOUT)
        return rc;
    if (is_soft(rc))
        return rc; /* a wait that cannot block, or an interrupted one: to the caller */
    return tls_stream_detail_set(&s->detail, TLS_STREAM_ERR_IO, rc, TLS_STREAM_MSG("transport wait failed"));
}

/*
 * Repeat op until it stops asking to wait. Every result but a want or a
 * retry ends the loop; errors other than wants are fatal unless soft.
 */
typedef int (*stream_op)(tls_stream *s, void *arg);

static int drive(tls_stream *s, stream_op op, void *arg, int timeout_is_fatal)
{
    for (;;) {
        int rc = op(s, arg);
        if (rc == TLS_STREAM_INTERRUPTED)
            return rc; /* no wait: the caller gets control back now */
        if (rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE)
            return rc;
        rc = await(s, rc);
        if (rc == TLS_STREAM_OK)
            continue;
        if (is_soft(rc))
            return rc;
        if (rc == TLS_STREAM_ERR_TIMEOUT && !timeout_is_fatal)
            return rc;
        return fail(s, rc);
    }
}

/* The end of a driven operation: an error that is not soft fails the
 * stream, unless it failed already (the first error stays). Returns rc. */
static int settle(tls_stream *s, int rc)
{
    if (rc < 0 && !is_soft(rc) && s->state != TLS_STREAM_STATE_FAILED)
        return fail(s, rc);
    return rc;
}

static void drop_resume(tls_stream *s)
{
    if (s->resume == NULL)
        return;
    tls_stream_memzero(s->resume, s->resume_len); /* holds a master secret */
    tls_stream_dealloc(&s->cfg->alloc, s->resume, s->resume_len + 1);
    s->resume = NULL;
    s->resume_len = 0;
}

static int start_session(tls_stream *s)
{
    tls_stream_session_env env;
    int rc;
    const char *name = s->server_name != NULL ? s->server_name : s->cfg->server_name;
    if (s->cfg->set.role == TLS_STREAM_CLIENT && s->cfg->set.verify != TLS_STREAM_VERIFY_NONE &&
        s->cfg->set.psk_key_len == 0 && name == NULL)
        return tls_stream_detail_set(&s->detail, TLS_STREAM_ERR_CONFIG, 0,
                              TLS_STREAM_MSG("certificate verification requires a server name"));
    if (s->io.set_timeout != NULL && s->cfg->timeout_ms >= 0 &&
        (rc = s->io.set_timeout(s->io.ctx, s->cfg->timeout_ms)) < 0)
        return tls_stream_detail_set(&s->detail, TLS_STREAM_ERR_IO, rc,
                                     TLS_STREAM_MSG("transport set_timeout failed"));
    env.io = &s->io;
    env.server_name = name;
    env.detail = &s->detail;
    env.resume = s->resume;
    env.resume_len = s->resume_len;
    rc = s->cfg->backend->session_new(s->cfg->backend_cfg, &env, &s->session);
    drop_resume(s); /* the backend has its own copy now */
    return rc;
}

static int handshake_step(tls_stream *s, void *arg)
{
    (void)arg;
    return s->cfg->backend->handshake(s->session);
}

/* Bring the stream to OPEN (or report why not). */
static int ensure_open(tls_stream *s)
{
    int rc;
    switch (s->state) {
    case TLS_STREAM_STATE_OPEN:
    case TLS_STREAM_STATE_PEER_CLOSED:
        return TLS_STREAM_OK;
    case TLS_STREAM_STATE_FAILED:
        return s->error;
    case TLS_STREAM_STATE_CLOSED:
        return TLS_STREAM_ERR_CLOSED;
    case TLS_STREAM_STATE_NEW:
        rc = start_session(s);
        if (rc != TLS_STREAM_OK)
            return fail(s, rc);
        s->state = TLS_STREAM_STATE_HANDSHAKE;
        break;
    case TLS_STREAM_STATE_HANDSHAKE:
        break;
    }
    rc = settle(s, drive(s, handshake_step, NULL, 1));
    if (rc != TLS_STREAM_OK)
        return rc;
    rc = s->cfg->backend->info(s->session, &s->info);
    if (rc != TLS_STREAM_OK)
        return fail(s, rc);
    s->state = TLS_STREAM_STATE_OPEN;
    return TLS_STREAM_OK;
}

int tls_stream_new(tls_stream **out, tls_stream_config *cfg, const tls_stream_io *io)
{
    tls_stream *s;
    int rc;
    if (out == NULL)
        return TLS_STREAM_ERR_ARG;
    *out = NULL;
    if (cfg == NULL || io == NULL || io->read == NULL || io->write == NULL)
        return TLS_STREAM_ERR_ARG;
    rc = tls_stream_config_freeze(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    s = (tls_stream *)tls_stream_zalloc(&cfg->alloc, sizeof *s);
    if (s == NULL)
        return TLS_STREAM_ERR_NOMEM;
    s->cfg = tls_stream_config_ref(cfg);
    s->io = *io;
    s->blocking = 1;
    s->state = TLS_STREAM_STATE_NEW;
    *out = s;
    return TLS_STREAM_OK;
}

/* Close the transport once; returns what its close returned (0 if none). */
static int close_transport(tls_stream *s)
{
    int rc = 0;
    if (!s->io_closed && s->io.close != NULL)
        rc = s->io.close(s->io.ctx);
    s->io_closed = 1;
    return rc;
}

/* Free everything but the transport. */
static void release(tls_stream *s)
{
    tls_stream_config *cfg = s->cfg;
    if (s->session != NULL)
        cfg->backend->session_free(s->session);
    if (s->server_name != NULL)
        tls_stream_dealloc(&cfg->alloc, s->server_name,
                    tls_stream_strnlen(s->server_name, TLS_STREAM_SERVER_NAME_MAX) + 1);
    drop_resume(s);
    tls_stream_memzero(s, sizeof *s);
    tls_stream_dealloc(&cfg->alloc, s, sizeof *s);
    tls_stream_config_free(cfg);
}

void tls_stream_free(tls_stream *s)
{
    if (s == NULL)
        return;
    (void)close_transport(s); /* nobody to tell: tls_stream_close() reports it */
    release(s);
}

void tls_stream_abort(tls_stream *s)
{
    if (s != NULL)
        release(s);
}

int tls_stream_set_server_name(tls_stream *s, const char *name)
{
    size_t n;
    char *copy;
    if (s == NULL || name == NULL)
        return TLS_STREAM_ERR_ARG;
    if (s->state != TLS_STREAM_STATE_NEW)
        return TLS_STREAM_ERR_STATE;
    n = tls_stream_strnlen(name, TLS_STREAM_SERVER_NAME_MAX + 1);
    if (n == 0 || n > TLS_STREAM_SERVER_NAME_MAX)
        return TLS_STREAM_ERR_ARG;
    copy = (char *)tls_stream_memdup(&s->cfg->alloc, name, n);
    if (copy == NULL)
        return TLS_STREAM_ERR_NOMEM;
    if (s->server_name != NULL)
        tls_stream_dealloc(&s->cfg->alloc, s->server_name,
                    tls_stream_strnlen(s->server_name, TLS_STREAM_SERVER_NAME_MAX) + 1);
    s->server_name = copy;
    return TLS_STREAM_OK;
}

int tls_stream_session_load(tls_stream *s, const unsigned char *buf, size_t len)
{
    unsigned char *copy;
    if (s == NULL || buf == NULL || len == 0)
        return TLS_STREAM_ERR_ARG;
    if (s->state != TLS_STREAM_STATE_NEW || s->cfg->set.role != TLS_STREAM_CLIENT)
        return TLS_STREAM_ERR_STATE;
    if (!(s->cfg->backend->caps & TLS_STREAM_CAP_RESUME))
        return TLS_STREAM_ERR_UNSUPPORTED;
    copy = tls_stream_memdup(&s->cfg->alloc, buf, len);
    if (copy == NULL)
        return TLS_STREAM_ERR_NOMEM;
    drop_resume(s);
    s->resume = copy;
    s->resume_len = len;
    return TLS_STREAM_OK;
}

int tls_stream_set_blocking(tls_stream *s, int blocking)
{
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    s->blocking = blocking != 0;
    return TLS_STREAM_OK;
}

static int handshake_call(tls_stream *s)
{
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    return ensure_open(s);
}

static int flush_step(tls_stream *s, void *arg)
{
    (void)arg;
    return s->cfg->backend->flush(s->session);
}

/* Send what the backend still buffers; see tls_stream_flush(). */
static int flush_pending(tls_stream *s)
{
    if (!s->cfg->backend->wants_flush(s->session))
        return TLS_STREAM_OK;
    return settle(s, drive(s, flush_step, NULL, 1));
}

static int flush_call(tls_stream *s)
{
    int rc;
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    rc = ensure_open(s);
    return rc != TLS_STREAM_OK ? rc : flush_pending(s);
}

typedef struct io_span {
    unsigned char *buf;
    size_t len;
} io_span;

static int read_step(tls_stream *s, void *arg)
{
    io_span *span = (io_span *)arg;
    return s->cfg->backend->read(s->session, span->buf, span->len);
}

static size_t cap_len(size_t len)
{
    return len > (size_t)TLS_INT_MAX ? (size_t)TLS_INT_MAX : len;
}

static int read_call(tls_stream *s, void *buf, size_t len)
{
    io_span span;
    int rc;
    if (s == NULL || (buf == NULL && len > 0))
        return TLS_STREAM_ERR_ARG;
    if (len == 0)
        return 0; /* as tls_stream_write() and read(2): nothing asked, nothing done */
    if (s->state == TLS_STREAM_STATE_PEER_CLOSED)
        return 0;
    rc = ensure_open(s);
    if (rc != TLS_STREAM_OK)
        return rc;
    /* our own unsent data first: the peer may be waiting for it. If it
     * cannot go yet, read anyway: the peer may be blocked writing to us. */
    rc = flush_pending(s);
    if (rc != TLS_STREAM_OK && rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE)
        return rc; /* an error, or interrupted */
    span.buf = (unsigned char *)buf;
    span.len = cap_len(len);
    rc = drive(s, read_step, &span, 0);
    if (rc > 0 || is_soft(rc) || rc == TLS_STREAM_ERR_TIMEOUT || s->state == TLS_STREAM_STATE_FAILED)
        return rc;
    if (rc == 0 || (rc == TLS_STREAM_ERR_TRUNCATED && s->cfg->allow_truncation)) {
        s->state = TLS_STREAM_STATE_PEER_CLOSED;
        return 0;
    }
    return fail(s, rc);
}

typedef struct write_span {
    const unsigned char *buf;
    size_t len;
} write_span;

static int write_step(tls_stream *s, void *arg)
{
    write_span *span = (write_span *)arg;
    return s->cfg->backend->write(s->session, span->buf, span->len);
}

static int write_call(tls_stream *s, const void *buf, size_t len)
{
    write_span span;
    size_t done = 0;
    int rc;
    if (s == NULL || (buf == NULL && len > 0))
        return TLS_STREAM_ERR_ARG;
    if (len == 0)
        return 0;
    if (s->state == TLS_STREAM_STATE_PEER_CLOSED || s->shut_wr)
        return TLS_STREAM_ERR_CLOSED;
    rc = ensure_open(s);
    if (rc != TLS_STREAM_OK)
        return rc;
    rc = flush_pending(s);
    if (rc != TLS_STREAM_OK)
        return rc;
    len = cap_len(len);
    while (done < len) {
        span.buf = (const unsigned char *)buf + done;
        span.len = len - done;
        rc = drive(s, write_step, &span, 1);
        if (rc > 0) {
            done += (size_t)rc;
            continue;
        }
        if (is_soft(rc)) {
            if (done == 0)
                return rc;
            if (rc != TLS_STREAM_INTERRUPTED)
                s->short_want = rc; /* the rest waits for this: see tls_stream_write() */
            break; /* non-blocking or interrupted: report what was accepted */
        }
        return s->state == TLS_STREAM_STATE_FAILED ? rc : fail(s, rc);
    }
    rc = flush_pending(s);
    if (rc < 0 && !is_soft(rc))
        return rc; /* accepted bytes count only when the stream lives on */
    return (int)done;
}

static int close_notify_step(tls_stream *s, void *arg)
{
    (void)arg;
    return s->cfg->backend->close_notify(s->session);
}

static int shutdown_call(tls_stream *s)
{
    int rc;
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    rc = ensure_open(s);
    if (rc != TLS_STREAM_OK)
        return rc;
    s->shut_wr = 1; /* the backend builds close_notify once, then only flushes */
    return settle(s, drive(s, close_notify_step, NULL, 1));
}

static int close_call(tls_stream *s)
{
    int rc = TLS_STREAM_OK, close_rc;
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    if (s->state == TLS_STREAM_STATE_CLOSED)
        return TLS_STREAM_OK;
    if (s->state == TLS_STREAM_STATE_OPEN || s->state == TLS_STREAM_STATE_PEER_CLOSED) {
        int peer_closed = s->state == TLS_STREAM_STATE_PEER_CLOSED;
        /* best effort, bounded: non-blocking streams try once */
        rc = drive(s, close_notify_step, NULL, 1);
        if (rc == TLS_STREAM_INTERRUPTED)
            return rc; /* nothing closed yet: the next call continues */
        /* after the peer's close_notify the connection ended cleanly: a peer
         * that closed its transport without reading our reply is normal */
        if (rc == TLS_STREAM_WANT_READ || rc == TLS_STREAM_WANT_WRITE || peer_closed)
            rc = TLS_STREAM_OK;
    }
    close_rc = close_transport(s);
    s->state = TLS_STREAM_STATE_CLOSED;
    if (rc < 0)
        return rc; /* the first error wins, with its detail */
    if (close_rc < 0)
        return tls_stream_detail_set(&s->detail, TLS_STREAM_ERR_IO, close_rc,
                                     TLS_STREAM_MSG("transport close failed"));
    return TLS_STREAM_OK;
}

/* The public calls: each notes its own pending want (see note()). */

int tls_stream_handshake(tls_stream *s)
{
    return s == NULL ? TLS_STREAM_ERR_ARG : note(s, TLS_STREAM_CALL_HANDSHAKE, handshake_call(s));
}

int tls_stream_read(tls_stream *s, void *buf, size_t len)
{
    return s == NULL ? TLS_STREAM_ERR_ARG : note(s, TLS_STREAM_CALL_READ, read_call(s, buf, len));
}

int tls_stream_write(tls_stream *s, const void *buf, size_t len)
{
    int rc;
    if (s == NULL)
        return TLS_STREAM_ERR_ARG;
    s->short_want = 0;
    rc = note(s, TLS_STREAM_CALL_WRITE, write_call(s, buf, len));
    if (rc > 0 && s->short_want != 0)
        s->pending[TLS_STREAM_CALL_WRITE] = s->short_want; /* a short count: the rest must wait */
    return rc;
}

int tls_stream_flush(tls_stream *s)
{
    return s == NULL ? TLS_STREAM_ERR_ARG : note(s, TLS_STREAM_CALL_WRITE, flush_call(s));
}

int tls_stream_shutdown(tls_stream *s)
{
    return s == NULL ? TLS_STREAM_ERR_ARG : note(s, TLS_STREAM_CALL_WRITE, shutdown_call(s));
}

int tls_stream_close(tls_stream *s)
{
    return s == NULL ? TLS_STREAM_ERR_ARG : note(s, TLS_STREAM_CALL_WRITE, close_call(s));
}
