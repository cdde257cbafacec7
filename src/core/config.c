/*
 * tls_stream_config: creation, reference counting, setters and validation.
 * Setters copy their data and hand key material to the backend at once, so
 * a bad key or certificate is reported by the call that passed it.
 */
#include "core_internal.h"
#include "refcount.h"

int tls_stream_config_fail(tls_stream_config *cfg, int status, int code, const char *msg)
{
    return tls_stream_detail_set(&cfg->detail, status, code, msg);
}

const tls_stream_allocator *tls_stream_config_allocator(const tls_stream_config *cfg)
{
    return &cfg->alloc;
}

int tls_stream_config_new(tls_stream_config **out, const tls_stream_backend *backend, tls_stream_role role,
                   const tls_stream_allocator *alloc)
{
    const tls_stream_allocator *a;
    tls_stream_config *cfg;
    tls_stream_backend_env env;
    int rc;

    if (out == NULL)
        return TLS_STREAM_ERR_ARG;
    *out = NULL;
    if (backend == NULL || backend->version != TLS_STREAM_BACKEND_VERSION)
        return TLS_STREAM_ERR_ARG;
    if (role != TLS_STREAM_CLIENT && role != TLS_STREAM_SERVER)
        return TLS_STREAM_ERR_ARG;
    a = tls_stream_allocator_or_default(alloc);
    if (a == NULL)
        return TLS_STREAM_ERR_ARG;
    cfg = (tls_stream_config *)tls_stream_zalloc(a, sizeof *cfg);
    if (cfg == NULL)
        return TLS_STREAM_ERR_NOMEM;
    cfg->alloc = *a;
    cfg->backend = backend;
    cfg->refs = 1;
    cfg->set.role = role;
    cfg->set.verify = role == TLS_STREAM_CLIENT ? TLS_STREAM_VERIFY_REQUIRED : TLS_STREAM_VERIFY_NONE;
    cfg->timeout_ms = -1;
    env.role = role;
    env.alloc = &cfg->alloc;
    env.detail = &cfg->detail;
    rc = backend->config_new(&env, &cfg->backend_cfg);
    if (rc != TLS_STREAM_OK) {
        tls_stream_dealloc(a, cfg, sizeof *cfg);
        return rc;
    }
    *out = cfg;
    return TLS_STREAM_OK;
}

tls_stream_config *tls_stream_config_ref(tls_stream_config *cfg)
{
    if (cfg != NULL)
        TLS_REF_INC(&cfg->refs);
    return cfg;
}

static void free_names(tls_stream_config *cfg, tls_stream_name_list *list)
{
    tls_stream_dealloc(&cfg->alloc, list->names, list->size);
    list->names = NULL;
    list->size = 0;
}

static void free_server_name(tls_stream_config *cfg)
{
    if (cfg->server_name != NULL)
        tls_stream_dealloc(&cfg->alloc, cfg->server_name,
                    tls_stream_strnlen(cfg->server_name, TLS_STREAM_SERVER_NAME_MAX) + 1);
    cfg->server_name = NULL;
}

void tls_stream_config_free(tls_stream_config *cfg)
{
    tls_stream_allocator a;
    if (cfg == NULL || TLS_REF_DEC(&cfg->refs) != 0)
        return;
    a = cfg->alloc;
    cfg->backend->config_free(cfg->backend_cfg);
    tls_stream_psk_table_free(&a, cfg->psk_table);
    free_names(cfg, &cfg->alpn);
    free_names(cfg, &cfg->ciphersuites);
    free_names(cfg, &cfg->groups);
    free_names(cfg, &cfg->sigalgs);
    free_server_name(cfg);
    tls_stream_memzero(cfg, sizeof *cfg); /* wipes the client PSK key */
    tls_stream_dealloc(&a, cfg, sizeof *cfg);
}

int tls_stream_config_error_detail(const tls_stream_config *cfg, const char **msg)
{
    if (cfg == NULL) {
        if (msg != NULL)
            *msg = "";
        return 0;
    }
    if (msg != NULL)
        *msg = cfg->detail.msg;
    return cfg->detail.code;
}

/* Common guard of every setter: a config is immutable once in use. */
static int writable(tls_stream_config *cfg)
{
    if (cfg == NULL)
        return TLS_STREAM_ERR_ARG;
    if (cfg->frozen)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_STATE, 0, TLS_STREAM_MSG("configuration is in use (frozen)"));
    return TLS_STREAM_OK;
}

static int has_psk(const tls_stream_config *cfg)
{
    return cfg->set.psk_key_len > 0 || cfg->set.psk_lookup != NULL || cfg->psk_table != NULL;
}

