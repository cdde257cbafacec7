/* Test support: the scriptable backend (see mock_backend.h). */
#include "mock_backend.h"

#include <string.h>

#define CFG_MAGIC 0x6d636667u  /* "mcfg" */
#define SESS_MAGIC 0x6d736573u /* "mses" */

typedef struct mock_cfg {
    unsigned magic;
    const tls_stream_allocator *alloc;
    tls_stream_detail *detail;
    int finished;
    int sessions; /* live sessions made from this configuration */
} mock_cfg;

typedef struct mock_session {
    unsigned magic;
    mock_cfg *cfg;
    tls_stream_detail *detail;
} mock_session;

static mock_backend the_mock;

static void breach(const char *what)
{
    if (the_mock.violation == NULL)
        the_mock.violation = what;
    the_mock.violations++;
}

static void trace(char c)
{
    size_t n = strlen(the_mock.trace);
    if (n + 1 < sizeof the_mock.trace) {
        the_mock.trace[n] = c;
        the_mock.trace[n + 1] = '\0';
    }
}

static int is_error(int rc)
{
    return rc < 0 && rc != TLS_STREAM_WANT_READ && rc != TLS_STREAM_WANT_WRITE && rc != TLS_STREAM_INTERRUPTED;
}

/* As a real backend: describe the error in detail, return it unchanged. */
static int answer(tls_stream_detail *detail, int rc, const char *msg)
{
    if (is_error(rc))
        return tls_stream_detail_set(detail, rc, the_mock.detail_code, msg);
    return rc;
}

static mock_cfg *cfg_of(void *p, const char *slot)
{
    mock_cfg *c = (mock_cfg *)p;
    if (c == NULL || c->magic != CFG_MAGIC) {
        breach(slot);
        return NULL;
    }
    return c;
}

static mock_session *session_of(const void *p, const char *slot)
{
    mock_session *s = (mock_session *)p;
    if (s == NULL || s->magic != SESS_MAGIC) {
        breach(slot);
        return NULL;
    }
    return s;
}

static int m_config_new(const tls_stream_backend_env *env, void **out)
{
    mock_cfg *c;
    int rc;
    the_mock.calls.config_new++;
    the_mock.env_role = env->role;
    the_mock.env_alloc = env->alloc;
    rc = mock_script_next(&the_mock.config_new);
    if (rc != TLS_STREAM_OK)
        return answer(env->detail, rc, "mock config_new failed");
    c = (mock_cfg *)env->alloc->alloc(env->alloc->ctx, sizeof *c);
    if (c == NULL)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_NOMEM, 0, "mock config_new: no memory");
    memset(c, 0, sizeof *c);
    c->magic = CFG_MAGIC;
    c->alloc = env->alloc;
    c->detail = env->detail;
    the_mock.configs_live++;
    *out = c;
    return TLS_STREAM_OK;
}

