/*
 * The `tls` module, as MicroPython 1.25 defines it (extmod/modtls_mbedtls.c),
 * on the tls_stream library: SSLContext, SSLSocket, the PROTOCOL_* and
 * CERT_* constants and MBEDTLS_VERSION. No DTLS: tls_stream is a stream
 * library (docs/micropython-compat.md).
 */
#include "py/runtime.h"

#include "mod_tls.h"

#if MICROPY_PY_TLS_STREAM

static const mp_rom_map_elem_t tls_module_globals_table[] = {
    { MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_tls) },
    { MP_ROM_QSTR(MP_QSTR_SSLContext), MP_ROM_PTR(&mp_tls_context_type) },
    { MP_ROM_QSTR(MP_QSTR_MBEDTLS_VERSION), MP_ROM_PTR(&mp_tls_backend_version_obj) },
    { MP_ROM_QSTR(MP_QSTR_PROTOCOL_TLS_CLIENT), MP_ROM_INT(MP_TLS_PROTOCOL_CLIENT) },
    { MP_ROM_QSTR(MP_QSTR_PROTOCOL_TLS_SERVER), MP_ROM_INT(MP_TLS_PROTOCOL_SERVER) },
    { MP_ROM_QSTR(MP_QSTR_CERT_NONE), MP_ROM_INT(TLS_STREAM_VERIFY_NONE) },
    { MP_ROM_QSTR(MP_QSTR_CERT_OPTIONAL), MP_ROM_INT(TLS_STREAM_VERIFY_OPTIONAL) },
    { MP_ROM_QSTR(MP_QSTR_CERT_REQUIRED), MP_ROM_INT(TLS_STREAM_VERIFY_REQUIRED) },
};
static MP_DEFINE_CONST_DICT(tls_module_globals, tls_module_globals_table);

const mp_obj_module_t mp_module_tls_stream = {
    .base = { &mp_type_module },
    .globals = (mp_obj_dict_t *)&tls_module_globals,
};

MP_REGISTER_MODULE(MP_QSTR_tls, mp_module_tls_stream);

#endif /* MICROPY_PY_TLS_STREAM */
