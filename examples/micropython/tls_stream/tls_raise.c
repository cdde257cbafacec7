/*
 * tls_stream statuses raised as MicroPython's mbedtls module raises them:
 *   - the wrapped stream's own errno            -> OSError(errno)
 *   - NOMEM                                    -> OSError(ENOMEM)
 *   - a certificate verification failure       -> ValueError("\n<reason>\n")
 *   - another TLS failure                      -> OSError(code, "MBEDTLS_ERR_...")
 *     (the backend's code and its symbolic name, or the library's text)
 */
#include <string.h>

#include "py/mperrno.h"
#include "py/objstr.h"
#include "py/runtime.h"

#include "mod_tls.h"

/* OSError(code, text); text is copied. */
static NORETURN void raise_code_text(int code, const char *text)
{
    mp_obj_t args[2] = { MP_OBJ_NEW_SMALL_INT(code),
                         mp_obj_new_str(text, strlen(text)) };
    nlr_raise(mp_obj_exception_make_new(&mp_type_OSError, 2, 0, args));
}

void mp_tls_raise_code(int code)
{
    const char *name = mp_tls_backend_code_name(code);
    if (name == NULL)
        mp_raise_OSError(code);
    raise_code_text(code, name);
}

/* "a; b" (the library joins the verification reasons) -> "\na\nb\n" */
static NORETURN void raise_verify(const char *msg)
{
    vstr_t v;
    vstr_init(&v, strlen(msg) + 3);
    vstr_add_char(&v, '\n');
    for (const char *p = msg; *p != '\0'; p++) {
        if (p[0] == ';' && p[1] == ' ') {
            vstr_add_char(&v, '\n');
            p++;
        } else {
            vstr_add_char(&v, *p);
        }
    }
    vstr_add_char(&v, '\n');
    mp_obj_t text = mp_obj_new_str_from_vstr(&v);
    nlr_raise(mp_obj_exception_make_new(&mp_type_ValueError, 1, 0, &text));
}

void mp_tls_raise_status(int status, int code, const char *msg)
{
    bool has_text = msg != NULL && *msg != '\0';
    if (!has_text)
        msg = tls_stream_strerror(status);
    switch (status) {
    case TLS_STREAM_ERR_NOMEM:
        mp_raise_OSError(MP_ENOMEM);
    case TLS_STREAM_ERR_TIMEOUT:
        mp_raise_OSError(MP_ETIMEDOUT);
    case TLS_STREAM_ERR_IO:
        /* the wrapped stream's errno, as our transport returned it */
        mp_raise_OSError(code < 0 && code > -4096 ? -code : MP_EIO);
    case TLS_STREAM_ERR_BAD_KEY:
        /* a key that does not parse, or does not match its certificate */
        if (has_text)
            mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("invalid key: %s"), msg);
        mp_raise_ValueError(MP_ERROR_TEXT("invalid key"));
    case TLS_STREAM_ERR_BAD_CERT:
        mp_raise_ValueError(MP_ERROR_TEXT("invalid cert"));
    case TLS_STREAM_ERR_VERIFY:
    case TLS_STREAM_ERR_HOSTNAME:
    case TLS_STREAM_ERR_CERT_EXPIRED:
        /* MicroPython raises ValueError(verify info) when the peer's
         * certificate is rejected; a client certificate the peer did not
         * send (NO_PEER_CERT) stays an OSError, as in MicroPython */
        raise_verify(msg);
    default:
        break;
    }
    if (code != 0 && mp_tls_backend_code_name(code) != NULL)
        mp_tls_raise_code(code);
    raise_code_text(code != 0 ? code : status, msg);
}

void mp_tls_raise_stream(const tls_stream *s, int status)
{
    const char *msg = NULL;
    int code = tls_stream_error_detail(s, &msg);
    mp_tls_raise_status(status, code, msg);
}

void mp_tls_raise_config(const tls_stream_config *cfg, int status)
{
    const char *msg = NULL;
    int code = tls_stream_config_error_detail(cfg, &msg);
    mp_tls_raise_status(status, code, msg);
}

int mp_tls_errcode(const tls_stream *s, int status)
{
    int code = tls_stream_error_detail(s, NULL);
    if (status == TLS_STREAM_ERR_IO && code < 0 && code > -4096)
        return -code;
    if (status == TLS_STREAM_ERR_NOMEM)
        return MP_ENOMEM;
    return code != 0 ? code : status;
}