static int m_config_load(void *cfg, tls_stream_item item, const unsigned char *data, size_t len,
                         const char *password)
{
    mock_cfg *c = cfg_of(cfg, "config_load on a bad configuration");
    int rc;
    the_mock.calls.config_load++;
    if (c == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    if (c->finished)
        breach("config_load after config_finish");
    if (data == NULL || len == 0)
        breach("config_load without data");
    if ((unsigned)item < 3)
        the_mock.loads[item]++;
    the_mock.last_load_item = item;
    the_mock.last_load_len = len;
    the_mock.last_load_password = password;
    rc = mock_script_next(&the_mock.config_load);
    return answer(c->detail, rc, "mock config_load failed");
}

static int m_config_finish(void *cfg, const tls_stream_settings *settings)
{
    mock_cfg *c = cfg_of(cfg, "config_finish on a bad configuration");
    int rc;
    the_mock.calls.config_finish++;
    if (c == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    if (c->finished)
        breach("config_finish called twice");
    the_mock.settings = *settings;
    the_mock.settings_seen = 1;
    rc = mock_script_next(&the_mock.config_finish);
    if (rc == TLS_STREAM_OK)
        c->finished = 1;
    return answer(c->detail, rc, "mock config_finish failed");
}

static void m_config_free(void *cfg)
{
    mock_cfg *c = cfg_of(cfg, "config_free of a bad configuration");
    the_mock.calls.config_free++;
    if (c == NULL)
        return;
    if (c->sessions != 0)
        breach("config_free while sessions are live");
    c->magic = 0;
    c->alloc->free(c->alloc->ctx, c, sizeof *c);
    the_mock.configs_live--;
}

static int m_session_new(void *cfg, const tls_stream_session_env *env, void **out)
{
    mock_cfg *c = cfg_of(cfg, "session_new on a bad configuration");
    mock_session *s;
    int rc;
    the_mock.calls.session_new++;
    trace('n');
    if (c == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    if (!c->finished)
        breach("session_new before config_finish");
    if (env->io == NULL || env->detail == NULL)
        breach("session_new without io or detail");
    the_mock.session_io = env->io;
    the_mock.server_name_null = env->server_name == NULL;
    the_mock.server_name[0] = '\0';
    if (env->server_name != NULL) {
        strncpy(the_mock.server_name, env->server_name, sizeof the_mock.server_name - 1);
        the_mock.server_name[sizeof the_mock.server_name - 1] = '\0';
    }
    the_mock.resume_null = env->resume == NULL;
    the_mock.resume_len = env->resume == NULL ? 0 : env->resume_len;
    if (env->resume != NULL)
        memcpy(the_mock.resume, env->resume,
               env->resume_len < sizeof the_mock.resume ? env->resume_len
                                                        : sizeof the_mock.resume);
    rc = mock_script_next(&the_mock.session_new);
    if (rc != TLS_STREAM_OK)
        return answer(env->detail, rc, "mock session_new failed");
    s = (mock_session *)c->alloc->alloc(c->alloc->ctx, sizeof *s);
    if (s == NULL)
        return tls_stream_detail_set(env->detail, TLS_STREAM_ERR_NOMEM, 0, "mock session_new: no memory");
    s->magic = SESS_MAGIC;
    s->cfg = c;
    s->detail = env->detail;
    c->sessions++;
    the_mock.sessions_live++;
    *out = s;
    return TLS_STREAM_OK;
}

static void m_session_free(void *session)
{
    mock_session *s = session_of(session, "session_free of a bad session");
    the_mock.calls.session_free++;
    trace('x');
    if (s == NULL)
        return;
    s->magic = 0;
    s->cfg->sessions--;
    the_mock.sessions_live--;
    s->cfg->alloc->free(s->cfg->alloc->ctx, s, sizeof *s);
}

static int m_handshake(void *session)
{
    mock_session *s = session_of(session, "handshake on a bad session");
    the_mock.calls.handshake++;
    trace('h');
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    return answer(s->detail, mock_script_next(&the_mock.handshake), "mock handshake failed");
}

static int m_read(void *session, unsigned char *buf, size_t len)
{
    mock_session *s = session_of(session, "read on a bad session");
    size_t n, left;
    int rc;
    the_mock.calls.read++;
    trace('r');
    the_mock.last_read_len = len;
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    if (buf == NULL || len == 0)
        breach("read with no buffer or len 0");
    rc = mock_script_next(&the_mock.read);
    if (rc <= 0)
        return answer(s->detail, rc, "mock read failed");
    left = the_mock.read_len - the_mock.read_pos;
    if (left == 0) {
        breach("read script answers data but read_data is used up");
        return TLS_STREAM_ERR_INTERNAL;
    }
    n = (size_t)rc;
    if (n > len)
        n = len;
    if (n > left)
        n = left;
    memcpy(buf, the_mock.read_data + the_mock.read_pos, n);
    the_mock.read_pos += n;
    return (int)n;
}

static int m_write(void *session, const unsigned char *buf, size_t len)
{
    mock_session *s = session_of(session, "write on a bad session");
    size_t n, i;
    int rc;
    the_mock.calls.write++;
    trace('w');
    the_mock.last_write_len = len;
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    if (buf == NULL || len == 0)
        breach("write with no buffer or len 0");
    rc = mock_script_next(&the_mock.write);
    if (rc <= 0)
        return answer(s->detail, rc, "mock write failed");
    n = (size_t)rc < len ? (size_t)rc : len;
    for (i = 0; i < n; i++)
        if (the_mock.written_len + i < MOCK_DATA_MAX)
            the_mock.written[the_mock.written_len + i] = buf[i];
    the_mock.written_len += n;
    if (the_mock.write_buffers)
        the_mock.unflushed = 1;
    return (int)n;
}

static int m_flush(void *session)
{
    mock_session *s = session_of(session, "flush on a bad session");
    int rc;
    the_mock.calls.flush++;
    trace('f');
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    rc = mock_script_next(&the_mock.flush);
    if (rc == TLS_STREAM_OK)
        the_mock.unflushed = 0;
    return answer(s->detail, rc, "mock flush failed");
}

static int m_close_notify(void *session)
{
    mock_session *s = session_of(session, "close_notify on a bad session");
    the_mock.calls.close_notify++;
    trace('c');
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    return answer(s->detail, mock_script_next(&the_mock.close_notify),
                  "mock close_notify failed");
}

static size_t m_pending(const void *session)
{
    the_mock.calls.pending++;
    if (session_of(session, "pending on a bad session") == NULL)
        return 0;
    return the_mock.pending;
}

static int m_wants_flush(const void *session)
{
    the_mock.calls.wants_flush++;
    if (session_of(session, "wants_flush on a bad session") == NULL)
        return 0;
    return the_mock.unflushed != 0;
}

static int m_info(void *session, tls_stream_conn_info *info)
{
    mock_session *s = session_of(session, "info on a bad session");
    int rc;
    the_mock.calls.info++;
    trace('i');
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    rc = mock_script_next(&the_mock.info);
    if (rc == TLS_STREAM_OK)
        *info = the_mock.info_value;
    return answer(s->detail, rc, "mock info failed");
}

static int m_session_save(void *session, unsigned char *buf, size_t size, size_t *len)
{
    mock_session *s = session_of(session, "session_save on a bad session");
    int rc;
    the_mock.calls.session_save++;
    trace('s');
    the_mock.last_save_size = size;
    if (s == NULL)
        return TLS_STREAM_ERR_INTERNAL;
    if (len == NULL) {
        breach("session_save without len");
        return TLS_STREAM_ERR_INTERNAL;
    }
    rc = mock_script_next(&the_mock.session_save);
    if (rc != TLS_STREAM_OK)
        return answer(s->detail, rc, "mock session_save failed");
    *len = the_mock.save_blob_len;
    if (buf == NULL || size < the_mock.save_blob_len)
        return TLS_STREAM_ERR_ARG;
    memcpy(buf, the_mock.save_blob, the_mock.save_blob_len);
    return TLS_STREAM_OK;
}

mock_backend *mock_backend_reset(void)
{
    mock_backend *mb = &the_mock;
    memset(mb, 0, sizeof *mb);
    mb->backend.version = TLS_STREAM_BACKEND_VERSION;
    mb->backend.name = "mock";
    mb->backend.caps = TLS_STREAM_CAP_PSK | TLS_STREAM_CAP_ALPN | TLS_STREAM_CAP_RESUME | TLS_STREAM_CAP_MAX_FRAGMENT;
    mb->backend.config_new = m_config_new;
    mb->backend.config_load = m_config_load;
    mb->backend.config_finish = m_config_finish;
    mb->backend.config_free = m_config_free;
    mb->backend.session_new = m_session_new;
    mb->backend.session_free = m_session_free;
    mb->backend.handshake = m_handshake;
    mb->backend.read = m_read;
    mb->backend.write = m_write;
    mb->backend.flush = m_flush;
    mb->backend.close_notify = m_close_notify;
    mb->backend.pending = m_pending;
    mb->backend.wants_flush = m_wants_flush;
    mb->backend.info = m_info;
    mb->backend.session_save = m_session_save;
    mock_script_clear(&mb->config_new, TLS_STREAM_OK);
    mock_script_clear(&mb->config_load, TLS_STREAM_OK);
    mock_script_clear(&mb->config_finish, TLS_STREAM_OK);
    mock_script_clear(&mb->session_new, TLS_STREAM_OK);
    mock_script_clear(&mb->handshake, TLS_STREAM_OK);
    mock_script_clear(&mb->read, TLS_STREAM_WANT_READ);
    mock_script_clear(&mb->write, MOCK_ALL);
    mock_script_clear(&mb->flush, TLS_STREAM_OK);
    mock_script_clear(&mb->close_notify, TLS_STREAM_OK);
    mock_script_clear(&mb->info, TLS_STREAM_OK);
    mock_script_clear(&mb->session_save, TLS_STREAM_OK);
    mb->info_value.version = "TLSv1.2";
    mb->info_value.cipher = MOCK_CIPHER;
    mb->detail_code = MOCK_DETAIL_CODE;
    return mb;
}

mock_backend *mock_backend_get(void)
{
    return &the_mock;
}

void mock_backend_set_read_data(mock_backend *mb, const void *data, size_t len)
{
    if (len > MOCK_DATA_MAX)
        len = MOCK_DATA_MAX;
    memcpy(mb->read_data, data, len);
    mb->read_len = len;
    mb->read_pos = 0;
}