int tls_stream_config_set_verify(tls_stream_config *cfg, tls_stream_verify mode)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (mode != TLS_STREAM_VERIFY_NONE && mode != TLS_STREAM_VERIFY_OPTIONAL && mode != TLS_STREAM_VERIFY_REQUIRED)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("unknown verify mode"));
    cfg->set.verify = mode;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_verify_depth(tls_stream_config *cfg, int depth)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (depth < 1 || depth > 16)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("verify depth must be 1..16"));
    cfg->set.verify_depth = depth;
    return TLS_STREAM_OK;
}

static int load(tls_stream_config *cfg, tls_stream_item item, const void *data, size_t len,
                const char *password)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (data == NULL || len == 0)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("no data"));
    if (item != TLS_STREAM_ITEM_CA && has_psk(cfg))
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                               TLS_STREAM_MSG("PSK and a certificate on the same side are exclusive"));
    return cfg->backend->config_load(cfg->backend_cfg, item, (const unsigned char *)data,
                                     len, password);
}

int tls_stream_config_add_ca(tls_stream_config *cfg, const void *data, size_t len)
{
    int rc = load(cfg, TLS_STREAM_ITEM_CA, data, len, NULL);
    if (rc == TLS_STREAM_OK)
        cfg->set.has_ca = 1;
    return rc;
}

int tls_stream_config_set_cert(tls_stream_config *cfg, const void *data, size_t len)
{
    int rc = load(cfg, TLS_STREAM_ITEM_CERT, data, len, NULL);
    if (rc == TLS_STREAM_OK)
        cfg->set.has_cert = 1;
    return rc;
}

int tls_stream_config_set_key(tls_stream_config *cfg, const void *data, size_t len, const char *password)
{
    int rc = load(cfg, TLS_STREAM_ITEM_KEY, data, len, password);
    if (rc == TLS_STREAM_OK)
        cfg->has_key = 1;
    return rc;
}

int tls_stream_config_set_server_name(tls_stream_config *cfg, const char *name)
{
    size_t n;
    char *copy;
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (name == NULL || (n = tls_stream_strnlen(name, TLS_STREAM_SERVER_NAME_MAX + 1)) == 0 ||
        n > TLS_STREAM_SERVER_NAME_MAX)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0,
                               TLS_STREAM_MSG("server name must be 1..253 characters"));
    copy = (char *)tls_stream_memdup(&cfg->alloc, name, n);
    if (copy == NULL)
        return TLS_STREAM_ERR_NOMEM;
    free_server_name(cfg);
    cfg->server_name = copy;
    return TLS_STREAM_OK;
}

/* Guard of the setters of one role's feature: writable, role (else
 * wrong_role), backend capability cap (else no_cap). */
static int feature_allowed(tls_stream_config *cfg, tls_stream_role role, unsigned cap,
                           const char *wrong_role, const char *no_cap)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (cfg->set.role != role)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_STATE, 0, wrong_role);
    if (!(cfg->backend->caps & cap))
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_UNSUPPORTED, 0, no_cap);
    return TLS_STREAM_OK;
}

int tls_stream_config_psk_allowed(tls_stream_config *cfg, tls_stream_role role)
{
    int rc = feature_allowed(cfg, role, TLS_STREAM_CAP_PSK,
                             role == TLS_STREAM_CLIENT
                                 ? TLS_STREAM_MSG("client PSK set on a server configuration")
                                 : TLS_STREAM_MSG("server PSK set on a client configuration"),
                             TLS_STREAM_MSG("backend has no PSK suites"));
    if (rc != TLS_STREAM_OK)
        return rc;
    if (cfg->set.has_cert || cfg->has_key)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                               TLS_STREAM_MSG("PSK and a certificate on the same side are exclusive"));
    return TLS_STREAM_OK;
}

int tls_stream_config_set_psk(tls_stream_config *cfg, const void *identity, size_t identity_len,
                       const void *key, size_t key_len)
{
    int rc = tls_stream_config_psk_allowed(cfg, TLS_STREAM_CLIENT);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (identity == NULL || key == NULL || key_len == 0)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("no PSK"));
    if (identity_len > TLS_STREAM_PSK_MAX_IDENTITY)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("PSK identity must be 0..128 bytes"));
    if (key_len > TLS_STREAM_PSK_MAX_KEY)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_BAD_KEY, 0, TLS_STREAM_MSG("PSK key longer than 32 bytes"));
    if (identity_len > 0)
        tls_stream_memcopy(cfg->psk_identity, identity, identity_len);
    tls_stream_memcopy(cfg->psk_key, key, key_len);
    cfg->set.psk_identity = cfg->psk_identity;
    cfg->set.psk_identity_len = identity_len;
    cfg->set.psk_key = cfg->psk_key;
    cfg->set.psk_key_len = key_len;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_psk_lookup(tls_stream_config *cfg, tls_stream_psk_lookup_fn fn, void *arg)
{
    int rc = tls_stream_config_psk_allowed(cfg, TLS_STREAM_SERVER);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (fn == NULL)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("no lookup function"));
    cfg->set.psk_lookup = fn;
    cfg->set.psk_lookup_arg = arg;
    return TLS_STREAM_OK;
}

