/*
 * SSLContext: MicroPython's settings (verify_mode, key and certificate, CA
 * data, cipher suites, PSK, verify_callback) kept as Python objects, and one
 * tls_stream_config built from them when a socket is wrapped. A change
 * drops that configuration (sockets keep their own reference) so the next
 * wrap builds a new one: the library freezes a configuration in use.
 *
 * Setters that take data check it at once, as MicroPython does, on a
 * scratch configuration: load_cert_chain() parses the key before looking at
 * the certificate, so key=b"!" is "invalid key" and a missing certificate
 * is the TypeError of a None where data is needed.
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/objlist.h"
#include "py/runtime.h"

#include "mod_tls.h"

static void drop_config(mp_tls_context *self)
{
    if (self->cfg != NULL) {
        tls_stream_config_free(self->cfg);
        self->cfg = NULL;
    }
}

/* A fresh configuration for this context's role. Raises. */
static tls_stream_config *new_config(mp_tls_context *self)
{
    tls_stream_config *cfg = NULL;
    int rc = tls_stream_config_new(&cfg, mp_tls_backend(), self->role, &mp_tls_allocator);
    if (rc == TLS_STREAM_ERR_NOMEM)
        mp_raise_OSError(MP_ENOMEM);
    if (rc != TLS_STREAM_OK)
        mp_raise_OSError(MP_EIO);
    return cfg;
}

/* Raise the configuration's error after freeing it. */
static NORETURN void fail_config(tls_stream_config *cfg, int rc)
{
    char text[128] = "";
    const char *msg = NULL;
    int code = tls_stream_config_error_detail(cfg, &msg);
    if (msg != NULL)
        strncpy(text, msg, sizeof text - 1);
    tls_stream_config_free(cfg);
    mp_tls_raise_status(rc, code, text);
}

static const byte *data_of(mp_obj_t obj, size_t *len)
{
    return (const byte *)mp_obj_str_get_data(obj, len);
}

/* ---- server PSK: server_psk_keys.get(identity) ---------------------------- */

static int psk_lookup(void *arg, const unsigned char *identity, size_t identity_len,
    unsigned char *key, size_t key_size)
{
    mp_tls_context *self = arg;
    nlr_buf_t nlr;
    int rc = TLS_STREAM_ERR_PSK_IDENTITY;
    if (nlr_push(&nlr) == 0) {
        mp_obj_t dest[3];
        mp_load_method(self->server_psk_keys, MP_QSTR_get, dest);
        dest[2] = mp_obj_new_bytes(identity, identity_len);
        mp_obj_t found = mp_call_method_n_kw(1, 0, dest);
        mp_buffer_info_t buf;
        if (found != mp_const_none && mp_get_buffer(found, &buf, MP_BUFFER_READ) &&
            buf.len > 0 && buf.len <= key_size) {
            memcpy(key, buf.buf, buf.len);
            rc = (int)buf.len;
        }
        nlr_pop();
    }
    /* an exception in get() refuses the identity, as in MicroPython */
    return rc;
}

/* ---- building the configuration ------------------------------------------ */

static int apply_psk(mp_tls_context *self, tls_stream_config *cfg)
{
    size_t ident_len, key_len;
    const byte *ident, *key;
    if (self->psk_identity == mp_const_none || self->psk_key == mp_const_none)
        return TLS_STREAM_OK;
    ident = data_of(self->psk_identity, &ident_len);
    key = data_of(self->psk_key, &key_len);
    return tls_stream_config_set_psk(cfg, ident, ident_len, key, key_len);
}

static int apply_ciphers(mp_tls_context *self, tls_stream_config *cfg)
{
    size_t n;
    mp_obj_t *items;
    const char *names[TLS_STREAM_MAX_CIPHERSUITES + 1];
    if (self->ciphers == MP_OBJ_NULL)
        return TLS_STREAM_OK;
    mp_obj_get_array(self->ciphers, &n, &items);
    if (n > TLS_STREAM_MAX_CIPHERSUITES)
        n = TLS_STREAM_MAX_CIPHERSUITES;
    for (size_t i = 0; i < n; i++)
        names[i] = mp_obj_str_get_str(items[i]);
    names[n] = NULL;
    return tls_stream_config_set_ciphersuites(cfg, names);
}

static int apply_all(mp_tls_context *self, tls_stream_config *cfg)
{
    size_t len;
    const byte *p;
    int rc = tls_stream_config_set_verify(cfg, (tls_stream_verify)self->verify_mode);
    if (rc == TLS_STREAM_OK && self->cadata != MP_OBJ_NULL) {
        size_t n;
        mp_obj_t *items;
        mp_obj_list_get(self->cadata, &n, &items);
        for (size_t i = 0; rc == TLS_STREAM_OK && i < n; i++) {
            p = data_of(items[i], &len);
            rc = tls_stream_config_add_ca(cfg, p, len);
        }
    }
    if (rc == TLS_STREAM_OK && self->key != MP_OBJ_NULL) {
        p = data_of(self->key, &len);
        rc = tls_stream_config_set_key(cfg, p, len, NULL);
        if (rc == TLS_STREAM_OK) {
            p = data_of(self->cert, &len);
            rc = tls_stream_config_set_cert(cfg, p, len);
        }
    }
    if (rc == TLS_STREAM_OK)
        rc = apply_ciphers(self, cfg);
    if (rc == TLS_STREAM_OK && self->role == TLS_STREAM_CLIENT)
        rc = apply_psk(self, cfg);
    if (rc == TLS_STREAM_OK && self->role == TLS_STREAM_SERVER &&
        self->server_psk_keys != mp_const_none)
        rc = tls_stream_config_set_psk_lookup(cfg, psk_lookup, self);
    return rc;
}

tls_stream_config *mp_tls_context_config(mp_tls_context *self)
{
    if (self->cfg == NULL) {
        tls_stream_config *cfg = new_config(self);
        int rc = apply_all(self, cfg);
        if (rc != TLS_STREAM_OK)
            fail_config(cfg, rc);
        self->cfg = cfg;
    }
    return self->cfg;
}

bool mp_tls_context_has_psk(const mp_tls_context *self)
{
    return self->role == TLS_STREAM_CLIENT && self->psk_identity != mp_const_none &&
           self->psk_key != mp_const_none;
}

/* ---- the type -------------------------------------------------------------- */

static mp_obj_t context_make_new(const mp_obj_type_t *type, size_t n_args, size_t n_kw,
    const mp_obj_t *args)
{
    mp_arg_check_num(n_args, n_kw, 1, 1, false);
    mp_int_t protocol = mp_obj_get_int(args[0]);
    if (protocol != MP_TLS_PROTOCOL_CLIENT && protocol != MP_TLS_PROTOCOL_SERVER)
        mp_raise_ValueError(MP_ERROR_TEXT("protocol"));
    mp_tls_context *self = mp_obj_malloc_with_finaliser(mp_tls_context, type);
    self->cfg = NULL;
    self->role = protocol == MP_TLS_PROTOCOL_SERVER ? TLS_STREAM_SERVER : TLS_STREAM_CLIENT;
    /* MicroPython's defaults, which are the library's: clients verify */
    self->verify_mode = self->role == TLS_STREAM_CLIENT ? TLS_STREAM_VERIFY_REQUIRED
                                                        : TLS_STREAM_VERIFY_NONE;
    self->key = self->cert = self->cadata = self->ciphers = MP_OBJ_NULL;
    self->verify_callback = mp_const_none;
    self->psk_identity = self->psk_key = self->server_psk_keys = mp_const_none;
    return MP_OBJ_FROM_PTR(self);
}

/* Check a complete PSK pair now (a too long key is refused when set). */
static void check_psk(mp_tls_context *self)
{
    if (!mp_tls_context_has_psk(self))
        return;
    tls_stream_config *cfg = new_config(self);
    int rc = apply_psk(self, cfg);
    if (rc != TLS_STREAM_OK) {
        fail_config(cfg, rc == TLS_STREAM_ERR_BAD_KEY ? TLS_STREAM_ERR_ARG : rc);
    }
    tls_stream_config_free(cfg);
}

static mp_obj_t *attr_slot(mp_tls_context *self, qstr attr)
{
    switch (attr) {
    case MP_QSTR_verify_callback: return &self->verify_callback;
    case MP_QSTR_psk_identity: return &self->psk_identity;
    case MP_QSTR_psk_key: return &self->psk_key;
    case MP_QSTR_server_psk_keys: return &self->server_psk_keys;
    default: return NULL;
    }
}