/*
 * Copy names (NULL-terminated, 1..max_count names of 1..max_len bytes) into
 * list, replacing what it held. The caller has checked writable(cfg).
 */
static int set_names(tls_stream_config *cfg, tls_stream_name_list *list, const char *const *names,
                     size_t max_count, size_t max_len, const char *what)
{
    size_t count = 0, chars = 0, size, i;
    char **table;
    char *text;
    if (names == NULL || names[0] == NULL)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, what);
    for (; names[count] != NULL; count++) {
        size_t n = tls_stream_strnlen(names[count], max_len + 1);
        if (n == 0 || n > max_len || count >= max_count)
            return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, what);
        chars += n + 1;
    }
    size = (count + 1) * sizeof(char *) + chars;
    table = (char **)tls_stream_zalloc(&cfg->alloc, size);
    if (table == NULL)
        return TLS_STREAM_ERR_NOMEM;
    text = (char *)(table + count + 1);
    for (i = 0; i < count; i++) {
        size_t n = tls_stream_strnlen(names[i], max_len);
        tls_stream_memcopy(text, names[i], n);
        table[i] = text;
        text += n + 1;
    }
    free_names(cfg, list);
    list->names = table;
    list->size = size;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_alpn(tls_stream_config *cfg, const char *const *protos)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (!(cfg->backend->caps & TLS_STREAM_CAP_ALPN))
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_UNSUPPORTED, 0, TLS_STREAM_MSG("backend has no ALPN"));
    return set_names(cfg, &cfg->alpn, protos, 16, 255,
                     TLS_STREAM_MSG("ALPN names are 1..255 bytes, 1..16 of them"));
}

int tls_stream_config_set_ciphersuites(tls_stream_config *cfg, const char *const *names)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    return set_names(cfg, &cfg->ciphersuites, names, TLS_STREAM_MAX_CIPHERSUITES, 80,
                     TLS_STREAM_MSG("cipher suites: 1..15 names"));
}

int tls_stream_config_set_groups(tls_stream_config *cfg, const char *const *names)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    return set_names(cfg, &cfg->groups, names, TLS_STREAM_MAX_GROUPS, 32, TLS_STREAM_MSG("groups: 1..8 names"));
}

int tls_stream_config_set_sigalgs(tls_stream_config *cfg, const char *const *names)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    return set_names(cfg, &cfg->sigalgs, names, TLS_STREAM_MAX_SIGALGS, 32,
                     TLS_STREAM_MSG("signature algorithms: 1..16 names"));
}

int tls_stream_config_set_timeout(tls_stream_config *cfg, int timeout_ms)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    cfg->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
    return TLS_STREAM_OK;
}

int tls_stream_config_insecure_allow_truncation(tls_stream_config *cfg, int allow)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    cfg->allow_truncation = allow != 0;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_entropy(tls_stream_config *cfg, tls_stream_entropy_fn fn, void *arg)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (fn == NULL)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("no entropy function"));
    cfg->set.entropy = fn;
    cfg->set.entropy_arg = arg;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_debug(tls_stream_config *cfg, tls_stream_debug_fn fn, void *arg, int level)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    cfg->set.debug = fn;
    cfg->set.debug_arg = arg;
    cfg->set.debug_level = fn != NULL && level > 0 ? level : 0;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_session_tickets(tls_stream_config *cfg, int lifetime_s)
{
    int rc = feature_allowed(cfg, TLS_STREAM_SERVER, TLS_STREAM_CAP_RESUME,
                             TLS_STREAM_MSG("a server setting on a client configuration"),
                             TLS_STREAM_MSG("not supported by the backend"));
    if (rc != TLS_STREAM_OK)
        return rc;
    if (lifetime_s < 0)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0, TLS_STREAM_MSG("negative ticket lifetime"));
    cfg->set.ticket_lifetime = lifetime_s;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_session_cache(tls_stream_config *cfg, int max_entries, int timeout_s)
{
    int rc = feature_allowed(cfg, TLS_STREAM_SERVER, TLS_STREAM_CAP_RESUME,
                             TLS_STREAM_MSG("a server setting on a client configuration"),
                             TLS_STREAM_MSG("not supported by the backend"));
    if (rc != TLS_STREAM_OK)
        return rc;
    if (max_entries < 0 || timeout_s < 0 || (max_entries > 0 && timeout_s == 0))
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0,
                               TLS_STREAM_MSG("session cache needs entries and a timeout"));
    cfg->set.cache_entries = max_entries;
    cfg->set.cache_timeout = timeout_s;
    return TLS_STREAM_OK;
}