static void context_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest)
{
    mp_tls_context *self = MP_OBJ_TO_PTR(self_in);
    mp_obj_t *slot = attr_slot(self, attr);
    if (dest[0] == MP_OBJ_NULL) { /* load */
        if (attr == MP_QSTR_verify_mode)
            dest[0] = MP_OBJ_NEW_SMALL_INT(self->verify_mode);
        else if (slot != NULL)
            dest[0] = *slot;
        else
            dest[1] = MP_OBJ_SENTINEL; /* continue in locals_dict */
        return;
    }
    if (dest[1] == MP_OBJ_NULL) /* delete: not supported */
        return;
    if (attr == MP_QSTR_verify_mode) {
        mp_int_t mode = mp_obj_get_int(dest[1]);
        if (mode < TLS_STREAM_VERIFY_NONE || mode > TLS_STREAM_VERIFY_REQUIRED)
            mp_raise_ValueError(MP_ERROR_TEXT("verify_mode"));
        self->verify_mode = (int)mode;
    } else if (slot != NULL) {
        mp_obj_t old = *slot;
        if (attr == MP_QSTR_psk_identity || attr == MP_QSTR_psk_key) {
            if (dest[1] != mp_const_none) {
                size_t len;
                data_of(dest[1], &len); /* str or bytes, else TypeError */
            }
        }
        *slot = dest[1];
        if (attr == MP_QSTR_psk_identity || attr == MP_QSTR_psk_key) {
            nlr_buf_t nlr;
            if (nlr_push(&nlr) == 0) {
                check_psk(self);
                nlr_pop();
            } else {
                *slot = old; /* refused: keep the previous value */
                nlr_jump(nlr.ret_val);
            }
        }
    } else {
        return; /* unknown: AttributeError */
    }
    drop_config(self);
    dest[0] = MP_OBJ_NULL; /* stored */
}

/* __del__: the GC finaliser; frees without I/O (a context does none). */
static mp_obj_t context_del(mp_obj_t self_in)
{
    drop_config(MP_OBJ_TO_PTR(self_in));
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(context_del_obj, context_del);

static mp_obj_t context_get_ciphers(mp_obj_t self_in)
{
    (void)self_in;
    return mp_tls_backend_ciphers();
}
static MP_DEFINE_CONST_FUN_OBJ_1(context_get_ciphers_obj, context_get_ciphers);

static mp_obj_t context_set_ciphers(mp_obj_t self_in, mp_obj_t ciphers)
{
    mp_tls_context *self = MP_OBJ_TO_PTR(self_in);
    size_t n;
    mp_obj_t *items;
    mp_obj_get_array(ciphers, &n, &items);
    if (n == 0 || n > TLS_STREAM_MAX_CIPHERSUITES)
        mp_tls_raise_code(mp_tls_backend_bad_config_code());
    mp_obj_t list = mp_obj_new_list(n, items);
    for (size_t i = 0; i < n; i++) {
        if (!mp_tls_backend_cipher_known(mp_obj_str_get_str(items[i])))
            mp_tls_raise_code(mp_tls_backend_bad_config_code());
    }
    self->ciphers = list;
    drop_config(self);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(context_set_ciphers_obj, context_set_ciphers);

/* load_cert_chain(cert, key): data (str/bytes, PEM or DER), key first. */
static mp_obj_t context_load_cert_chain(mp_obj_t self_in, mp_obj_t cert, mp_obj_t key)
{
    mp_tls_context *self = MP_OBJ_TO_PTR(self_in);
    size_t len;
    const byte *p = data_of(key, &len);
    tls_stream_config *cfg = new_config(self);
    int rc = tls_stream_config_set_key(cfg, p, len, NULL);
    if (rc != TLS_STREAM_OK) {
        tls_stream_config_free(cfg);
        if (rc == TLS_STREAM_ERR_NOMEM)
            mp_raise_OSError(MP_ENOMEM);
        mp_raise_ValueError(MP_ERROR_TEXT("invalid key"));
    }
    nlr_buf_t nlr;
    if (nlr_push(&nlr) == 0) {
        p = data_of(cert, &len); /* None: TypeError, as in MicroPython */
        nlr_pop();
    } else {
        tls_stream_config_free(cfg);
        nlr_jump(nlr.ret_val);
    }
    rc = tls_stream_config_set_cert(cfg, p, len);
    tls_stream_config_free(cfg);
    if (rc == TLS_STREAM_ERR_NOMEM)
        mp_raise_OSError(MP_ENOMEM);
    if (rc != TLS_STREAM_OK)
        mp_raise_ValueError(MP_ERROR_TEXT("invalid cert"));
    self->key = key;
    self->cert = cert;
    drop_config(self);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_3(context_load_cert_chain_obj, context_load_cert_chain);

/* load_verify_locations(cadata): trusted CAs (PEM, one or many, or one DER). */
static mp_obj_t context_load_verify_locations(mp_obj_t self_in, mp_obj_t cadata)
{
    mp_tls_context *self = MP_OBJ_TO_PTR(self_in);
    size_t len;
    const byte *p = data_of(cadata, &len);
    tls_stream_config *cfg = new_config(self);
    int rc = tls_stream_config_add_ca(cfg, p, len);
    tls_stream_config_free(cfg);
    if (rc == TLS_STREAM_ERR_NOMEM)
        mp_raise_OSError(MP_ENOMEM);
    if (rc != TLS_STREAM_OK)
        mp_raise_ValueError(MP_ERROR_TEXT("invalid cert"));
    if (self->cadata == MP_OBJ_NULL)
        self->cadata = mp_obj_new_list(0, NULL);
    mp_obj_list_append(self->cadata, cadata);
    drop_config(self);
    return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(context_load_verify_locations_obj, context_load_verify_locations);

static mp_obj_t context_wrap_socket(size_t n_args, const mp_obj_t *pos_args, mp_map_t *kw_args)
{
    enum { ARG_server_side, ARG_do_handshake_on_connect, ARG_server_hostname };
    static const mp_arg_t allowed_args[] = {
        { MP_QSTR_server_side, MP_ARG_KW_ONLY | MP_ARG_BOOL, { .u_bool = false } },
        { MP_QSTR_do_handshake_on_connect, MP_ARG_KW_ONLY | MP_ARG_BOOL, { .u_bool = true } },
        { MP_QSTR_server_hostname, MP_ARG_KW_ONLY | MP_ARG_OBJ, { .u_rom_obj = MP_ROM_NONE } },
    };
    mp_arg_val_t args[MP_ARRAY_SIZE(allowed_args)];
    mp_arg_parse_all(n_args - 2, pos_args + 2, kw_args, MP_ARRAY_SIZE(allowed_args), allowed_args,
        args);
    return mp_tls_socket_new(MP_OBJ_TO_PTR(pos_args[0]), pos_args[1],
        args[ARG_server_side].u_bool, args[ARG_do_handshake_on_connect].u_bool,
        args[ARG_server_hostname].u_obj);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(context_wrap_socket_obj, 2, context_wrap_socket);

static const mp_rom_map_elem_t context_locals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___del__), MP_ROM_PTR(&context_del_obj) },
    { MP_ROM_QSTR(MP_QSTR_get_ciphers), MP_ROM_PTR(&context_get_ciphers_obj) },
    { MP_ROM_QSTR(MP_QSTR_set_ciphers), MP_ROM_PTR(&context_set_ciphers_obj) },
    { MP_ROM_QSTR(MP_QSTR_load_cert_chain), MP_ROM_PTR(&context_load_cert_chain_obj) },
    { MP_ROM_QSTR(MP_QSTR_load_verify_locations), MP_ROM_PTR(&context_load_verify_locations_obj) },
    { MP_ROM_QSTR(MP_QSTR_wrap_socket), MP_ROM_PTR(&context_wrap_socket_obj) },
};
static MP_DEFINE_CONST_DICT(context_locals_dict, context_locals_table);

MP_DEFINE_CONST_OBJ_TYPE(
    mp_tls_context_type,
    MP_QSTR_SSLContext,
    MP_TYPE_FLAG_NONE,
    make_new, context_make_new,
    attr, context_attr,
    locals_dict, &context_locals_dict
    );