int tls_stream_config_set_max_fragment(tls_stream_config *cfg, size_t len)
{
    int rc = feature_allowed(cfg, TLS_STREAM_CLIENT, TLS_STREAM_CAP_MAX_FRAGMENT,
                             TLS_STREAM_MSG("a client setting on a server configuration"),
                             TLS_STREAM_MSG("not supported by the backend"));
    if (rc != TLS_STREAM_OK)
        return rc;
    if (len != 0 && len != 512 && len != 1024 && len != 2048 && len != 4096)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0,
                               TLS_STREAM_MSG("max fragment is 512, 1024, 2048 or 4096"));
    cfg->set.max_fragment = (unsigned)len;
    return TLS_STREAM_OK;
}

static int is_version(int v)
{
    return v == 0 || v == TLS_STREAM_TLS1_2 || v == TLS_STREAM_TLS1_3;
}

int tls_stream_config_set_version(tls_stream_config *cfg, int min, int max)
{
    int rc = writable(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    if (!is_version(min) || !is_version(max) || (min != 0 && max != 0 && min > max))
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_ARG, 0,
                               TLS_STREAM_MSG("versions are TLS 1.2 or 1.3, min <= max"));
    if ((min == TLS_STREAM_TLS1_3 || max == TLS_STREAM_TLS1_3) &&
        !(cfg->backend->caps & TLS_STREAM_CAP_TLS13))
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_UNSUPPORTED, 0,
                               TLS_STREAM_MSG("this backend has no TLS 1.3"));
    cfg->set.min_version = min;
    cfg->set.max_version = max;
    return TLS_STREAM_OK;
}

/*
 * The rules that no single setter can check, at the first tls_stream_new():
 * a certificate needs its key (and the reverse); a server needs a
 * certificate or a PSK, and asks for client certificates only with a CA and
 * without PSK; a verifying client needs a CA or a PSK: a missing trust
 * anchor is a configuration error, never a silent pass.
 */
static int validate(tls_stream_config *cfg)
{
    if (cfg->set.has_cert != cfg->has_key)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                               cfg->set.has_cert ? TLS_STREAM_MSG("certificate without private key")
                                             : TLS_STREAM_MSG("private key without certificate"));
    if (cfg->set.role == TLS_STREAM_SERVER) {
        if (!cfg->set.has_cert && !has_psk(cfg))
            return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                                   TLS_STREAM_MSG("a server needs a certificate and key, or PSK"));
        if (cfg->set.verify != TLS_STREAM_VERIFY_NONE && has_psk(cfg))
            return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                                   TLS_STREAM_MSG("a PSK server cannot ask for client certificates"));
        if (cfg->set.verify != TLS_STREAM_VERIFY_NONE && !cfg->set.has_ca)
            return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                                   TLS_STREAM_MSG("verifying client certificates needs a CA"));
        return TLS_STREAM_OK;
    }
    if (cfg->set.verify != TLS_STREAM_VERIFY_NONE && !has_psk(cfg) && !cfg->set.has_ca)
        return tls_stream_config_fail(cfg, TLS_STREAM_ERR_CONFIG, 0,
                               TLS_STREAM_MSG("a verifying client needs a CA (or PSK)"));
    return TLS_STREAM_OK;
}

int tls_stream_config_freeze(tls_stream_config *cfg)
{
    tls_stream_settings s;
    int rc;
    if (cfg->frozen)
        return TLS_STREAM_OK;
    /* validate first, freeze only on success: a refused configuration
     * stays editable and the next tls_stream_new() tries again */
    rc = validate(cfg);
    if (rc != TLS_STREAM_OK)
        return rc;
    tls_stream_memcopy(&s, &cfg->set, sizeof s);
    if (s.psk_key_len > 0)
        s.verify = TLS_STREAM_VERIFY_NONE; /* the key authenticates the server */
    if (s.psk_lookup == NULL && cfg->psk_table != NULL) {
        s.psk_lookup = tls_stream_psk_table_lookup;
        s.psk_lookup_arg = cfg;
    }
    s.alpn = (const char *const *)cfg->alpn.names;
    s.ciphersuites = (const char *const *)cfg->ciphersuites.names;
    s.groups = (const char *const *)cfg->groups.names;
    s.sigalgs = (const char *const *)cfg->sigalgs.names;
    rc = cfg->backend->config_finish(cfg->backend_cfg, &s);
    if (rc == TLS_STREAM_OK)
        cfg->frozen = 1;
    return rc;
}
